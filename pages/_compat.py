"""The one private Streamlit API the app relies on, kept here alone (``tests/test_streamlit_compat.py``
fails loudly if Streamlit changes it).

Streamlit treats an app with a ``pages/`` folder beside its entry script as an old-style multipage
app (``PagesManager.uses_pages_directory``, checked by the script runner before each run) until the
entry script calls ``st.navigation``. If a server's first request is for /live, that page runs alone,
without ``app.py`` (the navigation, the sidebar). Streamlit 1.67 has no public switch for this (no
config option; only ``st.navigation`` clears the flag, and it is ``app.py`` that never ran), and the
product keeps the ``pages/`` folder name, so the flag is cleared here and the page reruns once.
"""
from __future__ import annotations

import streamlit as st
from streamlit import config

try:
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover - a Streamlit without the module; the compat test says so
    PagesManager = None

FLAG = "uses_pages_directory"


def leave_pages_folder_mode() -> None:
    """Make sure ``app.py`` runs, whatever URL the first visitor opened (a rerun, once per server)."""
    if PagesManager is None or not getattr(PagesManager, FLAG, False):
        return
    setattr(PagesManager, FLAG, False)
    if not config.get_option("global.appTest"):  # AppTest resets the flag before every run
        st.rerun()
