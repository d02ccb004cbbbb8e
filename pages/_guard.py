"""The page guard: every page body runs through ``page`` (and every timed fragment through
``guarded``), so an unexpected error becomes one short sentence, never a traceback; it also
carries out a page switch asked for in the previous run and shows the last action's message."""
from __future__ import annotations

import functools
from typing import Callable

import streamlit as st

import os

from deeparch.present import i18n
from deeparch.store import StoreError, db_errors, default_root, is_server_url, shown_url
from deeparch.present.text import md_escape
from pages import _compat
from pages._selection import follow_navigation, run_pending_action
from pages._store import log, reconcile

TEXT = i18n.Catalog("guard", {
    "error": "Something went wrong while drawing this page: {error}. "
             "Reload the page; if it happens again, check that the run store at {root} is readable.",
    "refused": "Nothing was launched: {error}",
    "outage": "The run store ({where}) cannot be reached right now: {error}. Start PostgreSQL or check "
              "DEEPARCH_DB. Runs keep training and keep their new points for a while; this page tries again "
              "every {every} seconds by itself.",
})
RETRY_S = 3


def server_outage(e: BaseException) -> bool:
    """Is ``e`` the shared (PostgreSQL) store being out of reach, which passes by itself, rather than a
    local problem the user must fix?"""
    return is_server_url(os.environ.get("DEEPARCH_DB", "")) and isinstance(e, (StoreError, *db_errors(True)))


def show_outage(e: BaseException) -> None:
    """Say the store is away, and redraw the whole page as soon as it answers again."""
    from pages import _store

    error = " ".join(str(e).split())[:200]
    st.warning(TEXT["outage"].format(where=shown_url(os.environ.get("DEEPARCH_DB", "")), error=error,
                                     every=RETRY_S), icon=":material/cloud_off:")

    @st.fragment(run_every=RETRY_S)
    def retry() -> None:
        try:
            _store.store().get_run(0)  # any statement: a lost connection reconnects here once the server is back
        except Exception:  # noqa: BLE001 - still away: try again at the next tick
            return
        st.rerun(scope="app")

    retry()


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
        if server_outage(e):
            show_outage(e)
            return
        log.exception("page error")
        st.error(TEXT["error"].format(error=short(e), root=default_root()), icon=":material/error:")


def guarded(fn: Callable) -> Callable:
    """The same guard for a fragment, whose timed reruns do not pass through ``page``."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001
            if server_outage(e):  # the page's next tick tries again; say why it is empty meanwhile
                st.warning(TEXT["outage"].format(where=shown_url(os.environ.get("DEEPARCH_DB", "")),
                                                 error=" ".join(str(e).split())[:200], every=RETRY_S),
                           icon=":material/cloud_off:")
                return
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
