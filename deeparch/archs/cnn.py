"""The course CNN: two 3×3 convolutions, max-pooling, dropout, two linear layers."""
from __future__ import annotations

import torch.nn as nn

from deeparch.archs.base import ArchSpec, ClassifierModel
from deeparch.config import Param
from deeparch.display import classifier


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


SPEC = ArchSpec(
    name="cnn",
    title="CNN (rede convolucional)",
    kind="classifier",
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
    ),
    display=classifier(),
    race_default=True,
    build=CNN,
)
