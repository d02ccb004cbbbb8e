"""Process entry point for one run: ``python -m deeparch.execution.worker RUN_ID [--store DIR]``.

By default this process is a small supervisor (no torch): it starts the training process
(the same command with ``--no-supervisor``), reconciles the store every few seconds while
it waits (hung workers, unanswered stops, dead workers of other runs), and when the
training process ends, however it ends, finalises the run if it could not and starts the
next queued run. The training process trains through ``deeparch.execution.runner.run_worker``, the
one "run and finalise" path, handed the job system's reconcile.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import traceback

import psutil

from deeparch.execution import jobs
from deeparch.execution.limits import heartbeat_timeout
from deeparch.execution.runner import log, retrying, run_worker
from deeparch.store import Store, db_errors

SUPERVISOR_WAIT_S = 3600.0  # how long a supervisor waits for an unreachable store to record its run's end


def supervise(run_id: int, store: Store) -> int:
    """Start the training process, reconcile while it runs, and account for its end."""
    # the database URL is handed down in the environment (DEEPARCH_DB), never on a command line `ps` shows
    since = psutil.Process().create_time()  # a run claimed after this is another attempt's (jobs.worker_exited)
    child = subprocess.Popen([sys.executable, "-m", "deeparch.execution.worker", str(run_id), "--store", str(store.root),
                              "--no-supervisor"], stdin=subprocess.DEVNULL, env={**os.environ, "DEEPARCH_DB": store.url})
    signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signal.SIGTERM))
    poll = min(5.0, max(0.2, heartbeat_timeout() / 4))
    while True:
        try:
            rc = child.wait(timeout=poll)
            break
        except subprocess.TimeoutExpired:
            try:
                jobs.reconcile(store)
            except Exception as e:  # noqa: BLE001 - a busy, full or unreachable store: try again next time
                if not store.lost(e):  # an outage is the worker's to report (once), not every poll's
                    log(traceback.format_exc())
    try:
        # a store that is away (PostgreSQL restarting) is waited for: the run's end is recorded by the
        # supervisor once it is back, with the reason the worker left in its log
        retrying(store, lambda: jobs.worker_exited(store, run_id, child.pid, rc, since), SUPERVISOR_WAIT_S)
    except db_errors():  # a full or read-only store: the next reconcile finalises the run
        log(traceback.format_exc())
    return 0 if rc == 0 else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m deeparch.execution.worker", description="Train one run of the store.")
    p.add_argument("run_id", type=int)
    p.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    p.add_argument("--db", default=None, metavar="URL", help="run store database (default: $DEEPARCH_DB or SQLite; "
                   "prefer the variable: a command line is visible to every user of the machine)")
    p.add_argument("--no-supervisor", action="store_true", help="train in this process (no supervisor)")
    a = p.parse_args(argv)
    store = Store(a.store, url=a.db)
    if not a.no_supervisor:
        return supervise(a.run_id, store)
    status = run_worker(a.run_id, store, reconcile=jobs.reconcile)
    return 0 if status in ("finished", "stopped", "diverged") else 1


if __name__ == "__main__":
    sys.exit(main())
