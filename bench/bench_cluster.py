"""Runs through each executor × run-store backend, and the dashboard's server time with many runs.

    python bench/bench_cluster.py [--n 8] [--steps 30] [--page-runs 200] [--repeat 2]
                                  [--executors local,ray] [--backends sqlite,postgresql] [--pg-url ADMIN_URL]

For each executor (local processes, Ray) and backend (SQLite, PostgreSQL): launch ``--n`` short CNN
runs at once (the slot limit set to ``--n``, one torch thread each, a metric row every step), wait until
all have ended, and report the wall time from the first launch to the last end and the metric rows
each run's logger counted against the rows the store holds (a lost row shows as a difference).

Then, per backend, a store of ``--page-runs`` finished runs (written by ``tests/fake_runs.py``) and the
Runs and Compare pages' server time (the page script under Streamlit's AppTest: first visit and a
rerun, best of ``--repeat``).

PostgreSQL is a throwaway server from Debian's binaries (``tests/pg_util.py``) unless ``--pg-url``
names an admin URL; Ray is started in this process for the benchmark (all of this machine's CPUs).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from deeparch.execution import jobs  # noqa: E402
from deeparch.course.archs import make_config  # noqa: E402
from deeparch.store.lifecycle import FINAL  # noqa: E402
from deeparch.store import Store  # noqa: E402


def database(backend: str, admin_url: str | None) -> str:
    import pg_util

    return pg_util.fresh_database(admin_url) if backend == "postgresql" else ""


def batch(root: Path, url: str, n: int, steps: int) -> dict:
    """Launch n runs at once and wait for all: wall seconds, statuses, rows logged vs stored."""
    os.environ["DEEPARCH_MAX_RUNS"] = str(n)
    store = Store(root, url=url)
    t0 = time.perf_counter()
    ids = [jobs.launch(make_config("cnn", max_steps=steps, log_every=1, channels=4, hidden=16, seed=i), store=store)
           for i in range(n)]
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        jobs.reconcile(store)
        runs = [store.get_run(i) for i in ids]
        if all(r.status in FINAL for r in runs):
            break
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    runs = [store.get_run(i) for i in ids]
    logged = sum(int(r.summary.get("metric_rows_logged", 0)) for r in runs)
    stored = sum(store.count_metrics(i) for i in ids)
    statuses = sorted({r.status for r in runs})
    hosts = sorted({f"{r.host}/{r.executor}" for r in runs})
    store.close()
    return {"wall_s": wall, "logged": logged, "stored": stored, "statuses": statuses, "where": hosts}


def page_seconds(root: Path, url: str, runs: int, repeat: int) -> dict[str, tuple[float, float]]:
    """Server time of the Runs and Compare pages (first visit, rerun) with ``runs`` finished runs stored."""
    import fake_runs
    from streamlit.testing.v1 import AppTest

    store = Store(root, url=url)
    for i in range(runs):
        fake_runs.finished_cnn(store, steps=100, seed=i)
    store.close()
    os.environ["DEEPARCH_RUNS"] = str(root)
    out = {}
    for page in ("pages/runs.py", "pages/compare.py"):
        first, again = float("inf"), float("inf")
        for _ in range(repeat):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.run()
            t = time.perf_counter()
            at.switch_page(page).run()
            first = min(first, time.perf_counter() - t)
            assert not at.exception, [e.value for e in at.exception]
            if page == "pages/runs.py":  # the figure is for a page that lists them all
                assert len(at.dataframe[0].value) == runs, len(at.dataframe[0].value)
            t = time.perf_counter()
            at.run()
            again = min(again, time.perf_counter() - t)
        out[page] = (first, again)
    return out


def start_ray() -> None:
    import ray

    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    ray.init(num_cpus=os.cpu_count(), namespace="deeparch", include_dashboard=False, object_store_memory=100 << 20,
             log_to_driver=False, logging_level="ERROR", configure_logging=False)
    os.environ["RAY_ADDRESS"] = ray.get_runtime_context().gcs_address


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=8)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--page-runs", type=int, default=200)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--executors", default="local,ray")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg-url", default=None, help="admin URL of an existing PostgreSQL (default: start one)")
    a = p.parse_args()
    executors, backends = a.executors.split(","), a.backends.split(",")
    os.environ.update(OMP_NUM_THREADS="1", DEEPARCH_RAY_CPUS="1")
    server = None
    if "postgresql" in backends and not a.pg_url:
        import pg_util

        server = pg_util.TempServer()
        a.pg_url = server.start()
    try:
        if "ray" in executors:
            start_ray()
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{a.n} runs of {a.steps} steps launched at once (cnn, a metric row per step), "
                  f"{os.cpu_count()} CPUs:")
            print(f"{'executor':9} {'backend':11} {'wall s':>7} {'rows logged':>12} {'stored':>8} {'lost':>5}  statuses")
            for ex in executors:
                os.environ["DEEPARCH_EXECUTOR"] = ex
                for backend in backends:
                    r = batch(Path(tmp) / f"{ex}-{backend}", database(backend, a.pg_url), a.n, a.steps)
                    print(f"{ex:9} {backend:11} {r['wall_s']:7.1f} {r['logged']:12,} {r['stored']:8,} "
                          f"{r['logged'] - r['stored']:5}  {','.join(r['statuses'])} on {','.join(r['where'])}",
                          flush=True)
            os.environ["DEEPARCH_EXECUTOR"] = "local"
            print(f"\nPage server time (AppTest script run, best of {a.repeat}) with {a.page_runs} finished runs:")
            print(f"{'backend':11} {'page':18} {'first s':>8} {'rerun s':>8}")
            for backend in backends:
                url = database(backend, a.pg_url)
                os.environ["DEEPARCH_DB"] = url
                times = page_seconds(Path(tmp) / f"pages-{backend}", url, a.page_runs, a.repeat)
                for page, (first, again) in times.items():
                    print(f"{backend:11} {page:18} {first:8.2f} {again:8.2f}", flush=True)
    finally:
        if "ray" in executors:
            import ray

            ray.shutdown()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
