"""Which runs a page shows: the hand-off from one page to another (Train → Live, Runs →
Compare), the selection kept in the session and the URL, and how a run is named in a selector."""
from __future__ import annotations

from typing import Iterable

import streamlit as st

from deeparch.present import i18n
from deeparch.course.config import ConfigError
from deeparch.store import OwnerLimitError, Run
from deeparch.present.text import clean_name

TEXT = i18n.Catalog("selection", {
    "run_label": "#{id} {name}",
})


def parse_ids(text: str | None) -> list[int]:
    out = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit():
            out.append(int(part))
    return out


def open_page(path: str, run_ids: Iterable[int]) -> None:
    """Switch to the Live or Compare page with these runs selected.

    The switch happens at the start of the next run of this page, not here: after a slow action
    (a launch checks the configuration's memory first) Streamlit 1.67 can let a timed fragment of
    the old page (the sidebar's) send its update into the new page, which breaks the browser's
    copy of the page (a blank Live page, "Bad delta path" in the console). Deferring narrows that
    window but does not close it: launches of several runs use ``launch_then_open`` instead, which
    switches first and launches on the new page."""
    ids = [int(i) for i in run_ids]
    st.session_state[f"handoff:{path}"] = ids
    st.session_state["_navigate"] = (path, ",".join(map(str, ids)))
    st.rerun()


def launch_then_open(path: str, action, busy: str) -> None:
    """Switch to ``path`` at once and run ``action()`` (a launch: slow, it checks each configuration's
    memory and starts processes) at the top of that page's first run; its ids become the page's
    selection, None (a double click) shows ``busy``. Launching several runs first and switching after
    them left a blank Live page in Chromium ("Bad delta path" in the console; measured with the
    Lessons page's five-run race and two-run lessons), even through ``open_page``'s deferred switch."""
    st.session_state["_pending_action"] = (path, action, busy)
    st.switch_page(path)


def run_pending_action() -> None:
    """Carry out the action ``launch_then_open`` handed to this page (before drawing anything); a launch
    refused with a ConfigError leaves its reason for ``_guard.show_flash``."""
    pending = st.session_state.pop("_pending_action", None)
    if pending is None:
        return
    path, action, busy = pending
    try:
        ids = action()
    except ConfigError as e:  # refused at launch (memory, precision, a missing source run): nothing was launched
        st.session_state["_flash_error"] = str(e)
        return
    except OwnerLimitError as e:  # a student's limit, reached by another tab of theirs meanwhile
        from pages import _classroom

        st.session_state["_flash_error"] = _classroom.limit_message(e)
        return
    if ids is None:
        st.session_state["_flash"] = busy
        return
    st.session_state[f"handoff:{path}"] = [int(i) for i in ids]
    st.query_params["runs"] = ",".join(map(str, ids))
    # the page is drawn by a run of its own, begun after the switch and the new address are settled: drawn
    # in the run that switched, launched and changed the address, Chromium could keep a blank Live page
    # ("Bad delta path" in its console; a student's launch from Treinar after a lesson, on a loaded machine)
    st.rerun()


def follow_navigation() -> None:
    """Carry out a switch asked for by ``open_page`` in the previous run (before drawing anything)."""
    nav = st.session_state.pop("_navigate", None)
    if nav:
        st.switch_page(nav[0], query_params={"runs": nav[1]})


def init_selection(widget_key: str, path: str, valid: Iterable[int], default: list[int]) -> None:
    """Set a run multiselect's state before it is drawn: hand-off, then kept state, then the URL, then default."""
    ss = st.session_state
    valid = set(valid)
    handoff = ss.pop(f"handoff:{path}", None)
    if handoff is not None:
        ss[widget_key] = handoff
    elif widget_key not in ss:
        kept = ss.get(f"keep:{widget_key}")
        from_url = parse_ids(st.query_params.get("runs"))
        ss[widget_key] = kept if kept else (from_url or default)
    ss[widget_key] = [i for i in ss[widget_key] if i in valid]


def keep_selection(widget_key: str, ids: list[int]) -> None:
    st.session_state[f"keep:{widget_key}"] = list(ids)
    value = ",".join(map(str, ids))
    if st.query_params.get("runs") != value:
        st.query_params["runs"] = value


def run_label(run: Run) -> str:
    """A run in a selector: its id and name only. The status is shown by the badge, read fresh at each
    refresh; a chip drawn when the page loaded would contradict it once the run moves on."""
    return TEXT["run_label"].format(id=run.id, name=clean_name(run.name))
