"""User-supplied text (run names) is data: cleaned once when stored, escaped wherever shown.

``clean_name`` is applied when a name is stored (and again when an old one is shown):
control characters and bidirectional overrides are removed, white space is folded and
the length is bounded. ``md_escape`` makes a cleaned name safe inside Markdown (Streamlit
labels, captions, toasts), ``csv_cell`` keeps a spreadsheet from reading it as a formula.
"""
from __future__ import annotations

import re
import unicodedata

MAX_NAME = 80
# Unicode categories dropped from names: controls (Cc), format characters (Cf: the bidi
# overrides and isolates U+202A-U+202E, U+2066-U+2069, zero-width joiners, BOM), unassigned.
_DROP = {"Cc", "Cf", "Cn", "Co", "Cs"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
# Streamlit's Markdown (GitHub's flavour) turns a bare "https://…", "www.…" or "a@b.c" into a link even
# when every character is backslash-escaped: it finds them in the text after the escapes are read. An
# invisible WORD JOINER between the scheme and its ":", before "@" and between "www" and its "." breaks
# those patterns and shows nothing (other text, a "name: value" included, is left as it was).
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=https)(?=\\:)|(?<=http)(?=\\:)|(?<=mailto)(?=\\:)|(?<=xmpp)(?=\\:)|(?=@)"
                       r"|(?<=www)(?=\\\.)", re.IGNORECASE)


def clean_name(name: str | None, max_len: int = MAX_NAME) -> str:
    """A run name safe to store and show: printable, one line, at most ``max_len`` characters."""
    if not name:
        return ""
    text = "".join(" " if ch in "\t\r\n" else ch for ch in str(name)
                   if ch in "\t\r\n" or unicodedata.category(ch) not in _DROP)
    text = " ".join(text.split())
    return text if len(text) <= max_len else text[: max_len - 1].rstrip() + "…"


def md_escape(text: str) -> str:
    """``text`` shown literally by a Markdown renderer (no links, images, HTML or emphasis; an address in
    it stays text, never a link out of the lab)."""
    return _AUTOLINK.sub(_JOINER, _MD_SPECIAL.sub(r"\\\1", clean_name(text, max_len=10_000)))


def csv_cell(value):
    """A value for a CSV export that no spreadsheet evaluates as a formula (OWASP: prefix with ')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


SEPARATOR = " · "  # between a group's (a lesson's) title and a run's own label in generated names


def fit_title(title: str, labels: list[str], max_len: int = MAX_NAME, least: int = 16) -> str:
    """``title`` shortened (with "…") so that "title · label" fits in a stored name of ``max_len`` characters
    for the longest of ``labels``: names are cut at ``max_len`` when stored, and the label is the part that
    tells a lesson's runs apart ("… · DCGAN alone" against "… · DCGAN told a group"), so the shared title
    gives way first. Every run of the group gets the same title, so ``without_common_prefix`` still drops it.
    The title keeps at least ``least`` characters; a label too long for that is cut at storage as before."""
    room = max_len - len(SEPARATOR) - max((len(clean_name(label, 10_000)) for label in labels), default=0)
    return clean_name(title, max(room, least))


def without_common_prefix(names: list[str]) -> list[str]:
    """``names`` with the leading part they all share up to a " · " dropped ("Lesson · CNN", "Lesson · RNN"
    → "CNN", "RNN"): in a legend of several runs of one lesson, the lesson's title repeated on every line
    only pushes the part that differs out of view. Unchanged for fewer than two names or no shared part."""
    if len(names) < 2:
        return list(names)
    heads = {n.split(SEPARATOR, 1)[0] for n in names}
    if len(heads) != 1 or not all(SEPARATOR in n and n.split(SEPARATOR, 1)[1].strip() for n in names):
        return list(names)
    return [n.split(SEPARATOR, 1)[1] for n in names]
