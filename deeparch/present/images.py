"""Image grids as PNG bytes (what the store keeps and the pages show)."""
from __future__ import annotations

import io
import math

import torch

PAD_GREY = 40  # the grid lines between images


def grid(images: torch.Tensor, nrow: int | None = None, pad: int = 2) -> torch.Tensor:
    """(N, 1, H, W) in [-1, 1] → (rows*(H+pad)+pad, nrow*(W+pad)+pad) uint8, white-on-black digits."""
    from torchvision.utils import make_grid

    images = images.detach().float().cpu().clamp(-1, 1)
    nrow = nrow or math.ceil(math.sqrt(len(images)))
    # make_grid lays out rows of nrow images (it repeats 1 channel to 3); the padding is dark grey 40
    grey = PAD_GREY / 127.5 - 1
    g = make_grid(images, nrow=nrow, padding=pad, pad_value=grey)  # (3, H', W')
    if len(images) == 1:  # make_grid returns a lone image as it is, unpadded
        g = torch.nn.functional.pad(g, (pad,) * 4, value=grey)
    return ((g[0] + 1) * 127.5).round().to(torch.uint8)


def to_png(array: torch.Tensor) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array.numpy()).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def grid_png(images: torch.Tensor, nrow: int | None = None) -> bytes:
    return to_png(grid(images, nrow))
