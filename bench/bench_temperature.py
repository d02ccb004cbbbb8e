"""Judge a finished diffusion run's final weights again at other sampling temperatures.

    python bench/bench_temperature.py RUN [--store runs] [--temperatures 1,0.95,0.9] [--seeds 1234]

The sampling temperature scales the fresh noise of each ancestral step and does not touch
training, so one run's checkpoint can be sampled at several temperatures. Each line is the
judge's figures on 500 samples per seed (seed 1234 is the trainer's fixed noise), as the
trainer measures them: recognisability (mean over the seeds, and each seed), coverage and
the judge Fréchet distance of the last seed. This is how the README's temperature table
was measured; it takes about 70 s per temperature and seed on 2 cores.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch import quality  # noqa: E402
from deeparch.archs import get_arch, load_config  # noqa: E402
from deeparch.store import Store  # noqa: E402
from deeparch.trainer import QUALITY_COUNT, SAMPLE_SEED  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=int)
    ap.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    ap.add_argument("--temperatures", default="1,0.95,0.9")
    ap.add_argument("--seeds", default=str(SAMPLE_SEED))
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    store = Store(a.store) if a.store else Store()
    run = store.get_run(a.run)
    if run is None or run.arch != "diffusion":
        sys.exit(f"error: run {a.run} is not a diffusion run in {store.root}")
    ckpt = store.run_dir(run.id) / "checkpoint.pt"
    if not ckpt.exists():
        sys.exit(f"error: run {run.id} has no checkpoint at {ckpt}")
    blob = torch.load(ckpt, weights_only=True)
    seeds = [int(s) for s in a.seeds.split(",")]
    print(f"run {run.id} ({run.name}), step {blob['step']}, {QUALITY_COUNT} samples per seed, seeds {seeds}")
    for tau in (float(t) for t in a.temperatures.split(",")):
        cfg = load_config(run.config).replace(temperature=tau)
        model = get_arch("diffusion").build(cfg)
        model.load_state_dict(blob["model"])
        t0, recs = time.perf_counter(), []
        for seed in seeds:
            q = quality.measure(model.sample(QUALITY_COUNT, seed), cfg.dataset)
            recs.append(q["recognisability"])
        print(f"temperature {tau:<5g} recognisability {sum(recs) / len(recs):.3f} {[round(r, 3) for r in recs]}  "
              f"coverage {q['coverage']:.3f}  Fréchet {q['frechet']:.1f}  ({time.perf_counter() - t0:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
