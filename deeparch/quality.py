"""Quality figures for generated images, measured by a judge classifier.

The judge is a small CNN trained once per dataset on its training split and cached under
the data root. From its outputs on generated images:

- *recognisability*: share of samples the judge labels with confidence > 0.9;
- *class coverage*: entropy of the judge's labels divided by log(10) (1 = every class
  equally often, 0 = one class only: mode collapse);
- *collapsed*: 1 when coverage is below ``COLLAPSED_BELOW`` (the generator draws one or two
  digits only: mode collapse), else 0; a high recognisability then means nothing, so the
  figures always travel together;
- *judge Fréchet distance*: the Fréchet distance between Gaussians fitted to the judge's
  penultimate features of the samples and of the real test images. It is FID's formula on
  this judge's features, not Inception FID: compare it only between runs of this project;
- *judge score* (``judge_is``): the Inception Score's formula, exp(E_x KL(p(y|x) ‖ p(y))), on
  this judge's class probabilities, not Inception's: from 1 (every sample gets the same
  class mix, or the judge is unsure of all) to 10 (each sample clearly one digit, all ten
  digits equally often);
- *class agreement* (conditional models, when the requested labels are given): share of
  samples the judge labels as the class that was asked for.
"""
from __future__ import annotations

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch import data

CONFIDENT = 0.9
# coverage 0.5 ≈ samples spread over about three of the ten digits (a run at lr 10 that drew one digit: 0.049)
COLLAPSED_BELOW = 0.5
JUDGE_VERSION = 1


class Judge(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (B, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 64, 7, 7)
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),          # (B, 128) features
        )
        self.head = nn.Linear(128, 10)

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.body(x))


def _train_judge(ds: data.Dataset, epochs: int = 6, seed: int = 1234) -> Judge:
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        judge = Judge()
        opt = torch.optim.Adam(judge.parameters(), lr=1e-3)
        x, y = ds.x_train, ds.y_train
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=g)
            for i in range(0, len(x), 64):
                idx = perm[i:i + 64]
                xb = x[idx]
                # light augmentation (one-pixel shifts) so the judge is not fooled by exact pixel positions
                dx, dy = torch.randint(-1, 2, (2,), generator=g).tolist()
                xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
                loss = F.cross_entropy(judge(xb), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
    return judge.eval()


_JUDGES: dict[tuple[str, str], Judge] = {}


def get_judge(dataset: str, root=None) -> Judge:
    """The judge for ``dataset``: trained on its first use, then loaded from the data root."""
    r = data.data_root(root)
    key = (dataset, str(r.resolve()))
    if key in _JUDGES:
        return _JUDGES[key]
    path = r / f"judge-{dataset}-v{JUDGE_VERSION}.pt"
    judge = Judge()
    if path.exists():
        judge.load_state_dict(torch.load(path, weights_only=True))
        judge.eval()
    else:
        judge = _train_judge(data.load(dataset, root))
        data._atomic_save(judge.state_dict(), path)
    for p in judge.parameters():
        p.requires_grad_(False)
    _JUDGES[key] = judge
    return judge


def frechet_distance(f1: torch.Tensor, f2: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, F).

    Hand-written on purpose: eleven lines of torch, where torchmetrics' or pytorch-fid's would add a
    dependency and an Inception network that this judge-feature distance does not use."""
    f1, f2 = f1.double(), f2.double()
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = torch.atleast_2d(torch.cov(f1.T)), torch.atleast_2d(torch.cov(f2.T))  # (F, F)
    # tr(sqrt(s1 s2)) = tr(sqrt(A s2 A)) with A = sqrt(s1), both symmetric PSD
    w, v = torch.linalg.eigh(s1)
    a = (v * w.clamp(min=0).sqrt()) @ v.T
    m = a @ s2 @ a
    tr_sqrt = torch.linalg.eigvalsh((m + m.T) / 2).clamp(min=0).sqrt().sum()
    return float(((mu1 - mu2) ** 2).sum() + torch.trace(s1) + torch.trace(s2) - 2 * tr_sqrt)


@torch.no_grad()
def _judge_outputs(judge: Judge, images: torch.Tensor):
    feats = torch.cat([judge.features(images[i:i + 500]) for i in range(0, len(images), 500)])
    prob = F.softmax(judge.head(feats), dim=1)
    return feats, prob


_REAL_FEATS: dict[tuple[str, str], torch.Tensor] = {}


def _real_features(dataset: str, root, judge: Judge) -> torch.Tensor:
    key = (dataset, str(data.data_root(root).resolve()))
    if key not in _REAL_FEATS:
        _REAL_FEATS[key] = _judge_outputs(judge, data.load(dataset, root).x_test)[0]
    return _REAL_FEATS[key]


def judge_score(prob: torch.Tensor) -> float:
    """exp(mean KL(p(y|x) ‖ p(y))) of class probabilities ``prob`` (N, C): the Inception Score's
    formula on whatever classifier gave ``prob`` (here the MNIST judge). 1 ≤ score ≤ C."""
    prob = prob.double().clamp(min=1e-12)
    marginal = prob.mean(0, keepdim=True)                      # p(y), (1, C)
    kl = (prob * (prob.log() - marginal.log())).sum(1)         # (N,)
    return math.exp(kl.mean().item())


def agreement(prob: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of rows of ``prob`` (N, C) whose most likely class is the requested ``labels`` (N,)."""
    return (prob.argmax(1) == labels.to(prob.device)).double().mean().item()


def class_agreement(images: torch.Tensor, labels: torch.Tensor, dataset: str = "mnist-5k", root=None) -> float:
    """Share of ``images`` that the judge labels as the class requested for each (``labels``)."""
    with torch.random.fork_rng():
        _, prob = _judge_outputs(get_judge(dataset, root), images.detach().float().cpu().clamp(-1, 1))
    return agreement(prob, labels)


def measure(images: torch.Tensor, dataset: str = "mnist-5k", root=None, labels: torch.Tensor | None = None) -> dict:
    """Quality figures of ``images`` (N, 1, 28, 28) in [-1, 1]; N ≥ 2 (use ≥ 500). With ``labels``
    (the classes a conditional model was asked for), also their ``class_agreement``."""
    judge = get_judge(dataset, root)
    with torch.random.fork_rng():
        feats, prob = _judge_outputs(judge, images.detach().float().cpu().clamp(-1, 1))
    conf, label = prob.max(1)
    hist = torch.bincount(label, minlength=10).double()
    p = hist / hist.sum()
    entropy = -(p[p > 0] * p[p > 0].log()).sum().item()
    coverage = entropy / math.log(10)
    out = {
        "recognisability": (conf > CONFIDENT).double().mean().item(),
        "coverage": coverage,
        "collapsed": float(coverage < COLLAPSED_BELOW),
        "frechet": frechet_distance(feats, _real_features(dataset, root, judge)),
        "judge_is": judge_score(prob),
        "class_hist": hist.long().tolist(),
    }
    if labels is not None:
        out["class_agreement"] = agreement(prob, labels)
    return out


def reference(dataset: str = "mnist-5k", root=None, n: int = 500) -> dict:
    """The same figures on ``n`` real test images: what a perfect generator would score."""
    return measure(data.load(dataset, root).x_test[:n], dataset, root)


if __name__ == "__main__":  # python -m deeparch.quality: print the judge's reference figures
    ds = os.environ.get("DEEPARCH_DATASET", "mnist-5k")
    judge = get_judge(ds)
    d = data.load(ds)
    acc = (judge(d.x_test).argmax(1) == d.y_test).float().mean().item()
    print(f"judge test accuracy {acc:.4f}; reference on real test images: {reference(ds)}")
