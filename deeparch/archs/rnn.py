"""The course RNN: a stacked LSTM (or GRU / plain RNN) that reads the image column by column.

As the course listing does (``inputs.squeeze(1).permute(0, 2, 1)``): each time step is one
image column, left to right; reading rows (top to bottom) is an option. On a token dataset
(``deeparch.tasks``) the same recurrent core reads one embedded token per step and its head
scores the next token at every step. Two course variants are knobs: attention over the time
steps (Luong-style: each step's hidden state queries all earlier ones, the weights are kept
for the views) instead of reading the last hidden state alone, and a learned initial state
instead of zeros.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from deeparch import tasks
from deeparch.archs._tokens import TokenModel, token_display
from deeparch.archs.base import ArchSpec, ClassifierModel, Race
from deeparch.config import Param
from deeparch.data import DATASETS
from deeparch.display import classifier

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class Recurrent(nn.Module):
    """The recurrent core: (B, T, F) inputs → (B, T, H') outputs, attention-mixed if asked."""

    def __init__(self, cfg, input_size: int):
        super().__init__()
        self.cfg = cfg
        dirs = 2 if cfg.bidirectional else 1
        self.rnn = CELLS[cfg.cell](
            input_size=input_size, hidden_size=cfg.hidden, num_layers=cfg.layers, batch_first=True,
            dropout=cfg.dropout if cfg.layers > 1 else 0.0, bidirectional=cfg.bidirectional,
        )
        self.size = cfg.hidden * dirs
        if cfg.forget_bias:  # gates order i, f, g, o: an open forget gate remembers by default
            for name, b in self.rnn.named_parameters():
                if name.startswith("bias_"):
                    with torch.no_grad():
                        b[cfg.hidden:2 * cfg.hidden] = cfg.forget_bias if name.startswith("bias_ih") else 0.0
        if cfg.init_state == "learned":  # one learned start per layer and direction (and cell state for LSTM)
            states = 2 if cfg.cell == "lstm" else 1
            self.h0 = nn.Parameter(torch.zeros(states, cfg.layers * dirs, 1, cfg.hidden))
        if cfg.readout == "attention":
            self.score = nn.Linear(self.size, self.size, bias=False)   # Luong's "general" score h_t·W·h_s
            self.mix = nn.Linear(2 * self.size, self.size)            # attentional state tanh(W[ctx; h_t])
        self.attention: torch.Tensor | None = None  # (B, Q, T) weights of the last forward, for the views

    def initial(self, batch: int):
        if self.cfg.init_state != "learned":
            return None  # PyTorch starts from zeros
        h = self.h0.expand(-1, -1, batch, -1).contiguous()          # (states, layers·dirs, B, H)
        return (h[0], h[1]) if self.cfg.cell == "lstm" else h[0]

    def forward(self, seq: torch.Tensor, every_step: bool) -> torch.Tensor:
        out, _ = self.rnn(seq, self.initial(seq.shape[0]))         # (B, T, H')
        query = out if every_step else out[:, -1:]                  # (B, Q, H'), Q = T or 1
        if self.cfg.readout != "attention":
            return query
        scores = self.score(query) @ out.transpose(1, 2)            # (B, Q, T)
        if every_step:  # a step attends to itself and the steps before it, never to later ones
            later = torch.ones(out.shape[1], out.shape[1], dtype=torch.bool, device=out.device).triu(1)
            scores = scores.masked_fill(later, float("-inf"))
        weights = scores.softmax(-1)                                 # (B, Q, T)
        self.attention = weights.detach()
        context = weights @ out                                      # (B, Q, H')
        return torch.tanh(self.mix(torch.cat([context, query], -1)))


class RNN(ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.core = Recurrent(cfg, 28)
        self.fc = nn.Linear(self.core.size, 10)

    def forward(self, x):
        seq = x.squeeze(1)                  # (B, 28 rows, 28 pixels)
        if self.cfg.read == "columns":
            seq = seq.permute(0, 2, 1)      # (B, 28 columns, 28 pixels): the course listing's order
        return self.fc(self.core(seq, every_step=False)[:, -1])   # last step (or its attentional state) → (B, 10)


class RNNLM(TokenModel):
    """The same core on a token task: embedded tokens in, the next token's scores at every step."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.embed = nn.Embedding(len(tasks.VOCAB), cfg.hidden)
        self.core = Recurrent(cfg, cfg.hidden)
        self.fc = nn.Linear(self.core.size, len(tasks.VOCAB))

    def forward(self, x):                                    # (B, T) token ids
        return self.fc(self.core(self.embed(x), every_step=True))   # (B, T, V)


def build(cfg):
    return RNNLM(cfg) if DATASETS[cfg.dataset].kind == "tokens" else RNN(cfg)


RECALL_SETTINGS = {"distance": 100, "hidden": 64, "layers": 1, "lr": 1e-2, "batch_size": 32}
RECALL = Race(
    "recall-race", "Long-range recall: plain RNN against LSTM (distance 100)",
    "Both read a digit, 100 blanks, then a question mark, and must answer the digit. The plain RNN's "
    "gradient fades over the gap and it stays near chance (10%); the LSTM, its forget gate open at the "
    "start (forget_bias 3), carries the digit in its cell.",
    (("plain RNN", "rnn", {**RECALL_SETTINGS, "cell": "rnn"}),
     ("LSTM", "rnn", {**RECALL_SETTINGS, "cell": "lstm", "forget_bias": 3.0})),
    "recall")

SPEC = ArchSpec(
    name="rnn",
    title="RNN (LSTM / GRU)",
    kind="classifier",
    summary=(
        "A recurrent network reads the digit one column at a time, left to right, keeping a "
        "memory (the hidden state) of what it has seen so far; after the 28th column it "
        "decides which digit it was. LSTM and GRU cells have gates that decide what to "
        "keep and what to forget, which lets gradients survive through many steps; the "
        "plain RNN cell has none, and its gradients fade — try the long-range recall task. "
        "On a generated sequence task it reads one symbol per step and predicts the next."
    ),
    preset={"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("cell", "lstm", "recurrent cell", str, choices=("lstm", "gru", "rnn")),
        Param("hidden", 128, "hidden state size", int, 1, 1024),
        Param("layers", 2, "stacked recurrent layers", int, 1, 6),
        Param("dropout", 0.0, "dropout between recurrent layers", float, 0.0, 0.95),
        Param("bidirectional", False, "also read the sequence backwards (images only: a language model "
              "must not see the tokens it predicts)", bool),
        Param("read", "columns", "one time step is an image column (left to right, as the course listing) "
              "or a row (top to bottom)", str, choices=("columns", "rows"), legacy="rows"),
        Param("readout", "last", "what the head reads: the last hidden state, or attention over every time "
              "step's hidden state", str, choices=("last", "attention"), legacy="last"),
        Param("forget_bias", 0.0, "initial forget-gate bias of the LSTM (0 = PyTorch's default init; 1 or "
              "more keeps the memory open at the start, the common practice)", float, 0.0, 10.0),
        Param("init_state", "zero", "initial hidden state: zeros, or learned", str, choices=("zero", "learned"),
              legacy="zero"),
    ),
    display=classifier(),
    token_display=token_display(),
    race_default=True,
    build=build,
    check=lambda hp: ("forget_bias applies to the lstm cell only" if hp["forget_bias"] and hp["cell"] != "lstm"
                      else None),
    inputs=("image", "tokens"),
    image_only=("read", "bidirectional"),
    races=(RECALL,),
)
