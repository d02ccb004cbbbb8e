"""Sunspots: the LSTM, the GRU and the Transformer of the lesson "sunspots" against the naive forecast.

    python bench/bench_series.py [--seeds 0,1,2] [--threads 1] [--epochs N]

Each model is trained in this process with the lesson's settings (``deeparch.course.lessons``, lesson
``sunspots``: 20-year windows, 4 rolling-origin folds of 20 years, one model per fold trained side by side)
once per seed, and its mean absolute error on the test folds (sunspot number, the mean over the folds, at
the end of training: nothing is chosen on test) is printed beside the naive forecast's (next year = this
year) on the same folds, with the training seconds. Acceptance (issue 29): the LSTM beats the naive forecast.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from deeparch.course.lessons import BY_ID  # noqa: E402
from deeparch.engine.trainer import Trainer  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2", help="seeds, comma-separated (default 0,1,2)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--epochs", type=int, default=0, help="epochs instead of the lesson's (0: the lesson's)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    seeds = [int(s) for s in args.seeds.split(",")]
    lesson = BY_ID["sunspots"]
    naive, rows = None, []
    print(f"lesson {lesson.id}: seeds {seeds}, {args.threads} thread(s)")
    for run in lesson.runs:
        maes, folds, secs = [], [], []
        for seed in seeds:
            cfg = run.config(seed=seed, **({"epochs": args.epochs} if args.epochs else {}))
            trainer = Trainer(cfg)
            start = time.perf_counter()
            result = trainer.fit()
            secs.append(time.perf_counter() - start)
            maes.append(result.summary["test_mae"])
            folds.append(trainer.model.fold_mae)
            naive = result.summary["naive_mae"]
            print(f"  {run.label:12s} seed {seed}: test MAE {maes[-1]:6.2f} (folds "
                  f"{', '.join(f'{v:.1f}' for v in folds[-1])}), {result.step} steps, {secs[-1]:.1f} s", flush=True)
        rows.append((run.label, statistics.mean(maes), min(maes), max(maes), statistics.mean(secs)))
    print("\n| forecast | mean test MAE (sunspot number) | min–max over seeds | seconds per run |")
    print("|---|---|---|---|")
    for label, mean, lo, hi, s in rows:
        print(f"| {label} | {mean:.2f} | {lo:.2f}–{hi:.2f} | {s:.1f} |")
    print(f"| naive (next = last) | {naive:.2f} | – | – |")
    lstm = next(r for r in rows if r[0] == "LSTM")
    print(f"\nLSTM beats the naive forecast: {lstm[1] < naive} ({lstm[1]:.2f} < {naive:.2f})")
    return 0 if lstm[1] < naive else 1


if __name__ == "__main__":
    sys.exit(main())
