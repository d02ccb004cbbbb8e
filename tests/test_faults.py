"""Fault tests: killed, stopped (SIGSTOP), terminated and deleted workers with no reader
watching; lost, empty, corrupt and old stores; full and read-only disks."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager

import psutil
import pytest

from deeparch.execution import jobs
from deeparch.present import messages
from deeparch.course.archs import make_config
from deeparch.store import CorruptStoreError, Store
from waiting import until

pytestmark = pytest.mark.slow  # workers killed, stopped and starved

SMALL_CNN = dict(channels=4, hidden=16, log_every=5)
LONG = dict(max_steps=100_000, epochs=1000, **SMALL_CNN)




def running(store, rid, after_step=0):
    return until(lambda: (r := store.get_run(rid)) and r.status == "running" and r.step > after_step and r, 60,
                 f"run {rid} running")


def cli(*args, store, env=None):
    env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "deeparch", "--store", str(store), *args], capture_output=True,
                          text=True, env=env, timeout=120)


@contextmanager
def tmpfs(path, size="3m"):
    path.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(folder):
    """Fill the disk to the last byte (it may be full already: then there is nothing to do)."""
    try:
        with open(folder / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
    except OSError:
        pass


# ---- workers -------------------------------------------------------------------------------
def test_killed_worker_fails_and_queue_moves_with_no_reader(store, monkeypatch):
    monkeypatch.setenv("DEEPARCH_MAX_RUNS", "1")
    first = jobs.launch(make_config("cnn", **LONG), store=store)
    second = jobs.launch(make_config("cnn", max_steps=5, **SMALL_CNN), store=store)
    assert store.get_run(second).status == "queued"
    run = running(store, first)
    os.kill(run.pid, signal.SIGKILL)
    dead = until(lambda: (r := store.get_run(first)).status == "failed" and r, 20, "killed run failed")
    assert dead.reason.startswith("worker process died")
    assert dead.ended == dead.heartbeat, "a killed run ends at its last heartbeat"
    until(lambda: store.get_run(second).status == "finished", 90, "queued run started and finished")


def test_slot_limit_is_kept_in_the_store_for_every_process(store, monkeypatch):
    monkeypatch.setenv("DEEPARCH_MAX_RUNS", "1")
    assert jobs.max_runs(store) == 1
    monkeypatch.delenv("DEEPARCH_MAX_RUNS")
    assert jobs.max_runs(Store(store.root)) == 1, "a process started without the variable obeys the same limit"


def test_sigstopped_worker_is_ended_as_not_responding(store, monkeypatch):
    monkeypatch.setenv("DEEPARCH_HEARTBEAT_TIMEOUT", "3")
    rid = jobs.launch(make_config("cnn", **LONG), store=store)
    run = running(store, rid)
    os.kill(run.pid, signal.SIGSTOP)
    try:
        run = until(lambda: (r := store.get_run(rid)).status == "failed" and r, 30, "stopped worker failed")
        assert run.reason.startswith("worker stopped responding")
        assert run.ended == run.heartbeat
        until(lambda: not jobs.pid_alive(run.pid), 10, "SIGSTOPped worker ended")
    finally:
        if jobs.pid_alive(run.pid):
            os.kill(run.pid, signal.SIGKILL)


def test_stop_ends_a_worker_that_does_not_answer(store, monkeypatch):
    monkeypatch.setenv("DEEPARCH_STOP_GRACE", "0.5")
    rid = jobs.launch(make_config("cnn", **LONG), store=store)
    run = running(store, rid)
    os.kill(run.pid, signal.SIGSTOP)
    try:
        assert jobs.stop(rid, store) == "stop requested"
        stopped = until(lambda: (r := store.get_run(rid)).status == "stopped" and r, 30, "deaf worker stopped")
        assert "did not answer the stop request" in stopped.reason
        until(lambda: not jobs.pid_alive(run.pid), 10, "deaf worker ended")
    finally:
        if jobs.pid_alive(run.pid):
            os.kill(run.pid, signal.SIGKILL)


def test_sigterm_stops_with_a_checkpoint_and_resume_continues(store):
    rid = jobs.launch(make_config("cnn", checkpoint_every=100_000, **LONG), store=store)
    run = running(store, rid, after_step=5)
    os.kill(run.pid, signal.SIGTERM)
    assert jobs.wait(rid, store, timeout=60) == "stopped"
    run = store.get_run(rid)
    assert messages.decode(run.reason) == "stopped by SIGTERM"  # stored as its code and fields
    assert (store.run_dir(rid) / "checkpoint.pt").exists(), "SIGTERM writes a checkpoint"
    jobs.resume(rid, store)
    running(store, rid, after_step=run.step + 5)
    jobs.stop(rid, store)
    jobs.wait(rid, store, timeout=60)
    steps = store.metrics(rid, keys=["loss"]).step.tolist()
    assert steps == list(range(1, len(steps) + 1)), "steps continue without gap or repeat"


def test_delete_of_a_live_run_leaves_no_process(store):
    rid = jobs.launch(make_config("cnn", **LONG), store=store)
    run = running(store, rid)
    procs = [psutil.Process(run.pid), psutil.Process(run.pid).parent()]  # the worker and its supervisor
    folder = store.run_dir(rid)
    jobs.delete(rid, store)
    assert store.get_run(rid) is None and not folder.exists()
    until(lambda: not any(jobs.pid_alive(p.pid) for p in procs), 15, "no worker process left")


def test_killed_run_ends_at_its_last_heartbeat(store):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    rid = store.create_run(make_config("cnn").to_dict(), status="running")
    store.update_run(rid, pid=gone.pid, heartbeat=time.time() - 100, started=time.time() - 110)
    jobs.reconcile(store)
    run = store.get_run(rid)
    assert run.status == "failed" and run.ended == run.heartbeat and 9 < run.elapsed < 11


# ---- stores --------------------------------------------------------------------------------
def test_new_run_never_starts_from_an_old_runs_folder(tmp_path):
    root = tmp_path / "runs"
    old = root / "run-1"
    old.mkdir(parents=True)
    (old / "checkpoint.pt").write_bytes(b"an old run's checkpoint")  # runs.db was deleted, the folder stayed
    store = Store(root)
    rid = jobs.launch(make_config("cnn", max_steps=5, **SMALL_CNN), store=store)
    assert jobs.wait(rid, store, timeout=90) == "finished"
    run = store.get_run(rid)
    assert store.run_dir(rid) != old and run.step == 5 and store.count_metrics(rid) > 0
    assert (old / "checkpoint.pt").read_bytes() == b"an old run's checkpoint"


@pytest.mark.parametrize("content", [b"", b"this is not a database" * 100], ids=["empty", "garbage"])
def test_empty_or_corrupt_store_is_reported_not_replaced(tmp_path, content):
    db = tmp_path / "runs.db"
    db.write_bytes(content)
    with pytest.raises(CorruptStoreError, match="Move it aside"):
        Store(tmp_path)
    assert db.read_bytes() == content
    p = cli("runs", store=tmp_path)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and str(db) in p.stderr and "aside" in p.stderr
    assert db.read_bytes() == content


OLD_RUNS = """CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, arch TEXT NOT NULL,
dataset TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL, started REAL,
ended REAL, pid INTEGER, heartbeat REAL, reason TEXT, summary TEXT NOT NULL DEFAULT '{}', control TEXT,
step INTEGER NOT NULL DEFAULT 0, total_steps INTEGER, parent INTEGER, group_name TEXT);
CREATE TABLE metrics (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, step INTEGER NOT NULL, key TEXT NOT NULL,
value REAL, wall REAL NOT NULL);
CREATE TABLE media (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, step INTEGER NOT NULL, kind TEXT NOT NULL,
png BLOB NOT NULL, meta TEXT NOT NULL DEFAULT '{}', wall REAL NOT NULL);"""


def test_old_store_is_migrated_and_old_folders_stay_readable(tmp_path):
    db = sqlite3.connect(tmp_path / "runs.db")
    db.executescript(OLD_RUNS)
    db.execute("INSERT INTO runs (name, arch, dataset, config, status, created) VALUES "
               "('old', 'cnn', 'mnist-5k', ?, 'finished', 1.0)", (make_config("cnn").to_json(),))
    db.commit()
    db.close()
    (tmp_path / "run-1").mkdir()
    store = Store(tmp_path)
    old = store.get_run(1)
    assert old.name == "old" and old.uid is None and store.run_dir(1) == tmp_path / "run-1"
    new = store.create_run(make_config("cnn").to_dict())
    assert store.get_run(new).uid and store.run_dir(new).name.startswith(f"run-{new}-")


# ---- disks ---------------------------------------------------------------------------------
def _store_with_history(root):
    store = Store(root)
    rid = store.create_run(make_config("cnn").to_dict(), status="running")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.update_run(rid, pid=dead.pid, heartbeat=time.time())  # reconcile will want to write
    store.log_metrics(rid, [(i, "loss", 1.0 / i, time.time()) for i in range(1, 301)])
    store.close()
    return rid


def test_full_disk_keeps_read_commands_working_and_data_intact(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        rid = _store_with_history(disk)
        fill(disk)
        p = cli("runs", "--json", store=disk)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)[0]["id"] == rid
        out = tmp_path / "m.csv"
        p = cli("export", str(rid), "--csv", str(out), "--long", store=disk)
        assert p.returncode == 0, p.stderr
        assert len(out.read_text().splitlines()) == 301, "earlier data intact"
        p = cli("stop", str(rid), store=disk)
        assert p.returncode == 2 and p.stderr.startswith("error:") and p.stderr.count("\n") == 1


def test_read_only_disk_keeps_read_commands_working(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        rid = _store_with_history(disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        p = cli("runs", store=disk)
        assert p.returncode == 0 and "cnn" in p.stdout, p.stderr
        p = cli("export", str(rid), "--csv", str(tmp_path / "m.csv"), store=disk)
        assert p.returncode == 0, p.stderr


def save_checkpoint(path):  # named as the trainer's, which failure_reason looks for
    import torch

    torch.save({"w": torch.zeros(200_000)}, path)


def test_failure_reason_names_a_full_disk(tmp_path):
    from deeparch.execution.runner import failure_reason

    with tmpfs(tmp_path / "disk") as disk:
        fill(disk)
        with pytest.raises(Exception) as ckpt:
            save_checkpoint(disk / "checkpoint.tmp")
        assert failure_reason(ckpt.value, disk) == "disk full while writing the checkpoint"
        with pytest.raises(OSError) as write:
            (disk / "worker.log").write_bytes(b"x" * 100_000)
        assert failure_reason(write.value, disk).startswith("disk full while writing")
    assert failure_reason(sqlite3.OperationalError("database or disk is full")) == \
        "disk full while writing the run store (runs.db)"


def test_final_status_the_store_cannot_take_is_kept_in_worker_log(store, monkeypatch, capsys):
    from deeparch.execution import runner

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    rid = store.create_run(make_config("cnn").to_dict(), status="running")
    store.update_run(rid, pid=gone.pid, heartbeat=time.time())

    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "set_status", full)
    monkeypatch.setattr(runner.os, "getpid", lambda: gone.pid)  # the words are the (now gone) worker's own
    runner._finalise(store, rid, "failed", "disk full while writing the checkpoint", jobs.reconcile)
    monkeypatch.undo()
    store.run_dir(rid).mkdir(parents=True, exist_ok=True)
    (store.run_dir(rid) / "worker.log").write_text("Traceback ...\n" + capsys.readouterr().err)
    jobs.reconcile(store)
    run = store.get_run(rid)
    assert (run.status, messages.decode(run.reason)) == ("failed", "disk full while writing the checkpoint")
