"""Process entry point for one run: ``python -m deeparch.worker RUN_ID [--store DIR]``.

By default this process is a small supervisor (no torch): it starts the training process
(the same command with ``--no-supervisor``), reconciles the store every few seconds while
it waits (hung workers, unanswered stops, dead workers of other runs), and when the
training process ends, however it ends, finalises the run if it could not and starts the
next queued run. ``run_worker`` is the one "run and finalise" path, shared with the
foreground ``python -m deeparch train``: claim the run, train it with the store logger
and a heartbeat thread, and finalise its status in ``finally`` — finished, stopped,
diverged, or failed with the real reason.
"""
from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from deeparch import jobs
from deeparch.lifecycle import LIVE
from deeparch.store import Store, StoreUnreachable, db_errors, redact, store_grace

SUPERVISOR_WAIT_S = 3600.0  # how long a supervisor waits for an unreachable store to record its run's end
MIN_FREE_BYTES = 16 << 20  # less free space than this after a failed checkpoint write: the disk was full


class Terminated(Exception):
    pass


class SigtermStop:
    """SIGTERM handler: the first one inside the training loop asks for a clean stop (the trainer
    checkpoints and returns 'stopped'); a second one, or one outside the loop, raises."""

    def __init__(self):
        self.event = threading.Event()
        self.logger = None  # the StoreLogger, which says whether the loop is running

    def __call__(self, signum, frame):
        if self.logger is not None and self.logger.in_loop and not self.event.is_set():
            self.event.set()
            return
        raise Terminated("worker terminated by a signal")


class Heartbeat(threading.Thread):
    """Beats the run's heart from its own connection, so long evaluations and pauses never look
    hung, while a stopped (SIGSTOP) or dead process does."""

    def __init__(self, store: Store, run_id: int):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.root, self.url, self.run_id = store.root, store.url, run_id
        self.every = min(5.0, jobs.heartbeat_timeout() / 4)
        self.done = threading.Event()

    def run(self) -> None:
        store = Store(self.root, url=self.url)
        try:
            while not self.done.wait(self.every):
                try:
                    store.log_metrics(self.run_id, [], heartbeat=time.time())
                except db_errors():
                    pass  # a full disk: the main thread reports it
        finally:
            store.close()


def _chain(e: BaseException):
    while e is not None:
        yield e
        e = e.__cause__ or e.__context__


def _no_room(folder, needed: int) -> bool:
    try:
        return shutil.disk_usage(folder).free < needed
    except OSError:
        return False


def failure_reason(e: BaseException, folder=None) -> str:
    """What to tell the user about a failed run; a full disk is named as such, with what was being written.

    torch.save reports a full disk with an internal assertion, not ENOSPC: a checkpoint write that
    failed while the disk has less room than twice the last checkpoint is called a full disk.
    """
    if isinstance(e, StoreUnreachable):
        return str(e)
    in_checkpoint = any(f.name == "save_checkpoint" for f in traceback.extract_tb(e.__traceback__))
    for x in _chain(e):
        if isinstance(x, db_errors(operational=True)) and "full" in str(x):
            return "disk full while writing the run store (runs.db)"
        if isinstance(x, OSError) and x.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"disk full while writing {'the checkpoint' if in_checkpoint else x.filename or 'a file'}"
    text = redact(f"{type(e).__name__}: {e}".splitlines()[0], os.environ.get("DEEPARCH_DB"))[:500]
    if in_checkpoint and folder is not None:
        last = Path(folder) / "checkpoint.pt"
        if _no_room(folder, max(MIN_FREE_BYTES, 2 * (last.stat().st_size if last.exists() else 0))):
            return "disk full while writing the checkpoint"
        return f"could not write the checkpoint: {text}"
    return text


def _log(text: str) -> None:
    """A line for worker.log that never raises: on a full disk the log cannot grow either. A driver's message
    that repeats the database URL is written with its password masked."""
    try:
        print(redact(text, os.environ.get("DEEPARCH_DB")).rstrip(), file=sys.stderr, flush=True)
    except OSError:
        pass


def _train(run, store: Store, callbacks, stopper: SigtermStop, threads: int | None):
    import torch

    from deeparch.archs import load_config
    from deeparch.callbacks import StoreLogger
    from deeparch.trainer import Trainer

    torch.set_num_threads(threads or int(os.environ.get("DEEPARCH_THREADS", jobs.threads_per_run(store))))
    logger = StoreLogger(store, run.id, stop_event=stopper.event)
    stopper.logger = logger
    cfg = load_config(run.config)
    trainer = Trainer(cfg, [logger, *callbacks],
                      checkpoint=store.run_dir(run) / "checkpoint.pt",
                      identity={"run_id": run.id, "uid": run.uid},
                      init_weights=jobs.transfer_source(store, cfg))
    result = trainer.fit()
    if result.status == "stopped" and stopper.event.is_set():
        return "stopped", "stopped by SIGTERM"
    return result.status, result.reason


def _retrying(store: Store, call, within: float):
    """``call()``, tried again while the server store is out of reach, for up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except db_errors() as e:
            if not store.lost(e) or time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def _finalise(store: Store, run_id: int, status: str, reason: str | None) -> None:
    """Write the final status (waiting out a short store outage); when the store cannot take it, leave it
    in worker.log, where the supervisor and any reconcile find it."""
    try:
        _retrying(store, lambda: store.set_status(run_id, status, reason, only_if=LIVE), store_grace())
    except db_errors() as e:
        _log(f"the run store could not take the final status ({e}); kept here:\n"
             f"{jobs.FINAL_WORDS}{os.getpid()} {status}: {reason}")  # the pid: a resumed run's log has several
    try:
        jobs.reconcile(store)
    except Exception:  # noqa: BLE001 - the next queued run is also started by any other reconcile
        _log(traceback.format_exc())


def run_worker(run_id: int, store: Store, callbacks=(), threads: int | None = None,
               pid: int | None = None) -> str:
    """Claim the run, train it, and finalise its status whatever happens. Returns the status."""
    run = store.get_run(run_id)
    if run is None:
        print(f"no run {run_id} in {store.path}", file=sys.stderr)
        return "failed"
    if not store.set_status(run_id, "running", only_if=("starting", "queued"), pid=pid or os.getpid(),
                            heartbeat=time.time(), started=run.started or time.time(), host=socket.gethostname(),
                            executor=run.executor or "local"):
        print(f"run {run_id} is {store.get_run(run_id).status}; not starting it", file=sys.stderr)
        return "skipped"
    stopper = SigtermStop()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, stopper) if in_main else None
    beat = Heartbeat(store, run_id)
    beat.start()
    status, reason = "failed", "worker exited unexpectedly"
    try:
        status, reason = _train(run, store, callbacks, stopper, threads)
    except Terminated as e:
        status, reason = "stopped", str(e)
    except KeyboardInterrupt:
        status, reason = "stopped", "interrupted from the keyboard"
    except BaseException as e:  # noqa: BLE001 - the status must be final whatever happened
        status, reason = "failed", failure_reason(e, store.run_dir(run))
        # a half-written checkpoint would keep the disk full and the final status out of the store
        (store.run_dir(run) / "checkpoint.tmp").unlink(missing_ok=True)
        _log(traceback.format_exc())
        if not isinstance(e, Exception):
            raise
    finally:
        beat.done.set()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        _finalise(store, run_id, status, reason)
    return status


def supervise(run_id: int, store: Store) -> int:
    """Start the training process, reconcile while it runs, and account for its end."""
    # the database URL is handed down in the environment (DEEPARCH_DB), never on a command line `ps` shows
    child = subprocess.Popen([sys.executable, "-m", "deeparch.worker", str(run_id), "--store", str(store.root),
                              "--no-supervisor"], stdin=subprocess.DEVNULL, env={**os.environ, "DEEPARCH_DB": store.url})
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signal.SIGTERM))
    poll = min(5.0, max(0.2, jobs.heartbeat_timeout() / 4))
    while True:
        try:
            rc = child.wait(timeout=poll)
            break
        except subprocess.TimeoutExpired:
            try:
                jobs.reconcile(store)
            except Exception as e:  # noqa: BLE001 - a busy, full or unreachable store: try again next time
                if not store.lost(e):  # an outage is the worker's to report (once), not every poll's
                    _log(traceback.format_exc())
    try:
        # a store that is away (PostgreSQL restarting) is waited for: the run's end is recorded by the
        # supervisor once it is back, with the reason the worker left in its log
        _retrying(store, lambda: jobs.worker_exited(store, run_id, child.pid, rc), SUPERVISOR_WAIT_S)
    except db_errors():  # a full or read-only store: the next reconcile finalises the run
        _log(traceback.format_exc())
    return 0 if rc == 0 else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m deeparch.worker", description="Train one run of the store.")
    p.add_argument("run_id", type=int)
    p.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    p.add_argument("--db", default=None, metavar="URL", help="run store database (default: $DEEPARCH_DB or SQLite; "
                   "prefer the variable: a command line is visible to every user of the machine)")
    p.add_argument("--no-supervisor", action="store_true", help="train in this process (no supervisor)")
    a = p.parse_args(argv)
    store = Store(a.store, url=a.db)
    if not a.no_supervisor:
        return supervise(a.run_id, store)
    status = run_worker(a.run_id, store)
    return 0 if status in ("finished", "stopped", "diverged") else 1


if __name__ == "__main__":
    sys.exit(main())
