"""The course RNN: a stacked LSTM (or GRU / plain RNN) that reads the image row by row."""
from __future__ import annotations

import torch.nn as nn

from deeparch.archs.base import ArchSpec, ClassifierModel
from deeparch.config import Param
from deeparch.display import classifier

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class RNN(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.rnn = CELLS[cfg.cell](
            input_size=28, hidden_size=cfg.hidden, num_layers=cfg.layers, batch_first=True,
            dropout=cfg.dropout if cfg.layers > 1 else 0.0, bidirectional=cfg.bidirectional,
        )
        self.fc = nn.Linear(cfg.hidden * (2 if cfg.bidirectional else 1), 10)

    def forward(self, x):
        seq = x.squeeze(1)           # (B, 28 rows, 28 pixels): one row per time step
        out, _ = self.rnn(seq)       # (B, 28, H * directions)
        return self.fc(out[:, -1])   # last time step → (B, 10)


SPEC = ArchSpec(
    name="rnn",
    title="RNN (LSTM / GRU)",
    kind="classifier",
    differs=(
        "The course listing at its defaults: a 2-layer LSTM of 128 units reading the 28 rows as 28 time "
        "steps, the last step's output into a linear layer. Knobs swap the cell (GRU or a plain RNN, to see "
        "vanishing gradients), the depth and width, and add dropout or a bidirectional reading."),
    summary=(
        "A recurrent network reads the digit one row at a time, top to bottom, keeping a "
        "memory (the hidden state) of what it has seen so far; after the 28th row it "
        "decides which digit it was. LSTM and GRU cells have gates that decide what to "
        "keep and what to forget, which lets gradients survive through many steps; the "
        "plain RNN cell has none, and its gradients fade — watch the gradient heatmap."
    ),
    preset={"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("cell", "lstm", "recurrent cell", str, choices=("lstm", "gru", "rnn")),
        Param("hidden", 128, "hidden state size", int, 1, 1024),
        Param("layers", 2, "stacked recurrent layers", int, 1, 6),
        Param("dropout", 0.0, "dropout between recurrent layers", float, 0.0, 0.95),
        Param("bidirectional", False, "also read the rows bottom to top", bool),
    ),
    display=classifier(),
    race_default=True,
    build=RNN,
)
