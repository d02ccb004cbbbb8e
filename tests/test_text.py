"""Run names are data: cleaned when stored, escaped when shown."""
import re

import pytest

from deeparch.present.text import MAX_NAME, clean_name, csv_cell, md_escape, without_common_prefix


def test_clean_name_drops_controls_and_bidi_overrides_and_bounds_length():
    assert clean_name("abc\u202edef") == "abcdef"  # right-to-left override
    assert clean_name("a\u2066b\u2069c\u200bd") == "abcd"  # isolates, zero-width space
    assert clean_name("one\ntwo\t three\x00") == "one two three"
    long = clean_name("x" * 500)
    assert len(long) == MAX_NAME and long.endswith("…")
    assert clean_name(None) == "" and clean_name("  ") == ""
    assert clean_name("cnn lr 1e-3 (race 2026-11-28)") == "cnn lr 1e-3 (race 2026-11-28)"


def test_md_escape_neutralises_links_images_html_and_emphasis():
    out = md_escape('![x](http://evil/a.png) <iframe srcdoc="<script>">**bold**')
    for escaped in ("\\!\\[", "\\]\\(", "\\<iframe", "\\*\\*"):
        assert escaped in out
    assert re.search(r"(?<!\\)[<\[\]()*!]", out) is None  # every special character is escaped
    assert out.replace("\\", "").replace("\u2060", "") == '![x](http://evil/a.png) <iframe srcdoc="<script>">**bold**'


def test_csv_cell_escapes_formulas_only():
    assert csv_cell("=HYPERLINK(\"http://x\")").startswith("'=")
    assert csv_cell("+1") == "'+1" and csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("-2") == "'-2"
    assert csv_cell("cnn-3") == "cnn-3" and csv_cell(3.5) == 3.5


def test_legend_names_drop_the_title_all_runs_share():
    lesson = ["Race · CNN", "Race · RNN (LSTM) · long", "Race · GAN"]
    assert without_common_prefix(lesson) == ["CNN", "RNN (LSTM) · long", "GAN"]
    # nothing shared, a lone run, or a name that would become empty: unchanged
    assert without_common_prefix(["Race · CNN", "Other · CNN"]) == ["Race · CNN", "Other · CNN"]
    assert without_common_prefix(["Race · CNN"]) == ["Race · CNN"]
    assert without_common_prefix(["Race · CNN", "Race"]) == ["Race · CNN", "Race"]
    assert without_common_prefix(["cnn lr=0.1", "cnn lr=0.01"]) == ["cnn lr=0.1", "cnn lr=0.01"]


def test_fit_title_gives_way_so_every_label_stays_whole():
    from deeparch.present.text import MAX_NAME, fit_title, without_common_prefix

    title = "Why a GAN draws blends, and what telling it a group does"
    labels = ["DCGAN alone", "DCGAN told a group (no labels)", "cGAN told the digit"]
    short = fit_title(title, labels)
    names = [clean_name(f"{short} · {label}") for label in labels]
    assert short.endswith("…") and title.startswith(short[:-1])
    assert all(n.endswith(label) and len(n) <= MAX_NAME for n, label in zip(names, labels))
    assert max(len(n) for n in names) >= MAX_NAME - 2, "the title keeps the room the longest label leaves"
    assert without_common_prefix(names) == labels
    assert fit_title("Short title", labels) == "Short title"
    assert len(fit_title(title, ["x" * 200])) == 16, "a title never shrinks below its floor"


# the patterns GitHub-flavoured Markdown (Streamlit's renderer) turns into links, found in a text after its
# backslash escapes are read (mdast-util-gfm-autolink-literal)
GFM_URL = re.compile(r"(https?://|mailto:|xmpp:|www(?=\.))[-.\w]+", re.IGNORECASE)
GFM_EMAIL = re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


@pytest.mark.parametrize("name", ["see https://example.com", "[x](https://evil.example)", "www.example.org",
                                  "WWW.Example.org", "mail ana@example.net", "mailto:ana@example.net",
                                  "<http://example.com>"])
def test_md_escape_leaves_no_address_that_markdown_would_turn_into_a_link(name):
    read = re.sub(r"\\(.)", r"\1", md_escape(name))  # what the renderer holds once the escapes are read
    assert not GFM_URL.search(read) and not GFM_EMAIL.search(read), repr(read)
    assert read.replace("\u2060", "") == name  # the reader sees the name as typed
