"""The course CNN: two 3×3 convolutions, max-pooling, dropout, two linear layers; and the course's
CNN variants as knobs of the same file.

The variants (a residual block with batch norm, an Inception-style block, dilated convolutions,
strided convolutions instead of pooling) are knobs here, not architecture files of their own:
they change only the feature extractor between the same input and the same classifier head, so
they share every view, the display and the transfer-learning layer names (``features``,
``classifier``), and a race or a Compare of "plain against residual" is a one-knob difference.
The defaults are the course listing.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from deeparch.present import insight
from deeparch.course.archs.base import ACTIVATION, ACTIVATIONS, INIT, ArchSpec, ClassifierModel, Media, init_weights
from deeparch.course.config import Param
from deeparch.present.display import View, classifier, other_images
from deeparch.present.messages import Message

CAM_PROBES = 8  # probe digits whose Grad-CAM is drawn


def conv(cin: int, cout: int, k: int, dilation: int = 1, stride: int = 1) -> nn.Conv2d:
    """A k×k convolution that keeps the size ("same" padding, also when dilated), or halves it with stride 2."""
    return nn.Conv2d(cin, cout, k, stride=stride, padding=dilation * (k // 2), dilation=dilation)


class Residual(nn.Module):
    """ResNet's basic block: conv-BN-act-conv-BN plus a shortcut (a 1×1 projection where the shape
    changes), then the activation. The shortcut carries the gradient past the convolutions."""

    def __init__(self, cin: int, cout: int, k: int, dilation: int, stride: int, act):
        super().__init__()
        self.body = nn.Sequential(conv(cin, cout, k, dilation, stride), nn.BatchNorm2d(cout), act(),
                                  conv(cout, cout, k, dilation), nn.BatchNorm2d(cout))
        self.shortcut = (nn.Identity() if cin == cout and stride == 1 else
                         nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride), nn.BatchNorm2d(cout)))
        self.act = act()

    def forward(self, x):
        return self.act(self.body(x) + self.shortcut(x))


class Inception(nn.Module):
    """GoogLeNet's block: 1×1, 3×3 and 5×5 convolutions and a 3×3 pooling side by side, each branch a
    quarter of the output channels, concatenated: the network picks its own receptive field."""

    def __init__(self, cin: int, cout: int, dilation: int, stride: int, act):
        super().__init__()
        q = cout // 4
        self.b1 = nn.Sequential(nn.Conv2d(cin, q, 1, stride=stride), act())
        self.b3 = nn.Sequential(nn.Conv2d(cin, q, 1), act(), conv(q, q, 3, dilation, stride), act())
        self.b5 = nn.Sequential(nn.Conv2d(cin, q, 1), act(), conv(q, q, 5, dilation, stride), act())
        self.bp = nn.Sequential(nn.MaxPool2d(3, stride=stride, padding=1), nn.Conv2d(cin, q, 1), act())

    def forward(self, x):
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(x)], 1)  # (B, 4q, H', W')


class CNN(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        c1, c2, h, k, d = cfg.channels, cfg.channels * 2, cfg.hidden, cfg.kernel_size, cfg.dilation
        act = ACTIVATIONS[cfg.activation]
        stride = 2 if cfg.downsample == "stride" else 1
        norm = (lambda c: nn.BatchNorm2d(c)) if cfg.batch_norm else (lambda c: nn.Identity())
        stem = [conv(1, c1, k, d), norm(c1), act()]                                    # (B, c1, 28, 28)
        if cfg.block == "residual":
            body = [Residual(c1, c2, k, d, stride, act)]
        elif cfg.block == "inception":
            body = [Inception(c1, c2, d, stride, act)]
        else:
            body = [conv(c1, c2, k, d, stride), norm(c2), act()]
        pool = [nn.MaxPool2d(2, 2)] if stride == 1 else []                              # both: (B, c2, 14, 14)
        self.features = nn.Sequential(*stem, *body, *pool, nn.Dropout(cfg.dropout_conv))
        self.classifier = nn.Sequential(
            nn.Flatten(),                       # (B, c2*14*14)
            nn.Linear(c2 * 14 * 14, h), act(),
            nn.Dropout(cfg.dropout),
            nn.Linear(h, 10),                   # (B, 10)
        )
        init_weights(self, cfg.init, cfg.activation)

    def forward(self, x):
        return self.classifier(self.features(x))

    def media(self, ctx, with_quality):
        """The classifier's views, then what the convolutions learned: first-layer filters, the
        feature maps of the chosen probe digit, Grad-CAM of the first probe digits. Those three ride on
        the quality passes (three over the run and its end), not on every grid: together they cost about
        a third of a training step, which at every grid of a short run broke the 5% logging budget."""
        out, figures = super().media(ctx, with_quality)
        if not with_quality:
            return out, figures
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
    explain="The first convolution's kernels (kernel_size × kernel_size: 3×3 in the course listing), one square "
            "each. Each square is scaled on its own, from its smallest weight (black) to its largest (white): "
            "grey is not zero, and two squares cannot be compared by brightness. They start as noise; trained, "
            "many become edge and stroke detectors (a bright side next to a dark one). Course topic: "
            "convolutions learn their own local pattern detectors.")
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
other_images(
    FEATURE_MAPS, title="Feature maps of one probe image",
    explain="What each convolution outputs (after its ReLU) for one test image (knob probe_digit): the block "
            "above the white band is the first layer, the one below the second. Early maps are the image's edges; "
            "deeper ones respond to parts of it. Maps black for every image are dead filters. Course topic: "
            "feature hierarchies.")
other_images(
    GRAD_CAM,
    explain="Grad-CAM of the last convolution for the predicted class, in red-yellow over the image. A healthy "
            "model lights up the parts that make the class; heat on the empty background means it decides "
            "from something other than the object. Course topic: gradient heat maps / class activation maps.")

def check(hp: dict) -> str | None:
    if hp["block"] == "inception" and (hp["channels"] * 2) % 4:
        return Message("inception_even", channels=hp['channels'] * 2)
    return None


SPEC = ArchSpec(
    name="cnn",
    title="CNN (rede convolucional)",
    kind="classifier",
    differs=(
        "The course listing, layer for layer, at its defaults (32 and 64 filters, 3×3 kernels, pooling, "
        "dropout 0.25 and 0.5, 128 hidden units), with its inputs in [-1, 1]. Almost all of its 1,625,866 "
        "weights are in the first linear layer (64 maps of 14×14 = 12,544 inputs to 128 units: 1,605,760); "
        "the two convolutions hold 18,816. Knobs add what the listing leaves fixed: other widths, kernel sizes "
        "and hidden units, batch normalisation, and the course's variants (residual or Inception block, "
        "dilation, a strided convolution instead of pooling)."),
    summary=(
        "A convolutional network slides small 3×3 filters over the image, so the same "
        "pattern detector (an edge, a curve) is used everywhere in the picture. Two "
        "convolutions find local shapes, max-pooling halves the resolution, and two "
        "linear layers turn the features into one score per digit. Dropout switches off "
        "random units while training so the network does not memorise the training set. "
        "The course's variants are settings: a residual block (ResNet), an Inception block, "
        "dilated convolutions, a strided convolution instead of pooling."
    ),
    preset={"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("channels", 32, "filters in the first convolution (the second has twice as many)", int, 1, 256,
              label="Channels"),
        Param("kernel_size", 3, "convolution kernel size", int, choices=(1, 3, 5, 7), label="Kernel size"),
        Param("hidden", 128, "units in the hidden linear layer", int, 1, 4096, label="Hidden units"),
        Param("dropout_conv", 0.25, "dropout after the convolutions", float, 0.0, 0.95, label="Convolution dropout"),
        Param("dropout", 0.5, "dropout before the last layer", float, 0.0, 0.95, label="Dropout"),
        Param("batch_norm", False, "batch normalisation after each convolution", bool, label="Batch normalisation"),
        Param("probe_digit", 0, "which of the 16 fixed test digits the feature-map view shows", int, 0, 15,
              label="Probe digit"),
        ACTIVATION,
        INIT,
        Param("block", "plain", "the second convolution: plain (the course listing), residual (a ResNet "
              "block with batch norm and a shortcut) or inception (1×1 / 3×3 / 5×5 / pooling branches side "
              "by side)", str, choices=("plain", "residual", "inception"),
              label="Second convolution block",
              choice_labels={
                  "plain": "Plain convolution, as in the course", "residual": "ResNet residual block",
                  "inception": "Inception block",
              }),
        Param("dilation", 1, "dilation of the k×k convolutions: gaps between the kernel's taps widen its "
              "view without more weights (1 = ordinary)", int, 1, 4,
              label="Dilation"),
        Param("downsample", "maxpool", "how the resolution is halved: max-pooling (the course listing) or a "
              "stride-2 convolution that learns its own downsampling", str, choices=("maxpool", "stride"),
              label="Downsampling",
              choice_labels={"maxpool": "Max-pooling, as in the course", "stride": "Stride-2 convolution"}),
    ),
    display=classifier(views=(FILTERS, FEATURE_MAPS, GRAD_CAM)),
    race_default=True,
    build=CNN,
    check=check,
)
