"""The course diffusion model grown into a real DDPM (Ho et al., 2020).

The course's toy denoiser was three 3×3 convolutions with ReLU whose output was scaled
by ``t / 1000``: a network that sees only a few pixels around each pixel and learns the
timestep only as one number multiplying its answer. The real model keeps the same job
(look at a noisy image x_t and the step t, predict the noise ε that was added) and grows
each part of the toy:

- the three convolutions become *residual blocks* (3×3 conv → GroupNorm → SiLU, twice,
  plus a shortcut), stacked in a small *U-Net*: it halves the resolution so each output
  pixel sees the whole digit, then goes back up, with skip connections that hand the fine
  detail of the way down to the way up; a tiny self-attention at 7×7 lets every region of
  the digit look at every other;
- before the U-Net, ``PixelUnshuffle(2)`` folds each 2×2 block of pixels into 4 channels
  (28×28×1 → 14×14×4) and ``PixelShuffle(2)`` unfolds the answer at the end, so the U-Net
  works at 14×14 and 7×7 only. A 28×28 level costs most of a U-Net's compute for little
  gain on 28×28 digits; without it the network is about 4× cheaper per image (31 instead of
  116 M multiply-adds), trains 2–3× more steps in the same time and samples faster
  (``patch=1`` keeps the full-resolution 28 → 14 → 7 U-Net);
- the ``t / 1000`` scaling becomes a *sinusoidal timestep embedding* (the Transformer's
  position code applied to t) passed through a small MLP and added inside every block, so
  the network can behave differently at t = 10 (remove grain) and t = 900 (invent a digit);
- the noise schedule is its own small object without weights (``DDPMSchedule``, like
  diffusers' DDPMScheduler): it adds noise for training and takes one ancestral step
  x_t → x_{t-1} for sampling, optionally on a respaced subsequence of the T steps. A short
  chain (T = 250) sampled on 100 respaced steps draws digits almost as good as all 250 steps;
- sampling uses an exponential moving average (EMA) of the weights, which averages out the
  noise of the last optimizer steps and gives much cleaner digits early in training; its
  decay (0.999, about the last 1,000 steps, warmed up from fast averaging) suits a run of a few thousand steps;
- each ancestral step adds fresh noise scaled by a *sampling temperature* (the course's knob
  "to balance fidelity and diversity"): 1 is the exact DDPM posterior, the preset's 0.9
  draws cleaner, more recognisable digits at a clear cost in variety (a larger judge Fréchet
  distance; every digit still appears: see the measurements at ``SPEC``).

Training is the course's: pick t at random, add noise, predict it, minimise the MSE, here
weighted per image by Min-SNR-γ (Hang et al., 2023): min(SNR_t, γ)/SNR_t, so the many
almost-clean steps, whose noise is easy to spot but which matter little for the digit's
shape, no longer dominate the loss.

Beyond the unconditional DDPM:

- *class conditioning with classifier-free guidance* (``conditional``, ``p_uncond``,
  ``guidance``; Ho & Salimans, 2022), the MNIST analogue of the course's text-to-image
  application: a learned embedding of the digit is added to the timestep embedding; a share
  ``p_uncond`` of training images gets the "no label" embedding instead, so the same network
  also learns the unconditional noise; sampling mixes the two guesses
  ε_u + s (ε_c − ε_u) and asks for a digit;
- ``model="course"``: the course's own three convolutions (``CourseDenoiser``) trained with
  the same objective and sampler, to see what it draws (blotches, no digits) and why;
- the course's logarithmic noise schedule beside linear, quadratic and cosine;
- the teaching views (``_diffusion_views``): the schedule, the forward process on a real
  digit and the reverse process from one noise, x_t and the predicted x̂_0 at each frame.
"""
from __future__ import annotations

import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.course.archs._diffusion_views import diffusion_views
from deeparch.course.archs.base import QUALITY_CHUNK, ArchSpec, GeneratorModel, averaged_copy, make_optimizer, update_average
from deeparch.course.config import Param
from deeparch.present.display import Line, Panel, View, generator

SCHEDULES = ("linear", "cosine", "quadratic", "log")
SAMPLERS = ("ancestral", "ddim")
MODELS = ("unet", "course")
NUM_CLASSES = 10  # the digits a conditional model can be asked for
MIN_MEDIA_STEPS = 10  # the fewest sampling steps media are drawn with on a short budget
LOG_BETA_MAX = 0.05  # the log schedule's last β (for T = 1000): ᾱ_T ≈ 3e-4, pure noise like linear's


# --------------------------------------------------------------------------- schedule
class DDPMSchedule:
    """The forward-noising schedule and the ancestral sampling step; holds no weights.

    ``betas[t]`` is the variance of the noise added at step t (t = 0 … T-1),
    ``alphas_cumprod[t]`` = ᾱ_t = ∏_{s≤t} (1 - β_s), so x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε.
    The four kinds are the course's "linear, quadratic or logarithmic" noise functions and
    the cosine one: linear and quadratic β from 1e-4 to 0.02 (DDPM's), ``log`` β from 1e-4
    to 0.05 evenly spaced in log β (β_t = β_0 · (β_max/β_0)^{t/(T-1)}: it stays tiny for
    the first half of the chain, ᾱ ≈ 0.94 at T/4 and 0.71 at T/2, then drowns the digit fast), all scaled by 1000/T;
    cosine sets ᾱ directly so it falls evenly in the middle.
    """

    def __init__(self, T: int = 1000, kind: str = "linear"):
        if kind not in SCHEDULES:
            raise ValueError(f"schedule {kind!r}: must be one of {', '.join(SCHEDULES)}")
        self.T, self.kind = int(T), kind
        T = self.T
        scale = 1000.0 / T  # DDPM's 1e-4 → 0.02 was chosen for T = 1000; keep ᾱ_T ≈ 0 for other T
        if kind == "linear":
            betas = torch.linspace(scale * 1e-4, scale * 0.02, T, dtype=torch.float64)
        elif kind == "quadratic":
            betas = torch.linspace(math.sqrt(scale * 1e-4), math.sqrt(scale * 0.02), T, dtype=torch.float64) ** 2
        elif kind == "log":  # the course's "logarithmic": β evenly spaced on a log scale (geometric growth)
            betas = torch.logspace(math.log10(scale * 1e-4), math.log10(scale * LOG_BETA_MAX), T, dtype=torch.float64)
        else:  # cosine (Nichol & Dhariwal, 2021): ᾱ(t) = cos²(((t/T)+s)/(1+s) · π/2) / ᾱ(0)
            s = 0.008
            steps = torch.arange(T + 1, dtype=torch.float64) / T
            f = torch.cos((steps + s) / (1 + s) * math.pi / 2) ** 2
            betas = (1 - f[1:] / f[:-1]).clamp(max=0.999)
        self.betas = betas.clamp(max=0.999)
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = torch.cumprod(self.alphas, 0)  # float64, (T,)

    def __repr__(self) -> str:
        return f"DDPMSchedule(T={self.T}, kind={self.kind!r})"

    def _ab(self, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        ab = self.alphas_cumprod.to(like.device)[t.to(like.device)]
        return ab.to(like.dtype).view(-1, *([1] * (like.dim() - 1)))

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """x_t = √ᾱ_t · x0 + √(1-ᾱ_t) · noise, with one t per sample: (B,) int64."""
        ab = self._ab(t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def timesteps(self, sample_steps: int = 0) -> list[int]:
        """The timesteps a sampler visits, from T-1 down to 0: all T, or an evenly respaced subset."""
        if sample_steps <= 0 or sample_steps >= self.T:
            return list(range(self.T - 1, -1, -1))
        ts = torch.linspace(0, self.T - 1, sample_steps, dtype=torch.float64).round().long().unique()
        return ts.flip(0).tolist()

    def predict_x0(self, eps_pred: torch.Tensor, t: int, x_t: torch.Tensor, clip: bool = True) -> torch.Tensor:
        """The clean image the noise guess implies: x̂_0 = (x_t - √(1-ᾱ_t) ε̂) / √ᾱ_t (clipped to [-1, 1])."""
        ab_t = float(self.alphas_cumprod[t])
        x0 = (x_t - math.sqrt(1 - ab_t) * eps_pred) / math.sqrt(ab_t)
        return x0.clamp(-1.0, 1.0) if clip else x0

    def step(self, eps_pred: torch.Tensor, t: int, x_t: torch.Tensor, generator: torch.Generator | None = None,
             prev_t: int | None = None, clip: bool = True, variance: str = "beta_tilde",
             sampler: str = "ancestral", temperature: float = 1.0, eta: float = 0.0) -> torch.Tensor:
        """One ancestral step x_t → x_{prev_t} (prev_t = t-1 unless sampling a respaced subsequence).

        The network's ε gives an estimate of x_0 (clipped to [-1, 1] when ``clip``); x_{prev} is
        drawn from the Gaussian posterior q(x_prev | x_t, x_0), whose variance is β̃ (``beta_tilde``)
        or β (``beta``). Between two timesteps of a respaced subsequence the effective β is
        1 - ᾱ_t / ᾱ_prev, as in Nichol & Dhariwal. The last step (prev < 0) adds no noise.
        With ``sampler="ddim"`` the step is DDIM's (Song et al., 2021): x_prev = √ᾱ_prev x̂_0 +
        √(1-ᾱ_prev-σ²) ε̂ + σ z with σ = η √β̃ (ε̂ re-derived from the clipped x̂_0): η = 0 is the
        deterministic step, no fresh noise (on this model slightly less recognisable digits than the
        ancestral step), η = 1 the ancestral step with β̃ again, in between a mix.
        ``temperature`` scales the fresh noise of each ancestral step (the course's "sampling
        temperature"): 1 is the DDPM posterior; below 1 trades diversity for cleaner digits.
        """
        prev_t = t - 1 if prev_t is None else prev_t
        ab_t = float(self.alphas_cumprod[t])
        ab_prev = float(self.alphas_cumprod[prev_t]) if prev_t >= 0 else 1.0
        beta = 1.0 - ab_t / ab_prev
        x0 = self.predict_x0(eps_pred, t, x_t, clip)
        if sampler == "ddim":
            if prev_t < 0:
                return x0
            eps = (x_t - math.sqrt(ab_t) * x0) / math.sqrt(1 - ab_t)
            sigma2 = eta ** 2 * beta * (1 - ab_prev) / (1 - ab_t)
            x_prev = math.sqrt(ab_prev) * x0 + math.sqrt(1 - ab_prev - sigma2) * eps
            if sigma2 == 0:
                return x_prev
            noise = torch.randn(x_t.shape, generator=generator, dtype=x_t.dtype).to(x_t.device)
            return x_prev + temperature * math.sqrt(sigma2) * noise
        mean = (math.sqrt(ab_prev) * beta / (1 - ab_t)) * x0 + (math.sqrt(1 - beta) * (1 - ab_prev) / (1 - ab_t)) * x_t
        if prev_t < 0:
            return mean
        var = beta * (1 - ab_prev) / (1 - ab_t) if variance == "beta_tilde" else beta
        noise = torch.randn(x_t.shape, generator=generator, dtype=x_t.dtype).to(x_t.device)
        return mean + temperature * math.sqrt(var) * noise


# --------------------------------------------------------------------------- U-Net
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


class CourseDenoiser(nn.Module):
    """The course's listing (Código-fonte 3), kept as it is: three 3×3 convolutions with ReLU
    (1 → d → 2d → 1) whose output is multiplied by t/1000 (here t/T, the listing's T being 1000).

    Trained with the same DDPM objective as the U-Net, it shows why the real model needs more:
    each output pixel sees only a 7×7 patch of the input (no multi-scale path, so no notion of
    a whole digit), and t only scales the answer (no timestep embedding, so the same filters
    must remove a little grain at t = 10 and invent a digit from static at t = 240).
    """

    def __init__(self, model_dim: int, T: int):
        super().__init__()
        self.T = T
        self.conv1 = nn.Conv2d(1, model_dim, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(model_dim, model_dim * 2, kernel_size=3, padding=1)
        self.conv3 = nn.Conv2d(model_dim * 2, 1, kernel_size=3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x, t, y=None):
        x = self.relu(self.conv1(x))                   # (B, d, 28, 28)
        x = self.relu(self.conv2(x))                   # (B, 2d, 28, 28)
        x = self.conv3(x)                              # (B, 1, 28, 28)
        return x * (t.float() / self.T).view(-1, 1, 1, 1)  # scale output according to the time step t


# --------------------------------------------------------------------------- the model
class Diffusion(GeneratorModel):
    """DDPM on the U-Net (or on the course's listing), optionally class-conditional.

    A conditional model (``conditional``) learns ε(x_t, t, y) for each digit y and, since the
    label is dropped (replaced by "no label") on a share ``p_uncond`` of the training images,
    also the unconditional ε(x_t, t). Sampling asks for a digit with classifier-free guidance
    (Ho & Salimans, 2022): ε̂ = ε_uncond + s · (ε_cond − ε_uncond), where the guidance scale s = 0
    is the unconditional model, 1 the plain conditional one, and s > 1 pushes each sample
    further towards what makes it *this* digit rather than any digit.
    """

    def __init__(self, cfg):
        super().__init__(cfg)
        self.schedule = DDPMSchedule(cfg.T, cfg.schedule)
        self.conditional = bool(cfg.conditional)
        self.num_classes = NUM_CLASSES if self.conditional else 0
        self.net = build_net(cfg, self.num_classes)
        # the EMA copy of the weights, used for sampling; buffers, so checkpoints carry it
        self.ema = averaged_copy(self.net) if cfg.ema_decay > 0 else None
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x_t, t, y=None):
        return self.net(x_t, t, y)

    def configure_optimizers(self):
        return [make_optimizer(self.net.parameters(), self.cfg)]

    def _train_labels(self, y: torch.Tensor) -> torch.Tensor | None:
        """The labels the network sees: each dropped to "no label" with probability p_uncond."""
        if not self.conditional:
            return None
        drop = torch.rand(y.shape).to(y.device) < self.cfg.p_uncond
        return torch.where(drop, torch.full_like(y, self.num_classes), y)

    def train_step(self, x, y, opts):
        self.train()
        opt = opts[0]
        b = x.shape[0]
        t = torch.randint(0, self.schedule.T, (b,)).to(x.device)  # a random step per image
        noise = torch.randn(x.shape).to(x.device)
        x_t = self.schedule.add_noise(x, noise, t)                 # (B, 1, 28, 28)
        labels = self._train_labels(y)
        err = (self.net(x_t, t, labels) - noise).pow(2).mean(dim=(1, 2, 3))  # predict the noise that was added
        if self.cfg.min_snr > 0:  # Min-SNR-γ: weight min(SNR, γ)/SNR, so the easy low-noise steps count less
            ab = self.schedule.alphas_cumprod.to(x.device)[t]
            snr = ab / (1 - ab)
            err = err * (snr.clamp(max=self.cfg.min_snr) / snr).to(err.dtype)
        loss = err.mean()
        self.optimize(opt, loss, list(self.net.parameters()))
        self.steps += 1
        if self.ema is not None:  # the decay's warm-up counts this model's steps
            update_average(self.ema, self.net, self.cfg.ema_decay, int(self.steps))
        return {"loss": loss.item()}

    def guided_eps(self, net: nn.Module, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None,
                   guidance: float) -> torch.Tensor:
        """The noise guess used for sampling. Unconditional: ε(x, t). Conditional, with classifier-free
        guidance: ε_u + s (ε_c − ε_u), both halves in one batched pass (s = 0 and s = 1 need one)."""
        if not self.conditional:
            return net(x, t)
        null = torch.full_like(labels, self.num_classes)
        if guidance == 0:
            return net(x, t, null)
        if guidance == 1:
            return net(x, t, labels)
        eps_c, eps_u = net(torch.cat([x, x]), torch.cat([t, t]), torch.cat([labels, null])).chunk(2)
        return eps_u + guidance * (eps_c - eps_u)

    def default_labels(self, n: int) -> torch.Tensor | None:
        """What a conditional model draws when no class is asked for: the digits in turn (0, 1, …, 9, 0, …)."""
        return torch.arange(n) % NUM_CLASSES if self.conditional else None

    def _denoise(self, x, labels, g, sample_steps=None, on_step=None):
        """The reverse process from x_T = ``x``: at each visited t, guess the noise, step to the
        next t; ``on_step(t, x_t, x̂_0)`` sees every intermediate state (the reverse-process view)."""
        net = self.ema if self.ema is not None else self.net
        device = self.steps.device
        n = x.shape[0]
        labels = labels.to(device) if labels is not None else None
        ts = self.schedule.timesteps(self.sample_steps_now if sample_steps is None else sample_steps)
        for i, t in enumerate(ts):
            prev = ts[i + 1] if i + 1 < len(ts) else -1
            eps = self.guided_eps(net, x, torch.full((n,), t, dtype=torch.long, device=device), labels,
                                  self.cfg.guidance)
            if on_step is not None:
                on_step(t, x, self.schedule.predict_x0(eps, t, x, self.cfg.clip_x0))
            x = self.schedule.step(eps, t, x, g, prev_t=prev, clip=self.cfg.clip_x0, variance=self.cfg.variance,
                                   sampler=self.cfg.sampler, temperature=self.cfg.temperature, eta=self.cfg.eta)
        return x.clamp(-1, 1)

    @torch.no_grad()
    def sample(self, n, seed, labels=None, sample_steps: int | None = None):
        """n images from the fixed noise of ``seed``; a conditional model draws digit ``labels[i]``
        for image i (a LongTensor (n,); default: the digits in turn)."""
        self.eval()
        if labels is not None and not self.conditional:
            raise ValueError("labels given to an unconditional diffusion model: it cannot be asked for a digit")
        labels = self.default_labels(n) if labels is None else labels.long()
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(n, 1, 28, 28, generator=g).to(self.steps.device)  # x_T: pure noise
        return self._denoise(x, labels, g, sample_steps)

    media_steps: int | None = None  # sampling steps of the media being drawn (None: sample_steps)

    @property
    def sample_steps_now(self) -> int:
        """The sampling steps in use: ``sample_steps``, or fewer while media are drawn on a short budget."""
        return self.media_steps or self.cfg.sample_steps

    @torch.no_grad()
    def affordable_steps(self, ctx, images: int) -> int:
        """Sampling steps that let ``images`` samples (and the reverse view's chains) be drawn before
        ``ctx.deadline``, by the time of one guided step on a batch of them: ``sample_steps`` when time
        allows, never under MIN_MEDIA_STEPS (a short run's samples are cheaper, not skipped)."""
        full = len(self.schedule.timesteps(self.cfg.sample_steps))
        if ctx.deadline == math.inf:
            return full
        self.eval()
        net = self.ema if self.ema is not None else self.net
        chains = self.num_classes or 1                                      # the reverse view's chains
        x = torch.randn(images + chains, 1, 28, 28, generator=torch.Generator().manual_seed(ctx.seed))
        labels = self.default_labels(len(x))
        start = time.perf_counter()
        self.guided_eps(net, x.to(self.steps.device), torch.full((len(x),), self.schedule.T - 1,
                        device=self.steps.device), None if labels is None else labels.to(self.steps.device),
                        self.cfg.guidance)
        per_step = time.perf_counter() - start
        left = ctx.deadline - time.perf_counter()
        return max(min(full, int(left / max(per_step, 1e-9))), min(full, MIN_MEDIA_STEPS))

    def media(self, ctx, with_quality):
        """The generator's grids and figures, then the diffusion views: schedule, forward, reverse. On a
        short media budget (``ctx.deadline``) every sample takes fewer, respaced steps (the figures say
        how many: ``quality_sample_steps``)."""
        k = len(ctx.classes)
        first = QUALITY_CHUNK if with_quality else (k * k if self.conditional else ctx.sample_count)
        steps = self.affordable_steps(ctx, first)
        self.media_steps = steps if steps < len(self.schedule.timesteps(self.cfg.sample_steps)) else None
        try:
            found, figures = super().media(ctx, with_quality)
            found = found + diffusion_views(self, ctx)
        finally:
            self.media_steps = None
        if with_quality:
            figures["quality_sample_steps"] = float(steps)
        return found, figures


def build_net(cfg, num_classes: int) -> nn.Module:
    """The ε-predictor the configuration names: the U-Net, or the course's three convolutions."""
    if cfg.model == "course":
        return CourseDenoiser(cfg.channels, cfg.T)
    return UNet(cfg.channels, dropout=cfg.dropout, attention=cfg.attention, patch=cfg.patch,
                blocks=cfg.blocks, num_classes=num_classes)


def check(hp: dict) -> str | None:
    """The combinations that cannot work, with the reason."""
    if hp["model"] == "course" and hp["conditional"]:
        return ("conditional=true needs model=unet: the course listing has no timestep embedding "
                "for a label embedding to join (set conditional=false, guidance=1)")
    if not hp["conditional"] and hp["guidance"] != 1.0:
        return (f"guidance={hp['guidance']:g} needs conditional=true: an unconditional model has no label "
                "to guide towards (set guidance=1)")
    if hp["eta"] > 0 and hp["sampler"] != "ddim":
        return f"eta={hp['eta']:g} needs sampler=ddim: the ancestral step always adds its full noise (set eta=0)"
    return None


VIEWS = (
    View("schedule", "Noise schedule", draw="curves",
         # ᾱ at T/4, T/2: linear 0.53, 0.08; cosine 0.85, 0.49; log 0.94, 0.71 (DDPMSchedule(250, kind), the
         # same at T = 1000); noise std at T/2 for log: √(1 − 0.71) = 0.54
         explain="β_t is how much fresh noise step t adds; ᾱ_t how much of the digit's signal is left after t "
                 "steps (1 = clean, 0 = pure static). A good schedule lets ᾱ fall to about 0 at the last step, so "
                 "sampling can start from pure noise. Linear drowns the digit by the middle (ᾱ ≈ 0.08 at T/2), "
                 "cosine falls evenly (0.49 at T/2); the logarithmic one stays almost clean for the first quarter "
                 "(ᾱ ≈ 0.94 at T/4), still keeps most of the signal halfway (ᾱ ≈ 0.71 at T/2, already a noise of "
                 "standard deviation 0.54 on a digit in [-1, 1]) and drowns it fast after that. The course's noise "
                 "functions."),
    View("forward", "Forward process: a real digit drowning in noise",
         explain="A real test digit (left), then the same digit at growing steps t with one fixed noise: "
                 "x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε. This is what the network sees in training; it must guess ε. "
                 "It never changes during training: it shows the schedule, not the model."),
    View("reverse", "Reverse process: from noise to a digit",
         explain="One fixed noise denoised step by step (left: pure static; right: the sample). Top row of each "
                 "pair: the current image x_t; bottom row: the clean digit x̂_0 the network predicts from it. "
                 "Early in training x̂_0 is a grey blur; a healthy model's x̂_0 shows the digit's shape halfway "
                 "through and only sharpens after. A conditional model runs the same noise once per digit, "
                 "0 to 9 from the top: the label alone decides which digit appears (the course's text-to-image)."),
)


SPEC = ArchSpec(
    name="diffusion",
    title="Diffusion (DDPM)",
    kind="generator",
    differs=(
        "Much bigger than the course's three 3×3 convolutions scaled by t/1000, which cannot produce digits: "
        "a small U-Net of residual blocks with a sinusoidal time embedding and an optional self-attention, "
        "trained as in DDPM (Ho et al., 2020) to predict the noise, with an EMA of the weights for sampling. "
        "The chain is shorter: T = 250 noising steps instead of the listing's 1000 (a knob), the noise of "
        "each step scaled up so the digit still drowns by the end, and sampling visits 100 of them. The "
        "module docstring walks through each change."),
    summary=(
        "A diffusion model learns to clean up noise. In training we take a real digit, drown it "
        "in a random amount of Gaussian noise (step t of T: a little at t = 1, almost pure static "
        "at t = T) and ask a U-Net to tell us which noise was added; the loss is the mean squared "
        "error of that guess. To draw a new digit we start from pure static and remove the "
        "predicted noise a bit at a time, adding back a little fresh noise at each step, until a "
        "digit appears. The U-Net shrinks the image to 7×7 to see the whole shape and grows it "
        "back with skip connections for the fine strokes (it first folds each 2×2 block of pixels "
        "into 4 channels, so it works on a 14×14 grid, which makes it several times cheaper); it is "
        "told t so it knows how noisy its "
        "input is. Sampling uses a slowly moving average of the weights (EMA), which draws "
        "cleaner digits than the latest, jittery weights, and a temperature: below 1 it adds a "
        "little less fresh noise at each step, for cleaner but less varied digits. "
        "Conditional (the default): the digit's label is added to t, so we can ask for a 7, the "
        "way text-to-image models are asked for a picture; the label is hidden on 10% of training "
        "images so the network also learns to denoise without it, and the guidance scale pushes "
        "each sample from 'any digit' towards 'this digit' (0 ignores the label, 1 just uses it, "
        "3 insists). The 'course' model is the course's three-convolution listing trained the same "
        "way: with no timestep embedding (t only scales its answer) and no path that sees the whole "
        "image (each pixel sees 7×7 pixels), it cannot draw digits, only blotches."
    ),
    # A 10-minute training budget (evaluation and sampling not counted), the cosine learning rate
    # annealed over it. Measured with `python -m deeparch train --arch diffusion --threads 2` (this
    # preset): 4,084 steps, recognisability 0.550 / 0.662 / 0.666 at steps 1875 / 3750 / 4084, judge
    # Fréchet 67.7 / 48.6 / 42.3, coverage 0.988; the judge gives real test digits 0.921. The same final
    # weights sampled at temperature 1: 0.604, Fréchet 29.4. With lr 1e-3 (the previous preset) and
    # temperature 1: 0.590 (0.585 over three noise seeds); the lower temperature buys most of the margin.
    preset={"epochs": 100, "max_minutes": 10.0, "batch_size": 32, "optimizer": "adam", "lr": 2e-3, "warmup": 100,
            "lr_schedule": "cosine"},  # grids and quality figures at the automatic cadences
    params=(
        Param("model", "unet", "the noise predictor: the U-Net, or the course's listing (three 3×3 convolutions, "
              "output scaled by t; no timestep embedding, no multi-scale path: it draws no digits)", str,
              choices=MODELS,
              label="Noise predictor",
              choice_labels={"unet": "U-Net", "course": "The course's three convolutions"}),
        Param("conditional", True, "ask for a digit: the label's embedding is added to the timestep's, and samples "
              "are drawn one row per digit", bool, legacy=False,
              label="Conditional"),  # runs stored before the knob were unconditional
        Param("p_uncond", 0.1, "conditional models: share of training images whose label is dropped, so one "
              "network also learns the unconditional noise that guidance needs", float, 0.0, 1.0,
              label="Label dropout"),
        Param("guidance", 3.0, "classifier-free guidance scale s at sampling: ε_uncond + s·(ε_cond − ε_uncond); "
              "0 = ignore the label, 1 = plain conditional, above 1 = more clearly the asked-for digit "
              "(conditional models only; 1 otherwise)", float, 0.0, 20.0, legacy=1.0,
              label="Guidance scale"),
        Param("T", 250, "number of noising steps of the schedule", int, 10, 4000, label="Noising steps"),
        Param("schedule", "linear", "noise schedule: how fast the image drowns in noise (β linear, quadratic, "
              "logarithmic, or cosine ᾱ)", str, choices=SCHEDULES,
              label="Noise schedule",
              choice_labels={"linear": "Linear", "cosine": "Cosine", "quadratic": "Quadratic", "log": "Logarithmic"}),
        Param("channels", 40, "U-Net channels at its finest resolution (×2 at the coarser ones)", int, 8, 256,
              label="Channels"),
        Param("patch", 2, "fold 2×2 pixels into channels (PixelUnshuffle) and run the U-Net at 14×14 "
              "and 7×7 (2), or run it on the 28×28 pixels (1)", int, 1, 2,
              label="Pixel folding"),
        Param("blocks", 1, "residual blocks per resolution on each side of the U-Net", int, 1, 4,
              label="Residual blocks"),
        Param("attention", True, "self-attention at 7×7 in the U-Net's middle", bool, label="Attention"),
        Param("min_snr", 5.0, "Min-SNR-γ loss weighting: weight min(SNR, γ)/SNR per sample (0 = plain MSE)",
              float, 0.0, 100.0,
              label="Min-SNR weighting"),
        Param("dropout", 0.0, "dropout inside the residual blocks", float, 0.0, 0.9, label="Dropout"),
        Param("ema_decay", 0.999, "decay of the weights' moving average used for sampling (0 = off)",
              float, 0.0, 0.99999,
              label="EMA decay"),
        Param("sample_steps", 100, "denoising steps when sampling, evenly respaced over T (0 = all T)",
              int, 0, 4000,
              label="Sampling steps"),
        Param("sampler", "ancestral", "sampling steps: DDPM's ancestral (fresh noise each step) or DDIM's "
              "deterministic", str, choices=SAMPLERS,
              label="Sampler",
              choice_labels={"ancestral": "Ancestral (DDPM)", "ddim": "DDIM"}),
        Param("eta", 0.0, "DDIM's η: share of the ancestral step's fresh noise it adds (0 = deterministic, "
              "1 = the ancestral step again; sampler=ddim only)", float, 0.0, 1.0,
              label="DDIM eta"),
        Param("temperature", 0.9, "sampling temperature: scale of the fresh noise at each ancestral step "
              "(1 = the DDPM posterior; lower = cleaner but less varied digits)", float, 0.0, 2.0,
              legacy=1.0,
              label="Sampling temperature"),  # runs stored before the knob existed sampled at 1
        Param("clip_x0", True, "clip the predicted clean image to [-1, 1] at each sampling step", bool,
              label="Clip x0"),
        Param("variance", "beta_tilde", "noise of each sampling step: posterior β̃ or β", str,
              choices=("beta_tilde", "beta"),
              label="Sampling variance",
              choice_labels={"beta_tilde": "Posterior β̃", "beta": "β"}),
    ),
    build=Diffusion,
    check=check,
    display=generator(Panel(
        "loss", "Denoising loss", "loss", (Line("loss", "train"),), blowup=True,
        explain="How well the U-Net guesses the added noise (Min-SNR-weighted MSE), over random noise levels. "
                "It falls fast, then slowly and noisily: small changes here still make much better digits, "
                "so judge progress by the samples and quality figures below."), views=VIEWS),
    loss_keys=("loss",),
)
