"""Logging overhead: the trainer with all logging on vs a bare PyTorch loop, course CNN.

Both train the course CNN on the same preloaded mnist-5k tensors (the training split less its
validation share) with the same batch order and evaluate on the validation and test splits once
per epoch (as any real loop does). The trainer
also logs every step's loss, per-layer gradient norms / learning rate / throughput every
``log_every`` steps, the probe grid per epoch, a checkpoint per epoch, and writes all of it
to a SQLite run store with heartbeat and control polling. Rounds alternate in one
process so machine noise hits both alike; the ratio of the medians is printed.

    python bench/bench_overhead.py [--rounds 3] [--epochs 1] [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from deeparch.course import data
from deeparch.course.archs import ARCHS, make_config
from deeparch.engine.callbacks import StoreLogger
from deeparch.store import Store
from deeparch.engine.trainer import Trainer


def bare(cfg, ds, epochs):
    """The same training as the trainer's: its split (the validation share held out), and an
    evaluation on the validation and test splits once per epoch, as a real loop with a validation split does."""
    torch.manual_seed(cfg.seed)
    model = ARCHS["cnn"].build(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sp = data.split(ds, cfg.val_split, cfg.classes, cfg.per_class)
    x, y, n, bs = sp.x_train, sp.y_train, len(sp.x_train), cfg.batch_size
    t = time.perf_counter()
    for epoch in range(epochs):
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed * 1_000_003 + epoch))
        model.train()
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            (model(sp.x_val).argmax(1) == sp.y_val).float().mean().item()
            acc = (model(sp.x_test).argmax(1) == sp.y_test).float().mean().item()
    return time.perf_counter() - t, acc


def trainer(cfg, root, epochs):
    store = Store(root)
    rid = store.create_run(cfg.to_dict(), status="running")
    tr = Trainer(cfg, [StoreLogger(store, rid)], checkpoint=store.run_dir(rid) / "ck.pt")
    tr.setup()
    t = time.perf_counter()
    r = tr.fit()
    elapsed = time.perf_counter() - t
    rows = store.count_metrics(rid)
    store.close()
    return elapsed, r.summary["test_acc"], rows, r.summary


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ds = data.load("mnist-5k")
    cfg = make_config("cnn", epochs=a.epochs)
    n = len(ds.x_train) * a.epochs
    bare(cfg, ds, 1)  # warm-up
    tb, tt = [], []
    with tempfile.TemporaryDirectory() as root:
        for r in range(a.rounds):
            b, acc_b = bare(cfg, ds, a.epochs)
            t, acc_t, rows, summary = trainer(cfg, root, a.epochs)
            tb.append(b)
            tt.append(t)
            print(f"round {r + 1}: bare {b:.2f} s ({n / b:.0f} samples/s, acc {acc_b:.3f})  "
                  f"trainer {t:.2f} s ({n / t:.0f} samples/s, acc {acc_t:.3f}, {rows} metric rows)")
    mb, mt = statistics.median(tb), statistics.median(tt)
    print(f"threads {a.threads}; median bare {mb:.2f} s, trainer {mt:.2f} s; "
          f"overhead ratio trainer/bare = {mt / mb:.3f}")
    print(f"trainer's own throughput figure (last round): {summary.get('samples_per_s', 'n/a')}")


if __name__ == "__main__":
    main()
