"""Quality figures for generated images, measured by a judge classifier.

The judge is a small CNN trained once per dataset on its training split and cached under
the data root. It has eleven outputs: the ten digits and *not a digit*, a class it learns
from images built on the fly that are no digits (noise, flat and blotchy images, strokes,
shuffled tiles, averages and overlays of two digits: outlier exposure). On top of that it
keeps the spread of its features over real digits: an image counts as a digit only where its
features lie as near to one digit's as 99% of held-out real digits do (a Mahalanobis
distance calibrated on training digits it never learned from). A classifier alone calls
noise an 8 with confidence; these two checks let it say "this is no digit". From its
outputs on generated images:

- *recognisability*: share of samples the judge gives one digit more than 0.9 of its
  probability (the other digits and "not a digit" share under 0.1) *and* finds near real
  digits: samples that look like a real digit;
- *not digits* (``not_digits``): share of samples the judge calls no digit (its "not a digit"
  class wins, or the features lie farther from real digits than it allows);
- *class coverage*: entropy of the judge's digit labels divided by log(10) (1 = every class
  equally often, 0 = one class only: mode collapse);
- *collapsed*: 1 when coverage is below ``COLLAPSED_BELOW`` (the generator draws one or two
  digits only: mode collapse), else 0; a high recognisability then means nothing, so the
  figures always travel together (:func:`verdict`);
- *judge Fréchet distance*: the Fréchet distance between Gaussians fitted to the judge's
  penultimate features of the samples and of the real test images. It is FID's formula on
  this judge's features, not Inception FID: compare it only between runs of this project
  measured by the same judge version;
- *judge score* (``judge_is``): the Inception Score's formula, exp(E_x KL(p(y|x) ‖ p(y))), on
  this judge's digit probabilities, not Inception's: from 1 (every sample gets the same
  class mix, or the judge is unsure of all) to 10 (each sample clearly one digit, all ten
  digits equally often);
- *class agreement* (conditional models, when the requested labels are given): share of
  samples the judge labels as the class that was asked for.

A teacher's own image set (``deeparch.course.imported``) gets a judge of its own, trained on its training
split when it is imported (:func:`train_imported_judge`), with one output per class of the set and "not one
of them"; its accuracy on the set's test split is kept beside it, and a judge below
``imported.JUDGE_TRUSTED`` reports no recognisability (and no "not digits"): its figures carry
``judge_accuracy`` so the view says why.

``JUDGE_VERSION`` names the judge: a run's summary records the version that measured it, and
figures of another version are not compared as if they were the same measure.
"""
from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.course import data, imported

CONFIDENT = 0.9
# coverage 0.5 ≈ samples spread over about three of the ten digits (a run at lr 10 that drew one digit: 0.049)
COLLAPSED_BELOW = 0.5
NOT_DIGITS_ABOVE = 0.5   # more than half the samples are no digit: the verdict is "not digits"
JUDGE_VERSION = 2        # 1: ten digit classes only (it called noise an 8); 2: "not a digit" and the distance check
DIGITS = 10              # output DIGITS of the judge is "not a digit"
HELD_OUT = 400           # training digits kept out of the judge's training to calibrate its distance
NEAR_SHARE = 0.99        # share of those held-out digits that the distance accepts
EPOCHS = 10
LR = 2e-3                # Adam's rate at the start, annealed to 0 over the epochs (cosine)
IMPORTED_STEPS = (200, 1000)  # an imported set's judge trains this many steps at least / at most (epochs follow)
IMPORTED_HELD = 0.25     # share of an imported set's training images kept to calibrate its judge's distance (0.1: too few)


class Judge(nn.Module):
    """The CNN (ten digits, or an imported set's ``classes``, and "not one of them") and, as buffers, what its
    distance check needs: the mean features of each class, the inverse of their shared covariance and the
    calibrated limit."""

    def __init__(self, classes: int = DIGITS):
        super().__init__()
        self.classes = classes
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (B, 32, 14, 14)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 64, 7, 7)
            nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),          # (B, 128) features
        )
        self.head = nn.Linear(128, classes + 1)                           # (B, 11): ten digits, not a digit
        self.register_buffer("means", torch.zeros(classes, 128))         # each digit's mean features
        self.register_buffer("precision", torch.eye(128))                # inverse of their shared covariance
        self.register_buffer("limit", torch.tensor(math.inf))            # distance 99% of real digits stay under

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.head(self.body(x))

    def distance(self, feats: torch.Tensor) -> torch.Tensor:
        """Squared Mahalanobis distance (N,) of features (N, 128) to the nearest digit's mean."""
        d = feats[:, None, :] - self.means[None]                                    # (N, 10, 128)
        return torch.einsum("ncf,fg,ncg->nc", d, self.precision, d).min(1).values

    @torch.no_grad()
    def calibrate(self, x: torch.Tensor, y: torch.Tensor, x_held: torch.Tensor) -> None:
        """Fit each digit's mean and the shared covariance on the features of the training digits
        ``x`` (labels ``y``); the limit lets ``NEAR_SHARE`` of the held-out digits ``x_held`` pass."""
        f = self.body(x)
        self.means.copy_(torch.stack([f[y == c].mean(0) for c in range(self.classes)]))
        centred = f - self.means[y]
        cov = centred.T @ centred / len(f) + 1e-3 * torch.eye(f.shape[1])
        self.precision.copy_(torch.linalg.inv(cov))
        self.limit.copy_(torch.quantile(self.distance(self.body(x_held)), NEAR_SHARE))


def blur(x: torch.Tensor, k: int) -> torch.Tensor:
    """Each image of ``x`` (N, 1, 28, 28) averaged over k×k neighbourhoods (edges repeated)."""
    return F.avg_pool2d(F.pad(x, (k // 2,) * 4, mode="replicate"), k, 1)


def strokes(n: int, g: torch.Generator, lines: tuple[int, int] = (2, 7)) -> torch.Tensor:
    """n images (n, 1, 28, 28) of a few random straight strokes, about as thick as a digit's."""
    img = torch.full((n, 1, 28, 28), -1.0)
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    for i in range(n):
        for _ in range(int(torch.randint(lines[0], lines[1] + 1, (1,), generator=g))):
            p, q = torch.rand(2, generator=g) * 24 + 2, torch.rand(2, generator=g) * 24 + 2
            d = q - p
            t = (((yy - p[0]) * d[0] + (xx - p[1]) * d[1]) / d.dot(d).clamp(min=1e-6)).clamp(0, 1)
            dist = ((yy - p[0] - t * d[0]) ** 2 + (xx - p[1] - t * d[1]) ** 2).sqrt()  # (28, 28) to the segment
            img[i, 0] = torch.maximum(img[i, 0], (1.5 - dist).clamp(0, 1) * 2 - 1)
    return img


def non_digits(x: torch.Tensor, y: torch.Tensor, n: int, g: torch.Generator) -> torch.Tensor:
    """n images (n, 1, 28, 28) in [-1, 1] that are no digit, of eight kinds in equal shares, built from
    the real digits ``x`` (labels ``y``) and noise: what the judge's "not a digit" class learns from."""
    kinds = torch.randint(0, 8, (n,), generator=g)
    out = torch.empty(n, 1, 28, 28)
    for k in range(8):
        idx = (kinds == k).nonzero().squeeze(1)
        m = len(idx)
        if not m:
            continue
        if k == 0:    # Gaussian noise of random spread and level
            v = torch.randn(m, 1, 28, 28, generator=g) * (torch.rand(m, 1, 1, 1, generator=g) * 1.5 + 0.1) \
                + torch.rand(m, 1, 1, 1, generator=g) * 2 - 1
        elif k == 1:  # blotches: smoothed noise
            v = blur(torch.randn(m, 1, 28, 28, generator=g) * 3, 5) + torch.rand(m, 1, 1, 1, generator=g) - 0.8
        elif k == 2:  # flat images
            v = (torch.rand(m, 1, 1, 1, generator=g) * 2 - 1).expand(m, 1, 28, 28)
        elif k == 3:  # two digits overlaid (of one class: the second shifted, so two shapes show)
            a, b = torch.randint(0, len(x), (2, m), generator=g)
            w = torch.rand(m, 1, 1, 1, generator=g) * 0.4 + 0.3
            v = w * x[a] + (1 - w) * x[b]
            same = y[a] == y[b]
            v[same] = torch.maximum(x[a][same], torch.roll(x[b][same], 4, 3))
        elif k == 4:  # the average of 3 to 29 digits
            v = torch.stack([x[torch.randint(0, len(x), (int(torch.randint(3, 30, (1,), generator=g)),),
                                             generator=g)].mean(0) for _ in range(m)])
        elif k == 5:  # random straight strokes
            v = strokes(m, g)
        elif k == 6:  # a digit cut into 7×7 tiles, shuffled
            tiles = x[torch.randint(0, len(x), (m,), generator=g)].unfold(2, 7, 7).unfold(3, 7, 7)  # (m, 1, 4, 4, 7, 7)
            tiles = tiles.reshape(m, 16, 7, 7)[:, torch.randperm(16, generator=g)]
            v = tiles.reshape(m, 4, 4, 7, 7).permute(0, 1, 3, 2, 4).reshape(m, 1, 28, 28)
        else:         # sparse white specks
            v = torch.where(torch.rand(m, 1, 28, 28, generator=g) < torch.rand(m, 1, 1, 1, generator=g) * 0.3, 1.0, -1.0)
        out[idx] = v.clamp(-1, 1)
    return out


def _train_judge(ds: data.Dataset, epochs: int = EPOCHS, seed: int = 1234, held: float | None = None,
                 pool_size: int = 6000) -> Judge:
    """Trained on the training split less ``HELD_OUT`` digits (with ``held``, that share of each class), each
    batch of 64 digits with 32 non-digits (drawn from a pool built once), the rate annealed to 0 (a cosine: a
    sure judge of real digits in few epochs); the held-out digits then calibrate its distance check."""
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        judge = Judge(len(ds.classes))
        opt = torch.optim.Adam(judge.parameters(), lr=LR)
        if held is None:
            order, k = torch.randperm(len(ds.x_train), generator=g), HELD_OUT
        else:  # a small imported set: every class keeps images on both sides
            rest, kept = data.stratified_split(ds.y_train, held, seed)
            order, k = torch.cat([kept, rest]), len(kept)
        x, y = ds.x_train[order[k:]], ds.y_train[order[k:]]
        pool = non_digits(x, y, pool_size, g)
        not_digit = torch.full((32,), judge.classes)
        steps = epochs * math.ceil(len(x) / 64)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * k / steps)))
        for _ in range(epochs):
            perm = torch.randperm(len(x), generator=g)
            for i in range(0, len(x), 64):
                idx = perm[i:i + 64]
                xb = torch.cat([x[idx], pool[torch.randint(0, len(pool), (32,), generator=g)]])  # (96, 1, 28, 28)
                yb = torch.cat([y[idx], not_digit])
                # light augmentation (one-pixel shifts) so the judge is not fooled by exact pixel positions
                dx, dy = torch.randint(-1, 2, (2,), generator=g).tolist()
                xb = torch.roll(xb, shifts=(dy, dx), dims=(2, 3))
                loss = F.cross_entropy(judge(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        judge.eval()
        judge.calibrate(x, y, ds.x_train[order[:k]])
    return judge


def train_imported_judge(ds: data.Dataset) -> tuple[Judge, float]:
    """The judge of an imported set, trained on its training split (``IMPORTED_STEPS`` steps: seconds on a
    CPU), and its accuracy on the set's test split."""
    per_epoch = math.ceil(len(ds.x_train) * (1 - IMPORTED_HELD) / 64)
    least, most = IMPORTED_STEPS
    epochs = max(1, min(max(EPOCHS, math.ceil(least / per_epoch)), most // per_epoch))
    steps = epochs * per_epoch
    judge = _train_judge(ds, epochs, held=IMPORTED_HELD, pool_size=min(6000, 32 * steps))  # no more than it draws
    return judge, accuracy(judge, ds)


@torch.no_grad()
def accuracy(judge: Judge, ds: data.Dataset) -> float:
    """Share of ``ds``'s test images whose class the judge names (its "not one of them" left out)."""
    guess = torch.cat([judge(ds.x_test[i:i + 500])[:, :judge.classes].argmax(1) for i in range(0, len(ds.x_test), 500)])
    return (guess == ds.y_test).double().mean().item()


_JUDGES: dict[tuple[str, str], Judge] = {}


@contextlib.contextmanager
def _build_lock(root: Path):
    """Held while a judge is trained in ``root``: two runs starting at once train it once."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".judge.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


# judges shipped with the lab: the MNIST judge's training is deterministic (the weights a fresh training
# gives are these, bit for bit: bench/check_judge.py), so every machine judges with the same weights and no
# one's first generator run waits half a minute for the judge to train
SHIPPED = Path(__file__).resolve().parents[1] / "assets"


def get_judge(dataset: str, root=None) -> Judge:
    """The judge for ``dataset``: the shipped one, else the one trained on this machine (trained on first
    use, by one process at a time: another one asking meanwhile waits for it and loads it)."""
    r = data.data_root(root)
    own = imported.infos(r).get(dataset)  # an imported set: its judge lies beside its data
    key = (dataset, str(r.resolve()), own and own.get("created"))
    if key in _JUDGES:
        return _JUDGES[key]
    name = f"judge-{dataset}-v{JUDGE_VERSION}.pt"
    path = imported.path_of(r, dataset) / f"judge-v{JUDGE_VERSION}.pt" if own else r / name
    found = next((p for p in (path, SHIPPED / name) if p.exists()), None)
    if found is None:
        with _build_lock(r):
            if not path.exists():  # nobody built it while this process waited
                data._atomic_save(_train_judge(data.load(dataset, root)).state_dict(), path)
        found = path
    judge = Judge(len(own["classes"]) if own else DIGITS)
    judge.load_state_dict(torch.load(found, weights_only=True))
    judge.eval()
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
    """The judge's features (N, 128) and probabilities (N, 11: ten digits, then "not a digit")."""
    feats = torch.cat([judge.features(images[i:i + 500]) for i in range(0, len(images), 500)])
    prob = F.softmax(judge.head(feats), dim=1)
    return feats, prob


def digit_probs(prob: torch.Tensor) -> torch.Tensor:
    """The ten digits' share of the judge's probabilities (N, 11) → (N, 10), as if it had to pick a digit
    (an imported set's C classes: (N, C + 1) → (N, C))."""
    digits = prob[:, :-1]
    return digits / digits.sum(1, keepdim=True).clamp(min=1e-12)


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
    """Share of rows of ``prob`` (N, C) whose most likely class is the requested ``labels`` (N,)
    (the judge's "not a digit", column 10 of its 11, is never a requested class)."""
    return (prob.argmax(1) == labels.to(prob.device)).double().mean().item()


def class_agreement(images: torch.Tensor, labels: torch.Tensor, dataset: str = "mnist-5k", root=None) -> float:
    """Share of ``images`` that the judge labels as the class requested for each (``labels``)."""
    with torch.random.fork_rng():
        _, prob = _judge_outputs(get_judge(dataset, root), images.detach().float().cpu().clamp(-1, 1))
    return agreement(digit_probs(prob), labels)


def measure(images: torch.Tensor, dataset: str = "mnist-5k", root=None, labels: torch.Tensor | None = None) -> dict:
    """Quality figures of ``images`` (N, 1, 28, 28) in [-1, 1]; N ≥ 2 (use ≥ 500). With ``labels``
    (the classes a conditional model was asked for), also their ``class_agreement``."""
    judge = get_judge(dataset, root)
    c = judge.classes
    with torch.random.fork_rng():
        feats, prob = _judge_outputs(judge, images.detach().float().cpu().clamp(-1, 1))
    near = judge.distance(feats) <= judge.limit
    conf, label = prob[:, :c].max(1)      # a digit's share of all eleven: "not a digit" counts against it
    digit = digit_probs(prob)
    hist = torch.bincount(digit.argmax(1), minlength=c).double()
    p = hist / hist.sum()
    entropy = -(p[p > 0] * p[p > 0].log()).sum().item()
    coverage = max(entropy, 0.0) / math.log(c) + 0.0  # one class only: 0, not -0
    out = {
        "recognisability": ((conf > CONFIDENT) & near).double().mean().item(),
        "not_digits": ((prob.argmax(1) == c) | ~near).double().mean().item(),
        "coverage": coverage,
        "collapsed": float(coverage < COLLAPSED_BELOW),
        "frechet": frechet_distance(feats, _real_features(dataset, root, judge)),
        "judge_is": judge_score(digit),
        "class_hist": hist.long().tolist(),
    }
    if labels is not None:
        out["class_agreement"] = agreement(digit, labels)
    own = imported.infos(data.data_root(root)).get(dataset)
    if own is not None:  # an imported set's judge says how well it knows the set, and a weak one calls nothing recognisable
        out["judge_accuracy"] = float(own.get("judge_accuracy") or 0.0)
        if not imported.judge_trusted(own):
            del out["recognisability"], out["not_digits"]
    return out


def verdict(figures: dict) -> str | None:
    """What a generator's figures say before any share of recognisable samples: "not_digits" when most
    samples are no digit, "collapsed" when they cover one or two digits only (mode collapse), else None.
    Runs measured before ``not_digits`` existed are read by their coverage alone."""
    nd, cov = figures.get("not_digits"), figures.get("coverage")
    if isinstance(nd, (int, float)) and nd > NOT_DIGITS_ABOVE:
        return "not_digits"
    if isinstance(cov, (int, float)) and cov < COLLAPSED_BELOW:
        return "collapsed"
    return None


def reference(dataset: str = "mnist-5k", root=None, n: int = 500) -> dict:
    """The same figures on ``n`` real test images: what a perfect generator would score."""
    return measure(data.load(dataset, root).x_test[:n], dataset, root)


if __name__ == "__main__":  # python -m deeparch.engine.quality: print the judge's reference figures
    ds = os.environ.get("DEEPARCH_DATASET", "mnist-5k")
    judge = get_judge(ds)
    d = data.load(ds)
    print(f"judge test accuracy {accuracy(judge, d):.4f}; reference on real test images: {reference(ds)}")
