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

import torch
import torch.nn as nn

from deeparch.archs.base import ACTIVATION, ACTIVATIONS, INIT, ArchSpec, ClassifierModel, init_weights
from deeparch.config import Param
from deeparch.display import classifier


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


def check(hp: dict) -> str | None:
    if hp["block"] == "inception" and (hp["channels"] * 2) % 4:
        return (f"block=inception splits the {hp['channels'] * 2} output channels into 4 equal branches: "
                "channels must be even")
    return None


SPEC = ArchSpec(
    name="cnn",
    title="CNN (rede convolucional)",
    kind="classifier",
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
        Param("channels", 32, "filters in the first convolution (the second has twice as many)", int, 1, 256),
        Param("kernel_size", 3, "convolution kernel size", int, choices=(1, 3, 5, 7)),
        Param("hidden", 128, "units in the hidden linear layer", int, 1, 4096),
        Param("dropout_conv", 0.25, "dropout after the convolutions", float, 0.0, 0.95),
        Param("dropout", 0.5, "dropout before the last layer", float, 0.0, 0.95),
        Param("batch_norm", False, "batch normalisation after each convolution", bool),
        ACTIVATION,
        INIT,
        Param("block", "plain", "the second convolution: plain (the course listing), residual (a ResNet "
              "block with batch norm and a shortcut) or inception (1×1 / 3×3 / 5×5 / pooling branches side "
              "by side)", str, choices=("plain", "residual", "inception")),
        Param("dilation", 1, "dilation of the k×k convolutions: gaps between the kernel's taps widen its "
              "view without more weights (1 = ordinary)", int, 1, 4),
        Param("downsample", "maxpool", "how the resolution is halved: max-pooling (the course listing) or a "
              "stride-2 convolution that learns its own downsampling", str, choices=("maxpool", "stride")),
    ),
    display=classifier(),
    race_default=True,
    build=CNN,
    check=check,
)
