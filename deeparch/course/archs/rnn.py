"""The course RNN: a stacked LSTM (or GRU / plain RNN) that reads the image column by column.

As the course listing does (``inputs.squeeze(1).permute(0, 2, 1)``): each time step is one
image column, left to right; reading rows (top to bottom) is an option. On a token dataset
(``deeparch.course.tasks``) the same recurrent core reads one embedded token per step and its head
scores the next token at every step. Two course variants are knobs: attention over the time
steps (Luong-style: each step's hidden state queries all earlier ones, the weights are kept
for the views) instead of reading the last hidden state alone, and a learned initial state
instead of zeros; ``forget_bias`` opens the LSTM's forget gate at the start (common practice,
and what lets the LSTM bridge the recall task's long gap within minutes). ``step_dropout`` is dropout between
time steps (variational: one mask per sequence, the same at every step, on the recurrent layers' inputs and
outputs). On the text corpus (``deeparch.course.text``) ``CharRNN`` can carry its hidden state from one batch
to the next along contiguous streams (truncated backpropagation through time), reset every N batches.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.course import tasks, text
from deeparch.course.archs._series import SeriesModel, series_display
from deeparch.course.archs._text import CharModel, text_display
from deeparch.course.archs._tokens import TokenModel, token_display, token_loss
from deeparch.course.archs.base import ArchSpec, ClassifierModel, Media, Preset, Race
from deeparch.course.config import Param
from deeparch.course.data import DATASETS
from deeparch.present.display import View, classifier
from deeparch.present.messages import Message

PROBES = 4  # probe inputs whose hidden-state trajectories are drawn

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


def locked_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout between time steps, variational (Gal & Ghahramani): x (B, T, F) times one mask per sequence
    (B, 1, F), so a unit dropped at one step is dropped at every step; plain dropout draws a new mask per step."""
    if not training or p <= 0:
        return x
    mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1 - p) / (1 - p)     # (B, 1, F)
    return x * mask


class Recurrent:
    """The recurrent core both models share: (B, T, F) inputs → (B, T, H') outputs, attention-mixed if
    asked. A mixin, not a submodule, so the layers keep the names the course listing gives them
    (``rnn``, ``fc``): the per-layer gradient rows of old and new runs line up."""

    def build_core(self, input_size: int) -> None:
        cfg = self.cfg
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
        self.outputs: torch.Tensor | None = None    # (B, T, H') hidden states of the last forward, for the views
        self.stepwise = False                        # views: run one step at a time, keeping each step's state
        self.states: list[torch.Tensor] = []         # with stepwise: the carried state h_t of every step

    def unrolled(self, seq: torch.Tensor) -> torch.Tensor:
        """The same recurrence one time step at a time, each step's carried hidden state kept in ``states``
        (the fused kernel hides them) so the views can take the loss's gradient with respect to each."""
        state, outs, self.states = self.initial(seq.shape[0]), [], []
        for t in range(seq.shape[1]):
            _, state = self.rnn(seq[:, t:t + 1], state)
            h = state[0] if self.cfg.cell == "lstm" else state           # (layers, B, H)
            self.states.append(h)
            outs.append(h[-1].unsqueeze(1))  # the top layer's state is the step's output: one node, both paths
        return torch.cat(outs, 1)                                        # (B, T, H)

    def initial(self, batch: int):
        if self.cfg.init_state != "learned":
            return None  # PyTorch starts from zeros
        h = self.h0.expand(-1, -1, batch, -1).contiguous()          # (states, layers·dirs, B, H)
        return (h[0], h[1]) if self.cfg.cell == "lstm" else h[0]

    def recur(self, seq: torch.Tensor, every_step: bool, state=None) -> torch.Tensor:
        """(B, T, F) → (B, T, H') outputs (``every_step``) or the last (B, 1, H'); from ``state`` if given
        (a carried one), the final state kept in ``final_state``."""
        drop = self.cfg.hp.get("step_dropout", 0.0)
        seq = locked_dropout(seq, drop, self.training)
        if self.stepwise:
            out = self.unrolled(seq)
        else:
            out, self.final_state = self.rnn(seq, self.initial(seq.shape[0]) if state is None else state)
        out = locked_dropout(out, drop, self.training)             # (B, T, H')
        if not self.training:  # kept for the views (drawn in eval mode); a training batch's graph is not held
            self.outputs = out
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


def rnn_views(core: Recurrent, loss_of, labels: list[str]) -> tuple[list[Media], dict[str, float]]:
    """The recurrent views of the probes: the gradient norm of the loss ``loss_of()`` with respect to each
    time step's carried hidden state (vanishing gradients through time; not for bidirectional reading),
    the probes' hidden-state trajectories projected on their first two principal components, and the
    attention weights over time. The curve's two ends are also returned as metrics ``grad_t/<step>``, so
    the diagnostics can name a gradient that vanishes through time in words."""
    media, figures = [], {}
    if not core.cfg.bidirectional:
        core.stepwise = True
        try:
            # cuDNN's RNN has no backward in eval mode (no dropout wanted here): PyTorch's own kernels do
            with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
                grads = torch.autograd.grad(loss_of(), core.states)        # T × (layers, B, H)
        finally:
            core.stepwise = False
        per_step = [g.transpose(0, 1).flatten(1).norm(dim=1).mean().item() for g in grads]   # T floats
        media.append(Media("time_grads", b"", {
            "series": [{"label": core.cfg.cell, "x": list(range(len(per_step))), "y": per_step}],
            "xlabel": "time step", "ylabel": "‖∂loss/∂h_t‖", "log_y": True}))
        figures = {f"grad_t/{t}": per_step[t] for t in (0, len(per_step) - 1)}
    with torch.no_grad():
        loss_of()
    out = core.outputs                                                     # (B, T, H')
    steps = list(range(out.shape[1]))
    h = out[:PROBES].detach()                                              # (P, T, H')
    flat = h.reshape(-1, h.shape[-1])
    flat = flat - flat.mean(0)
    pcs = flat @ torch.linalg.svd(flat, full_matrices=False)[2][:2].T      # (P·T, 2)
    pcs = pcs.reshape(h.shape[0], h.shape[1], 2)
    media.append(Media("trajectory", b"", {
        "series": [{"label": labels[i], "x": pcs[i, :, 0].tolist(), "y": pcs[i, :, 1].tolist()} for i in range(len(h))],
        "xlabel": "principal component 1", "ylabel": "principal component 2", "log_y": False}))
    if core.attention is not None:
        w = core.attention[:PROBES, -1]                                    # (P, T): the last step's weights
        media.append(Media("attention_time", b"", {
            "series": [{"label": labels[i], "x": steps, "y": w[i].tolist()} for i in range(len(w))],
            "xlabel": "time step", "ylabel": "attention weight", "log_y": False}))
    return media, figures


TIME_GRADS = View(
    "time_grads", "Gradient through time", draw="curves",
    explain="How strongly the loss reacts to the hidden state at each time step (log scale), averaged over the "
            "probes: the gradient that backpropagation through time (BPTT) carries back from the last step to "
            "the first, through the network unrolled over the steps. A curve that falls by decades towards the "
            "first steps is the vanishing gradient: those steps barely learn, typical of the plain RNN; LSTM and "
            "GRU keep it flatter.")
TRAJECTORY = View(
    "trajectory", "Hidden-state trajectories (PCA)", draw="curves",
    explain="Each line is one probe input's hidden state moving over the time steps, projected on the two "
            "directions where the states vary most. Trained, inputs of different classes end in different "
            "places; untrained, the paths overlap.")
ATTENTION_TIME = View(
    "attention_time", "Attention over time", draw="curves",
    explain="With readout=attention: how much the final step's read-out draws on each time step, per probe. "
            "On recall a trained model puts its weight on the first step, where the digit was.")


class RNN(Recurrent, ClassifierModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        self.build_core(28)
        self.fc = nn.Linear(self.size, 10)

    def forward(self, x):
        seq = x.squeeze(1)                  # (B, 28 rows, 28 pixels)
        if self.cfg.read == "columns":
            seq = seq.permute(0, 2, 1)      # (B, 28 columns, 28 pixels): the course listing's order
        return self.fc(self.recur(seq, every_step=False)[:, -1])   # last step (or its attentional state) → (B, 10)

    def media(self, ctx, with_quality):
        found, figures = super().media(ctx, with_quality)
        self.eval()
        views, ends = rnn_views(self, lambda: F.cross_entropy(self(ctx.x_probe), ctx.y_probe),
                                [ctx.classes[int(c)] for c in ctx.y_probe])
        return found + views, {**figures, **ends}


class RNNLM(Recurrent, TokenModel):
    """The same core on a token task: embedded tokens in, the next token's scores at every step."""

    def __init__(self, cfg):
        super().__init__(cfg)
        vocab = len(DATASETS[cfg.dataset].classes)
        self.embed = nn.Embedding(vocab, cfg.hidden)
        self.build_core(cfg.hidden)
        self.fc = nn.Linear(self.size, vocab)

    def forward(self, x):                                    # (B, T) token ids
        return self.fc(self.recur(self.embed(x), every_step=True))   # (B, T, V)

    def media(self, ctx, with_quality):
        found, figures = super().media(ctx, with_quality)
        self.eval()
        labels = [tasks.text(row) for row in self.whole(ctx.x_probe[:PROBES], ctx.y_probe[:PROBES])]
        views, ends = rnn_views(self, lambda: token_loss(self(ctx.x_probe), ctx.y_probe)[0], labels)
        return found + views, {**figures, **ends}


class RNNForecaster(Recurrent, nn.Module):
    """One fold's forecaster on a time series: the same core reads one value per step, a linear head
    on the last step's hidden state gives the next value."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.build_core(1)
        self.fc = nn.Linear(self.size, 1)

    def forward(self, x):                                           # (B, W) scaled values
        return self.fc(self.recur(x.unsqueeze(-1), every_step=False)[:, -1]).squeeze(-1)   # (B,)


def _detached(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class CharRNN(CharModel, RNNLM):
    """The token model on the novel's characters. With ``state_reset`` N ≥ 1 the batches are B contiguous
    streams read side by side (``text.stream_order``): batch i+1 continues batch i, so the final hidden state
    of one batch, detached (the gradient stops there: truncated BPTT), is the next batch's initial state; it
    is reset to zeros every N batches and at each epoch's start."""

    carried = None   # the state handed to the next training batch
    batches = 0      # training batches since the epoch's start

    def batch_order(self, n, batch_size):
        if not self.cfg.hp.get("state_reset", 0):
            return None
        self.carried, self.batches = None, 0
        return text.stream_order(n, batch_size)

    def train_step(self, x, y, opts):
        every = self.cfg.hp.get("state_reset", 0)
        if not every:
            return super().train_step(x, y, opts)
        self.train()
        h = self.carried[0] if isinstance(self.carried, tuple) else self.carried
        fresh = h is None or self.batches % every == 0 or h.shape[1] != len(x)   # the last batch may be shorter
        logits = self.fc(self.recur(self.embed(x), every_step=True, state=None if fresh else self.carried))
        loss, acc = token_loss(logits, y)
        self.optimize(opts[0], loss)
        self.carried, self.batches = _detached(self.final_state), self.batches + 1
        return {"loss": loss.item(), "train_acc": acc.item()}

    def next_logits(self, seq, state):
        """One step of the recurrence per character, the state carried (attention read-out: re-read)."""
        if self.cfg.readout == "attention":
            return CharModel.next_logits(self, seq, state)
        out, state = self.rnn(self.embed(seq), self.initial(1) if state is None else state)   # (1, t, H')
        return self.fc(out[:, -1]), state

    def media(self, ctx, with_quality):
        found, figures = CharModel.media(self, ctx, with_quality)
        self.eval()
        labels = [text.decode(row[:16]) + "…" for row in ctx.x_probe[:PROBES]]
        views, ends = rnn_views(self, lambda: token_loss(self(ctx.x_probe), ctx.y_probe)[0], labels)
        return found + views, {**figures, **ends}


def build(cfg):
    kind = DATASETS[cfg.dataset].kind
    if kind == "series":
        return SeriesModel(cfg, RNNForecaster)
    return CharRNN(cfg) if kind == "text" else RNNLM(cfg) if kind == "tokens" else RNN(cfg)


RECALL_SETTINGS = {"distance": 100, "hidden": 64, "layers": 1, "lr": 1e-2, "batch_size": 32}
RECALL = Race(
    "recall-race", "Long-range recall: plain RNN against LSTM (distance 100)",
    "Both read a digit, 100 blanks, then a question mark, and must answer the digit. The plain RNN's "
    "gradient fades over the gap and it stays near chance (10%); the LSTM, its forget gate open at the "
    "start (forget_bias 3), carries the digit in its cell.",
    (("plain RNN", "rnn", {**RECALL_SETTINGS, "cell": "rnn"}),
     ("LSTM", "rnn", {**RECALL_SETTINGS, "cell": "lstm", "forget_bias": 3.0})),
    "recall")
ATTENTION_RACE = Race(
    "recall-attention", "Long-range recall: plain RNN against plain RNN with attention (distance 100)",
    "The same plain RNN cell twice; the second reads out through attention over every time step, so its "
    "answer can look straight back at the first step's hidden state instead of carrying it through 100 "
    "steps. Attention bridges the gap the plain cell's gradient cannot.",
    (("plain RNN", "rnn", {**RECALL_SETTINGS, "cell": "rnn"}),
     ("plain RNN + attention", "rnn", {**RECALL_SETTINGS, "cell": "rnn", "readout": "attention"})),
    "recall")

SPEC = ArchSpec(
    name="rnn",
    title="RNN (LSTM / GRU)",
    kind="classifier",
    differs=(
        "The course listing at its defaults: a 2-layer LSTM of 128 units reading the image column by column, "
        "left to right (28 time steps of 28 pixels, the listing's permute(0, 2, 1)), the last step's output "
        "into a linear layer. One difference: its pixels are in [-1, 1], as for every model of the lab, where "
        "the listing's ToTensor() alone gives [0, 1]. Knobs swap the cell (GRU or a plain RNN, to see "
        "vanishing gradients), the depth and width and the reading direction, and add dropout, a "
        "bidirectional reading or attention over the time steps."),
    token_differs=(
        "The course listing's recurrent core (at its defaults a 2-layer LSTM of 128 units) reading one token per "
        "time step instead of one image column: each token (a symbol of the task, or a character of the novel) "
        "becomes a learned vector of the hidden size, and a linear layer on every step's output scores the next "
        "token over the whole vocabulary, where the listing reads only the last step into 10 digit scores."),
    series_differs=(
        "The course listing's recurrent core (at its defaults a 2-layer LSTM of 128 units) reading one value of "
        "the series per time step instead of one image column: a sliding window of past values, scaled by the "
        "statistics of its fold's training years. A linear layer on the last step's output gives one number, "
        "the next value, trained with the mean squared error instead of cross-entropy; one such network per "
        "rolling-origin fold, trained side by side."),
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
        Param("cell", "lstm", "recurrent cell", str, choices=("lstm", "gru", "rnn"),
              label="Recurrent cell",
              choice_labels={"lstm": "LSTM", "gru": "GRU", "rnn": "Plain RNN"}),
        Param("hidden", 128, "hidden state size", int, 1, 1024, label="Hidden units"),
        Param("layers", 2, "stacked recurrent layers", int, 1, 6, label="Layers"),
        Param("dropout", 0.0, "dropout between recurrent layers", float, 0.0, 0.95, label="Dropout"),
        Param("step_dropout", 0.0, "dropout between time steps, variational: one mask per sequence, the same "
              "units dropped at every step, on the recurrent layers' inputs and outputs", float, 0.0, 0.95,
              legacy=0.0, label="Dropout between time steps"),
        Param("bidirectional", False, "also read the sequence backwards (images only: a language model "
              "must not see the tokens it predicts)", bool,
              label="Bidirectional"),
        Param("read", "columns", "one time step is an image column (left to right, as the course listing) "
              "or a row (top to bottom)", str, choices=("columns", "rows"), legacy="rows",
              label="Reading direction",
              choice_labels={"columns": "Columns, left to right, as in the course", "rows": "Rows, top to bottom"}),
        Param("readout", "last", "what the head reads: the last hidden state, or attention over every time "
              "step's hidden state", str, choices=("last", "attention"), legacy="last",
              label="Read-out",
              choice_labels={"last": "Last hidden state", "attention": "Attention over the time steps"}),
        Param("forget_bias", 0.0, "initial forget-gate bias of the LSTM (0 = PyTorch's default init; 1 or "
              "more keeps the memory open at the start, the common practice)", float, 0.0, 10.0,
              label="Forget-gate bias"),
        Param("init_state", "zero", "initial hidden state: zeros, or learned", str, choices=("zero", "learned"),
              legacy="zero",
              label="Initial hidden state",
              choice_labels={"zero": "Zeros", "learned": "Learned"}),
    ),
    display=classifier(views=(TIME_GRADS, TRAJECTORY, ATTENTION_TIME)),
    token_display=token_display(views=(TIME_GRADS, TRAJECTORY, ATTENTION_TIME)),
    text_display=text_display(views=(TIME_GRADS, TRAJECTORY, ATTENTION_TIME)),
    series_display=series_display(),
    race_default=True,
    build=build,
    check=lambda hp: (Message("forget_bias_lstm") if hp["forget_bias"] and hp["cell"] != "lstm"
                      else None),
    inputs=("image", "tokens", "text", "series"),
    image_only=("read", "bidirectional"),
    races=(RECALL, ATTENTION_RACE),
    presets=(
        Preset("rnn-rows", "Read rows instead of columns", "mnist-5k", {"read": "rows"}),
        Preset("rnn-attention", "Attention over the columns", "mnist-5k", {"readout": "attention"}),
        Preset("rnn-learned-state", "Learned initial state", "mnist-5k", {"init_state": "learned"}),
        Preset("rnn-recall-lstm", "Recall over 100 steps (LSTM)", "recall", {**RECALL_SETTINGS, "forget_bias": 3.0}),
    ),
)
