"""Reproduce the fault scenarios a careful tester found and print one PASS/FAIL line per scenario.

    python bench/faults.py            # needs root for the tmpfs scenarios (skipped otherwise)
    python bench/faults.py postgres_restart ray_gone   # only these

Nobody reads the store while the workers are killed, stopped or starved: every wait
below polls runs.db directly, without ``reconcile()``, so what it shows is what the
workers and their supervisors did by themselves. The heartbeat threshold is shortened
with DEEPARCH_HEARTBEAT_TIMEOUT (default here 5 s) and the stop grace with
DEEPARCH_STOP_GRACE (2 s) so the script takes a few minutes, not hours.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEEPARCH_HEARTBEAT_TIMEOUT", "5")
os.environ.setdefault("DEEPARCH_STOP_GRACE", "2")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from deeparch.execution import jobs  # noqa: E402
from deeparch.store import Store  # noqa: E402

SMALL = ["--channels", "4", "--hidden", "16", "--log-every", "5"]
RESULTS: list[bool] = []


def cli(store, *args, env=None):
    return subprocess.run([sys.executable, "-m", "deeparch", "--store", str(store), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def launch(store, *args, env=None) -> int:
    p = cli(store, "launch", "--arch", "cnn", *args, env=env)
    if p.returncode:
        raise RuntimeError(p.stderr)
    return int(p.stdout)


def poll(store: Store, rid: int, pred, timeout: float):
    """Seconds until ``pred(run)`` holds, reading runs.db only; None on timeout."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        run = store.get_run(rid)
        if run is not None and pred(run):
            return time.monotonic() - t0
        time.sleep(0.1)
    return None


def report(name: str, before: str, ok: bool, after: str) -> None:
    RESULTS.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {name}\n      before: {before}\n      after:  {after}", flush=True)


@contextmanager
def tmpfs(size: str):
    path = Path(tempfile.mkdtemp(prefix="deeparch-disk-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                      capture_output=True).returncode:
        yield None
    else:
        try:
            yield path
        finally:
            subprocess.run(["umount", "-l", str(path)])
    shutil.rmtree(path, ignore_errors=True)


def fill(folder: Path, leave: int = 0) -> None:
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    if leave:
        os.truncate(folder / "filler", max(0, (folder / "filler").stat().st_size - leave))


def running(store, rid, after=0, timeout=90):
    return poll(store, rid, lambda r: r.status == "running" and r.step > after, timeout)


def kill9_with_no_reader(root: Path) -> None:
    env = {"DEEPARCH_MAX_RUNS": "1"}
    a = launch(root, "--epochs", "1000", *SMALL, env=env)
    b = launch(root, "--max-steps", "20", *SMALL, env=env)
    store = Store(root)
    running(store, a)
    os.kill(store.get_run(a).pid, signal.SIGKILL)
    t_fail = poll(store, a, lambda r: r.status == "failed", 30)
    t_next = poll(store, b, lambda r: r.status == "finished", 120)
    run = store.get_run(a)
    ok = t_fail is not None and t_next is not None and run.ended == run.heartbeat
    report("kill -9, DEEPARCH_MAX_RUNS=1, no reader", "stays 'running' for as long as you wait; the queue never moves",
           ok, f"failed '{run.reason}' after {t_fail and round(t_fail, 1)} s (ended at its last heartbeat: "
           f"{run.ended == run.heartbeat}); queued run finished {t_next and round(t_next, 1)} s later")


def sigstop(root: Path) -> None:
    rid = launch(root, "--epochs", "1000", *SMALL)
    store = Store(root)
    running(store, rid)
    pid = store.get_run(rid).pid
    os.kill(pid, signal.SIGSTOP)
    t = poll(store, rid, lambda r: r.status == "failed", 60)
    run = store.get_run(rid)
    time.sleep(0.5)
    ok = t is not None and run.reason.startswith("worker stopped responding") and not jobs.pid_alive(pid)
    report(f"SIGSTOP (threshold {os.environ['DEEPARCH_HEARTBEAT_TIMEOUT']} s), no reader",
           "never detected (heartbeat 94 s old); `stop` cannot end it", ok,
           f"failed '{run.reason}' after {t and round(t, 1)} s; process ended: {not jobs.pid_alive(pid)}")


def stop_a_stopped_worker(root: Path) -> None:
    rid = launch(root, "--epochs", "1000", *SMALL)
    store = Store(root)
    running(store, rid)
    pid = store.get_run(rid).pid
    os.kill(pid, signal.SIGSTOP)
    out = cli(root, "stop", str(rid)).stdout.strip()
    t = poll(store, rid, lambda r: r.status in ("stopped", "failed"), 60)
    run = store.get_run(rid)
    ok = run.status == "stopped" and not jobs.pid_alive(pid)
    report(f"`stop` of a SIGSTOPped worker (grace {os.environ['DEEPARCH_STOP_GRACE']} s)",
           "the stop flag is never read; the run stays running", ok,
           f"'{out}', then {run.status} '{run.reason}' after {t and round(t, 1)} s")


def sigterm(root: Path) -> None:
    rid = launch(root, "--epochs", "1000", "--checkpoint-every", "100000", *SMALL)
    store = Store(root)
    running(store, rid, after=5)
    os.kill(store.get_run(rid).pid, signal.SIGTERM)
    poll(store, rid, lambda r: r.status in ("stopped", "failed"), 60)
    run = store.get_run(rid)
    ckpt = (store.run_dir(rid) / "checkpoint.pt").exists()
    report("SIGTERM to a worker", "stopped, but no checkpoint written", run.status == "stopped" and ckpt,
           f"{run.status} '{run.reason}' at step {run.step}; checkpoint written: {ckpt}")


def deleted_store(root: Path) -> None:
    first = launch(root, "--max-steps", "30", *SMALL)
    store = Store(root)
    poll(store, first, lambda r: r.status == "finished", 120)
    store.close()
    for f in root.glob("runs.db*"):
        f.unlink()
    results = []
    for arch in ("cnn", "rnn"):
        p = cli(root, "launch", "--arch", arch, "--max-steps", "10", "--log-every", "5")
        rid = int(p.stdout)
        store = Store(root)
        poll(store, rid, lambda r: r.status in ("finished", "failed"), 120)
        run = store.get_run(rid)
        results.append((arch, run.status, run.step, store.count_metrics(rid), store.run_dir(rid).name))
    ok = all(s == "finished" and step == 10 and n > 0 for _, s, step, n, _ in results)
    report("runs.db deleted, run-N folders left", "new run 1 'finishes' at step 120 of 50 with 0 metric rows; "
           "another arch fails loading the old state_dict", ok,
           "; ".join(f"{a}: {s} at step {st}/10, {n} metric rows, folder {d}" for a, s, st, n, d in results))


def empty_store(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "runs.db").write_bytes(b"")
    p = cli(root, "runs")
    ok = p.returncode == 2 and (root / "runs.db").stat().st_size == 0 and "aside" in p.stderr
    report("0-byte runs.db", "silently re-created as a new store", ok,
           f"exit {p.returncode}: {p.stderr.strip()[:150]}…; file left as it was: {(root / 'runs.db').stat().st_size} bytes")


def full_disk() -> None:
    with tmpfs("3m") as disk:
        if disk is None:
            print("SKIP  disk full (cannot mount a tmpfs: needs root)")
            return
        rid = launch(disk, "--max-steps", "30", *SMALL)
        store = Store(disk)
        poll(store, rid, lambda r: r.status == "finished", 120)
        rows = store.count_metrics(rid)
        store.update_run(rid, status="running", pid=1)  # a run that reconcile will want to finalise
        store.close()
        fill(disk)
        runs = cli(disk, "runs")
        export = cli(disk, "export", str(rid), "--csv", os.devnull, "--long")
        ok = runs.returncode == 0 and export.returncode == 0 and f"{rows} metric rows" in export.stderr
        report("disk full: `runs` and `export` (store on a full 3 MB tmpfs)",
               "`runs` crashes: database or disk is full", ok,
               f"runs exit {runs.returncode}, export exit {export.returncode}: {export.stderr.strip()} "
               f"(stored before: {rows} rows)")
    with tmpfs("96m") as disk:
        if disk is None:
            return
        rid = launch(disk, "--epochs", "1000", "--channels", "16", "--hidden", "128", "--checkpoint-every", "10",
                     "--log-every", "5")
        store = Store(disk)
        running(store, rid, after=12)
        fill(disk, leave=1 << 20)  # room for the store, not for the next checkpoint
        t = poll(store, rid, lambda r: r.status != "running", 120)
        run = store.get_run(rid)
        report("disk full while checkpointing", "run stays 'running', or ends 'worker exited unexpectedly' with an "
               "empty worker.log", run.status == "failed" and (run.reason or "").startswith("disk full"),
               f"{run.status} '{run.reason}' after {t and round(t, 1)} s; {store.count_metrics(rid)} metric rows kept")
        store.close()


def read_only_disk() -> None:
    with tmpfs("8m") as disk:
        if disk is None:
            print("SKIP  read-only disk (cannot mount a tmpfs: needs root)")
            return
        store = Store(disk)  # built here, not by a worker: a remount waits for no process to let go
        rid = store.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}}, status="running")
        store.update_run(rid, pid=1, heartbeat=time.time())  # reconcile will want to finalise it
        store.log_metrics(rid, [(i, "loss", 1.0 / i, time.time()) for i in range(1, 101)])
        store.close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        runs, stop = cli(disk, "runs"), cli(disk, "stop", str(rid))
        report("read-only disk", "every command crashes with sqlite3.OperationalError",
               runs.returncode == 0 and stop.returncode == 2 and stop.stderr.count("\n") == 1,
               f"runs exit {runs.returncode}; stop exit {stop.returncode}: {stop.stderr.strip()[:120]}")


def postgres_restart(base: Path, outage_s: float = 15.0) -> None:
    """PostgreSQL crashes (pg_ctl stop -m immediate) mid-run and comes back ``outage_s`` later."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import pg_util
    import psutil

    server = pg_util.TempServer()
    try:
        url = pg_util.fresh_database(server.start())
    except pg_util.Unavailable as e:
        print(f"SKIP  PostgreSQL restart: {e}")
        return
    try:
        env = {"DEEPARCH_DB": url}
        rid = launch(base, "--epochs", "100", "--max-steps", "2500", *SMALL, env=env)
        store = Store(base, url=url)
        running(store, rid, after=20)
        trainer = psutil.Process(store.get_run(rid).pid)
        supervisor = trainer.parent()
        server.crash()
        time.sleep(outage_s)
        server.restart()
        back = time.monotonic()
        t_end = poll(store, rid, lambda r: r.status not in ("queued", "starting", "running", "paused"), 600)
        run = store.get_run(rid)
        stored = store.count_metrics(rid)
        logged = run.summary.get("metric_rows_logged")
        def alive():
            return [p.pid for p in (trainer, supervisor) if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        t0 = time.monotonic()
        while alive() and time.monotonic() - t0 < 30:
            time.sleep(0.2)
        left = alive()
        ok = run.status == "finished" and stored == logged and not left
        report(f"PostgreSQL stopped for {outage_s:g} s mid-run, then restarted",
               "worker and supervisor die at once; the run stays 'running' for 90 s and more with no reader", ok,
               f"{run.status} at step {run.step} {t_end and round(t_end, 1)} s after the store came back "
               f"({round(time.monotonic() - back, 1)} s now); rows logged {logged}, stored {stored}; "
               f"processes left: {left or 'none'}")
    finally:
        server.stop()


def ray_gone(base: Path) -> None:
    """RAY_ADDRESS names a cluster that is gone (its port refuses connections, as after its processes were
    killed): runs and launch answer at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{sock.getsockname()[1]}"
    env = {"DEEPARCH_EXECUTOR": "ray", "RAY_ADDRESS": address}
    t0 = time.monotonic()
    runs = cli(base, "runs", env=env)
    t_runs = time.monotonic() - t0
    t0 = time.monotonic()
    started = cli(base, "launch", "--arch", "cnn", "--max-steps", "5", env=env)
    t_launch = time.monotonic() - t0
    one_line = len(started.stderr.strip().splitlines()) == 1 and "Traceback" not in started.stderr
    ok = runs.returncode == 0 and started.returncode == 2 and one_line and t_runs < 10 and t_launch < 10
    report("Ray killed, RAY_ADDRESS still set", "launch hangs over 300 s (the run stored, its id never printed); "
           "runs hangs over 120 s", ok, f"runs answered in {t_runs:.1f} s; launch refused in {t_launch:.1f} s: "
           f"{started.stderr.strip()[:160]}")


SCENARIOS = (kill9_with_no_reader, sigstop, stop_a_stopped_worker, sigterm, deleted_store, empty_store)


def main(names: list[str]) -> int:
    """Every scenario, or those named on the command line (e.g. ``postgres_restart ray_gone``)."""
    base = Path(tempfile.mkdtemp(prefix="deeparch-faults-"))
    every = {f.__name__: f for f in (*SCENARIOS, full_disk, read_only_disk, postgres_restart, ray_gone)}
    try:
        for i, name in enumerate(names or every):
            scenario = every[name]
            if scenario in (full_disk, read_only_disk):
                scenario()
            else:
                scenario(base / f"s{i}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{sum(RESULTS)}/{len(RESULTS)} scenarios pass")
    return 0 if all(RESULTS) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
