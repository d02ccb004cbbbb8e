"""A toy architecture that lives only in the test suite: an unusual metric key and a media kind of its own.

Registered for the duration of a test (``deeparch.course.archs.registered``), it must train, show
its declared panel and view on every page, and export, without a line changed outside the
tests: the proof that an architecture is one file.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from deeparch.present import images
from deeparch.course.archs.base import ArchSpec, ClassifierModel, Media
from deeparch.course.config import Param
from deeparch.present.display import Line, Panel, View, classifier

WOBBLE = Panel("toy_wobble", "Toy wobble meter", "wobble", (Line("toy_wobble", "wobble"),),
               explain="A made-up figure only the toy logs: it proves panels come from the declaration.")
MAP = View("toy_map", "Toy weight map", explain="The toy's weights drawn as an image: a media kind of its own.")


class Toy(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, cfg.width), nn.ReLU(), nn.Linear(cfg.width, 10))

    def forward(self, x):
        return self.net(x)

    def train_step(self, x, y, opts):
        out = super().train_step(x, y, opts)
        out["toy_wobble"] = self.net[1].weight.detach().std().item()
        return out

    def media(self, ctx, with_quality):
        found, figures = super().media(ctx, with_quality)
        w = self.net[1].weight.detach()[:16].view(-1, 1, 28, 28)  # (16, 1, 28, 28)
        w = w / (w.abs().amax(dim=(1, 2, 3), keepdim=True) + 1e-8)
        return [*found, Media("toy_map", images.grid_png(w, 4), {"what": "first-layer weights"})], figures


SPEC = ArchSpec(
    name="toy",
    title="Toy (test only)",
    kind="classifier",
    summary="A one-hidden-layer network that exists only in the test suite.",
    preset={"epochs": 1, "batch_size": 32, "lr": 1e-3},
    params=(Param("width", 16, "hidden units", int, 1, 64, label="Width"),),
    build=Toy,
    display=classifier(WOBBLE, views=(MAP,)),
)
