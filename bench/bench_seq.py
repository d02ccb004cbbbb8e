"""Acceptance figures of the sequence work (issue 10, items 5–7), on this machine's CPU.

Runs, each on ``--threads`` threads (2 = the issue's "2 cores"):
  recall   the recall race (plain RNN vs LSTM, distance 100), each for --recall-min minutes of training
  sort     lm-sort preset (6 digits, GPT-style) for --lm-min minutes
  add      lm-add preset (3-digit addition) for --lm-min minutes
  sortbert lm-sort-bert preset for --lm-min minutes
  rnn      rnn preset (columns) on mnist-5k, 15 epochs
  transformer  transformer preset on mnist-5k, 15 epochs
Runs that only need to reach a threshold (the LSTM, sorting) stop when they reach it.
For each: the best held-out figure, when (training seconds) a threshold was first reached, the
steps done and steps per second. Run it under the shared lock:
  flock /tmp/deeparch-bench.lock python3 bench/bench_seq.py recall sort add
"""
from __future__ import annotations

import argparse
import json
import time

import torch

from deeparch.course.archs import make_config, presets, race_configs, races
from deeparch.engine.callbacks import Callback
from deeparch.engine.trainer import Trainer


class Timeline(Callback):
    """Every evaluation's figures with the training clock at that step."""

    def __init__(self, key: str, stop_at: float | None = None):
        self.key, self.clock, self.points, self.stop_at = key, 0.0, [], stop_at
        self.grad_ratio = None

    def on_metrics(self, step, values):
        self.clock = values.get("train_time", self.clock)
        if self.key in values:
            self.points.append((step, round(self.clock, 1), round(values[self.key], 4)))

    def on_media(self, step, kind, png, meta):
        """The gradient-through-time view: its first/last ratio (issue 12: the vanishing-gradient curve)."""
        if kind == "time_grads":
            y = meta["series"][0]["y"]
            self.grad_ratio = (step, y[0] / y[-1] if y[-1] else None)

    def on_step(self, trainer):
        """Stop once the figure a claim of "reaches X within N minutes" needs is reached."""
        if self.stop_at is not None and self.points and self.points[-1][2] >= self.stop_at:
            return "stop"
        return None


def run(label: str, cfg, key: str, threshold: float, stop: bool = False) -> dict:
    tl = Timeline(key, threshold if stop else None)
    t0 = time.perf_counter()
    result = Trainer(cfg, [tl]).fit()
    reached = next(((s, c) for s, c, v in tl.points if v >= threshold), None)
    secs = result.summary.get("train_seconds", 0.0)
    row = {"run": label, "best": max((v for *_, v in tl.points), default=None), "final": tl.points[-1][2] if tl.points else None,
           "threshold": threshold, "reached_at_step": reached and reached[0], "reached_at_s": reached and reached[1],
           "steps": result.step, "train_s": round(secs, 1), "steps_per_s": round(result.step / max(secs, 1e-9), 2),
           "wall_s": round(time.perf_counter() - t0, 1), "key": key,
           "grad_first_over_last": tl.grad_ratio}
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("which", nargs="+", choices=("recall", "sort", "add", "sortbert", "rnn", "transformer"))
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1: on a shared 2-core machine 2 threads spin against other processes)")
    ap.add_argument("--recall-min", type=float, default=3.0)
    ap.add_argument("--lm-min", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    timed = {"epochs": 1000, "max_steps": 0, "eval_every": 50}
    for w in a.which:
        if w == "recall":
            race = races()["recall-race"]
            for (label, *_), cfg in zip(race.runs, race_configs(race, a.seed, {**timed, "max_minutes": a.recall_min})):
                run(f"recall {label}", cfg, "test_acc", 0.9, stop=cfg.cell != "rnn")  # the plain RNN runs its budget
        elif w in ("sort", "add", "sortbert"):
            arch, p = presets()[{"sort": "lm-sort", "add": "lm-add", "sortbert": "lm-sort-bert"}[w]]
            cfg = make_config(arch, p.dataset, **{**p.hp, **timed, "eval_every": 100, "max_minutes": a.lm_min,
                                                  "seed": a.seed})
            run(p.name, cfg, "test_exact", 0.95, stop=w != "add")
        else:
            floor = {"rnn": 0.92, "transformer": 0.93}[w]
            run(w, make_config(w, "mnist-5k", epochs=15, seed=a.seed), "test_acc", floor)


if __name__ == "__main__":
    main()
