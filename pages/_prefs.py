"""This browser session's preferences: its language and projector mode, chosen in the sidebar.

The language starts as the browser's (``st.context.locale``, navigator.language) and can be
switched; ``install()`` makes ``deeparch.present.i18n`` read it for every lookup of this session.
Projector mode enlarges type, thickens lines, raises contrast and caps charts and grids
at two per row.
"""
from __future__ import annotations

import streamlit as st

from deeparch.present import charts, i18n

TEXT = i18n.Catalog("prefs", {
    "language": "Language",
    "projector": "Projector mode",
    "projector_help": "Large type, thick lines, high contrast and at most two charts per row: readable from the "
                      "back of a room.",
})

LANG_KEY, PROJECTOR_KEY = "pref_lang", "pref_projector"
# what the two widgets chose, kept under plain keys: Streamlit may drop a widget's value for the first run
# after a page switch (a launch from Train or Lessons switches to Live), and a timed fragment reruns only
# itself, so a value read from the widget there turned projector mode off until the next full run
KEPT = {LANG_KEY: "kept_lang", PROJECTOR_KEY: "kept_projector"}
PROJECTOR_PER_ROW = 2

# projector mode for Streamlit's own text (the charts are restyled by deeparch.present.charts.projector)
PROJECTOR_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stAppViewContainer"], [data-testid="stSidebar"] { color: #000; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #111 !important; }
[data-testid="stMetricValue"] { font-size: 2rem; }
</style>
"""


def browser_lang() -> str:
    """The browser's language as one of deeparch's (English when it tells none)."""
    try:
        return i18n.normalize(st.context.locale)
    except Exception:  # noqa: BLE001 - no browser context (AppTest, a bare script run)
        return i18n.DEFAULT


def in_session() -> bool:
    """Whether a Streamlit runtime runs this process's scripts (``streamlit run``, or an AppTest run), the one
    public call Streamlit has for it. Outside one (a CLI, a test, a notebook) ``st.session_state`` is a
    process-wide stand-in and ``st.context`` logs a warning at every read, and i18n reads the language at
    every lookup. A thread of the server that runs no script (the app starts none that translates) would
    count as in a session: it reads an empty session state and the browser's language, none, so English."""
    return st.runtime.exists()


def session_lang() -> str:
    """This session's language: the sidebar's choice, else the browser's; English outside a session."""
    if not in_session():
        return i18n.DEFAULT
    ss = st.session_state
    return ss.get(KEPT[LANG_KEY]) or ss.get(LANG_KEY) or browser_lang()


def install() -> None:
    i18n.set_resolver(session_lang)


def projector() -> bool:
    ss = st.session_state
    return bool(ss.get(KEPT[PROJECTOR_KEY], ss.get(PROJECTOR_KEY, False)))


def per_row(n: int) -> int:
    """How many charts or grids a row holds: ``n``, or at most two in projector mode."""
    return min(n, PROJECTOR_PER_ROW) if projector() else n


def styled(fig) -> dict:
    """``fig`` as this session shows it, as plain dicts (``Figure.to_plotly_json()``): its numbers with the
    language's separators, restyled for a projector when the mode is on. Dicts, not Plotly's validated
    ``update_*`` calls: a Live page restyles every chart at every refresh."""
    d = fig.to_plotly_json()
    if i18n.current() != i18n.DEFAULT:
        d.setdefault("layout", {})["separators"] = i18n.separators()
    return charts.projector_dict(d) if projector() else d


def _keep(key: str) -> None:
    st.session_state[KEPT[key]] = st.session_state[key]


def number_format(printf: str | None = None) -> str | None:
    """A Streamlit number format (a slider's value, a table column): ``printf`` in English; "localized" in
    another language, since a printf format always writes a decimal point ("0.85" where a Brazilian
    reads 0,85). Streamlit's "localized" follows the browser's language, the session's unless the
    sidebar switched it."""
    return printf if i18n.current() == i18n.DEFAULT else "localized"


def sidebar() -> None:
    """The language switch and the projector toggle (each widget starts from the kept choice)."""
    ss = st.session_state
    ss.setdefault(KEPT[LANG_KEY], ss.get(LANG_KEY) or browser_lang())  # a value set before the first run counts
    ss.setdefault(KEPT[PROJECTOR_KEY], bool(ss.get(PROJECTOR_KEY, False)))
    for key in KEPT:
        if ss.get(key) != ss[KEPT[key]]:
            ss[key] = ss[KEPT[key]]
    st.selectbox(TEXT["language"], list(i18n.LANGS), key=LANG_KEY, format_func=i18n.LANGS.get,
                 on_change=_keep, args=(LANG_KEY,))
    st.toggle(TEXT["projector"], key=PROJECTOR_KEY, help=TEXT["projector_help"], on_change=_keep,
              args=(PROJECTOR_KEY,))
    if projector():
        st.html(PROJECTOR_CSS)
