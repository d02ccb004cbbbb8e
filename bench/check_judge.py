"""Train the MNIST judge afresh and compare it with the one the lab ships (deeparch/assets).

    python bench/check_judge.py

The judge's training is deterministic (seeded, one thread): the fresh weights must equal the shipped ones
bit for bit. Run it after any change to the judge, its data or its training; a change that moves the
weights needs a new JUDGE_VERSION (deeparch/engine/quality.py) and a new shipped file (its figures are then not
comparable with the old judge's, and the pages say so).
"""
from __future__ import annotations

import sys
import tempfile
import time

import torch

sys.path.insert(0, ".")
from deeparch.engine import quality  # noqa: E402


def main() -> int:
    torch.set_num_threads(1)
    name = f"judge-mnist-5k-v{quality.JUDGE_VERSION}.pt"
    shipped = torch.load(quality.SHIPPED / name, weights_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        quality.SHIPPED = quality.Path(tmp) / "none"  # nothing shipped: train
        fresh = quality.get_judge("mnist-5k", root=tmp).state_dict()
        took = time.perf_counter() - t0
    diff = max((fresh[k].double() - shipped[k].double()).abs().max().item() for k in shipped)
    print(f"{name}: trained in {took:.1f} s; largest difference from the shipped weights {diff:g}")
    return 0 if diff == 0 and fresh.keys() == shipped.keys() else 1


if __name__ == "__main__":
    raise SystemExit(main())
