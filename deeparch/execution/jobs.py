"""Background runs: launch, queue, stop / pause / resume / clone / delete, and honest status.

Each run trains in its own worker process, started (with a small supervisor that waits
for it) in a new session so that it outlives whoever launched it (a CLI call, a
Streamlit server). At most ``max_runs()`` train at once — a limit kept in the store, so
every process obeys the same one; the rest wait as ``queued``. ``reconcile()`` keeps the
status honest and moves the queue: a worker whose process is gone is marked ``failed``,
one whose heartbeat stopped is ended and marked ``failed``, one that does not answer a
stop request is ended. Every launch, every worker exit and every supervisor (every few
seconds while its worker trains) reconciles, so nothing waits for a reader.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from deeparch.present import messages
from deeparch.present.messages import Message
from deeparch.execution import classroom
from deeparch.store import lifecycle
from deeparch.course.config import ConfigError, RunConfig
from deeparch.store.lifecycle import LIVE
from deeparch.execution.limits import STARTING_GRACE_S, heartbeat_timeout, max_runs, stop_grace, threads_per_run
from deeparch.execution.runner import FINAL_WORDS
from deeparch.store import Run, Store, db_errors, unwritable
from deeparch.execution.processes import _end_local, pid_alive


def _store(store: Store | None) -> Store:
    return store if store is not None else Store()


def launch(config: RunConfig | dict, name: str | None = None, store: Store | None = None,
           parent: int | None = None, group: str | None = None, owner: str | None = None,
           sweep: dict | None = None) -> int:
    """Queue a run, reconcile, and start it if a slot is free. Returns its id. ``owner``: the student
    who launched it in classroom mode (``deeparch.execution.classroom``), None otherwise; ``sweep``: the sweep it
    is one point of (``deeparch.execution.sweep``)."""
    from deeparch.course.archs import load_config  # the registry imports torch: not in a supervisor, only when launching
    from deeparch.execution import preflight

    store = _store(store)
    if isinstance(config, dict):
        config = load_config(config)
    max_runs(store)  # a bad DEEPARCH_MAX_RUNS is refused before anything is stored
    executor_name()  # and so is a bad DEEPARCH_EXECUTOR
    check_env()  # and every other setting a worker reads: refused here, not found in worker.log
    # one preflight (the model built once, on the meta device): a precision this machine cannot run (fp16 on a
    # CPU), a configuration that cannot fit in memory (not OOM-killed at step 0) and a missing or unusable
    # init_from run are refused now, with the reason
    preflight.require(config, store, started=False)
    executor().prepare(store)  # a cluster that does not answer is refused now, in seconds, before anything is stored
    # a student's limit is checked in the transaction that creates the run: two tabs launching at once
    # cannot both pass (store.OwnerLimitError; the pages word it)
    cap = classroom.limit() if owner and classroom.enabled() else None
    run_id = store.create_run(config.to_dict(), name=name, parent=parent, group=group, owner=owner, sweep=sweep,
                              owner_limit=cap, same_owner=classroom.same_student)
    reconcile(store)
    return run_id


EXECUTORS = ("local", "ray")


def check_env() -> None:
    """ConfigError for a bad DEEPARCH_HEARTBEAT_TIMEOUT, DEEPARCH_STOP_GRACE or (with Ray) DEEPARCH_RAY_CPUS:
    the worker and its supervisor read them, and would die of it after the launch said all was well."""
    heartbeat_timeout()
    stop_grace()
    if executor_name() == "ray":
        from deeparch.execution import ray_executor  # imports no Ray

        ray_executor.cpus_per_run()


def executor_name() -> str:
    """The executor new runs start on: DEEPARCH_EXECUTOR, 'local' (default) or 'ray'."""
    value = os.environ.get("DEEPARCH_EXECUTOR", "").strip() or "local"
    if value not in EXECUTORS:
        raise ConfigError("must_be", where=f"DEEPARCH_EXECUTOR={value!r}",
                          range=Message("range_choices", values=", ".join(EXECUTORS)))
    return value


def executor(name: str | None = None):
    """The executor called ``name`` (default: this process's): an object with ``name``, ``ready(store)``,
    ``start(store, run_id) -> fields to record``, ``check(store, run, now) -> True/False when it decided,
    None to judge by the heartbeat``, ``end(run, sig, wait_s)`` and ``capacity()``. Ray is imported only
    for the Ray executor."""
    if (name or executor_name()) == "ray":
        from deeparch.execution import ray_executor

        # the executor does not import this module: it is handed the reconcile its supervisors and tasks call
        ray_executor.bind(reconcile=reconcile, try_reconcile=try_reconcile)
        return ray_executor
    return LocalExecutor


def executor_of(run: Run):
    """The executor a run was started on (runs from before executors were recorded: local)."""
    return executor("ray" if run.executor == "ray" else "local")


def schedule(store: Store | None = None) -> list[int]:
    """Start queued runs while slots are free (oldest first), unless the executor cannot take them now
    (a Ray cluster that is gone: they stay queued). Returns the ids started."""
    store = _store(store)
    ex = executor()
    if ex is not LocalExecutor and not (store.has_queued() and ex.ready(store)):
        return []  # joining a cluster takes seconds: only when there is something to start
    ids = store.claim_queued(max_runs(store))
    for run_id in ids:
        store.update_run(run_id, executor=ex.name, **ex.start(store, run_id))
    return ids


def _spawn(store: Store, run_id: int) -> int:
    log_dir = store.run_dir(run_id)
    log_dir.mkdir(parents=True, exist_ok=True)
    threads = str(threads_per_run(store))
    # the slot limit is the store's: a worker started with DEEPARCH_MAX_RUNS would write it back every few seconds;
    # the teacher's key is the pages' alone
    env = {k: v for k, v in os.environ.items() if k not in ("DEEPARCH_MAX_RUNS", "DEEPARCH_TEACHER_TOKEN")}
    # the database URL (its password with it) goes in the environment, which only this user can read,
    # never in the command line, which `ps` shows everyone
    env.update(DEEPARCH_THREADS=threads, OMP_NUM_THREADS=threads, DEEPARCH_DB=store.url)
    root = Path(__file__).resolve().parents[2]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    with open(log_dir / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deeparch.execution.worker", str(run_id), "--store", str(store.root.resolve())],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    return proc.pid


def end_process(run: Run, sig: int = signal.SIGKILL, wait_s: float = 0.0) -> None:
    """End a run's worker, on whichever executor it runs."""
    executor_of(run).end(run, sig, wait_s)


def last_words(store: Store, run: Run, pid: int | None) -> tuple[str, str | None] | None:
    """The (status, reason) that worker ``pid`` logged when it could not write its final status to the
    store. The log keeps every attempt of a resumed run: only this process's words count."""
    if not pid:
        return None
    try:
        with open(store.run_dir(run) / "worker.log", "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            tail = f.read().decode(errors="replace")
    except OSError:
        return None
    mine = f"{FINAL_WORDS}{pid} "
    lines = [ln[len(mine):] for ln in tail.splitlines() if ln.startswith(mine)]
    if not lines:
        return None
    status, _, reason = lines[-1].partition(": ")
    return (status, None if reason.strip() == "None" else reason.strip()) if status in lifecycle.FINAL else None


def _died(store: Store, run: Run, reason: str, pid: int | None = None) -> bool:
    """Finalise a run whose process is gone, with what it logged as its end if the store missed it."""
    status, logged = last_words(store, run, pid or run.pid) or ("failed", reason)
    return _fail(store, run, logged, status=status)


def _fail(store: Store, run: Run, reason: str, status: str = "failed") -> bool:
    """Finalise a run whose worker is gone; it ended at its last heartbeat, not when someone noticed."""
    return store.set_status(run.id, status, messages.encode(reason), only_if=(run.status,),
                            ended=run.heartbeat or time.time())


def _check_process(store: Store, run: Run, now: float) -> bool | None:
    """The local executor's part of reconciling: a run without a process, or whose process is gone.
    True/False when decided here; None: the process lives, judge it by its heartbeat."""
    if run.pid is None:
        # no process recorded: give it time to start, then call it what it is
        if now - (run.heartbeat or run.created) > STARTING_GRACE_S:
            reason = Message("worker_not_started" if run.status == "starting" else "worker_silent")
            return _fail(store, run, reason)
        return False
    if not pid_alive(run.pid, run):
        fresh = store.get_run(run.id)  # it may have ended cleanly in between
        if fresh and fresh.status in LIVE and fresh.pid == run.pid:
            return _died(store, fresh, Message("worker_died"))
        return False
    return None


class LocalExecutor:
    """Today's executor: each run is a supervisor and a training process on this machine."""

    name = "local"
    check = staticmethod(_check_process)
    end = staticmethod(_end_local)

    @staticmethod
    def ready(store: Store) -> bool:
        return True

    @staticmethod
    def prepare(store: Store) -> None:
        """Nothing to join before a launch: this machine is always there."""

    @staticmethod
    def start(store: Store, run_id: int) -> dict:
        return {"pid": _spawn(store, run_id), "handle": None}

    @staticmethod
    def capacity() -> dict | None:
        return None


def _check(store: Store, run: Run, now: float) -> bool:
    """Reconcile one live run. True if it was finalised here."""
    decided = executor_of(run).check(store, run, now)
    if decided is not None:
        return decided
    silent = now - (run.heartbeat or run.created)
    limit = heartbeat_timeout() if run.status != "starting" else max(heartbeat_timeout(), STARTING_GRACE_S)
    waited = now - run.control_at if run.control == "stop" and run.control_at else None
    if waited is not None and (waited > 2 * stop_grace() or silent > limit):
        # asked to stop and did not: it ends as the user asked, stopped
        end_process(run, signal.SIGKILL)
        return _fail(store, run, Message("stop_unanswered", waited=waited),
                     status="stopped")
    if silent > limit:
        end_process(run, signal.SIGKILL)
        return _fail(store, run, Message("worker_no_heartbeat", silent=silent))
    if waited is not None and waited > stop_grace():
        end_process(run, signal.SIGTERM)
    return False


def reconcile(store: Store | None = None) -> list[int]:
    """Finalise runs whose worker is gone, hung or deaf to a stop, then start queued runs.

    Returns the ids finalised here.
    """
    store = _store(store)
    now = time.time()
    done = [run.id for run in store.list_runs(status=LIVE) if _check(store, run, now)]
    schedule(store)
    return done


def try_reconcile(store: Store) -> bool:
    """Reconcile if the store can be written; a reader on a full or read-only disk goes on reading."""
    try:
        reconcile(store)
        return True
    except db_errors(operational=True) as e:
        if not unwritable(e):
            raise
    except OSError:  # no room for a worker's folder or log
        pass
    return False


def worker_exited(store: Store, run_id: int, pid: int, returncode: int, since: float = 0.0) -> None:
    """Called by a worker's supervisor (started at ``since``) when the worker process ends: no run stays
    live without it. A run claimed again after that start (resumed, its new worker not yet recorded) is
    another attempt's: it is left to it."""
    run = store.get_run(run_id)
    mine = run is not None and (run.pid in (pid, os.getpid()) or (run.pid is None and (run.heartbeat or 0.0) <= since))
    if mine and run.status in LIVE:
        how = (Message("killed_by", signal=signal.Signals(-returncode).name) if returncode < 0 and -returncode in
               signal.valid_signals() else Message("exit_code", code=str(returncode)))
        _died(store, run, Message("worker_died_how", how=how), pid)
    reconcile(store)


def need(store: Store, run_id: int) -> Run:
    """The run, or ConfigError 'no run with id N' (also for ids no database can hold)."""
    try:
        run = store.get_run(run_id)
    except OverflowError:  # an id beyond SQLite's 64-bit integers names no run
        run = None
    if run is None:
        raise ConfigError("no_run_id", id=str(run_id))
    return run


def _check_allowed(action: str, run: Run) -> None:
    if not lifecycle.can(action, run.status, run.control):
        raise ConfigError(lifecycle.refusal(action, run))


def stop(run_id: int, store: Store | None = None) -> str:
    """Stop a run: a queued run is stopped at once; a training one finishes its step and checkpoints
    (one that does not answer within the grace period is ended by a later reconcile)."""
    store = _store(store)
    run = need(store, run_id)
    _check_allowed("stop", run)
    if run.status == "queued":
        if store.set_status(run_id, "stopped", messages.encode(Message("stopped_before_start")), only_if=("queued",)):
            return "stopped"
        run = need(store, run_id)
        _check_allowed("stop", run)
    store.request(run_id, "stop")
    return Message("stop_requested")


def pause(run_id: int, store: Store | None = None) -> str:
    store = _store(store)
    _check_allowed("pause", need(store, run_id))
    store.request(run_id, "pause")
    return Message("pause_requested")


def resume(run_id: int, store: Store | None = None) -> str:
    """Resume a paused run, or restart a stopped / failed run from its last checkpoint."""
    store = _store(store)
    run = need(store, run_id)
    _check_allowed("resume", run)
    if run.status in LIVE:
        store.request(run_id, None)
        return Message("resumed")
    store.update_run(run_id, status="queued", reason=None, ended=None, control=None, control_at=None, pid=None)
    reconcile(store)
    return Message("queued_from_checkpoint" if (store.run_dir(run) / "checkpoint.pt").exists() else "queued")


def clone(run_id: int, store: Store | None = None, name: str | None = None, owner: str | None = None,
          **overrides) -> int:
    """Launch a new run with the same configuration (and any hyperparameters overridden)."""
    from deeparch.course.archs import load_config

    store = _store(store)
    run = need(store, run_id)
    cfg = load_config(run.config).replace(**overrides)  # an old run's clone behaves like it
    return launch(cfg, name=name or f"{run.name} (clone)", store=store, parent=run_id, owner=owner)


def delete(run_id: int, store: Store | None = None) -> None:
    """Delete a run and its data; a training run's worker is ended first (it leaves no process behind)."""
    store = _store(store)
    run = need(store, run_id)
    if run.status in LIVE:
        end_process(run, signal.SIGKILL, wait_s=5.0)
    store.delete_run(run_id)
    schedule(store)


def wait(run_id: int, store: Store | None = None, timeout: float = 600,
         statuses=lifecycle.FINAL) -> str:
    """Block until the run reaches one of ``statuses`` (for scripts and tests)."""
    store = _store(store)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reconcile(store)
        run = store.get_run(run_id)
        if run and run.status in statuses:
            return run.status
        time.sleep(0.2)
    raise TimeoutError(Message("still_status", id=str(run_id), status=Message.status(store.get_run(run_id).status),
                               timeout=timeout))
