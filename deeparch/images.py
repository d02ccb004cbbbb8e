"""Image grids as PNG bytes (what the store keeps and the pages show)."""
from __future__ import annotations

import io
import math

import torch


def grid(images: torch.Tensor, nrow: int | None = None, pad: int = 2) -> torch.Tensor:
    """(N, 1, H, W) in [-1, 1] → (rows*(H+pad)+pad, nrow*(W+pad)+pad) uint8, white-on-black digits."""
    images = images.detach().float().cpu().clamp(-1, 1)
    n, _, h, w = images.shape
    nrow = nrow or math.ceil(math.sqrt(n))
    rows = math.ceil(n / nrow)
    out = torch.full((rows * (h + pad) + pad, nrow * (w + pad) + pad), 40, dtype=torch.uint8)
    pix = ((images[:, 0] + 1) * 127.5).round().to(torch.uint8)  # (N, H, W)
    for i in range(n):
        r, c = divmod(i, nrow)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = pix[i]
    return out


def to_png(array: torch.Tensor) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(array.numpy()).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def grid_png(images: torch.Tensor, nrow: int | None = None) -> bytes:
    return to_png(grid(images, nrow))


def from_png(png: bytes):
    """PNG bytes → numpy uint8 array (H, W)."""
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))
