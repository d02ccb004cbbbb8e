"""A local run's worker process, found and ended by its pid: never a process that only reuses a run's old pid
(another run's, a server's), and a worker still starting (forked, not yet exec'd) counts as alive.
``deeparch.execution.jobs`` re-exports these names.
"""
from __future__ import annotations

import os
import signal
import time

import psutil

from deeparch.execution.limits import STARTING_GRACE_S
from deeparch.store import Run


# a pid whose process started this long after the run's last sign of life is not its worker (pid reuse)
PID_REUSE_SLACK_S = 120.0


def _is_worker(cmdline: list[str], run_id: int | None) -> bool:
    """A deeparch worker process (of ``run_id``, when given), or a foreground ``python -m deeparch … train``."""
    if "deeparch.execution.worker" in cmdline:
        i = cmdline.index("deeparch.execution.worker")
        return run_id is None or cmdline[i + 1:i + 2] == [str(run_id)]
    return "-m" in cmdline and "deeparch" in cmdline and "train" in cmdline


def _process(pid: int | None, run: Run | None = None) -> psutil.Process | None:
    """The live (not zombie) worker process ``pid`` (of ``run``, when given), or None: gone, or the pid now
    belongs to another process (a reused pid is never signalled: not a server, not another run)."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return None
        if not _is_worker(proc.cmdline(), run.id if run else None) and not _before_exec(proc):
            return None
        if run is not None and proc.create_time() > max(run.heartbeat or 0.0, run.created) + PID_REUSE_SLACK_S:
            return None
        return proc
    except psutil.AccessDenied:
        return None  # not ours to judge, and never ours to signal
    except psutil.Error:
        return None


def _before_exec(proc: psutil.Process) -> bool:
    """A child forked moments ago that has not yet become the worker: until its ``exec`` it still shows
    its parent's command line (a large parent on a loaded machine can take seconds there), and while the
    kernel replaces its memory in ``exec`` it shows none; judging it by either would call a starting
    worker dead."""
    if time.time() - proc.create_time() >= STARTING_GRACE_S:
        return False
    cmdline = proc.cmdline()
    if not cmdline:
        return True
    parent = proc.parent()
    return parent is not None and cmdline == parent.cmdline()


def pid_alive(pid: int | None, run: Run | None = None) -> bool:
    return _process(pid, run) is not None


def _end_local(run: Run, sig: int = signal.SIGKILL, wait_s: float = 0.0) -> None:
    """Send ``sig`` to a run's worker and the processes of its own process group (a supervisor's training
    child); never to other runs' supervisors that it started while reconciling, which have sessions of
    their own. Optionally wait for them to go."""
    proc = _process(run.pid, run)
    if proc is None:
        return
    try:
        group = os.getpgid(proc.pid)
        procs = [proc, *(c for c in proc.children(recursive=True) if os.getpgid(c.pid) == group)]
    except (psutil.Error, OSError):
        procs = [proc]
    for p in procs:
        try:
            p.send_signal(sig)
        except psutil.Error:
            pass
    if wait_s:
        psutil.wait_procs(procs, timeout=wait_s)
