"""Does Grad-CAM on the course CNN highlight the digit? The acceptance figure of issue 12.

    flock /tmp/deeparch-bench.lock python3 bench/bench_gradcam.py [--epochs 10] [--save cnn.pt]

Trains the course CNN (its preset) with the project's trainer, then measures, on the 16 fixed
probe digits the Live page shows, the mean Grad-CAM value on the digit's ink (pixels above the
background, dilated by 2 px) over its mean elsewhere (``deeparch.present.insight.ink_ratio``): pooled
over the probes, and per digit. 2 or more: the map clearly lights up the digit.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deeparch.present import insight  # noqa: E402
from deeparch.course.archs import make_config  # noqa: E402
from deeparch.engine.media_passes import PROBE_COUNT  # noqa: E402
from deeparch.engine.trainer import Result, Trainer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--save", help="write the trained model's state_dict here (for screenshots)")
    ap.add_argument("--load", help="measure a state_dict saved by --save instead of training")
    a = ap.parse_args()
    cfg = make_config("cnn", epochs=a.epochs)
    t = time.perf_counter()
    tr = Trainer(cfg)
    if a.load:
        tr.setup()
        tr.model.load_state_dict(torch.load(a.load, weights_only=True))
        result = Result("loaded", 0)
    else:
        result = tr.fit()
    tr.summary.setdefault("test_acc", tr.evaluate()["test_acc"])
    print(f"{result.status}: {result.step} steps in {time.perf_counter() - t:.0f} s: test accuracy "
          f"{tr.summary.get('test_acc', float('nan')):.4f}")
    x, y = tr.x_test[:PROBE_COUNT], tr.y_test[:PROBE_COUNT]
    cam, target = insight.grad_cam(tr.model, x)
    per = [insight.ink_ratio(cam[i:i + 1], x[i:i + 1]) for i in range(len(x))]
    print("per digit (label: ratio): " + ", ".join(f"{int(l)}: {r:.2f}" for l, r in zip(y, per)))
    ink = insight.ink_mask(x)
    print(f"pooled ink ratio over {len(x)} probe digits: {insight.ink_ratio(cam, x):.2f} "
          f"(median per digit {statistics.median(per):.2f}; target >= 2); mean map value on the ink "
          f"{cam[ink].mean():.4f}, elsewhere {cam[~ink].mean():.2e}")
    if a.save:
        torch.save(tr.model.state_dict(), a.save)


if __name__ == "__main__":
    main()
