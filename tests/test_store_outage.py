"""The shared PostgreSQL store restarting under a class: connections come back by themselves, a
worker trains on through a short outage and loses no row, and a longer one ends the run `failed`
with that reason as soon as the store is back, with no process left behind.

Each test crashes its own throwaway server (`pg_ctl stop -m immediate`, what a crash or a hard
restart does) and starts it again on the same port."""
from __future__ import annotations

import time

import psutil
import pytest

from deeparch.execution import jobs
from deeparch.course.archs import make_config
from deeparch.store import Store
from waiting import until

pytestmark = pytest.mark.slow

SMALL = dict(channels=4, hidden=16, log_every=5, eval_every=100, sample_every=0, quality_every=0)


@pytest.fixture
def pg(tmp_path, monkeypatch):
    """(a server of this test's own, the URL of its database): the test may crash and restart it."""
    import pg_util
    from conftest import _unavailable

    server = pg_util.TempServer()
    try:
        admin = server.start()
    except pg_util.Unavailable as e:
        server.stop()
        _unavailable(str(e))
    try:
        url = pg_util.fresh_database(admin)
        monkeypatch.setenv("DEEPARCH_DB", url)
        monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
        yield server, url
    finally:
        server.stop()


def wait(what: str, check, timeout: float):
    return until(check, timeout, what)


def log_of(folder) -> str:
    path = folder / "worker.log"
    return path.read_text(errors="replace") if path.exists() else ""


def test_a_store_object_reconnects_after_a_restart(pg):
    server, url = pg
    s = Store(url=url)
    rid = s.create_run({"arch": "cnn", "dataset": "mnist-5k"})
    server.crash()
    with pytest.raises(Exception) as lost:
        s.get_run(rid)
    assert s.lost(lost.value)
    server.restart()
    s.update_run(rid, step=3)  # the same object, as the dashboard's cached store: no restart of anything
    assert s.get_run(rid).step == 3


def test_a_run_trains_through_a_store_outage_and_loses_no_row(pg):
    server, url = pg
    s = Store(url=url)
    rid = jobs.launch(make_config("cnn", max_steps=1500, **SMALL), store=s)
    run = wait("the run training", lambda: (r := s.get_run(rid)).status == "running" and r.step > 20 and r, 120)
    trainer, folder = psutil.Process(run.pid), s.run_dir(run)
    server.crash()
    wait("the worker noticing the outage", lambda: "run store is unreachable" in log_of(folder), 30)
    cpu = sum(trainer.cpu_times()[:2])
    wait("training going on without the store", lambda: sum(trainer.cpu_times()[:2]) > cpu + 1.0, 30)
    server.restart()
    wait("the worker writing again", lambda: "answers again" in log_of(folder), 30)
    done = wait("the run's end", lambda: (r := s.get_run(rid)).status not in jobs.lifecycle.ACTIVE and r, 300)
    assert done.status == "finished", (done.status, done.reason, log_of(folder)[-2000:])
    stored = s.db.execute("SELECT COUNT(*) FROM metrics WHERE run_id=?", (rid,)).fetchone()[0]
    assert stored == done.summary["metric_rows_logged"] > 0
    wait("no process left", lambda: not psutil.pid_exists(run.pid) or psutil.Process(run.pid).status() == "zombie", 30)


def test_an_outage_longer_than_the_grace_ends_the_run_failed_once_the_store_is_back(pg, monkeypatch):
    server, url = pg
    monkeypatch.setenv("DEEPARCH_STORE_GRACE", "2")
    s = Store(url=url)
    rid = jobs.launch(make_config("cnn", max_steps=100_000, **SMALL), store=s)
    run = wait("the run training", lambda: (r := s.get_run(rid)).status == "running" and r.step > 20 and r, 120)
    trainer = psutil.Process(run.pid)
    supervisor = trainer.parent()
    server.crash()
    wait("the training process giving up", lambda: not trainer.is_running() or trainer.status() == "zombie", 60)
    server.restart()
    back = time.monotonic()
    ended = wait("the run's end recorded", lambda: (r := s.get_run(rid)).status == "failed" and r, 30)
    assert time.monotonic() - back < 10
    assert "unreachable for more than 2 s" in ended.reason, ended.reason
    wait("the supervisor gone", lambda: not supervisor.is_running() or supervisor.status() == "zombie", 30)
