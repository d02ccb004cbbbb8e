"""The lifecycle table and jobs agree: an action is offered exactly when jobs accepts it."""
import time

import pytest

from deeparch.execution import jobs
from deeparch.store import lifecycle
from deeparch.course.config import ConfigError
from deeparch.course.archs import make_config

JOBS = {"pause": jobs.pause, "resume": jobs.resume, "stop": jobs.stop,
        "clone": jobs.clone, "delete": jobs.delete}


@pytest.fixture
def full_store(store, monkeypatch):
    """A store whose one slot is taken (by a run with no process yet), so no action spawns a worker."""
    monkeypatch.setenv("DEEPARCH_MAX_RUNS", "1")
    blocker = store.create_run(make_config("cnn").to_dict(), status="running")
    store.update_run(blocker, heartbeat=time.time())
    return store


@pytest.mark.parametrize("status", lifecycle.STATUSES)
@pytest.mark.parametrize("control", lifecycle.CONTROLS)
@pytest.mark.parametrize("action", lifecycle.ACTIONS)
def test_allowed_says_true_exactly_when_jobs_accepts(full_store, status, control, action):
    store = full_store
    rid = store.create_run(make_config("cnn").to_dict(), status=status)
    store.update_run(rid, control=control, heartbeat=time.time())
    offered = lifecycle.allowed(store.get_run(rid))[action]
    try:
        JOBS[action](rid, store=store)
        accepted = True
    except ConfigError as e:
        accepted = False
        assert f"is {status}" in str(e)
    assert offered == accepted


def test_paused_run_whose_resume_was_just_clicked_offers_no_resume(full_store):
    store = full_store
    rid = store.create_run(make_config("cnn").to_dict(), status="paused")  # control cleared, not yet running
    assert lifecycle.allowed(store.get_run(rid))["resume"] is False
    with pytest.raises(ConfigError, match="only paused, stopped or failed"):
        jobs.resume(rid, store)


def test_store_moves_runs_only_along_legal_transitions(store):
    rid = store.create_run(make_config("cnn").to_dict(), status="finished")
    assert not store.set_status(rid, "running", only_if=lifecycle.STATUSES)
    assert store.get_run(rid).status == "finished"
    assert all(lifecycle.legal(s, t) == (t in lifecycle.TRANSITIONS[s])
               for s in lifecycle.STATUSES for t in lifecycle.STATUSES)
    assert not any(lifecycle.TRANSITIONS[s] for s in ("finished", "diverged"))
