"""The GAN family's figures: a run's quality curve, then its final weights judged again at other
sampling temperatures, with the generator's weight average (EMA) and with its latest weights.

    python bench/bench_gan.py RUN [--store runs] [--temperatures 1,0.8] [--threads 1]

Train first, e.g. ``python -m deeparch --store /tmp/gan-runs train --arch dcgan --threads 1``
(the preset's 5 minutes of training). The curve lines are the trainer's own quality passes
(500 samples from its fixed noise); the temperature lines judge 500 new samples of the final
checkpoint (seed 1234, the trainer's), so they cost no training. A conditional model is
asked for 50 of each digit and its class agreement is printed too.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch.engine import quality  # noqa: E402
from deeparch.course.archs import get_arch, load_config  # noqa: E402
from deeparch.store import Store  # noqa: E402
from deeparch.engine.media_passes import QUALITY_COUNT, SAMPLE_SEED  # noqa: E402

FIGURES = ("recognisability", "coverage", "frechet", "judge_is", "class_agreement")


def line(q: dict) -> str:
    return "  ".join(f"{k} {q[k]:.3f}" for k in FIGURES if k in q)


def curve(store: Store, run_id: int) -> None:
    df = store.metrics(run_id, keys=FIGURES + ("train_time",))
    clock = df[df.key == "train_time"].set_index("step").value
    for step, rows in df[df.key.isin(FIGURES)].groupby("step"):
        t = clock[clock.index <= step].iloc[-1] if (clock.index <= step).any() else 0.0
        print(f"step {step:>5}  ~{t:5.0f} s  " + line(dict(zip(rows.key, rows.value))))


def rejudge(store: Store, run, temperatures: list[float]) -> None:
    blob = torch.load(store.run_dir(run.id) / "checkpoint.pt", weights_only=True)
    for tau in temperatures:
        cfg = load_config(run.config).replace(temperature=tau)
        model = get_arch(run.arch).build(cfg)
        model.load_state_dict(blob["model"])
        variants = {"EMA": model.ema, "latest": None} if model.ema is not None else {"latest": None}
        for name, ema in variants.items():
            model.ema = ema
            labels = model.grid_labels(QUALITY_COUNT)
            imgs = model.draw(QUALITY_COUNT, SAMPLE_SEED, labels)
            q = quality.measure(imgs, cfg.dataset, labels=labels)
            print(f"step {blob['step']}  temperature {tau:<4g} {name:<6}  {line(q)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=int)
    ap.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    ap.add_argument("--temperatures", default="1,0.8")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    store = Store(a.store) if a.store else Store()
    run = store.get_run(a.run)
    if run is None:
        sys.exit(f"error: no run {a.run} in {store.root}")
    print(f"run {run.id} ({run.name}, {run.arch}): quality passes during training")
    curve(store, run.id)
    rejudge(store, run, [float(t) for t in a.temperatures.split(",")])


if __name__ == "__main__":
    main()
