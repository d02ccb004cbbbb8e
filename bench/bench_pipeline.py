"""Time to a test accuracy: the course's data pipeline against the project's.

Course: a Dataset of PIL images with ``transforms.Compose([ToTensor(), Normalize((0.5,),
(0.5,))])`` through ``DataLoader(batch_size=64, shuffle=True)``, as in the course listing.
Project: the trainer's batches sliced from preloaded, normalised tensors. Same CNN, same
seed, same mnist-5k split; both evaluate on the test split every ``--eval-every`` steps
(evaluation time not counted) and stop at the target accuracy. Alternating rounds.

    python bench/bench_pipeline.py [--target 0.96] [--rounds 2] [--threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from PIL import Image
from torch.utils.data import DataLoader
from torchvision import transforms

from deeparch.course import data
from deeparch.course.archs import ARCHS, make_config
from deeparch.engine.trainer import Callback, Trainer


class PILDigits(torch.utils.data.Dataset):
    """What ``torchvision.datasets.MNIST`` does per item: a PIL image through the transform."""

    def __init__(self, u8, labels, transform):
        self.u8, self.labels, self.transform = u8, labels, transform

    def __len__(self):
        return len(self.u8)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.u8[i].numpy())), int(self.labels[i])


def course(cfg, ds, target, eval_every, max_epochs=30):
    torch.manual_seed(cfg.seed)
    u8 = ((ds.x_train[:, 0] + 1) * 127.5).round().to(torch.uint8)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    loader = DataLoader(PILDigits(u8, ds.y_train, tf), batch_size=cfg.batch_size, shuffle=True)
    model = ARCHS["cnn"].build(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    step, train_time = 0, 0.0
    for _ in range(max_epochs):
        t = time.perf_counter()
        for x, y in loader:
            model.train()
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            if step % eval_every == 0:
                train_time += time.perf_counter() - t
                acc = model.evaluate(ds.x_test, ds.y_test)["test_acc"]
                if acc >= target:
                    return train_time, step, acc
                t = time.perf_counter()
        train_time += time.perf_counter() - t
    return float("inf"), step, acc


class StopAt(Callback):
    def __init__(self, target):
        self.target, self.acc = target, 0.0

    def on_metrics(self, step, values):
        if "test_acc" in values:  # called right after the evaluation: stop the clock before it
            self.acc = values["test_acc"]

    def on_step(self, trainer):
        if trainer.step % trainer.eval_every == 0:
            return "stop" if self.acc >= self.target else None


def project(cfg, target, eval_every):
    cb = StopAt(target)
    tr = Trainer(cfg.replace(eval_every=eval_every, epochs=30), [cb])
    tr.setup()
    # time the training only: the evaluation cost is measured and subtracted
    evals = []
    orig = tr.evaluate

    def timed_eval():
        t = time.perf_counter()
        out = orig()
        evals.append(time.perf_counter() - t)
        return out

    tr.evaluate = timed_eval
    t = time.perf_counter()
    r = tr.fit()
    total = time.perf_counter() - t
    return (total - sum(evals)) if cb.acc >= target else float("inf"), r.step, cb.acc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--target", type=float, default=0.96)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=21)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    ds = data.load("mnist-5k")
    cfg = make_config("cnn", log_every=20)
    tc, tp = [], []
    for r in range(a.rounds):
        c = course(cfg, ds, a.target, a.eval_every)
        pr = project(cfg, a.target, a.eval_every)
        tc.append(c[0])
        tp.append(pr[0])
        print(f"round {r + 1}: course DataLoader {c[0]:.1f} s ({c[1]} steps, acc {c[2]:.3f})  "
              f"project tensors {pr[0]:.1f} s ({pr[1]} steps, acc {pr[2]:.3f})")
    mc, mp = statistics.median(tc), statistics.median(tp)
    print(f"target {a.target}; median time to target: course {mc:.1f} s, project {mp:.1f} s; "
          f"course/project = {mc / mp:.2f}")


if __name__ == "__main__":
    main()
