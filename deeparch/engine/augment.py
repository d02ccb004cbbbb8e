"""Data augmentation on a whole batch at once: random shifts, small rotations, an elastic warp and
random erasing, as the course lists them.

One ``affine_grid``/``grid_sample`` call moves every image of the batch (no per-image Python
loop), so augmenting costs little beside a training step. Images are (B, 1, H, W) in [-1, 1]
with -1 the background: the warp samples ``x + 1`` with zero padding, so what moves in from
outside the frame is background, not grey. Only the training step path calls this; validation,
test and the probe grid see the images as they are.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Augment:
    shift: float = 0.0    # pixels
    rotate: float = 0.0   # degrees
    elastic: float = 0.0  # pixels of displacement
    erase: float = 0.0    # probability per image

    @classmethod
    def from_hp(cls, hp: Mapping) -> "Augment":
        return cls(hp.get("aug_shift", 0.0), hp.get("aug_rotate", 0.0), hp.get("aug_elastic", 0.0),
                   hp.get("aug_erase", 0.0))

    @property
    def active(self) -> bool:
        return any((self.shift, self.rotate, self.elastic, self.erase))

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """An augmented copy of ``x`` (B, 1, H, W); the same generator state gives the same copy."""
        if not self.active:
            return x
        if x.dim() != 4:
            raise ValueError(f"augmentation moves images (B, C, H, W); these inputs have shape {tuple(x.shape)}")
        b, _, h, w = x.shape
        if self.shift or self.rotate or self.elastic:
            x = self._warp(x, g, b, h, w)
        if self.erase:
            x = self._erase(x, g, b, h, w)
        return x

    def _uniform(self, g: torch.Generator, *shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=g) * 2 - 1  # U(-1, 1)

    def _warp(self, x, g, b, h, w):
        angle = self._uniform(g, b) * math.radians(self.rotate)             # (B,)
        shift = self._uniform(g, b, 2) * self.shift * 2 / torch.tensor([w, h])  # (B, 2) in grid units
        cos, sin = torch.cos(angle), torch.sin(angle)
        theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                             torch.stack([sin, cos, shift[:, 1]], 1)], 1)    # (B, 2, 3)
        grid = F.affine_grid(theta.to(x), [b, 1, h, w], align_corners=False)  # (B, H, W, 2)
        if self.elastic:
            grid = grid + self._displacement(g, b, h, w).to(x)
        return F.grid_sample(x + 1, grid, padding_mode="zeros", align_corners=False) - 1

    def _displacement(self, g, b, h, w):
        """A smooth random field (B, H, W, 2): noise on a coarse 4×4 grid, upsampled bilinearly."""
        coarse = self._uniform(g, b, 2, 4, 4)
        field = F.interpolate(coarse, size=(h, w), mode="bilinear", align_corners=True)  # (B, 2, H, W)
        return field.permute(0, 2, 3, 1) * self.elastic * 2 / torch.tensor([w, h])

    def _erase(self, x, g, b, h, w):
        """Each image, with probability ``erase``, gets a rectangle of 1/8 to 1/3 of each side blanked."""
        hit = torch.rand(b, generator=g) < self.erase                        # (B,)
        size = (torch.rand(b, 2, generator=g) * (1 / 3 - 1 / 8) + 1 / 8) * torch.tensor([h, w])
        corner = torch.rand(b, 2, generator=g) * (torch.tensor([h, w]) - size)
        rows, cols = torch.arange(h).view(1, h, 1), torch.arange(w).view(1, 1, w)
        inside = ((rows >= corner[:, :1, None]) & (rows < (corner[:, :1] + size[:, :1])[:, :, None])
                  & (cols >= corner[:, 1:, None]) & (cols < (corner[:, 1:] + size[:, 1:])[:, :, None]))  # (B, H, W)
        mask = (inside & hit.view(b, 1, 1)).unsqueeze(1).to(x.device)        # (B, 1, H, W)
        return x.masked_fill(mask, -1.0)


def step_generator(seed: int, step: int) -> torch.Generator:
    """The augmentation noise of one training step: from (seed, step), so a resumed run draws the same."""
    return torch.Generator().manual_seed(seed * 1_000_033 + step)


def preview(x: torch.Tensor, aug: Augment, copies: int = 3, seed: int = 0) -> torch.Tensor:
    """Each image of ``x`` (N, 1, H, W) followed by ``copies`` augmented versions: (N·(copies+1), 1, H, W),
    one row per image when drawn with ``copies + 1`` columns."""
    outs = [x] + [aug(x, step_generator(seed, i)) for i in range(copies)]
    return torch.stack(outs, 1).flatten(0, 1)


def preview_png(hp: Mapping, dataset: str = "mnist-5k", count: int = 6, copies: int = 5) -> bytes:
    """A grid for the Train page: ``count`` training images (of the chosen classes), one per row,
    each followed by ``copies`` augmented versions drawn with the settings in ``hp``."""
    from deeparch.course import data
    from deeparch.present import images

    ds = data.load(dataset)
    x = data.split(ds, 0.0, hp.get("classes", "")).x_train[:count]
    return images.grid_png(preview(x, Augment.from_hp(hp), copies), copies + 1)
