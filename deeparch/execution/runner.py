"""One run trained in this process: claim it, train it with the store logger and a heartbeat
thread, and finalise its status in ``finally`` — finished, stopped, diverged, or failed with
the real reason.

``run_worker`` is the one "run and finalise" path, shared by the worker process
(``deeparch.execution.worker``), the Ray training task and the foreground ``python -m deeparch train``.
It imports nothing of the job system: whoever calls it hands it ``reconcile``, which starts
the next queued run once this one has ended.
"""
from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

from deeparch.present import messages
from deeparch.present.messages import Message
from deeparch.store import lifecycle
from deeparch.course.config import ConfigError, RunConfig
from deeparch.execution.limits import heartbeat_timeout, threads_per_run
from deeparch.store.lifecycle import LIVE
from deeparch.store import Store, StoreUnreachable, db_errors, redact, store_grace

MIN_FREE_BYTES = 16 << 20  # less free space than this after a failed checkpoint write: the disk was full
FINAL_WORDS = "deeparch-final-status: "  # a worker that cannot write its status to the store logs it so
TRANSFER_FROM = ("finished", "stopped")  # runs whose checkpoint a new run may start from


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
        self.every = min(5.0, heartbeat_timeout() / 4)
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


def _worded(e: BaseException, text: str):
    """``e`` as "Class: its message": a Message when ``e`` carries one (worded in the reader's language), else
    ``text``, the redacted line."""
    said = messages.of(e)
    return Message("error_of", kind=type(e).__name__, error=said) if isinstance(said, Message) else text


def failure_reason(e: BaseException, folder=None) -> str | Message:
    """What to tell the user about a failed run; a full disk is named as such, with what was being written.

    torch.save reports a full disk with an internal assertion, not ENOSPC: a checkpoint write that
    failed while the disk has less room than twice the last checkpoint is called a full disk.
    """
    if isinstance(e, StoreUnreachable):
        return messages.of(e)
    in_checkpoint = any(f.name == "save_checkpoint" for f in traceback.extract_tb(e.__traceback__))
    for x in _chain(e):
        if isinstance(x, db_errors(operational=True)) and "full" in str(x):
            return Message("disk_full_store")
        if isinstance(x, OSError) and x.errno in (errno.ENOSPC, errno.EDQUOT):
            if in_checkpoint:
                return Message("disk_full_checkpoint")
            return Message("disk_full_file", file=str(x.filename)) if x.filename else Message("disk_full_a_file")
    text = redact(f"{type(e).__name__}: {e}".splitlines()[0], os.environ.get("DEEPARCH_DB"))[:500]
    if in_checkpoint and folder is not None:
        last = Path(folder) / "checkpoint.pt"
        if _no_room(folder, max(MIN_FREE_BYTES, 2 * (last.stat().st_size if last.exists() else 0))):
            return Message("disk_full_checkpoint")
        return Message("checkpoint_write_failed", error=_worded(e, text))
    if isinstance(messages.of(e), Message):
        return _worded(e, text)
    return text


def log(text: str) -> None:
    """A line for worker.log that never raises: on a full disk the log cannot grow either. A driver's message
    that repeats the database URL is written with its password masked."""
    try:
        print(redact(text, os.environ.get("DEEPARCH_DB")).rstrip(), file=sys.stderr, flush=True)
    except OSError:
        pass


def transfer_source(store: Store, config: RunConfig, started: bool = True) -> Path | None:
    """The checkpoint a run with ``init_from`` starts from (None without one), or ConfigError saying
    why it cannot. At launch (``started`` False) a source still queued or training is accepted: the
    store does not start the new run before the source has ended (``Store.claim_queued``), and the
    worker checks again then. Which weights fit is the trainer's check (same architecture, shapes)."""
    source_id = config.hp.get("init_from", 0)
    if not source_id:
        return None
    where = f"init_from={source_id}"
    source = store.get_run(source_id)
    if source is None:
        raise ConfigError("init_from_missing", where=where, id=str(source_id))
    if source.arch != config.arch:
        raise ConfigError("init_from_arch", where=where, id=str(source_id), arch=source.arch, this=config.arch)
    if source.status in lifecycle.ACTIVE and not started:
        return None
    checkpoint = store.run_dir(source) / "checkpoint.pt"
    if source.status not in TRANSFER_FROM or not checkpoint.exists():
        raise ConfigError("init_from_state", where=where, id=str(source_id), status=Message.status(source.status),
                          reason=Message("note_reason", reason=messages.decode(source.reason)) if source.reason else "",
                          checkpoint="" if checkpoint.exists() else Message("note_no_checkpoint"))
    return checkpoint


def _train(run, store: Store, callbacks, stopper: SigtermStop, threads: int | None):
    import torch

    from deeparch.course.archs import load_config
    from deeparch.engine.callbacks import StoreLogger
    from deeparch.engine.trainer import Trainer

    torch.set_num_threads(threads or int(os.environ.get("DEEPARCH_THREADS", threads_per_run(store))))
    logger = StoreLogger(store, run.id, stop_event=stopper.event)
    stopper.logger = logger
    cfg = load_config(run.config)
    trainer = Trainer(cfg, [logger, *callbacks],
                      checkpoint=store.run_dir(run) / "checkpoint.pt",
                      identity={"run_id": run.id, "uid": run.uid},
                      init_weights=transfer_source(store, cfg))
    result = trainer.fit()
    if result.status == "stopped" and stopper.event.is_set():
        return "stopped", Message("stopped_sigterm")
    return result.status, result.reason


def retrying(store: Store, call, within: float):
    """``call()``, tried again while the server store is out of reach, for up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            return call()
        except db_errors() as e:
            if not store.lost(e) or time.monotonic() > deadline:
                raise
            time.sleep(1.0)


def _finalise(store: Store, run_id: int, status: str, reason: str | None, reconcile: Callable) -> None:
    """Write the final status (waiting out a short store outage); when the store cannot take it, leave it
    in worker.log, where the supervisor and any reconcile find it. Then ``reconcile(store)``: the next
    queued run starts."""
    try:
        retrying(store, lambda: store.set_status(run_id, status, messages.encode(reason), only_if=LIVE),
                 store_grace())
    except db_errors() as e:
        log(f"the run store could not take the final status ({e}); kept here:\n"
            f"{FINAL_WORDS}{os.getpid()} {status}: {messages.encode(reason)}")  # the pid: a resumed run's log has several
    try:
        reconcile(store)
    except Exception:  # noqa: BLE001 - the next queued run is also started by any other reconcile
        log(traceback.format_exc())


def run_worker(run_id: int, store: Store, *, reconcile: Callable, callbacks=(), threads: int | None = None,
               pid: int | None = None) -> str:
    """Claim the run, train it, and finalise its status whatever happens. Returns the status.
    ``reconcile``: the job system's (``deeparch.execution.jobs.reconcile``), called once the status is final."""
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
    status, reason = "failed", Message("worker_exited")
    try:
        status, reason = _train(run, store, callbacks, stopper, threads)
    except Terminated as e:
        status, reason = "stopped", str(e)
    except KeyboardInterrupt:
        status, reason = "stopped", Message("keyboard")
    except BaseException as e:  # noqa: BLE001 - the status must be final whatever happened
        status, reason = "failed", failure_reason(e, store.run_dir(run))
        # a half-written checkpoint would keep the disk full and the final status out of the store
        (store.run_dir(run) / "checkpoint.tmp").unlink(missing_ok=True)
        log(traceback.format_exc())
        if not isinstance(e, Exception):
            raise
    finally:
        beat.done.set()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        _finalise(store, run_id, status, reason, reconcile)
    return status
