"""The diffusion architecture's ε-predictor: a small U-Net of residual blocks (GroupNorm, SiLU, 3×3
convolutions) with a sinusoidal timestep embedding, an optional self-attention at 7×7 and an optional
label embedding. The ``diffusion`` module docstring explains why each part is there."""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _norm(c: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(8, c), c)


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal code of the timestep (B,) → (B, dim), as the Transformer's positions."""
    half = dim // 2
    freqs = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=1)
    return F.pad(emb, (0, 1)) if dim % 2 else emb


class ResBlock(nn.Module):
    """GroupNorm → SiLU → 3×3 conv, plus the timestep, then again; a shortcut around both."""

    def __init__(self, cin: int, cout: int, tdim: int, dropout: float):
        super().__init__()
        self.norm1, self.conv1 = _norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(tdim, cout)
        self.norm2, self.conv2 = _norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
        nn.init.zeros_(self.conv2.weight)  # each block starts as the identity
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.temb(temb)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class Attention(nn.Module):
    """Single-head self-attention over the pixels of a small (7×7) feature map."""

    def __init__(self, c: int):
        super().__init__()
        self.norm, self.qkv, self.proj = _norm(c), nn.Conv2d(c, 3 * c, 1), nn.Conv2d(c, c, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).flatten(2).transpose(1, 2).chunk(3, dim=2)  # (B, HW, C) each
        out = F.scaled_dot_product_attention(q, k, v)                                # (B, HW, C)
        return x + self.proj(out.transpose(1, 2).reshape(b, c, h, w))


class UNet(nn.Module):
    """ε-predictor: (B, 1, 28, 28) noisy images and (B,) timesteps → (B, 1, 28, 28) noise.

    With ``patch=2`` the image is first folded by ``PixelUnshuffle(2)`` into 4 channels of
    14×14 (each 2×2 block of pixels becomes one position with 4 channels), the U-Net works at
    14×14 and 7×7 only, and ``PixelShuffle(2)`` unfolds its 4-channel answer back to 28×28.
    With ``patch=1`` it works on the 28×28 pixels directly (28 → 14 → 7).
    With ``num_classes`` > 0 it also takes labels y (B,): a digit, or ``num_classes`` for "no label".
    """

    def __init__(self, ch: int = 32, mults=None, dropout: float = 0.0, attention: bool = True,
                 patch: int = 2, blocks: int = 1, num_classes: int = 0):
        super().__init__()
        if patch not in (1, 2):
            raise ValueError(f"patch {patch}: must be 1 or 2")
        self.ch, self.patch = ch, patch
        mults = mults or ((1, 2) if patch == 2 else (1, 2, 2))  # down to 7×7 either way
        tdim = 4 * ch
        self.time_mlp = nn.Sequential(nn.Linear(ch, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        # class conditioning: one learned vector per digit, plus a last "no label" one (index
        # num_classes) that classifier-free guidance trains and samples with; added to the
        # timestep's, so every block hears "how noisy" and "which digit" through the same path
        self.num_classes = num_classes
        self.label_emb = nn.Embedding(num_classes + 1, tdim) if num_classes else None
        chs = [ch * m for m in mults]  # channels at each resolution, the finest first
        cin = patch * patch
        self.fold = nn.PixelUnshuffle(patch) if patch > 1 else nn.Identity()
        self.unfold = nn.PixelShuffle(patch) if patch > 1 else nn.Identity()
        self.conv_in = nn.Conv2d(cin, ch, 3, padding=1)
        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        cur, skip_chs = ch, []
        for i, c in enumerate(chs):
            for _ in range(blocks):
                self.down.append(ResBlock(cur, c, tdim, dropout))
                cur = c
                skip_chs.append(c)
            if i < len(chs) - 1:
                self.downsample.append(nn.Conv2d(c, c, 3, stride=2, padding=1))  # halve: 14 → 7 (28 → 14 → 7 with patch=1)
        self.mid1 = ResBlock(cur, cur, tdim, dropout)
        self.mid_attn = Attention(cur) if attention else nn.Identity()
        self.mid2 = ResBlock(cur, cur, tdim, dropout)
        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(len(chs))):
            for _ in range(blocks):
                self.up.append(ResBlock(cur + skip_chs.pop(), chs[i], tdim, dropout))  # previous + skip
                cur = chs[i]
            if i > 0:
                self.upsample.append(nn.Conv2d(cur, chs[i - 1], 3, padding=1))  # after ×2 nearest upsampling
                cur = chs[i - 1]
        self.blocks = blocks
        self.norm_out, self.conv_out = _norm(cur), nn.Conv2d(cur, cin, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x, t, y=None):
        temb = self.time_mlp(timestep_embedding(t, self.ch))  # (B, 4ch)
        if self.label_emb is not None:
            y = torch.full_like(t, self.num_classes) if y is None else y
            temb = temb + self.label_emb(y)                     # (B, 4ch): time + digit
        h = self.conv_in(self.fold(x))                         # (B, ch, 14, 14) with patch=2
        skips = []
        for i, block in enumerate(self.down):
            h = block(h, temb)
            skips.append(h)
            level = i // self.blocks
            if (i + 1) % self.blocks == 0 and level < len(self.downsample):
                h = self.downsample[level](h)
        h = self.mid2(self.mid_attn(self.mid1(h, temb)), temb)  # (B, c_last, 7, 7)
        for i, block in enumerate(self.up):
            h = block(torch.cat([h, skips.pop()], dim=1), temb)
            level = i // self.blocks
            if (i + 1) % self.blocks == 0 and level < len(self.upsample):
                h = self.upsample[level](F.interpolate(h, scale_factor=2.0, mode="nearest"))
        out = self.conv_out(F.silu(self.norm_out(h)))           # (B, patch², 14, 14)
        return self.unfold(out)                                 # (B, 1, 28, 28)
