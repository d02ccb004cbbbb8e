"""No English on a Portuguese page.

Every page is rendered under AppTest in pt-BR over a store holding a finished run of every
architecture (and a failed and a diverged one): Live and Compare with all of them selected
(in groups, as the pickers allow), Runs, Train with each architecture chosen, Lessons and Draw.
Every string the pages send (texts, labels, help, options, table headers and cells, chart titles,
axes, legends and notes) is gathered, and any English string of the catalog found in it is a hit:
a page word (``Catalog``), a declared word (``tr``), a parameter or choice label. The test lists
every hit with the page it was on, then fails once.

What does not count: a word that reads the same in both languages (MNIST, Dropout) or that the
Portuguese catalog itself writes (a knob's name in a help text: "epochs"), and code: the names kept
visible on purpose in brackets ("Taxa de aprendizado (lr)", "Cosseno (cosine)"), ``name=value``
settings, backticks, dotted or underscored names (layers, metric keys), one-token table cells and
chart categories (a layer, a class, a value), and the model's source code on Live.
"""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deeparch.present import i18n
from deeparch.course.archs import ARCHS, make_config
from deeparch.catalogs import template, translated_pages, translations

import fake_runs
from pages import _prefs

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LIVE_AT_ONCE, COMPARE_AT_ONCE = 6, 8  # the pickers' limits (pages/live.py, pages/compare.py MAX_RUNS)
MARKUP = re.compile(r":material/[a-z_]+:|:\w+-badge\[|[*`]")
# the code names pages keep visible on purpose: "(lr)", "lr=0.1", `runs/`, a knob's or key's name
CODE = re.compile(r"\(\s*[\w.\-/]+\s*\)|\b[\w.]+=\S+|`[^`]*`|\b\w+(?:\.\w+)+\b|\b\w*_\w*\b")
ESCAPED = re.compile(r"\\([^\w\s])")
SPLIT = re.compile(r"[\n()\[\]:·—–;!?\"]+|\.(?:\s|$)")


def catalog() -> dict[str, str | None]:
    """Every English string of the catalog → its Portuguese (None: it has none yet, and should): page words,
    declared words, parameter and value labels (the messages' templates are worded by i18n.tr_error)."""
    have = translations()
    out: dict[str, str | None] = {m.id: have.get((m.context, m.id)) for m in template()
                                  if m.id and not (m.context or "").startswith("error:")}
    out.update({english: text for (context, english), text in have.items()
                if not (context or "").startswith("error:")})
    return out


def fragments(english: str, portuguese: str | None) -> list[str]:
    """The pieces of an English catalog string that betray it (placeholders cut out): at least four letters,
    and not also in its translation (a name such as MNIST, Fréchet or Dropout reads the same in both)."""
    out = []
    for literal, *_ in string.Formatter().parse(english):
        for piece in SPLIT.split(MARKUP.sub(" ", literal)):
            piece = " ".join(piece.strip(" .,-/#'").split())
            same = portuguese is not None and re.search(r"(?<!\w)" + re.escape(piece) + r"(?!\w)", portuguese)
            if sum(c.isalpha() for c in piece) >= 4 and not same:  # "uniform" does betray, beside "uniforme"
                out.append(piece)
    return out


WORD = re.compile(r"\w+")


def betrayals() -> dict[str, list[tuple[str, int]]]:
    """The English pieces by their first word: word → [(piece, offset of that word in it)]. A piece the
    Portuguese catalog itself writes as a word (a knob's name in a help text: "epochs") cannot betray."""
    words = catalog()
    portuguese_text = "\n".join(CODE.sub(" ", "".join(lit for lit, *_ in string.Formatter().parse(p)))
                                 for p in words.values() if p)
    found: dict[str, list[tuple[str, int]]] = {}
    for english, portuguese in words.items():
        if english == portuguese:
            continue
        for piece in fragments(english, portuguese):
            first = WORD.search(piece)
            if first and (piece, first.start()) not in found.get(first.group(), []):
                found.setdefault(first.group(), []).append((piece, first.start()))
    written = english_in(portuguese_text, found)
    return {w: kept for w, pieces in found.items() if (kept := [p for p in pieces if p[0] not in written])}


def english_in(text: str, pieces: dict[str, list[tuple[str, int]]]) -> dict[str, str]:
    """The pieces found in ``text`` as whole words (one pass over its words, not one search per piece), each
    with the text around its first occurrence."""
    hits: dict[str, str] = {}
    for m in WORD.finditer(text):
        for piece, offset in pieces.get(m.group(), ()):
            start, end = m.start() - offset, m.start() - offset + len(piece)
            if (start >= 0 and text.startswith(piece, start) and not (start and re.match(r"[\w/.-]", text[start - 1]))
                    and not (end < len(text) and re.match(r"[\w/-]", text[end]))):
                line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", end)
                hits.setdefault(piece, text[max(line_start, start - 40):min(end + 40, len(text) if line_end < 0
                                                                              else line_end)])
    return hits


# ---- what a page shows ----------------------------------------------------------------------------
# the keys of JSON (a Plotly figure, a table's column settings) that hold words a reader sees (titles, legend
# names, notes, hover, ticks, column labels), and
# those that hold categories, where a one-token string is a code name (a layer: "features.0") or a number
SHOWN_KEYS = {"text", "name", "title", "hovertemplate", "ticktext", "texttemplate", "label", "help"}
CATEGORY_KEYS = {"x", "y", "labels"}


def _json_strings(value, out: list[str], key: str | None = None) -> None:
    """The shown strings of a JSON value (a Plotly figure, a component's data), nested JSON opened."""
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                return _json_strings(json.loads(value), out, "text")
            except ValueError:
                pass
        if (key in SHOWN_KEYS or key in CATEGORY_KEYS and " " in value.strip()) and not value.startswith("data:"):
            out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            _json_strings(v, out, k)
    elif isinstance(value, list):
        for v in value:
            _json_strings(v, out, key)


def _arrow_strings(data: bytes, out: list[str]) -> None:
    import pyarrow as pa

    table = pa.ipc.open_stream(data).read_all()
    out.extend(c for c in map(str, table.column_names) if " " in c.strip())  # a one-token name: a key
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            # a one-token cell is a code name (a layer, a module's class, a knob's value) or a number
            out.extend(v for v in column.to_pylist() if isinstance(v, str) and " " in v.strip())


def _proto_strings(msg, out: list[str], problems: list[str]) -> None:
    """Every string a message carries (JSON specs and Arrow tables opened), its ids left out."""
    name = type(msg).__name__
    if name == "Code":
        return
    if name == "MultiSelect" and getattr(msg, "select_all", 0):
        problems.append(f"Streamlit's own English 'Select all' on the picker {msg.label!r}")
    for field, value in msg.ListFields():
        if field.name in ("id", "form_id", "key", "icon", "type", "data_editor_id", "page_script_hash", "url",
                          "component_name", "js_content", "js_source_path", "css_content", "css_source_path"):
            continue
        values = value if field.is_repeated else [value]
        for v in values:
            if isinstance(v, str):
                if v[:1] in "{[":
                    _json_strings(v, out, "text")
                else:
                    out.append(v)
            elif isinstance(v, bytes):
                if name in ("Arrow", "Dataframe") or field.name == "data":
                    try:
                        _arrow_strings(v, out)
                    except Exception:  # noqa: BLE001 - not an Arrow table
                        pass
            elif hasattr(v, "ListFields"):
                _proto_strings(v, out, problems)


def shown(at: AppTest) -> tuple[str, list[str]]:
    """(the words of the rendered page, one text per line; Streamlit's own English it lets through)."""
    out: list[str] = []
    problems: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "ListFields"):
            _proto_strings(proto, out, problems)
    # Markdown's escapes undone first ("classifier\\.1" is the layer classifier.1 as md_escape writes it)
    text = "\n".join(CODE.sub(" ", MARKUP.sub(" ", ESCAPED.sub(r"\1", s))) for s in dict.fromkeys(out))
    return text, problems


def visit(at: AppTest, path: str, state: dict) -> AppTest:
    for k, v in state.items():
        at.session_state[k] = v
    at.switch_page(path).run()
    assert not at.exception, (path, [e.value for e in at.exception])
    assert [t.value for t in at.title][:1] == [translated_pages()[Path(path).stem]["title"]], (path, "not in Portuguese")
    return at


@pytest.fixture
def every_architecture(tmp_path, monkeypatch):
    """A store with a finished run of every architecture, a failed and a diverged one, a forecaster on sunspots."""
    from deeparch.execution import jobs
    from deeparch.store import Store

    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)
    # every lookup in Portuguese, as for a reader who chose it: also AppTest's own formatting of a picker's
    # options, done outside the script run, where the session's language cannot be read
    monkeypatch.setattr(_prefs, "session_lang", lambda: "pt-BR")
    s = Store(tmp_path / "runs")
    ids = [fake_runs.fake_run(s, arch, steps=50) for arch in ARCHS if not arch.startswith("toy")]
    ids += [fake_runs.failed_diffusion(s), fake_runs.diverged_rnn(s), fake_runs.series_run(s)]
    yield ids
    s.close()
    i18n.set_resolver(None)


def test_no_english_catalog_string_on_any_portuguese_page(every_architecture):
    ids = every_architecture
    visits = [(f"Live #{chunk[0]}–#{chunk[-1]}", "pages/live.py", {"handoff:pages/live.py": chunk})
              for chunk in (ids[i:i + LIVE_AT_ONCE] for i in range(0, len(ids), LIVE_AT_ONCE))]
    visits += [(f"Compare #{chunk[0]}–#{chunk[-1]}", "pages/compare.py", {"handoff:pages/compare.py": chunk})
               for chunk in (ids[i:i + COMPARE_AT_ONCE] for i in range(0, len(ids), COMPARE_AT_ONCE))]
    visits += [("Runs", "pages/runs.py", {}), ("Lessons", "pages/lessons.py", {}), ("Draw", "pages/draw.py", {})]
    visits += [(f"Train {arch}", "pages/train.py", {"train_arch": arch, "keep:train_arch": arch,
                                                    "train_dataset": make_config(arch).dataset})
               for arch in ARCHS if not arch.startswith("toy")]
    pieces = betrayals()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # app.py with its sidebar installs the language; a switch_page after it runs the page alone
    hits: dict[str, tuple[set[str], str]] = {}
    for where, path, state in [("the sidebar and Train", None, {}), *visits]:
        text, problems = shown(visit(at, path, state) if path else at)
        for piece, around in {**english_in(text, pieces), **{p: "" for p in problems}}.items():
            hits.setdefault(piece, (set(), around))[0].add(where)
    assert not hits, f"{len(hits)} English catalog strings on pt-BR pages:\n" + "\n".join(
        f"  {piece!r} on {', '.join(sorted(pages))}" + (f": …{around}…" if around else "")
        for piece, (pages, around) in sorted(hits.items()))
