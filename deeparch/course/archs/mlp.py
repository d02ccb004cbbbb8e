"""A plain fully-connected network (multilayer perceptron): the baseline the course's CNN beats.

The course contrasts it with the CNN ("what simple DNNs cannot do efficiently"): it sees
the 784 pixels as one flat list, so a stroke moved by two pixels is a new pattern to it,
and every pixel gets its own weights to every unit instead of one small filter reused all
over the image, so it reads digits worse than the CNN.
"""
from __future__ import annotations

import torch.nn as nn

from deeparch.course.archs.base import ACTIVATION, ACTIVATIONS, INIT, ArchSpec, ClassifierModel, init_weights
from deeparch.course.config import Param
from deeparch.present.display import classifier


class MLP(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        act = ACTIVATIONS[cfg.activation]
        layers: list[nn.Module] = [nn.Flatten()]        # (B, 784)
        width_in, width = 28 * 28, cfg.width
        for _ in range(cfg.layers):                     # each hidden layer half as wide as the one before
            layers += [nn.Linear(width_in, width)]
            if cfg.batch_norm:
                layers += [nn.BatchNorm1d(width)]
            layers += [act(), nn.Dropout(cfg.dropout)]  # (B, width)
            width_in, width = width, max(width // 2, 1)
        layers += [nn.Linear(width_in, 10)]             # (B, 10)
        self.net = nn.Sequential(*layers)
        init_weights(self, cfg.init, cfg.activation)

    def forward(self, x):
        return self.net(x)


SPEC = ArchSpec(
    name="mlp",
    title="MLP (rede totalmente conectada)",
    kind="classifier",
    differs=(
        "Not a course listing: the plain fully-connected baseline the course contrasts the CNN with. It sees "
        "the 784 pixels as one flat list."),
    summary=(
        "The plain deep network the CNN is compared with: the image is flattened into one list of "
        "784 pixels and passed through fully connected layers (each hidden layer half as wide as the "
        "one before), then one score per digit. Every pixel has its own weight to every unit, so it "
        "cannot reuse a stroke detector across the picture the way a convolution does, and it reads "
        "digits worse than the CNN. Race the two to see the gap."
    ),
    preset={"epochs": 15, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("width", 512, "units in the first hidden layer (each next one has half as many)", int, 1, 4096,
              label="Width"),
        Param("layers", 2, "hidden layers", int, 1, 8, label="Layers"),
        ACTIVATION,
        INIT,
        Param("dropout", 0.2, "dropout after each hidden layer", float, 0.0, 0.95, label="Dropout"),
        Param("batch_norm", False, "batch normalisation after each hidden linear layer", bool,
              label="Batch normalisation"),
    ),
    build=MLP,
    display=classifier(),
)
