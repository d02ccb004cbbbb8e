"""What every page shares: the store (opened once), throttled reconcile, the error guard,
run selection hand-off between pages, run controls and the first-run hint
(the private-API workaround lives alone in ``pages/_compat.py``).

Not a page itself (``app.py`` lists the pages); the Streamlit side of ``deeparch.views``.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable

import streamlit as st

from deeparch import jobs, lifecycle, views
from deeparch.archs import make_config
from deeparch.config import ConfigError
from deeparch.store import Run, Store, default_root
from deeparch.text import clean_name, md_escape
from pages import _compat, _plot

TEXT = {
    "error": "Something went wrong while drawing this page: {error}. "
             "Reload the page; if it happens again, check that the run store at {root} is readable.",
    "status": {
        "queued": "queued", "starting": "starting", "running": "running", "paused": "paused",
        "finished": "finished", "stopped": "stopped", "failed": "failed", "diverged": "diverged",
    },
    "pause": "Pause", "resume": "Resume", "stop": "Stop", "clone": "Clone",
    "pause_help": "Hold the training after the current step; Resume continues it.",
    "resume_help": "Continue a paused run, or restart a stopped or failed one from its last checkpoint.",
    "stop_help": "End the run after the current step; it keeps its checkpoint and can be resumed later.",
    "clone_help": "Launch a new run with the same settings.",
    "action_failed": "Could not {action}: {error}",
    "cloned": "Launched {name}.",
    "first_title": "Welcome to deeparch",
    "first_body": "There are no runs yet. Start with a short demo: a CNN learns to read handwritten digits "
                  "for 300 steps (under a minute on a 2-core CPU), and you watch its loss, accuracy and "
                  "gradients live. Or pick an architecture and its settings on the **Train** page.",
    "first_button": "Launch a demo run",
    "demo_name": "demo: CNN, 300 steps",
    "demo_busy": "The demo run was launched a moment ago.",
    "run_label": "#{id} {name}",
    "badge": ":{color}-badge[{status}]",
}

DEMO = dict(arch="cnn", max_steps=300, log_every=5, eval_every=50, sample_every=50)
RECONCILE_EVERY_S = 2.0
DOUBLE_CLICK_S = 5.0
log = logging.getLogger("deeparch.app")


# ---- the store -------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _open_store(root: str) -> Store:
    return Store(root)


@st.cache_resource(show_spinner=False)
def _process_state() -> dict:
    """Shared by every session of this server: the write lock and the reconcile clock."""
    return {"lock": threading.RLock(), "reconciled": {}}


def store() -> Store:
    """The run store at $DEEPARCH_RUNS (default runs/), opened once per server process."""
    return _open_store(str(default_root().resolve()))


def write_lock() -> threading.RLock:
    """Writes from the pages go one at a time: the sessions share one SQLite connection."""
    return _process_state()["lock"]


def reconcile(s: Store | None = None, force: bool = False) -> None:
    """Mark runs whose worker died as failed and start queued runs, at most every 2 s per store."""
    s = s or store()
    state = _process_state()
    now = time.monotonic()
    key = str(s.root)
    if not force and now - state["reconciled"].get(key, -1e9) < RECONCILE_EVERY_S:
        return
    state["reconciled"][key] = now
    with write_lock():
        try:
            jobs.try_reconcile(s)  # a full or read-only disk: the page goes on reading
        except Exception:  # noqa: BLE001 - a busy database must not break a page; next call retries
            log.exception("reconcile failed")


# ---- page guard ------------------------------------------------------------------------------------
def page(main: Callable[[], None]) -> None:
    """Run a page body; an unexpected exception becomes a short message, not a traceback."""
    _compat.leave_pages_folder_mode()
    follow_navigation()
    try:
        reconcile()
        show_flash()
        main()
    except Exception as e:  # noqa: BLE001 - Streamlit's own rerun/stop signals are BaseException, not caught
        log.exception("page error")
        st.error(TEXT["error"].format(error=short(e), root=default_root()), icon=":material/error:")


def guarded(fn: Callable) -> Callable:
    """The same guard for a fragment, whose timed reruns do not pass through ``page``."""
    import functools

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


# ---- selection hand-off ----------------------------------------------------------------------------
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
    copy of the page (a blank Live page, "Bad delta path" in the console)."""
    ids = [int(i) for i in run_ids]
    st.session_state[f"handoff:{path}"] = ids
    st.session_state["_navigate"] = (path, ",".join(map(str, ids)))
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


# ---- launching -------------------------------------------------------------------------------------
def launch_once(configs: list, names: list[str | None], group: str | None = None) -> list[int] | None:
    """Launch runs on an explicit click; the same request again within 5 s (a double click) is ignored."""
    fingerprint = repr(([c.to_json() for c in configs], names))
    last = st.session_state.get("_last_launch")
    now = time.time()
    if last and last[0] == fingerprint and now - last[1] < DOUBLE_CLICK_S:
        return None
    st.session_state["_last_launch"] = (fingerprint, now)  # before launching: a rerun may interrupt us
    s = store()
    with write_lock():
        return [jobs.launch(c, name=n, store=s, group=group) for c, n in zip(configs, names)]


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
        if st.button(TEXT["first_button"], type="primary", key=key, icon=":material/play_arrow:"):
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
        if row.button(TEXT[name], key=f"{key}:{name}:{run.id}", icon=icon, help=TEXT[name + "_help"]):
            try:
                with write_lock():
                    message = _act(name, run.id, on_clone)
            except (ConfigError, OSError) as e:
                st.error(TEXT["action_failed"].format(action=TEXT[name].lower(), error=e))
                continue
            st.session_state["_flash"] = message
            st.rerun()  # the whole page, not only the fragment holding the button


def _act(name: str, run_id: int, on_clone: Callable[[int], None] | None) -> str:
    """Do one control action through ``jobs``; the message to show."""
    s = store()
    if name != "clone":
        return _ACTIONS[name](run_id, store=s)
    cloned = jobs.clone(run_id, store=s)
    if on_clone is not None:
        on_clone(cloned)
    return TEXT["cloned"].format(name=md_escape(s.get_run(cloned).name))


def show_flash() -> None:
    """The message of the action that asked for this redraw, as a toast."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.toast(message)


def chart(fig, key: str) -> None:
    """A Plotly figure as built by deeparch.charts, updated in place under ``key`` (see ``pages/_plot.py``)."""
    _plot.chart(fig, key)


STATUS_COLORS = {"queued": "gray", "starting": "blue", "running": "blue", "paused": "orange", "finished": "green",
                 "stopped": "gray", "failed": "red", "diverged": "red"}


def status_badge_md(run: Run) -> str:
    """The status badge as Markdown, to sit on the same line as the run's name."""
    return TEXT["badge"].format(color=STATUS_COLORS.get(run.status, "gray"),
                                status=TEXT["status"].get(run.status, run.status))


def metrics_cache(run_ids: Iterable[int], s: Store) -> dict[int, views.RunMetrics]:
    """Per-run series kept in the session and grown from rows newer than the last seen id."""
    cache = st.session_state.setdefault("_metrics", {})
    out = {}
    for rid in run_ids:
        rm = cache.get(rid)
        if rm is None:
            rm = cache[rid] = views.RunMetrics(rid)
        rm.update(s)
        out[rid] = rm
    for rid in [r for r in cache if r not in out and len(cache) > 16]:
        cache.pop(rid, None)  # bound the session's memory: keep only what is on screen when many were opened
    return out
