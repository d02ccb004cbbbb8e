"""The judge of an imported set, on a small set made of mnist-5k digits (3, 5, 8): how well it knows the set.

    python bench/bench_own_judge.py PER_CLASS STEPS HELD

Trains the judge as an import does (``quality.train_imported_judge``, one thread) on PER_CLASS training digits
of each class, STEPS steps, HELD the share kept to calibrate its distance, then prints its accuracy on 100
test digits of each class and the share it calls recognisable of: those test digits, 300 images that are no
digit (``quality.non_digits``) and 200 digits of other classes (0 and 1), which it never saw.
"""
from __future__ import annotations

import sys
import time

import torch

sys.path.insert(0, ".")
from deeparch.course import data  # noqa: E402
from deeparch.engine import quality  # noqa: E402


def recognised(judge, x) -> float:
    with torch.no_grad():
        f = judge.features(x)
        p = torch.softmax(judge.head(f), 1)
    return ((judge.distance(f) <= judge.limit) & (p[:, :judge.classes].max(1).values > quality.CONFIDENT)).float().mean().item()


def main() -> int:
    torch.set_num_threads(1)
    per, steps, held = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    d = data.load("mnist-5k")
    keep = {3: 0, 5: 1, 8: 2}
    idx = torch.cat([(d.y_train == c).nonzero().squeeze(1)[:per] for c in keep])
    tidx = torch.cat([(d.y_test == c).nonzero().squeeze(1)[:100] for c in keep])
    ds = data.Dataset("own", d.x_train[idx], torch.tensor([keep[int(v)] for v in d.y_train[idx]]),
                      d.x_test[tidx], torch.tensor([keep[int(v)] for v in d.y_test[tidx]]), ("3", "5", "8"))
    quality.IMPORTED_STEPS, quality.IMPORTED_HELD = (steps, steps), held
    t = time.perf_counter()
    judge, acc = quality.train_imported_judge(ds)
    took = time.perf_counter() - t
    others = d.x_test[(d.y_test == 0) | (d.y_test == 1)][:200]
    nd = quality.non_digits(ds.x_test, ds.y_test, 300, torch.Generator().manual_seed(5))
    print(f"trained in {took:.1f} s; test accuracy {acc:.3f}; recognisable: test digits {recognised(judge, ds.x_test):.3f}, "
          f"no digits {recognised(judge, nd):.3f}, other digits {recognised(judge, others):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
