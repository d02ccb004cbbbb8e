"""Acceptance figures of the data practices, CNN variants and transfer learning (issue 10).

    flock /tmp/deeparch-bench.lock python3 bench/bench_data.py PART… (cnn, variants, augment, transfer) [--threads 2]

Each part trains in this process through the same Trainer the workers use, with the validation
split on, and prints one JSON line per run: test accuracy at the best validation evaluation
(the headline), the final test accuracy, training time (seconds of training steps only) and,
for the augmentation contrast, the accuracy on the training images themselves (no augmentation)
so the train–test gap can be read. The configurations are the lessons' (``deeparch.course.lessons``).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from deeparch.course import lessons  # noqa: E402
from deeparch.course.archs import make_config  # noqa: E402
from deeparch.engine.trainer import Trainer  # noqa: E402


def run(name: str, cfg, checkpoint=None, init_weights=None, train_acc: bool = False) -> dict:
    t0 = time.time()
    tr = Trainer(cfg, checkpoint=checkpoint, init_weights=init_weights, device="cpu")
    res = tr.fit()
    s = res.summary
    row = {"run": name, "status": res.status, "steps": res.step, "params": s["params"],
           "test_acc_at_best_val": s.get("test_acc_at_best"), "best_val_acc": s.get("best_val_acc"),
           "final_test_acc": s.get("test_acc"), "train_seconds": round(s["train_seconds"], 1),
           "wall_seconds": round(time.time() - t0, 1), "train_examples": len(tr.x)}
    if train_acc:
        row["train_acc_no_aug"] = tr.model.evaluate(tr.x, tr.y)["test_acc"]
        row["train_test_gap"] = row["train_acc_no_aug"] - row["final_test_acc"]
    print(json.dumps(row), flush=True)
    return row


def lesson_runs(key: str, **common):
    lesson = lessons.BY_ID[key]
    return lesson, lesson.configs(**common)


def part_cnn(args) -> None:
    run("cnn course preset, 10 epochs", make_config("cnn", seed=args.seed))


def part_variants(args) -> None:
    lesson, cfgs = lesson_runs("cnn_variants", seed=args.seed)
    cfgs = [cfg.replace(epochs=args.epochs) for cfg in cfgs]  # the README's table: 10 epochs
    for r, cfg in zip(lesson.runs, cfgs):
        if args.only and r.label not in args.only:
            continue
        run(r.label, cfg)


def part_augment(args) -> None:
    lesson, cfgs = lesson_runs("augment", seed=args.seed)
    for r, cfg in zip(lesson.runs, cfgs):
        run(r.label, cfg, train_acc=True)


def part_transfer(args) -> None:
    lesson, cfgs = lesson_runs("transfer", seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = Path(tmp) / "pretrain.pt"
        ids = {}
        for i, (r, cfg) in enumerate(zip(lesson.runs, cfgs)):
            source = ids.get(r.starts_from) if r.starts_from is not None else None
            run(r.label, cfg, checkpoint=ckpt if i == 0 else None, init_weights=source)
            ids[i] = ckpt


PARTS = {"cnn": part_cnn, "variants": part_variants, "augment": part_augment, "transfer": part_transfer}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("parts", nargs="+", choices=list(PARTS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", nargs="*", help="variants: only these run names")
    p.add_argument("--epochs", type=int, default=10, help="variants: epochs of each (the README's table: 10)")
    a = p.parse_args()
    os.environ.setdefault("DEEPARCH_DATA", "/work/shared-data")
    torch.set_num_threads(a.threads)
    for part in a.parts:
        print(json.dumps({"part": part, "load": os.getloadavg(), "threads": a.threads}), flush=True)
        PARTS[part](a)


if __name__ == "__main__":
    main()
