"""What watching costs: a run's training speed with and without a Live page open, and the server's
CPU per viewer.

    python bench/bench_watch.py ratio [--pairs 3] [--arch cnn] [--steps 400] [--projector]
    python bench/bench_watch.py viewers [--viewers 1,5,10] [--window 60] [--arch cnn]
    python bench/bench_watch.py browser [--window 30] [--arch cnn] [--projector]

``ratio``: one ``streamlit run app.py`` server over a fresh store; pairs of runs launched from the
command line (``launch --arch ARCH --max-steps STEPS``), one with no page open and one watched by a
Live page in headless Chromium at 1280×720 (refresh on, default settings; ``--projector`` turns
projector mode on first). The order alternates from pair to pair, so the machine's noise falls on
both alike. Per run: its wall time (the store's ``elapsed``: start to end of training) and its
median throughput (``samples_per_s``). Printed: each run, then the ratio of the medians, watched to
unwatched (1.00: watching costs nothing).

``viewers``: one long run trains while 0, then each of ``--viewers`` Live pages (one browser context
each) watch it; the server process's own CPU time (psutil, the server's pid only: neither the worker,
nor Chromium) is read over ``--window`` seconds at each count, and Chromium's (all its processes) apart.
Printed: the server's CPU seconds per viewer-minute above the unwatched server, the extrapolation to 30
viewers in cores, and what each page costs its browser.

``browser``: one long run trains while one Live page watches it; over ``--window`` seconds, Chromium's CPU
time (all its processes), the page's main thread split as Chrome's DevTools counts it (``Performance.getMetrics``:
script, layout, style recalculation, all tasks) and how many times its charts were redrawn. CPU seconds,
not wall time: what a page costs, read the same on a busy machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser_util import ARGS, CHROMIUM, serving  # noqa: E402

from deeparch.store import Store  # noqa: E402

SIZE = {"width": 1280, "height": 720}


def launch(runs: Path, arch: str, steps: int, seed: int, extra: list[str] = ()) -> int:
    env = {**os.environ, "DEEPARCH_RUNS": str(runs)}
    out = subprocess.run([sys.executable, "-m", "deeparch", "launch", "--arch", arch, "--max-steps", str(steps),
                          "--seed", str(seed), *extra], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])  # launch prints the run's id


def wait_end(store: Store, run_id: int, timeout: float = 1800) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        r = store.get_run(run_id)
        if r.status in ("finished", "stopped", "failed", "diverged"):
            return
        time.sleep(0.5)
    raise TimeoutError(f"run {run_id} did not end in {timeout} s")


def wait_running(store: Store, run_id: int) -> None:
    while store.get_run(run_id).status in ("queued", "starting"):
        time.sleep(0.2)


def figures(store: Store, run_id: int) -> tuple[float, float]:
    r = store.get_run(run_id)
    assert r.status == "finished", f"run {run_id} ended {r.status}: {r.reason}"
    series, _, _ = store.metric_series(run_id, ["samples_per_s"])
    _, speeds, _ = series["samples_per_s"]
    return r.elapsed, float(statistics.median(speeds))


def open_live(browser, base: str, projector: bool):
    ctx = browser.new_context(viewport=SIZE)
    page = ctx.new_page()
    page.goto(base + "/live")
    page.get_by_text("Runs to watch").first.wait_for(timeout=60_000)
    if projector:
        page.get_by_text("Projector mode").first.click()
        page.locator("html").evaluate("e => e.style.fontSize")  # the toggle's rerun has been asked for
    page.locator("div.deeparch-plot").first.wait_for(timeout=60_000)
    return ctx


def ratio(args, browser, base: str, runs: Path) -> None:
    store = Store(runs)
    rows = []
    for pair in range(args.pairs):
        order = (False, True) if pair % 2 == 0 else (True, False)
        for watched in order:
            run_id = launch(runs, args.arch, args.steps, seed=pair)
            ctx = None
            if watched:
                wait_running(store, run_id)
                ctx = open_live(browser, base, args.projector)
            wait_end(store, run_id)
            if ctx is not None:
                ctx.close()
            wall, speed = figures(store, run_id)
            rows.append((pair, watched, wall, speed))
            print(f"pair {pair} {'Live open ' if watched else 'no page   '} run {run_id}: wall {wall:6.1f} s, "
                  f"{speed:7.0f} samples/s", flush=True)
    med = {w: (statistics.median(r[2] for r in rows if r[1] == w), statistics.median(r[3] for r in rows if r[1] == w))
           for w in (False, True)}
    print(f"\nmedian wall: no page {med[False][0]:.1f} s, Live open {med[True][0]:.1f} s: "
          f"ratio {med[True][0] / med[False][0]:.3f}")
    print(f"median samples/s: no page {med[False][1]:.0f}, Live open {med[True][1]:.0f}: "
          f"slowdown {med[False][1] / med[True][1]:.3f}")


def cpu_seconds(procs) -> dict[int, float]:
    """CPU seconds (user + system) of each process still alive, by pid."""
    out = {}
    for proc in procs:
        try:
            c = proc.cpu_times()
            out[proc.pid] = c.user + c.system
        except psutil.Error:  # a renderer that closed meanwhile
            pass
    return out


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two readings: by the processes alive at both, and all of a new one's."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def chromium() -> list[psutil.Process]:
    """This benchmark's own Chromium processes (the ones its Playwright started), not another program's."""
    return [p for p in psutil.Process().children(recursive=True) if "chrom" in p.name()]


def viewers(args, browser, base: str, runs: Path, server: psutil.Process) -> None:
    store = Store(runs)
    run_id = launch(runs, args.arch, 10**7, seed=0)
    wait_running(store, run_id)
    counts = [0, *[int(n) for n in args.viewers.split(",")]]
    contexts, per, browsers = [], {}, {}
    for n in counts:
        while len(contexts) < n:
            contexts.append(open_live(browser, base, False))
        time.sleep(5)  # the new pages' first full runs are over; what is measured is the refresh
        c0, b0, t0 = server.cpu_times(), cpu_seconds(chromium()), time.monotonic()
        time.sleep(args.window)
        c1, b1 = server.cpu_times(), cpu_seconds(chromium())
        minutes = (time.monotonic() - t0) / 60
        cpu = (c1.user - c0.user) + (c1.system - c0.system)
        per[n], browsers[n] = cpu / minutes, spent(b0, b1) / minutes
        print(f"{n:3d} viewers: server CPU {cpu:6.1f} s in {minutes * 60:.0f} s ({per[n]:.2f} CPU-s per minute); "
              f"Chromium {spent(b0, b1):6.1f} s ({browsers[n]:.2f} CPU-s per minute)", flush=True)
    subprocess.run([sys.executable, "-m", "deeparch", "stop", str(run_id)], cwd=ROOT,
                   env={**os.environ, "DEEPARCH_RUNS": str(runs)}, capture_output=True)
    wait_end(store, run_id)  # its worker has let go of the store before the folder is removed
    for ctx in contexts:
        ctx.close()
    print()
    for n in counts[1:]:
        print(f"{n:3d} viewers: server {(per[n] - per[0]) / n:.2f} CPU-s per viewer-minute above the unwatched server; "
              f"Chromium {(browsers[n] - browsers[0]) / n:.2f} CPU-s per page-minute")
    n = counts[-1]
    each = (per[n] - per[0]) / n
    print(f"30 viewers at the {n}-viewer rate: {30 * each / 60:.2f} cores of the server (+ {per[0] / 60:.2f} unwatched)")


def browser_cost(args, browser, base: str, runs: Path, server: psutil.Process) -> None:
    store = Store(runs)
    run_id = launch(runs, args.arch, 10**7, seed=0)
    wait_running(store, run_id)
    ctx = open_live(browser, base, args.projector)
    page = ctx.pages[0]
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    time.sleep(8)  # the page's first full run is over; what is measured is the refresh

    def metrics() -> dict[str, float]:
        return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

    def redraws() -> int:
        return page.evaluate("() => [...document.querySelectorAll('div.deeparch-plot')]"
                             ".reduce((n, el) => n + Number(el.dataset.updates || 0), 0)")

    m0, b0, c0, r0, t0 = metrics(), cpu_seconds(chromium()), server.cpu_times(), redraws(), time.monotonic()
    time.sleep(args.window)
    m1, b1, c1, r1 = metrics(), cpu_seconds(chromium()), server.cpu_times(), redraws()
    minutes = (time.monotonic() - t0) / 60
    steps = store.get_run(run_id).step
    subprocess.run([sys.executable, "-m", "deeparch", "stop", str(run_id)], cwd=ROOT,
                   env={**os.environ, "DEEPARCH_RUNS": str(runs)}, capture_output=True)
    wait_end(store, run_id)  # its worker has let go of the store before the folder is removed
    ctx.close()
    per = lambda key: (m1.get(key, 0) - m0.get(key, 0)) / minutes  # noqa: E731
    print(f"Chromium {spent(b0, b1) / minutes:.2f} CPU-s per minute; server {((c1.user - c0.user) + (c1.system - c0.system)) / minutes:.2f}")
    print("main thread, s per minute: " + ", ".join(
        f"{k.removesuffix('Duration').lower()} {per(k):.2f}" for k in ("TaskDuration", "ScriptDuration", "LayoutDuration",
                                                                         "RecalcStyleDuration")))
    print(f"chart redraws per minute: {(r1 - r0) / minutes:.1f}; layouts per minute {per('LayoutCount'):.0f}; "
          f"run at step {steps:,}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=("ratio", "viewers", "browser"))
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--arch", default="cnn")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--projector", action="store_true")
    p.add_argument("--viewers", default="1,5,10")
    p.add_argument("--window", type=float, default=60)
    args = p.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "runs") as (base, proc):
        runs = Path(tmp) / "runs"
        print(f"{time.strftime('%Y-%m-%d %H:%M')} · {psutil.cpu_count()} cores · {args}", flush=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            if args.mode == "ratio":
                ratio(args, browser, base, runs)
            elif args.mode == "viewers":
                viewers(args, browser, base, runs, psutil.Process(proc.pid))
            else:
                browser_cost(args, browser, base, runs, psutil.Process(proc.pid))
            browser.close()


if __name__ == "__main__":
    main()
