"""The diffusion model's teaching views (issue 12.5): its noise schedule, the forward process
on one real digit, and the reverse process from one fixed noise to a digit.

Computed at the sample-grid cadence on one probe digit and one noise (one per class for a
conditional model), so they cost a small fraction of the 64-image grid drawn beside them.
"""
from __future__ import annotations

import torch

from deeparch.present import images
from deeparch.course.archs.base import Media, MediaContext
from deeparch.present.display import View, other_images

FRAMES = 8  # images in each strip


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
SCHEDULE, FORWARD, REVERSE = VIEWS
other_images(
    SCHEDULE,
    explain="β_t is how much fresh noise step t adds; ᾱ_t how much of the image's signal is left after t "
            "steps (1 = clean, 0 = pure static). A good schedule lets ᾱ fall to about 0 at the last step, so "
            "sampling can start from pure noise. Linear drowns the image by the middle (ᾱ ≈ 0.08 at T/2), "
            "cosine falls evenly (0.49 at T/2); the logarithmic one stays almost clean for the first quarter "
            "(ᾱ ≈ 0.94 at T/4), still keeps most of the signal halfway (ᾱ ≈ 0.71 at T/2, already a noise of "
            "standard deviation 0.54 on an image in [-1, 1]) and drowns it fast after that. The course's noise "
            "functions.")
other_images(
    FORWARD, title="Forward process: a real image drowning in noise",
    explain="A real test image (left), then the same image at growing steps t with one fixed noise: "
            "x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε. This is what the network sees in training; it must guess ε. "
            "It never changes during training: it shows the schedule, not the model.")
other_images(
    REVERSE, title="Reverse process: from noise to an image",
    explain="One fixed noise denoised step by step (left: pure static; right: the sample). Top row of each "
            "pair: the current image x_t; bottom row: the clean image x̂_0 the network predicts from it. "
            "Early in training x̂_0 is a grey blur; a healthy model's x̂_0 shows the image's shape halfway "
            "through and only sharpens after. A conditional model runs the same noise once per label, 0 to 9 from "
            "the top (a set of fewer classes never trained the last ones): the label alone decides which class "
            "appears (the course's text-to-image).")


def frame_steps(ts: list[int], frames: int = FRAMES) -> list[int]:
    """``frames`` of the visited timesteps ``ts``, evenly spread, the first (noisiest) and the last included."""
    idx = torch.linspace(0, len(ts) - 1, min(frames, len(ts))).round().long().unique().tolist()
    return [ts[i] for i in idx]


def schedule_media(schedule) -> Media:
    """β_t and ᾱ_t over t, for draw="curves" (no PNG)."""
    x = list(range(schedule.T))
    series = [{"label": "β_t (noise added at step t)", "x": x, "y": [round(v, 6) for v in schedule.betas.tolist()]},
              {"label": "ᾱ_t (share of the image's signal power left)", "x": x,
               "y": [round(v, 6) for v in schedule.alphas_cumprod.tolist()]}]
    return Media("schedule", b"", {"series": series, "xlabel": "step t", "ylabel": "value", "log_y": False,
                                   "kind": schedule.kind})


def forward_media(schedule, ctx: MediaContext) -> Media:
    """One real probe digit noised to several t with one fixed noise: x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε."""
    ts = frame_steps(list(range(schedule.T)))
    x0 = ctx.x_probe[:1].expand(len(ts), -1, -1, -1)                            # (F, 1, 28, 28)
    noise = torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(ctx.seed)).to(x0.device).expand_as(x0)
    x_t = schedule.add_noise(x0, noise, torch.tensor(ts))
    return Media("forward", images.grid_png(torch.cat([ctx.x_probe[:1], x_t]), len(ts) + 1),
                 {"t": ts, "label": int(ctx.y_probe[0]), "first": "x_0 (the real digit)"})


@torch.no_grad()
def reverse_media(model, ctx: MediaContext) -> Media:
    """The sampler's chain from one fixed noise: x_t and the predicted clean x̂_0 at ``FRAMES`` of its
    steps, two rows (x_t above x̂_0); a conditional model runs the same noise once per digit, two rows each."""
    model.eval()
    labels = torch.arange(model.num_classes) if model.conditional else None
    chains = len(labels) if labels is not None else 1
    g = torch.Generator().manual_seed(ctx.seed)
    x = torch.randn(1, 1, 28, 28, generator=g).expand(chains, -1, -1, -1).to(model.steps.device).contiguous()
    keep = set(frame_steps(model.schedule.timesteps(model.sample_steps_now)))
    seen: list[tuple[int, torch.Tensor, torch.Tensor]] = []

    def record(t, x_t, x0):
        if t in keep:
            seen.append((t, x_t.cpu(), x0.cpu()))

    model._denoise(x, labels, g, on_step=record)
    x_ts = torch.stack([s[1] for s in seen], 1)                                  # (C, F, 1, 28, 28)
    x0s = torch.stack([s[2] for s in seen], 1)                                   # (C, F, 1, 28, 28)
    rows = torch.stack([x_ts, x0s], 1).flatten(0, 2)                             # (C·2·F, 1, 28, 28)
    meta = {"t": [s[0] for s in seen], "rows": ["x_t", "x̂_0"],
            "labels": labels.tolist() if labels is not None else None}
    return Media("reverse", images.grid_png(rows, len(seen)), meta)


def diffusion_views(model, ctx: MediaContext) -> list[Media]:
    return [schedule_media(model.schedule), forward_media(model.schedule, ctx), reverse_media(model, ctx)]
