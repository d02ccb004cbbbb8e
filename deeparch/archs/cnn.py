"""The course CNN: two 3×3 convolutions, max-pooling, dropout, two linear layers."""
from __future__ import annotations

import math

import torch.nn as nn

from deeparch import insight
from deeparch.archs.base import ArchSpec, ClassifierModel, Media
from deeparch.config import Param
from deeparch.display import View, classifier

CAM_PROBES = 8  # probe digits whose Grad-CAM is drawn


class CNN(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        c1, c2, h = cfg.channels, cfg.channels * 2, cfg.hidden
        norm = (lambda c: nn.BatchNorm2d(c)) if cfg.batch_norm else (lambda c: nn.Identity())
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, cfg.kernel_size, padding=cfg.kernel_size // 2), norm(c1), nn.ReLU(),   # (B, c1, 28, 28)
            nn.Conv2d(c1, c2, cfg.kernel_size, padding=cfg.kernel_size // 2), norm(c2), nn.ReLU(),  # (B, c2, 28, 28)
            nn.MaxPool2d(2, 2),                                                                      # (B, c2, 14, 14)
            nn.Dropout(cfg.dropout_conv),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),                       # (B, c2*14*14)
            nn.Linear(c2 * 14 * 14, h), nn.ReLU(),
            nn.Dropout(cfg.dropout),
            nn.Linear(h, 10),                   # (B, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))

    def media(self, ctx, with_quality):
        """The classifier's views, then what the convolutions learned: first-layer filters, the
        feature maps of the chosen probe digit, Grad-CAM of the first probe digits."""
        out, figures = super().media(ctx, with_quality)
        i = min(self.cfg.probe_digit, len(ctx.x_probe) - 1)
        x = ctx.x_probe[:CAM_PROBES]
        cam, target = insight.grad_cam(self, x)
        conf = self.probe(x)[1]
        out += [
            Media("filters", insight.filters_png(self), {}),
            Media("feature_maps", insight.feature_maps_png(self, ctx.x_probe[i:i + 1]),
                  {"probe": i, "label": int(ctx.y_probe[i])}),
            Media("grad_cam", insight.rgb_grid_png(insight.overlay(x, cam), 4),
                  {"labels": ctx.y_probe[:CAM_PROBES].tolist(), "pred": target.tolist(),
                   "conf": [round(c, 4) for c in conf.tolist()], "classes": list(ctx.classes),
                   "ink_ratio": _finite(insight.ink_ratio(cam, x))}),
        ]
        return out, figures


def _finite(v: float) -> float | None:
    """A figure for the media's JSON meta: None where it is unbounded or undefined."""
    return round(v, 3) if math.isfinite(v) else None


FILTERS = View(
    "filters", "First-layer filters",
    explain="The 3×3 kernels of the first convolution, one square each (bright: positive weight). They start as "
            "noise; trained, many become edge and stroke detectors (a bright side next to a dark one). Course "
            "topic: convolutions learn their own local pattern detectors.")
FEATURE_MAPS = View(
    "feature_maps", "Feature maps of one probe digit",
    explain="What each convolution outputs (after its ReLU) for one test digit (knob probe_digit): the block "
            "above the white band is the first layer, the one below the second. Early maps are the digit's edges; "
            "deeper ones respond to parts of it. Maps black for every digit are dead filters. Course topic: "
            "feature hierarchies.")
GRAD_CAM = View(
    "grad_cam", "Grad-CAM: where the model looks", draw="probe",
    explain="Grad-CAM of the last convolution for the predicted class, in red-yellow over the digit. A healthy "
            "model lights up the strokes that make the digit; heat on the empty background means it decides "
            "from something other than the digit. Course topic: gradient heat maps / class activation maps.")


SPEC = ArchSpec(
    name="cnn",
    title="CNN (rede convolucional)",
    kind="classifier",
    differs=(
        "The course listing, layer for layer, at its defaults (32 and 64 filters, 3×3 kernels, pooling, "
        "dropout 0.25 and 0.5, 128 hidden units). Knobs add what the listing leaves fixed: other widths and "
        "kernel sizes, optional batch normalisation after each convolution."),
    summary=(
        "A convolutional network slides small 3×3 filters over the image, so the same "
        "pattern detector (an edge, a curve) is used everywhere in the picture. Two "
        "convolutions find local shapes, max-pooling halves the resolution, and two "
        "linear layers turn the features into one score per digit. Dropout switches off "
        "random units while training so the network does not memorise the training set."
    ),
    preset={"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("channels", 32, "filters in the first convolution (the second has twice as many)", int, 1, 256),
        Param("kernel_size", 3, "convolution kernel size", int, choices=(1, 3, 5, 7)),
        Param("hidden", 128, "units in the hidden linear layer", int, 1, 4096),
        Param("dropout_conv", 0.25, "dropout after the convolutions", float, 0.0, 0.95),
        Param("dropout", 0.5, "dropout before the last layer", float, 0.0, 0.95),
        Param("batch_norm", False, "batch normalisation after each convolution", bool),
        Param("probe_digit", 0, "which of the 16 fixed test digits the feature-map view shows", int, 0, 15),
    ),
    display=classifier(views=(FILTERS, FEATURE_MAPS, GRAD_CAM)),
    race_default=True,
    build=CNN,
)
