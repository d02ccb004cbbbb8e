"""The page guard: every page body runs through ``page`` (and every timed fragment through
``guarded``), so an unexpected error becomes one short sentence, never a traceback; it also
carries out a page switch asked for in the previous run and shows the last action's message."""
from __future__ import annotations

import functools
from typing import Callable

import streamlit as st

from deeparch import i18n
from deeparch.store import default_root
from deeparch.text import md_escape
from pages import _compat
from pages._selection import follow_navigation, run_pending_action
from pages._store import log, reconcile

TEXT = i18n.Catalog("guard", {
    "error": "Something went wrong while drawing this page: {error}. "
             "Reload the page; if it happens again, check that the run store at {root} is readable.",
    "refused": "Nothing was launched: {error}",
})


def page(main: Callable[[], None]) -> None:
    """Run a page body; an unexpected exception becomes a short message, not a traceback."""
    _compat.leave_pages_folder_mode()
    follow_navigation()
    try:
        run_pending_action()
        reconcile()
        show_flash()
        main()
    except Exception as e:  # noqa: BLE001 - Streamlit's own rerun/stop signals are BaseException, not caught
        log.exception("page error")
        st.error(TEXT["error"].format(error=short(e), root=default_root()), icon=":material/error:")


def guarded(fn: Callable) -> Callable:
    """The same guard for a fragment, whose timed reruns do not pass through ``page``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001
            log.exception("fragment error")
            st.error(TEXT["error"].format(error=short(e), root=default_root()), icon=":material/error:")

    return wrapper


def short(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {msg[:300]}" if msg else type(e).__name__


def show_flash() -> None:
    """The message of the action that asked for this redraw, as a toast; a refusal as an error box that stays."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.toast(message)
    refusal = st.session_state.pop("_flash_error", None)
    if refusal:
        st.error(TEXT["refused"].format(error=md_escape(i18n.tr_error(refusal))), icon=":material/error:")
