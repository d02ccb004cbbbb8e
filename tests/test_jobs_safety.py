"""The lab signals only its own worker processes, reads only the current attempt's last words,
and keeps its supervisors light (review findings on the issue-8 liveness work)."""
from __future__ import annotations

import pytest

import os
import subprocess
import sys
import textwrap
import time

import psutil

from deeparch.execution import jobs, processes
from deeparch.present import messages
from deeparch.store import Run
from waiting import until

pytestmark = pytest.mark.slow  # real worker processes


def run_like(run_id: int, pid: int | None, heartbeat: float) -> Run:
    return Run(id=run_id, name="r", arch="cnn", dataset="mnist-5k", config={}, status="running",
               created=heartbeat - 10, started=heartbeat - 10, ended=None, pid=pid, heartbeat=heartbeat,
               reason=None, summary={}, control=None, step=0, total_steps=10, parent=None, group_name=None)


def sleeper(*argv: str, **kw) -> subprocess.Popen:
    """A process whose command line carries ``argv`` (what the liveness check reads), sleeping; returned
    once it runs that command line (a process between fork and exec still shows its parent's)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", *argv], **kw)
    until(lambda: argv[-1] in _cmdline(proc.pid), 30, f"the sleeper {argv} to start")
    return proc


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []


def echo(*argv: str) -> subprocess.Popen:
    """A process whose command line carries ``argv`` and that answers each line on its stdin with "pong"."""
    code = "import sys\nfor line in sys.stdin:\n    print('pong', flush=True)"
    return subprocess.Popen([sys.executable, "-c", code, *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


def answers(proc: subprocess.Popen) -> bool:
    """Whether ``proc`` still runs its code: a signal sent to it before this call has been delivered by the
    time it reads the line, so a process that a signal ended cannot answer."""
    try:
        proc.stdin.write("ping\n")
        proc.stdin.flush()
    except BrokenPipeError:
        return False
    return proc.stdout.readline().strip() == "pong"


def test_only_this_runs_worker_counts_never_a_server_in_a_deeparch_folder():
    assert processes._is_worker(["python", "-m", "deeparch.execution.worker", "5", "--store", "runs"], 5)
    assert not processes._is_worker(["python", "-m", "deeparch.execution.worker", "5", "--store", "runs"], 6)
    assert processes._is_worker(["python", "-m", "deeparch", "--store", "runs", "train", "--arch", "cnn"], 5)
    # the old check took anything with "deeparch" in its command line for a worker
    assert not processes._is_worker(["python", "-m", "streamlit", "run", "/home/t/deeparch/app.py"], 5)
    assert not processes._is_worker(["/home/t/deeparch/.venv/bin/python", "-m", "pytest"], None)


def test_a_reused_pid_is_not_the_runs_worker():
    proc = echo("deeparch.execution.worker", "7")
    try:
        assert answers(proc)  # it runs its code, with the command line the liveness check reads
        assert jobs.pid_alive(proc.pid, run_like(7, proc.pid, heartbeat=time.time()))
        # the same pid, for a run whose last heartbeat is an hour older than the process: a reused pid
        stale = run_like(7, proc.pid, heartbeat=time.time() - 3600)
        assert not jobs.pid_alive(proc.pid, stale)
        jobs.end_process(stale)  # must not signal it
        assert answers(proc) and proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_ending_a_worker_spares_the_runs_it_started_in_their_own_sessions():
    """A starting run's pid is its supervisor, whose reconcile may have spawned other runs' supervisors."""
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        same = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        print(same.pid, other.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", code, "deeparch.execution.worker", "3"], stdout=subprocess.PIPE,
                              text=True, start_new_session=True)
    same, other = (int(x) for x in parent.stdout.readline().split())
    try:
        jobs.end_process(run_like(3, parent.pid, heartbeat=time.time()), wait_s=5)
        parent.wait(5)
        gone = lambda pid: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE  # noqa: E731
        until(lambda: gone(same), 5, "the worker's own child to end")
        assert not gone(other), "another run's supervisor (its own session) was killed"
    finally:
        for pid in (same, other):
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def test_last_words_of_an_earlier_attempt_do_not_decide_a_resumed_runs_end(store):
    rid = store.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}}, status="running")
    run = store.get_run(rid)
    folder = store.run_dir(run)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "worker.log").write_text(f"{jobs.FINAL_WORDS}111 stopped: the store was full\n")
    assert jobs.last_words(store, run, 222) is None  # this attempt (pid 222) said nothing
    assert jobs.last_words(store, run, 111) == ("stopped", "the store was full")


def test_the_end_of_an_earlier_attempt_leaves_a_resumed_run_alone(store, monkeypatch):
    """A stopped run resumed at once: its old supervisor reports its worker's end after the run was claimed
    again (status 'starting', the new worker's pid not yet recorded). That end is not the new attempt's."""
    monkeypatch.setattr(jobs, "schedule", lambda s=None: [])  # nothing else starts here
    rid = store.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}}, status="queued")
    old_supervisor_started = time.time() - 30
    assert store.claim_queued(1) == [rid]  # the resume's claim: starting, pid NULL, heartbeat now
    jobs.worker_exited(store, rid, pid=111, returncode=0, since=old_supervisor_started)
    assert store.get_run(rid).status == "starting"
    # a worker that dies before its pid is recorded is still reported by its own supervisor
    jobs.worker_exited(store, rid, pid=222, returncode=1, since=time.time() + 1)
    run = store.get_run(rid)
    assert (run.status, messages.decode(run.reason)) == ("failed", "worker process died (exit code 1)")


def test_a_worker_inside_exec_shows_no_command_line_and_counts_as_alive(monkeypatch):
    """While the kernel swaps a child's memory in exec, /proc shows an empty command line: a worker caught
    there by a reconcile (more likely on a loaded machine) is starting, not dead; an old process with
    no command line is nobody's worker."""
    class Caught:
        def __init__(self, age_s: float):
            self.born = time.time() - age_s

        def status(self):
            return psutil.STATUS_RUNNING

        def cmdline(self):
            return []

        def create_time(self):
            return self.born

        def parent(self):
            return psutil.Process()

    now = time.time()
    monkeypatch.setattr(processes.psutil, "Process", lambda pid: Caught(0.05))
    assert jobs.pid_alive(4242, run_like(7, 4242, now))
    monkeypatch.setattr(processes.psutil, "Process", lambda pid: Caught(jobs.STARTING_GRACE_S + 5))
    assert not jobs.pid_alive(4242, run_like(7, 4242, now))


def test_a_supervisor_does_not_load_pytorch():
    out = subprocess.run([sys.executable, "-c", "import sys, deeparch.execution.worker, deeparch.execution.jobs; "
                          "print('torch' in sys.modules)"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_worker_forked_but_not_yet_started_counts_as_alive_another_program_does_not():
    """Between fork and exec a new worker still shows its parent's command line (seconds, for a large
    parent on a loaded machine): it is starting, not dead. A process running another program is not it."""
    import signal

    pid = os.fork()
    if pid == 0:  # the child never execs: it stays in the window the liveness check must tolerate
        signal.pause()  # until the test kills it
        os._exit(0)
    other = sleeper("not-a-worker")  # returned once it runs its own command line
    try:
        assert jobs.pid_alive(pid, run_like(7, pid, heartbeat=time.time()))
        assert not jobs.pid_alive(other.pid, run_like(7, other.pid, heartbeat=time.time()))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        other.kill()
        other.wait()
