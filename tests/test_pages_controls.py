"""Issue 9.7: for every status and pending control request, the Live page offers a control button
exactly when ``jobs`` accepts that action for a run in the same state."""
from __future__ import annotations

import time

import pytest
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture

from deeparch.execution import jobs
from deeparch.store import lifecycle
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from deeparch.store import Store

UI_ACTIONS = ("pause", "resume", "stop", "clone")  # the buttons of pages/_controls.controls


def add_run(store: Store, status: str, control: str | None) -> int:
    """A run in this state, with a fresh heartbeat and no process (reconcile leaves it as it is)."""
    rid = store.create_run(make_config("cnn").to_dict(), status=status)
    store.update_run(rid, control=control, heartbeat=time.time())
    return rid


def jobs_accepts(store: Store, action: str, status: str, control: str | None) -> bool:
    """Whether ``jobs`` accepts the action on a new run in this state (each try on its own run)."""
    rid = add_run(store, status, control)
    try:
        getattr(jobs, action)(rid, store=store)
    except ConfigError:
        return False
    return True


@pytest.fixture
def slots_full(app_store, monkeypatch):
    """One slot, taken by a run that is not shown: nothing queued or resumed is started by a reconcile."""
    monkeypatch.setenv("DEEPARCH_MAX_RUNS", "1")
    add_run(app_store, "running", None)
    return app_store


@pytest.mark.parametrize("status", lifecycle.STATUSES)
def test_live_buttons_enabled_exactly_when_jobs_accepts(slots_full, tmp_path, status):
    ids = {control: add_run(slots_full, status, control) for control in lifecycle.CONTROLS}
    at = open_page("pages/live.py", {"handoff:pages/live.py": list(ids.values())})
    shown = {b.key: not b.disabled for b in at.button}
    other = Store(tmp_path / "jobs")  # the actions are tried on a separate store in the same states
    other.create_run(make_config("cnn").to_dict(), status="running")  # its slot is full too
    for control, rid in ids.items():
        assert slots_full.get_run(rid).status == status  # the page saw the state under test
        for action in UI_ACTIONS:
            offered = shown.get(f"live:{action}:{rid}", False)
            assert offered == jobs_accepts(other, action, status, control), (status, control, action, offered)
    other.close()
