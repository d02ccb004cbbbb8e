"""Background runs: launch, queue, stop / pause / resume / clone, and honest status.

Each run trains in its own ``python -m deeparch.worker RUN_ID`` process, started in a
new session so that it outlives whoever launched it (a CLI call, a Streamlit server).
At most ``max_runs()`` train at once; the rest wait as ``queued`` and are started by
``schedule()``, which every worker calls when it ends and every reader calls through
``reconcile()``. A run whose process is gone is marked ``failed`` — never left running.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from deeparch.archs import load_config
from deeparch.config import ConfigError, RunConfig
from deeparch.store import Store

STARTING_GRACE_S = 60.0


def max_runs() -> int:
    """How many runs may train at once (DEEPARCH_MAX_RUNS; default: one per core, at most 4)."""
    env = os.environ.get("DEEPARCH_MAX_RUNS")
    if env:
        return max(1, int(env))
    return max(1, min(4, os.cpu_count() or 1))


def threads_per_run() -> int:
    """Torch threads for each worker, so that ``max_runs()`` workers share the cores."""
    return max(1, (os.cpu_count() or 1) // max_runs())


def _store(store: Store | None) -> Store:
    return store if store is not None else Store()


def launch(config: RunConfig | dict, name: str | None = None, store: Store | None = None,
           parent: int | None = None, group: str | None = None) -> int:
    """Queue a run and start it if a slot is free. Returns its id."""
    store = _store(store)
    if isinstance(config, dict):
        config = load_config(config)
    from deeparch.memory import require  # imports torch: only when launching

    require(config)  # a configuration that cannot fit in memory is refused, not OOM-killed at step 0
    run_id = store.create_run(config.to_dict(), name=name, parent=parent, group=group)
    schedule(store)
    return run_id


def schedule(store: Store | None = None) -> list[int]:
    """Start queued runs while slots are free (oldest first). Returns the ids started."""
    store = _store(store)
    with store.tx() as db:
        busy = db.execute("SELECT COUNT(*) FROM runs WHERE status IN ('starting','running','paused')").fetchone()[0]
        free = max_runs() - busy
        ids = [r[0] for r in db.execute(
            "SELECT id FROM runs WHERE status='queued' ORDER BY id LIMIT ?", (max(free, 0),))]
        for run_id in ids:
            db.execute("UPDATE runs SET status='starting', pid=NULL, heartbeat=? WHERE id=?", (time.time(), run_id))
    for run_id in ids:
        pid = _spawn(store, run_id)
        store.update_run(run_id, pid=pid)
    return ids


def _spawn(store: Store, run_id: int) -> int:
    log_dir = store.run_dir(run_id)
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEEPARCH_THREADS": str(threads_per_run()), "OMP_NUM_THREADS": str(threads_per_run())}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    with open(log_dir / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deeparch.worker", str(run_id), "--store", str(store.root.resolve())],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    return proc.pid


def pid_alive(pid: int | None) -> bool:
    """True if ``pid`` is a live (not zombie) deeparch process."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path(f"/proc/{pid}")
    if proc.exists():
        try:
            stat = (proc / "stat").read_text()
            if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                return False
            # a worker, or a foreground `python -m deeparch train`; anything else means the pid was reused
            return b"deeparch" in (proc / "cmdline").read_bytes()
        except OSError:
            return False
    return True


def reconcile(store: Store | None = None) -> list[int]:
    """Mark runs whose worker is gone as failed, then start queued runs. Returns the ids marked."""
    store = _store(store)
    dead = []
    now = time.time()
    for run in store.list_runs(status=("starting", "running", "paused")):
        if run.pid is None:
            # no process recorded: give it time to start, then call it what it is
            if now - (run.heartbeat or run.created) > STARTING_GRACE_S:
                reason = "worker process did not start" if run.status == "starting" else "worker stopped reporting"
                if store.set_status(run.id, "failed", reason, only_if=(run.status,)):
                    dead.append(run.id)
            continue
        if not pid_alive(run.pid):
            fresh = store.get_run(run.id)  # it may have ended cleanly in between
            if fresh and fresh.status in ("starting", "running", "paused") and fresh.pid == run.pid:
                if store.set_status(run.id, "failed", "worker process died", only_if=(fresh.status,)):
                    dead.append(run.id)
    schedule(store)
    return dead


def _need(store: Store, run_id: int):
    run = store.get_run(run_id)
    if run is None:
        raise ConfigError(f"no run with id {run_id}")
    return run


def stop(run_id: int, store: Store | None = None) -> str:
    """Stop a run: a queued run is stopped at once; a training one finishes its step and checkpoints."""
    store = _store(store)
    run = _need(store, run_id)
    if run.status == "queued":
        if store.set_status(run_id, "stopped", "stopped before it started", only_if=("queued",)):
            return "stopped"
        run = _need(store, run_id)
    if run.status in ("starting", "running", "paused"):
        store.request(run_id, "stop")
        return "stop requested"
    raise ConfigError(f"run {run_id} is {run.status}; only queued, running or paused runs can be stopped")


def pause(run_id: int, store: Store | None = None) -> str:
    store = _store(store)
    run = _need(store, run_id)
    if run.status not in ("starting", "running"):
        raise ConfigError(f"run {run_id} is {run.status}; only a running run can be paused")
    store.request(run_id, "pause")
    return "pause requested"


def resume(run_id: int, store: Store | None = None) -> str:
    """Resume a paused run, or restart a stopped / failed run from its last checkpoint."""
    store = _store(store)
    run = _need(store, run_id)
    if run.status in ("paused", "running", "starting") and run.control == "pause":
        store.request(run_id, None)
        return "resumed"
    if run.status in ("stopped", "failed"):
        store.update_run(run_id, status="queued", reason=None, ended=None, control=None, pid=None)
        schedule(store)
        return "queued from its last checkpoint" if (store.run_dir(run_id) / "checkpoint.pt").exists() else "queued"
    raise ConfigError(f"run {run_id} is {run.status}; only paused, stopped or failed runs can be resumed")


def clone(run_id: int, store: Store | None = None, name: str | None = None, **overrides) -> int:
    """Launch a new run with the same configuration (and any hyperparameters overridden)."""
    store = _store(store)
    run = _need(store, run_id)
    cfg = load_config(run.config).replace(**overrides)  # an old run's clone behaves like it
    return launch(cfg, name=name or f"{run.name} (clone)", store=store, parent=run_id)


def delete(run_id: int, store: Store | None = None) -> None:
    """Delete a run and its data; a training run is stopped first."""
    store = _store(store)
    run = _need(store, run_id)
    if run.status in ("starting", "running", "paused") and pid_alive(run.pid):
        import signal

        try:
            os.killpg(run.pid, signal.SIGTERM)
        except OSError:
            pass
    store.delete_run(run_id)


def wait(run_id: int, store: Store | None = None, timeout: float = 600, statuses=("finished", "stopped", "failed",
                                                                                 "diverged")) -> str:
    """Block until the run reaches one of ``statuses`` (for scripts and tests)."""
    store = _store(store)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reconcile(store)
        run = store.get_run(run_id)
        if run and run.status in statuses:
            return run.status
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} still {store.get_run(run_id).status} after {timeout:.0f} s")
