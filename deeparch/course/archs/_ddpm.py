"""The diffusion architecture's noise schedule (``DDPMSchedule``): it noises images for training and
takes one sampling step, DDPM's ancestral one or DDIM's, optionally on a respaced subsequence of the T
steps. It holds no weights. The ``diffusion`` module docstring explains the choices."""
from __future__ import annotations

import math

import torch

SCHEDULES = ("linear", "cosine", "quadratic", "log")
LOG_BETA_MAX = 0.05  # the log schedule's last β (for T = 1000): ᾱ_T ≈ 3e-4, pure noise like linear's


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
