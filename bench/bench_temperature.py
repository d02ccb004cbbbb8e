"""Judge a finished diffusion run's final weights again at other sampling settings.

    python bench/bench_temperature.py RUN [--store runs] [--temperatures 1,0.95,0.9] [--seeds 1234]
                                      [--guidance 0,1,3] [--sampler ddim --eta 0.5]

The sampling temperature scales the fresh noise of each ancestral step, the guidance scale
mixes a conditional model's conditional and unconditional noise guesses; neither touches
training, so one run's checkpoint can be sampled at several of each. Each line is the
judge's figures on 500 samples per seed (seed 1234 is the trainer's fixed noise), as the
trainer measures them: recognisability (mean over the seeds, and each seed), coverage and
the judge Fréchet distance of the last seed, and for a conditional model (asked for the
digits in turn) the share the judge labels as the asked-for digit. This is how the README's
temperature and guidance tables were measured; it takes about 70 s per setting and seed on
2 cores (twice that with guidance other than 0 and 1: two noise guesses per step).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch.engine import quality  # noqa: E402
from deeparch.course.archs import get_arch, load_config  # noqa: E402
from deeparch.store import Store  # noqa: E402
from deeparch.engine.media_passes import QUALITY_COUNT, SAMPLE_SEED  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=int)
    ap.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    ap.add_argument("--temperatures", default="1,0.95,0.9")
    ap.add_argument("--seeds", default=str(SAMPLE_SEED))
    ap.add_argument("--guidance", default="", help="guidance scales (conditional runs; default: the run's own)")
    ap.add_argument("--sampler", default="", help="ancestral or ddim (default: the run's own)")
    ap.add_argument("--count", type=int, default=QUALITY_COUNT, help="samples judged per seed (the trainer: 500)")
    ap.add_argument("--eta", type=float, default=None, help="DDIM's eta (with --sampler ddim)")
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
    print(f"run {run.id} ({run.name}), step {blob['step']}, {a.count} samples per seed, seeds {seeds}")
    scales = [float(g) for g in a.guidance.split(",")] if a.guidance else [None]
    for tau in (float(t) for t in a.temperatures.split(",")):
        for scale in scales:
            over = {"temperature": tau, **({"guidance": scale} if scale is not None else {}),
                    **({"sampler": a.sampler} if a.sampler else {}), **({"eta": a.eta} if a.eta is not None else {})}
            judge_setting(load_config(run.config).replace(**over), blob, seeds, a.count)


def judge_setting(cfg, blob, seeds, count: int = QUALITY_COUNT) -> None:
    """Sample the checkpoint's weights with ``cfg``'s sampling settings and print the judge's figures."""
    model = get_arch("diffusion").build(cfg)
    model.load_state_dict(blob["model"])
    t0, recs, agree = time.perf_counter(), [], []
    for seed in seeds:
        imgs = model.sample(count, seed)
        q = quality.measure(imgs, cfg.dataset)
        recs.append(q["recognisability"])
        if model.conditional:  # the judge's label against the asked-for digit
            _, prob = quality._judge_outputs(quality.get_judge(cfg.dataset), imgs)
            agree.append((prob.argmax(1) == model.default_labels(count)).double().mean().item())
    agreement = f"  class agreement {sum(agree) / len(agree):.3f}" if agree else ""
    print(f"temperature {cfg.temperature:<5g} guidance {cfg.guidance:<4g} {cfg.sampler} η {cfg.eta:g}  recognisability "
          f"{sum(recs) / len(recs):.3f} {[round(r, 3) for r in recs]}  coverage {q['coverage']:.3f}  "
          f"Fréchet {q['frechet']:.1f}{agreement}  ({time.perf_counter() - t0:.0f} s)", flush=True)

if __name__ == "__main__":
    main()
