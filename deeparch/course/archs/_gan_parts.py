"""The DCGAN family's shared parts (``dcgan``, ``cgan``, ``wgan_gp``): the convolutional generator and
discriminator, their initialization, DiffAugment's translation, WGAN-GP's gradient penalty, the k-means++
seeding of the clusters, the spherical interpolation of the noise, the family's views and its check of
knob combinations. The ``dcgan`` module docstring explains each choice."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.present.messages import Message
from deeparch.present.display import View, other_images


def _norm(kind: str, c: int) -> nn.Module:
    """Batch norm, layer norm over (C, H, W) (GroupNorm with one group: per sample) or nothing."""
    return {"batch": lambda: nn.BatchNorm2d(c), "layer": lambda: nn.GroupNorm(1, c), "none": nn.Identity}[kind]()


class ConvGenerator(nn.Module):
    """z (B, Z) [+ one-hot label] → Linear → (B, 2w, 7, 7) → ConvT → (B, w, 14, 14) → ConvT → (B, 1, 28, 28)."""

    def __init__(self, z: int, width: int, classes: int = 0):
        super().__init__()
        self.classes, self.width = classes, width
        self.project = nn.Linear(z + classes, 2 * width * 7 * 7, bias=False)
        self.body = nn.Sequential(
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),   # (B, w, 14, 14)
            nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh(),            # (B, 1, 28, 28) in [-1, 1]
        )

    def forward(self, z, labels=None):
        if self.classes:
            z = torch.cat([z, F.one_hot(labels, self.classes).to(z.dtype)], dim=1)  # (B, Z + 10)
        return self.body(self.project(z).view(-1, 2 * self.width, 7, 7))


class ConvDiscriminator(nn.Module):
    """(B, 1, 28, 28) [+ label map] → Conv → (B, w, 14, 14) → Conv → (B, 2w, 7, 7) → Linear → (B,) scores.

    Conditional: the label enters as a learned 28×28 map next to the image (concatenated), and with
    ``projection`` also at the end (Miyato & Koyama, 2018): the score adds the inner product of a
    learned vector of the asked class with the features, so "is this a real 7?" is asked directly."""

    def __init__(self, width: int, norm: str = "batch", classes: int = 0, projection: bool = False,
                 codes: int = 0):
        super().__init__()
        self.classes = classes
        self.label_map = nn.Embedding(classes, 28 * 28) if classes else None
        self.body = nn.Sequential(
            nn.Conv2d(2 if classes else 1, width, 4, 2, 1), nn.LeakyReLU(0.2),      # (B, w, 14, 14): no norm here
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=norm == "none"), _norm(norm, 2 * width),
            nn.LeakyReLU(0.2), nn.Flatten(),                                         # (B, 2w·7·7) features
        )
        self.head = nn.Linear(2 * width * 7 * 7, 1)                                 # (B, 1) logit / score
        self.project = nn.Embedding(classes, 2 * width * 7 * 7) if classes and projection else None
        self.guess_code = nn.Linear(2 * width * 7 * 7, codes) if codes else None     # InfoGAN's Q: (B, K) logits

    def forward(self, img, labels=None, with_code: bool = False):
        if self.classes:
            img = torch.cat([img, self.label_map(labels).view(-1, 1, 28, 28)], dim=1)  # (B, 2, 28, 28)
        h = self.body(img)
        score = self.head(h).squeeze(1)
        if self.project is not None:
            score = score + (self.project(labels) * h).sum(1)
        return (score, self.guess_code(h)) if with_code else score


def initialize(module: nn.Module, scheme: str) -> None:
    """DCGAN's N(0, 0.02) for every conv/linear weight, or He (Kaiming, for ReLU-family layers: keeps
    the activations' variance through depth) or Glorot (Xavier: keeps it for both passes, for
    symmetric activations); biases 0, norm scales 1 (DCGAN: N(1, 0.02))."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, nn.Embedding)):
            if scheme == "dcgan":
                nn.init.normal_(m.weight, 0.0, 0.02)
            elif scheme == "he":
                nn.init.kaiming_normal_(m.weight, a=0.2, nonlinearity="leaky_relu")
            else:
                nn.init.xavier_normal_(m.weight)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.normal_(m.weight, 1.0, 0.02) if scheme == "dcgan" else nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def translate(img: torch.Tensor, shift: int) -> torch.Tensor:
    """Each image of ``img`` (B, C, H, W) moved by its own whole-pixel offset in [-shift, shift] along each
    axis, background (-1) flowing in at the edges: DiffAugment's translation (Zhao et al., 2020).
    Differentiable (an index gather), so the generator learns through it; whole pixels, so no blur."""
    if shift <= 0:
        return img
    b, c, h, w = img.shape
    dy, dx = torch.randint(-shift, shift + 1, (2, b, 1, 1), device=img.device)
    padded = F.pad(img, (shift,) * 4, value=-1.0)                                  # (B, C, H+2s, W+2s)
    rows = torch.arange(h, device=img.device).view(1, h, 1) + shift - dy           # (B, H, 1)
    cols = torch.arange(w, device=img.device).view(1, 1, w) + shift - dx           # (B, 1, W)
    batch = torch.arange(b, device=img.device).view(b, 1, 1)
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)         # (B, C, H, W)


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, lam: float, labels=None,
                     generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP's penalty λ · E[(‖∇ₓ D(x̂)‖ - 1)²] on x̂ = ε x_real + (1 - ε) x_fake, ε ~ U(0, 1) per sample
    (Gulrajani et al., 2017): it keeps the critic 1-Lipschitz along the lines between real and fake.
    Returns the penalty (differentiable: the critic's step backpropagates through it) and the mean
    gradient norm (detached)."""
    eps = torch.rand(real.shape[0], 1, 1, 1, generator=generator).to(real.device)
    mixed = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)  # (B, 1, 28, 28)
    scores = critic(mixed) if labels is None else critic(mixed, labels)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norm = grad.flatten(1).norm(dim=1)                                                # (B,)
    return lam * (norm - 1).pow(2).mean(), norm.mean().detach()


def _kmeanspp(f: torch.Tensor, k: int) -> torch.Tensor:
    """k starting centroids (k, D) among the rows of ``f`` (N ≥ k, D), each next one drawn with probability
    proportional to its squared distance to the nearest already chosen (k-means++, Arthur & Vassilvitskii)."""
    chosen = [f[torch.randint(len(f), ())]]
    for _ in range(1, k):
        d = torch.cdist(f, torch.stack(chosen)).min(1).values.pow(2)                  # (N,)
        chosen.append(f[torch.multinomial(d + 1e-12, 1).squeeze()])
    return torch.stack(chosen)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation between rows of ``a`` and ``b`` (R, Z) at fractions ``t`` (S,) → (R, S, Z).
    Straight lines between two Gaussian noise vectors pass near the origin, where z has a norm the
    generator never saw; the great circle keeps the norm typical."""
    cos = F.cosine_similarity(a, b, dim=1).clamp(-1 + 1e-7, 1 - 1e-7)[:, None, None]  # (R, 1, 1)
    omega = torch.acos(cos)
    t = t[None, :, None]
    return (torch.sin((1 - t) * omega) * a[:, None] + torch.sin(t * omega) * b[:, None]) / torch.sin(omega)


# --------------------------------------------------------------------------- declarations
INTERPOLATION = View(
    "interpolation", "Walking through the latent space",
    explain="Each row starts at one fixed noise vector and ends at another, in ten even steps along the "
            "great circle between them. A generator that has learned a smooth space morphs one digit into "
            "another through plausible shapes; sudden jumps or blurry middles show regions it never learned. "
            "Rows that barely change, or all look alike, hint at mode collapse. When the model is told a group "
            "(a digit, a cluster or a code), each row keeps one group: then mostly the style moves, and that is "
            "not collapse.")


GROUPS = View(
    "groups", "What each group draws", draw="wide", needs=("clusters", "info_codes"),
    explain="One column per group. With self-conditioning (clusters), the top digit is the average of the real "
            "digits the lab put in that group by their pixels alone, with no labels (biggest groups on the left); "
            "under it, digits the generator drew when told that group. A group often holds two look-alike digits "
            "(a 4 and a 9, a 3 and a 5): its column then shows both, mostly each drawn whole. With an InfoGAN code "
            "instead, each column is one value of the code and there is no average: values that draw the same "
            "digit, or blends of two, show why the code finds its digits only by chance.")
other_images(
    INTERPOLATION,
    explain="Each row starts at one fixed noise vector and ends at another, in ten even steps along the "
            "great circle between them. A generator that has learned a smooth space morphs one image into "
            "another through plausible shapes; sudden jumps or blurry middles show regions it never learned. "
            "Rows that barely change, or all look alike, hint at mode collapse. When the model is told a group "
            "(a class, a cluster or a code), each row keeps one group: then mostly the style moves, and that is "
            "not collapse.")
other_images(
    GROUPS,
    explain="One column per group. With self-conditioning (clusters), the top image is the average of the real "
            "images the lab put in that group by their pixels alone, with no labels (biggest groups on the left); "
            "under it, images the generator drew when told that group. A group often holds two look-alike "
            "classes: its column then shows both. With an InfoGAN code instead, each column is one value of the "
            "code and there is no average: values that draw the same class, or blends of two, show why the code "
            "finds its classes only by chance.")

def check_common(hp: dict) -> str | None:
    """Knob combinations of the family that make no sense, with the reason."""
    if hp.get("label_smoothing", 0) > 0 and hp.get("loss", "bce") != "bce":
        return Message("smoothing_needs_bce", smoothing=hp["label_smoothing"], loss=hp.get("loss", "wgan-gp"))
    if hp.get("clusters", 0) and hp.get("info_codes", 0):
        return Message("clusters_and_codes", clusters=hp["clusters"], codes=hp["info_codes"])
    if hp.get("clusters", 0) > hp.get("batch_size", 64):
        return Message("clusters_need_batch", clusters=hp["clusters"])
    if hp.get("g_steps", 1) > 1 and not hp["separate_batches"]:
        return Message("g_steps_need_batches")
    return None
