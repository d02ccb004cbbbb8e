"""Server-side cost of the Live and Compare charts for a long run, with and without downsampling.

    python bench/bench_render.py [--steps 100000] [--repeat 3] [--page-steps 2000]

Builds a temporary store holding one run of ``--steps`` logged steps (loss and train_acc
every step, test_loss / test_acc every 100, per-layer gradient norms, grad_norm, lr and
throughput every 20), then times what a page does: read the rows (full read, and the
per-second incremental read of the Live page), downsample, build the Plotly figures, and
serialise them as the pages' chart component does (``fig.to_json()`` inside the component's
JSON data, ``pages/_plot.py``: what Streamlit sends to the browser).

Then the whole Live page, server side, for one run of each architecture with every view it
declares (issue 12.9): the page script run by Streamlit's AppTest (status, panels, every
view's media and figure, the model card, the diagnostics) on a store written by
``tests/fake_runs.py``, first visit and a rerun (the refresh), best of ``--repeat``.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch.present import charts
from deeparch.read import series
from deeparch.course.archs import make_config  # noqa: E402
from deeparch.present.charts import Series  # noqa: E402
from deeparch.store import Store  # noqa: E402

LAYERS = ("features.0", "features.3", "classifier.1", "classifier.4")
NO_LIMIT = 10**12


def build_store(root: Path, steps: int) -> tuple[Store, int]:
    s = Store(root)
    rid = s.create_run(make_config("cnn", max_steps=steps, epochs=1000).to_dict(), status="running",
                       total_steps=steps)
    rng = np.random.default_rng(0)
    t0 = time.time() - steps * 0.01
    loss = 2.3 * np.exp(-np.arange(1, steps + 1) / (steps / 5)) + 0.05 * rng.random(steps)
    loss[steps // 2] = 25.0  # one spike the downsampler must keep
    rows = []
    for i in range(steps):
        st, w = i + 1, t0 + i * 0.01
        rows.append((st, "loss", float(loss[i]), w))
        rows.append((st, "train_acc", float(min(1, 1 - loss[i] / 2.5)), w))
        if st % 20 == 0:
            for j, layer in enumerate(LAYERS):
                rows.append((st, f"grad/{layer}", float(10 ** (-4 + j) * (1 + rng.random())), w))
            rows.append((st, "grad_norm", float(1 + rng.random()), w))
            rows.append((st, "lr", 1e-3, w))
            rows.append((st, "samples_per_s", float(1000 + 100 * rng.random()), w))
        if st % 100 == 0:
            rows.append((st, "test_loss", float(loss[i] + 0.1), w))
            rows.append((st, "test_acc", float(min(1, 0.95 - loss[i] / 3)), w))
    s.log_metrics(rid, rows, heartbeat=time.time(), step=steps)
    return s, rid


def live_figures(rm: series.RunMetrics, max_points: int, heat_cols: int) -> list:
    """The figures of the Live page for one classifier run (same builders, same series)."""
    def series(*keys):
        out = []
        for k, dash in keys:
            if rm.has(k):
                s, v, _ = rm.series(k)
                out.append(Series(k, s, v, dash=dash))
        return out

    steps, layers, norms = rm.grad_matrix()
    return [
        charts.line_figure(series(("loss", None), ("test_loss", "dash")), "Loss", max_points=max_points),
        charts.line_figure(series(("train_acc", None), ("test_acc", "dash")), "Accuracy", max_points=max_points),
        charts.line_figure(series(("grad_norm", None)), "Gradient norm", log_y=True, max_points=max_points),
        charts.grad_heatmap(steps, layers, norms, "per layer", max_columns=heat_cols),
        charts.line_figure(series(("lr", None)), "Learning rate", log_y=True, max_points=max_points),
        charts.line_figure(series(("samples_per_s", None)), "Throughput", max_points=max_points),
    ]


def compare_figures(rm: series.RunMetrics, max_points: int) -> list:
    s, v, _ = rm.series("loss")
    return [charts.line_figure([Series("raw", s, v, faint=True), Series("smoothed", s, charts.ema(v, 0.6))],
                               "loss by step", max_points=max_points)]


def live_page_seconds(root: Path, steps: int, repeat: int) -> dict[str, tuple[int, float, float]]:
    """Per architecture: (views, first visit s, rerun s) of the Live page's server time for one run."""
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import fake_runs
    from streamlit.testing.v1 import AppTest

    from deeparch.course.archs import ARCHS

    os.environ["DEEPARCH_RUNS"] = str(root)
    store = Store(root)
    out = {}
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    for arch, spec in ARCHS.items():
        rid = fake_runs.fake_run(store, arch, steps=steps)
        first, again = float("inf"), float("inf")
        for _ in range(repeat):
            at = AppTest.from_file(app, default_timeout=120)
            at.run()
            at.session_state["handoff:pages/live.py"] = [rid]
            t = time.perf_counter()
            at.switch_page("pages/live.py").run()
            first = min(first, time.perf_counter() - t)
            assert not at.exception, [e.value for e in at.exception]
            t = time.perf_counter()
            at.run()
            again = min(again, time.perf_counter() - t)
        out[arch] = (len(spec.display.views), first, again)
    store.close()
    return out


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--page-steps", type=int, default=2000, help="logged steps of each run on the Live page test")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store, rid = build_store(Path(tmp), a.steps)
        print(f"store: {store.count_metrics(rid):,} metric rows for {a.steps:,} steps "
              f"(built in {time.perf_counter() - t:.1f} s)")

        read_s, rm = timed(lambda: series.read_metrics(store, rid), a.repeat)
        read_loss_s, rm_loss = timed(lambda: series.read_metrics(store, rid, keys=["loss"]), a.repeat)
        # the Live page's steady state: one second of new rows on top of what it already holds
        more = [(a.steps + 1 + i, "loss", 0.1, time.time()) for i in range(100)]
        store.log_metrics(rid, more)
        tick_read_s, _ = timed(lambda: rm.update(store), 1)

        results = {}
        for label, mp, hc in (("downsampled", charts.MAX_POINTS, charts.HEATMAP_COLUMNS),
                              ("full", NO_LIMIT, NO_LIMIT)):
            for page, build, src in (("live", lambda: live_figures(rm, mp, hc), rm),
                                     ("compare", lambda: compare_figures(rm_loss, mp), rm_loss)):
                build_s, figs = timed(build, a.repeat)
                json_s, payload = timed(lambda: [json.dumps({"figure": f.to_json()}) for f in figs], a.repeat)
                points = sum(len(tr.x) if getattr(tr, "x", None) is not None and tr.type != "heatmap"
                             else np.asarray(tr.z).size for f in figs for tr in f.data)
                results[(page, label)] = (build_s, json_s, sum(len(p) for p in payload), points)

        print(f"\nread all rows of the run (first visit):   {read_s * 1000:8.1f} ms")
        print(f"read one key (loss, Compare):             {read_loss_s * 1000:8.1f} ms")
        print(f"read new rows only (Live, every second):  {tick_read_s * 1000:8.1f} ms")
        print(f"\n{'page':8} {'series':12} {'figures':>10} {'to_json':>10} {'total':>10} {'payload':>10} {'points':>10}")
        for (page, label), (b, j, size, pts) in results.items():
            print(f"{page:8} {label:12} {b * 1000:8.1f}ms {j * 1000:8.1f}ms {(b + j) * 1000:8.1f}ms "
                  f"{size / 1e6:8.2f}MB {pts:10,}")
        for page, read in (("live", read_s), ("compare", read_loss_s)):
            d = sum(results[(page, "downsampled")][:2])
            f = sum(results[(page, "full")][:2])
            pd_, pf = results[(page, "downsampled")][2], results[(page, "full")][2]
            print(f"\n{page}: downsampled {d * 1000:.0f} ms vs full {f * 1000:.0f} ms "
                  f"(figures + to_json): {f / d:.1f}× faster; payload {pd_ / 1e6:.2f} MB vs {pf / 1e6:.2f} MB "
                  f"({pf / pd_:.0f}× less to send and draw each refresh); "
                  f"with the first full read: {(read + d):.2f} s vs {(read + f):.2f} s; "
                  f"per-second Live refresh: {(tick_read_s + d) * 1000:.0f} ms")
        total = read_s + sum(results[("live", "downsampled")][:2])
        print(f"\ntarget < 1 s downsampled (first Live visit, read + figures + to_json): "
              f"{total:.2f} s {'OK' if total < 1 else 'OVER'}")
        store.close()

        print(f"\nLive page, server time (AppTest script run), one run of {a.page_steps:,} steps with every view:")
        print(f"{'arch':12} {'views':>5} {'first visit':>12} {'refresh':>10}")
        worst = 0.0
        for arch, (n, first, again) in live_page_seconds(Path(tmp) / "page", a.page_steps, a.repeat).items():
            worst = max(worst, first, again)
            print(f"{arch:12} {n:5} {first * 1000:10.0f}ms {again * 1000:8.0f}ms")
        print(f"target < 1 s per Live page with all views: worst {worst:.2f} s {'OK' if worst < 1 else 'OVER'}")


if __name__ == "__main__":
    main()
