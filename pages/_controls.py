"""Acting on runs from a page: launching (once per click, the demo of an empty store) and the
pause / resume / stop / clone buttons, offered exactly as ``deeparch.store.lifecycle`` allows.
"""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from deeparch.present import i18n
from deeparch.execution import jobs
from deeparch.store import lifecycle
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from deeparch.store import OwnerLimitError, Run
from deeparch.present.text import md_escape
from pages import _classroom
from pages._selection import open_page
from pages._store import store, write_lock
from pages._words import status

TEXT = i18n.Catalog("controls", {
    "pause": "Pause", "resume": "Resume", "stop": "Stop", "clone": "Clone",
    "pause_help": "Hold the training after the current step; Resume continues it.",
    "resume_help": "Continue a paused run, or restart a stopped or failed one from its last checkpoint.",
    "stop_help": "End the run after the current step; it keeps its checkpoint and can be resumed later.",
    "clone_help": "Launch a new run with the same settings.",
    "action_failed": "Could not {action}: {error}",
    "action_refused": "Could not {action}: the run is {status} now (it changed since the page was drawn).",
    "cloned": "Launched {name}.",
    "first_title": "Welcome to deeparch",
    "first_body": "There are no runs yet. Start with a short demo: a CNN learns to read handwritten digits "
                  "for 300 steps (under a minute on a 2-core CPU), and you watch its loss, accuracy and "
                  "gradients live. Or pick an architecture and its settings on the **Train** page.",
    "first_button": "Launch a demo run",
    "demo_name": "demo: CNN, 300 steps",
    "demo_busy": "The demo run was launched a moment ago.",
    "badge": ":{color}-badge[{status}]",
})

DEMO = dict(arch="cnn", max_steps=300, log_every=5, eval_every=50, sample_every=50)
DOUBLE_CLICK_S = 5.0


# ---- the store -------------------------------------------------------------------------------------


# ---- page guard ------------------------------------------------------------------------------------


# ---- selection hand-off ----------------------------------------------------------------------------


# ---- launching -------------------------------------------------------------------------------------
def launch_once(configs: list, names: list[str | None], group: str | None = None,
                launch: Callable[[], list[int]] | None = None, chain: Callable | None = None) -> list[int] | None:
    """Launch runs on an explicit click; the same request again within 5 s (a double click) is ignored.

    ``launch`` replaces the plain launch of each config (a sweep queues its runs with their sweep);
    ``chain(configs, start)`` launches them itself where one run needs another's id (a lesson's fine-tune)."""
    fingerprint = repr(([c.to_json() for c in configs], names))
    last = st.session_state.get("_last_launch")
    if last and last[0] == fingerprint and time.time() - last[1] < DOUBLE_CLICK_S:
        return None
    s = store()
    refused = _classroom.launch_refusal(s, len(configs))  # the buttons say it first; this is the last word
    if refused:
        st.error(refused, icon=":material/lock:")
        st.stop()
    with write_lock():
        ids = _launch(s, configs, names, group, launch, chain)
    # recorded once launched, before any element is sent (a rerun can cut a script short only there): a
    # second click waits for this run to end and sees it; a launch that was refused or never made is
    # no double click
    st.session_state["_last_launch"] = (fingerprint, time.time())
    return ids


def _launch(s, configs: list, names: list[str | None], group: str | None, launch, chain) -> list[int]:
    if launch is not None:
        return launch()
    if chain is not None:
        return chain(configs, lambda c, n: jobs.launch(c, name=n, store=s, group=group, owner=_classroom.owner()))
    ids = []
    for c, n in zip(configs, names):
        try:
            ids.append(jobs.launch(c, name=n, store=s, group=group, owner=_classroom.owner()))
        except OwnerLimitError as e:  # another tab of this student launched meanwhile: the store said no
            st.session_state["_flash_error"] = _classroom.limit_message(e)
            break
    return ids


def runs_or_hint(s) -> list:
    """Every run of the store, newest first; on an empty store, the first-run hint and []."""
    runs = s.list_runs()
    if not runs:
        first_run_hint()
    return runs


def first_run_hint(key: str = "demo", body: str | None = None) -> None:
    """The welcome box of an empty store, with one button that launches a demo run and opens Live.

    ``body`` replaces the default text where that would not fit (the Train page cannot point to itself)."""
    with st.container(border=True):
        st.subheader(TEXT["first_title"])
        st.markdown(body or TEXT["first_body"])
        refused = _classroom.launch_refusal(store())
        if refused:
            st.caption(refused)
        if st.button(TEXT["first_button"], type="primary", key=key, icon=":material/play_arrow:",
                     disabled=bool(refused)):
            hp = {k: v for k, v in DEMO.items() if k != "arch"}
            ids = launch_once([make_config(DEMO["arch"], **hp)], [TEXT["demo_name"]])
            if ids is None:
                st.info(TEXT["demo_busy"])
                return
            open_page("pages/live.py", ids)


# ---- run controls ----------------------------------------------------------------------------------
CONTROL_ICONS = {"pause": ":material/pause:", "resume": ":material/play_arrow:", "stop": ":material/stop:",
                 "clone": ":material/content_copy:"}
_ACTIONS = {"pause": jobs.pause, "resume": jobs.resume, "stop": jobs.stop}


def controls(run: Run, key: str, on_clone: Callable[[int], None] | None = None) -> None:
    """Pause / resume / stop / clone buttons for a run, exactly those ``lifecycle.allowed`` accepts (so a
    button is never offered that ``jobs`` then refuses). An action redraws the whole page (a run that
    trains again restarts the page's live refresh), its message shown after; ``on_clone`` gets a clone's id."""
    allowed = lifecycle.allowed(run)
    row = st.container(horizontal=True, gap="small")
    # only the actions the run's status allows: four buttons wrapped onto two rows on a projector
    for name, icon in CONTROL_ICONS.items():
        if not allowed[name]:
            continue
        refused = _classroom.launch_refusal(store()) if name == "clone" else _classroom.refusal(run, name)
        if row.button(TEXT[name], key=f"{key}:{name}:{run.id}", icon=icon, help=refused or TEXT[name + "_help"],
                      disabled=bool(refused)):
            try:
                with write_lock():
                    message = _act(name, run.id, on_clone)
            except ConfigError:  # the run moved on meanwhile (another tab, the CLI, the worker itself)
                fresh = store().get_run(run.id)
                st.error(TEXT["action_refused"].format(action=TEXT[name].lower(),
                                                       status=status(fresh.status) if fresh else "–"))
                continue
            except OSError as e:
                st.error(TEXT["action_failed"].format(action=TEXT[name].lower(), error=e))
                continue
            except OwnerLimitError as e:  # a clone past the student's limit (another tab launched meanwhile)
                st.error(_classroom.limit_message(e), icon=":material/lock:")
                continue
            st.session_state["_flash"] = message
            st.rerun()  # the whole page, not only the fragment holding the button


def _act(name: str, run_id: int, on_clone: Callable[[int], None] | None) -> str:
    """Do one control action through ``jobs``; the message to show."""
    s = store()
    if name != "clone":
        return i18n.tr_error(_ACTIONS[name](run_id, store=s))
    cloned = jobs.clone(run_id, store=s, owner=_classroom.owner())
    if on_clone is not None:
        on_clone(cloned)
    return TEXT["cloned"].format(name=md_escape(s.get_run(cloned).name))


STATUS_COLORS = {"queued": "gray", "starting": "blue", "running": "blue", "paused": "orange", "finished": "green",
                 "stopped": "gray", "failed": "red", "diverged": "red"}


def status_badge_md(run: Run) -> str:
    """The status badge as Markdown, to sit on the same line as the run's name."""
    return TEXT["badge"].format(color=STATUS_COLORS.get(run.status, "gray"),
                                status=status(run.status))


