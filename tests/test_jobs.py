"""Worker lifecycle with real background processes."""
import os
import signal
import time

import pytest

from deeparch.execution import jobs
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from waiting import until

SMALL_CNN = dict(channels=4, hidden=16, log_every=5)
BOTH_BACKENDS = True  # each test runs on sqlite-local, postgresql-local and postgresql-ray (conftest.PAIRS)
pytestmark = [pytest.mark.usefixtures("executor"), pytest.mark.slow]  # runs trained by real worker processes


def wait_for(store, run_id, pred, timeout=60):
    def matched():
        jobs.reconcile(store)
        run = store.get_run(run_id)
        return run if pred(run) else None

    try:
        return until(matched, timeout, f"run {run_id}'s state")
    except AssertionError:
        raise AssertionError(f"run {run_id} never matched; now {store.get_run(run_id)}") from None


def test_launch_runs_in_the_background_to_finished(store):
    rid = jobs.launch(make_config("cnn", max_steps=30, **SMALL_CNN), store=store)
    run = store.get_run(rid)
    assert run.status in ("starting", "running") and (run.pid or run.handle)  # a Ray run has a pid once it trains
    assert jobs.wait(rid, store, timeout=120) == "finished"
    run = store.get_run(rid)
    assert run.step == 30 and run.summary["test_acc"] > 0
    assert store.count_metrics(rid) == run.summary["metric_rows_logged"] > 60
    assert store.media_steps(rid, "probe")[-1] == 30  # the automatic cadence: several grids, one at the end
    assert (store.run_dir(rid) / "checkpoint.pt").exists()


def test_stop_pause_resume_and_resume_from_checkpoint(store):
    rid = jobs.launch(make_config("cnn", max_steps=100_000, epochs=1000, **SMALL_CNN), store=store)
    wait_for(store, rid, lambda r: r.status == "running" and r.step > 5)
    jobs.pause(rid, store)
    run = wait_for(store, rid, lambda r: r.status == "paused")
    n = store.count_metrics(rid)
    # the worker beats its heart from its pause loop, which also reads the control request every 0.2 s:
    # once its heartbeat is 1.5 s past the pause it has been paused that long, awake, and logged no step
    wait_for(store, rid, lambda r: r.heartbeat > run.heartbeat + 1.5)
    assert store.count_metrics(rid) == n, "a paused run must log no step"
    assert store.get_run(rid).step == run.step
    assert jobs.resume(rid, store) == "resumed"
    wait_for(store, rid, lambda r: r.status == "running" and r.step > run.step)
    jobs.stop(rid, store)
    assert jobs.wait(rid, store, timeout=60) == "stopped"
    stopped_at = store.get_run(rid).step
    # resume a stopped run: continuous step numbers from the checkpoint
    jobs.resume(rid, store)
    wait_for(store, rid, lambda r: r.status == "running" and r.step > stopped_at + 5)
    jobs.stop(rid, store)
    jobs.wait(rid, store, timeout=60)
    steps = store.metrics(rid, keys=["loss"]).step.tolist()
    assert steps == list(range(1, len(steps) + 1)), "steps continue without gap or repeat"


@pytest.mark.local_only
def test_killed_worker_is_reported_failed_within_10_s(store):
    rid = jobs.launch(make_config("cnn", max_steps=100_000, epochs=1000, **SMALL_CNN), store=store)
    run = wait_for(store, rid, lambda r: r.status == "running" and r.step > 0)
    os.kill(run.pid, signal.SIGKILL)
    t0 = time.monotonic()
    run = wait_for(store, rid, lambda r: r.status == "failed", timeout=10)
    print(f"kill -9 → failed in {time.monotonic() - t0:.2f} s")
    assert run.reason.startswith("worker process died")


@pytest.mark.local_only  # under Ray the slot limit is the same code; 8 runs through Ray: bench/bench_cluster.py
def test_queue_bound_and_three_concurrent_runs_keep_every_row(store, monkeypatch):
    monkeypatch.setenv("DEEPARCH_MAX_RUNS", "3")
    ids = [jobs.launch(make_config("cnn", max_steps=40, seed=i, **SMALL_CNN), store=store) for i in range(4)]
    assert [store.get_run(i).status for i in ids][3] == "queued", [(r.status, r.reason) for r in map(store.get_run, ids)]
    seen_busy = 0

    def all_finished() -> bool:  # the slot bound is checked at every look on the way
        nonlocal seen_busy
        jobs.reconcile(store)
        runs = [store.get_run(i) for i in ids]
        busy = sum(r.status in ("starting", "running", "paused") for r in runs)
        assert busy <= 3
        seen_busy = max(seen_busy, busy)
        return all(r.status == "finished" for r in runs)

    until(all_finished, 180, "the four runs to finish")
    assert seen_busy == 3
    assert all(store.get_run(i).status == "finished" for i in ids)
    for i in ids:
        assert store.count_metrics(i) == store.get_run(i).summary["metric_rows_logged"]


@pytest.mark.sqlite_only  # the trainer decides a divergence and the worker writes it: no store or executor of its own
def test_diverging_run_ends_diverged(store):
    rid = jobs.launch(make_config("cnn", lr=1e3, max_steps=200, **SMALL_CNN), store=store)
    assert jobs.wait(rid, store, timeout=120) == "diverged", store.get_run(rid).reason
    run = store.get_run(rid)
    assert "diverged" in run.reason and run.step < 200


def test_bad_requests_say_why(store):
    rid = store.create_run(make_config("cnn").to_dict(), status="finished")
    with pytest.raises(ConfigError, match="is finished; only queued, running or paused"):
        jobs.stop(rid, store)
    with pytest.raises(ConfigError, match="only a running run can be paused"):
        jobs.pause(rid, store)
    with pytest.raises(ConfigError, match="no run with id 999"):
        jobs.resume(999, store)
    clone_id = jobs.clone(rid, store, max_steps=1)  # clone works from any status
    clone = store.get_run(clone_id)
    assert clone.parent == rid and clone.config["hp"]["max_steps"] == 1
    assert jobs.stop(clone_id, store) in ("stopped", "stop requested")


@pytest.mark.ray_only
def test_a_killed_ray_worker_fails_with_rays_reason_within_10_s_and_resumes(store):
    rid = jobs.launch(make_config("cnn", max_steps=100_000, epochs=1000, checkpoint_every=10, **SMALL_CNN),
                      store=store)
    run = wait_for(store, rid, lambda r: r.status == "running" and r.step > 12, timeout=120)
    assert run.executor == "ray" and run.handle and run.host
    os.kill(run.pid, signal.SIGKILL)  # the Ray worker process training it (this machine is the cluster)
    t0 = time.monotonic()
    run = wait_for(store, rid, lambda r: r.status == "failed", timeout=10)
    print(f"Ray worker kill -9 → failed in {time.monotonic() - t0:.2f} s: {run.reason}")
    assert run.reason.startswith("Ray: ") and "pid" not in run.reason
    assert jobs.resume(rid, store) == "queued from its last checkpoint"
    wait_for(store, rid, lambda r: r.status == "running" and r.step > run.step, timeout=120)
    jobs.stop(rid, store)
    assert jobs.wait(rid, store, timeout=60) == "stopped"
    steps = store.metrics(rid, keys=["loss"]).step.tolist()
    assert steps == list(range(1, len(steps) + 1)), "steps continue from the checkpoint without gap or repeat"
