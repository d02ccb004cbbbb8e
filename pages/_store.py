"""The pages' side of the run store: one connection per server process, one write lock,
reconcile at most every 2 s, and each session's metric series kept and grown incrementally."""
from __future__ import annotations

import logging
import threading
import time
from typing import Iterable

import streamlit as st

from deeparch.execution import jobs
from deeparch.read.series import RunMetrics
from deeparch.store import Store, default_root

RECONCILE_EVERY_S = 2.0


log = logging.getLogger("deeparch.app")


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


def metrics_cache(run_ids: Iterable[int], s: Store) -> dict[int, RunMetrics]:
    """Per-run series kept in the session and grown from rows newer than the last seen id."""
    cache = st.session_state.setdefault("_metrics", {})
    out = {}
    for rid in run_ids:
        rm = cache.get(rid)
        if rm is None:
            rm = cache[rid] = RunMetrics(rid)
        rm.update(s)
        out[rid] = rm
    for rid in [r for r in cache if r not in out and len(cache) > 16]:
        cache.pop(rid, None)  # bound the session's memory: keep only what is on screen when many were opened
    return out
