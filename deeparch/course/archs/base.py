"""The contract every architecture file follows, and the shared pieces of it.

An architecture file declares an ``ArchSpec`` (name, plain-language summary, the course's
preset, its own knobs, and what it shows: chart panels, media views and its headline
figure, see ``deeparch.present.display``) and a model class derived from ``ClassifierModel`` or
``GeneratorModel``. The registry (``deeparch.course.archs``) finds every such file by itself. The model owns its math: ``train_step`` runs one optimisation step
on a batch and returns plain floats; it zeroes gradients *before* its backward pass and
leaves them in place afterwards so the trainer can read per-layer gradient norms.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Callable, NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.present import images
from deeparch.present import insight
from deeparch.course.config import Param, RunConfig
from deeparch.present.display import Display


@dataclass(frozen=True)
class ArchSpec:
    name: str
    title: str
    kind: str  # "classifier" | "generator"
    summary: str  # one plain-language paragraph for the Train page
    preset: dict  # the course listing's training settings (overrides COMMON defaults)
    params: tuple[Param, ...]  # the architecture's own knobs
    build: Callable[[RunConfig], "ArchModel"]
    display: Display  # chart panels, media views and headline figure (deeparch.present.display)
    loss_keys: tuple[str, ...] = ("loss",)  # the first one is watched for divergence and reported as "loss"
    unused: tuple[str, ...] = ()  # common parameters this architecture has no use for
    check: Callable[[dict], str | None] | None = None  # cross-parameter rule: returns the reason it fails
    race_default: bool = False  # picked by default for a race on the Train page
    inputs: tuple[str, ...] = ("image",)  # dataset kinds it reads (deeparch.course.data.DatasetInfo.kind)
    image_only: tuple[str, ...] = ()      # its knobs that mean nothing on token datasets: refused there unless default
    presets: tuple["Preset", ...] = ()    # named settings that show a feature's effect (the Train page offers them)
    races: tuple["Race", ...] = ()        # lessons as a race of several settings, launched in one click
    token_display: Display | None = None  # what its runs on a token dataset show, where that differs
    text_display: Display | None = None   # what its runs on a text corpus show (kind "text")
    series_display: Display | None = None  # what its runs on a time series show (archs/_series.py)
    differs: str = ""  # plain words: how this file's model differs from the course's listing ("" = as listed)
    token_differs: str = ""   # the same for its model on a token task or the text corpus, where that is another one
    series_differs: str = ""  # the same for its forecaster on a time series, where that is another model

    def reads_drawings(self, dataset_kind: str) -> bool:
        """Whether its runs on a dataset of this kind label a 28×28 digit image (the Draw page's models)."""
        return self.kind == "classifier" and dataset_kind == "image"

    def differs_on(self, dataset_kind: str) -> str:
        """How its model on a dataset of this kind differs from the course's listing."""
        if dataset_kind == "series" and self.series_differs:
            return self.series_differs
        if dataset_kind in ("tokens", "text") and self.token_differs:
            return self.token_differs
        return self.differs

    def shows(self, dataset_kind: str) -> Display:
        """The display of its runs on a dataset of this kind ("image", "tokens", "text" or "series")."""
        if dataset_kind == "series" and self.series_display:
            found = self.series_display
        elif dataset_kind == "text" and self.text_display:
            found = self.text_display
        else:
            found = self.token_display if dataset_kind in ("tokens", "text") and self.token_display else self.display
        return replace(found, samples=dataset_kind)  # its throughput counted in what one example is


@dataclass(frozen=True)
class Preset:
    """Named settings of one architecture: a dataset and the hyperparameters that differ from the defaults."""

    name: str
    title: str
    dataset: str
    hp: dict


@dataclass(frozen=True)
class Race:
    """A lesson told by racing settings against each other on the same data, seed and budget."""

    name: str
    title: str
    explain: str
    runs: tuple[tuple[str, str, dict], ...]  # (run label, architecture, hyperparameters)
    dataset: str


class Media(NamedTuple):
    """One image or figure a model hands the trainer to store: its kind (a declared view), PNG, metadata."""

    kind: str
    png: bytes
    meta: dict


@dataclass(frozen=True)
class MediaContext:
    """What a model may use to draw its media: fixed probe inputs, class names, the quality judge."""

    x_probe: torch.Tensor      # (P, 1, 28, 28) fixed test images
    y_probe: torch.Tensor      # (P,) their labels
    classes: tuple[str, ...]
    judge: Callable[..., dict]  # images[, requested labels] → quality figures (deeparch.engine.quality.measure)
    sample_count: int = 64     # images in a sample grid
    quality_count: int = 500   # samples judged for the quality figures (at most)
    seed: int = 1234           # the fixed noise of the sample grid
    deadline: float = math.inf  # time.perf_counter() after which a quality pass draws no further chunk
                                # of samples (the first chunk is always drawn): the run's budget for it

QUALITY_CHUNK = 100  # samples a quality pass draws at a time (a conditional model's: ten of each digit)


# ---- shared knobs of the architectures built from layers (cnn, mlp): one definition each ----------
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU}
ACTIVATION = Param("activation", "relu", "activation function of the hidden layers", str, choices=tuple(ACTIVATIONS),
                   label="Activation function",
                   choice_labels={
                       "relu": "ReLU", "leaky_relu": "Leaky ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid",
                       "gelu": "GELU",
                   })
INIT = Param("init", "default", "weight initialisation: PyTorch's default, He (Kaiming, for ReLU-like "
             "activations) or Glorot (Xavier, for tanh and sigmoid)", str, choices=("default", "he", "glorot"),
             label="Weight initialisation",
             choice_labels={
                 "default": "PyTorch's default", "he": "He (Kaiming)", "glorot": "Glorot (Xavier)",
                 "dcgan": "DCGAN's N(0, 0.02)",
             })


def init_weights(model: nn.Module, scheme: str, activation: str = "relu") -> None:
    """Re-initialise every convolution and linear layer of ``model`` by ``scheme`` (biases to zero);
    "default" keeps PyTorch's. He scales the variance by 2/fan_in so ReLU layers keep the signal's
    size; Glorot by 2/(fan_in+fan_out), the right size for tanh and sigmoid."""
    if scheme == "default":
        return
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if scheme == "he":
                relu_like = "leaky_relu" if activation == "leaky_relu" else "relu"
                nn.init.kaiming_normal_(m.weight, nonlinearity=relu_like)
            else:
                gain = nn.init.calculate_gain(activation) if activation in ("tanh", "sigmoid", "relu") else 1.0
                nn.init.xavier_uniform_(m.weight, gain=gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def l1_penalty(params, weight: float) -> torch.Tensor | float:
    """``weight`` × Σ|w| over the weight matrices and filters (not biases or norm scales: dim > 1)."""
    if not weight:
        return 0.0
    return weight * sum(p.abs().sum() for p in params if p.requires_grad and p.dim() > 1)


def make_optimizer(params, cfg: RunConfig, lr: float | None = None, betas=(0.9, 0.999)) -> torch.optim.Optimizer:
    lr = cfg.lr if lr is None else lr
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=cfg.weight_decay)


def grad_norm(module: nn.Module) -> float:
    """The norm of all of ``module``'s gradients together (0 where none were computed)."""
    grads = [p.grad for p in module.parameters() if p.grad is not None]
    return torch.nn.utils.get_total_norm(grads).item() if grads else 0.0


class ArchModel(nn.Module):
    kind = "classifier"

    def __init__(self, cfg: RunConfig):
        super().__init__()
        self.cfg = cfg

    frozen_norms: tuple[str, ...] = ()  # batch norm layers under a frozen prefix (:func:`freeze`)

    def train(self, mode: bool = True):
        """Training mode, except for the batch norm layers ``freeze`` froze: they stay in evaluation mode."""
        super().train(mode)
        if mode and self.frozen_norms:
            modules = dict(self.named_modules())
            for name in self.frozen_norms:
                modules[name].eval()
        return self

    def configure_optimizers(self) -> list[torch.optim.Optimizer]:
        return [make_optimizer(self.parameters(), self.cfg)]

    # set by the trainer for float16 mixed precision (deeparch.engine.precision): scales the loss so small
    # gradients survive float16's range; None for fp32 and bf16
    scaler: torch.amp.GradScaler | None = None

    def optimize(self, opt: torch.optim.Optimizer, loss: torch.Tensor, params=None) -> None:
        """zero_grad → backward (with the L1 penalty of this optimizer's weights added to ``loss``)
        → optional clipping → step (grads stay for the trainer's stats).

        With a gradient scaler the loss is scaled before backward and the gradients unscaled
        before clipping, so clipping and the trainer's gradient norms see their true sizes."""
        opt.zero_grad(set_to_none=True)
        l1 = self.cfg.hp.get("l1", 0.0)
        if l1:
            loss = loss + l1_penalty([p for g in opt.param_groups for p in g["params"]], l1)
        if self.scaler is None:
            loss.backward()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.unscale_(opt)
        if self.cfg.grad_clip > 0:
            ps = params if params is not None else [p for g in opt.param_groups for p in g["params"]]
            torch.nn.utils.clip_grad_norm_(ps, self.cfg.grad_clip)
        if self.scaler is None:
            opt.step()
        else:
            self.scaler.step(opt)  # skipped when a gradient overflowed; the scale shrinks
            self.scaler.update()

    def train_step(self, x: torch.Tensor, y: torch.Tensor, opts: list) -> dict[str, float]:
        raise NotImplementedError

    def batch_order(self, n: int, batch_size: int) -> torch.Tensor | None:
        """This epoch's order of the ``n`` training examples when the model needs a fixed one (a recurrent
        model carrying its state along contiguous streams); None: the trainer's shuffled order."""
        return None

    def media(self, ctx: MediaContext, with_quality: bool) -> tuple[list[Media], dict[str, float]]:
        """The images of the views this model declares, and any figures measured while drawing them."""
        return [], {}


class ClassifierModel(ArchModel):
    """A model whose ``forward(x) -> logits``; images arrive as (B, 1, 28, 28) in [-1, 1]."""

    kind = "classifier"

    def train_step(self, x, y, opts):
        self.train()
        logits = self(x)  # (B, 10)
        loss = F.cross_entropy(logits, y)
        self.optimize(opts[0], loss)
        acc = (logits.argmax(1) == y).float().mean()
        return {"loss": loss.item(), "train_acc": acc.item()}

    confusion: torch.Tensor | None = None  # (classes, classes) counts of the latest evaluation

    @torch.no_grad()
    def evaluate(self, x, y, batch_size: int = 1000) -> dict[str, float]:
        """Loss and accuracy on the held-out split; keeps its confusion matrix for the next media
        (counted from predictions made anyway, so the view costs no extra forward pass)."""
        self.eval()
        total_loss, preds = 0.0, []
        for i in range(0, len(x), batch_size):
            logits = self(x[i:i + batch_size])
            total_loss += F.cross_entropy(logits, y[i:i + batch_size], reduction="sum").item()
            preds.append(logits.argmax(1))
        pred = torch.cat(preds)
        self.confusion = insight.confusion(pred, y, logits.shape[1])
        return {"test_loss": total_loss / len(x), "test_acc": (pred == y).float().mean().item()}

    @torch.no_grad()
    def probe(self, x) -> tuple[torch.Tensor, torch.Tensor]:
        """Predicted label and confidence for each image of ``x``."""
        self.eval()
        prob = F.softmax(self(x), dim=1)
        conf, pred = prob.max(1)
        return pred, conf

    def media(self, ctx, with_quality):
        """The probe grid (fixed test digits with the predicted label and confidence) and the
        confusion matrix of the latest evaluation."""
        pred, conf = self.probe(ctx.x_probe)
        meta = {"labels": ctx.y_probe.tolist(), "pred": pred.tolist(),
                "conf": [round(c, 4) for c in conf.tolist()], "classes": list(ctx.classes)}
        out = [Media("probe", images.grid_png(ctx.x_probe, 4), meta)]
        if self.confusion is not None:  # drawn from the latest evaluation (none before the first)
            out.append(Media("confusion", b"", insight.confusion_meta(self.confusion, ctx.classes)))
        return out, {}


class GeneratorModel(ArchModel):
    """A generative model: ``sample(n, seed, labels=None)`` returns (n, 1, 28, 28) images in [-1, 1].

    The same seed gives the same noise, so grids drawn at different steps are comparable. A
    *conditional* model (``conditional = True``) draws the class it is asked for: ``labels`` is a
    LongTensor (n,) of requested classes (None lets it choose). Its grid has one row per class and
    its quality pass asks for every class equally and reports ``class_agreement``.
    """

    kind = "generator"
    conditional = False

    @torch.no_grad()
    def sample(self, n: int, seed: int, labels: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError

    def evaluate(self, x, y) -> dict[str, float]:
        return {}

    def grid_labels(self, n: int, classes: int = 10) -> torch.Tensor | None:
        """The classes a conditional model is asked for in ``n`` images laid out ``classes`` to a row:
        row r is class r mod ``classes``, so 500 judged samples are 50 of each digit and their first
        100 form the 10×10 grid with one row per class; None for an unconditional model."""
        if not self.conditional:
            return None
        return (torch.arange(n) // classes) % classes  # (n,)

    def draw(self, n: int, seed: int, labels: torch.Tensor | None) -> torch.Tensor:
        """``sample``, passing ``labels`` only when there are some (unconditional models may not take them)."""
        return self.sample(n, seed) if labels is None else self.sample(n, seed, labels=labels)

    def media(self, ctx, with_quality):
        """The fixed-noise sample grid; with quality, up to 500 samples judged, drawn QUALITY_CHUNK at a
        time until ``ctx.deadline`` (the grid is the first ones: one sampling pass), and a 10×10 grid of
        them with the judge's class histogram. A conditional model's grid is 10×10, one row per class, and
        each chunk asks for every class equally; its figures add class_agreement. ``quality_samples`` says
        how many were judged."""
        k = len(ctx.classes)
        per_row, count = (k, k * k) if self.conditional else (8, ctx.sample_count)
        if not with_quality:
            imgs = self.draw(count, ctx.seed, self.grid_labels(count, k))
            return [Media("samples", images.grid_png(imgs, per_row), {})], {}
        labels = self.grid_labels(ctx.quality_count, k)
        chunks: list[torch.Tensor] = []
        done = 0
        while done < ctx.quality_count:
            m = min(QUALITY_CHUNK, ctx.quality_count - done)
            start = time.perf_counter()
            chunks.append(self.draw(m, ctx.seed + len(chunks), None if labels is None else labels[done:done + m]))
            done += m
            if time.perf_counter() + (time.perf_counter() - start) > ctx.deadline:  # the next chunk would end late
                break
        imgs = torch.cat(chunks)
        labels = None if labels is None else labels[:done]
        figures = dict(ctx.judge(imgs) if labels is None else ctx.judge(imgs, labels))
        figures["quality_samples"] = float(done)
        meta = {"class_hist": figures.pop("class_hist"), "classes": list(ctx.classes)}
        if "judge_accuracy" in figures:  # an imported set's judge: how far it is trusted goes with its histogram
            meta["judge_accuracy"] = figures.pop("judge_accuracy")
        return [Media("quality", images.grid_png(imgs[:100], 10), meta),
                Media("samples", images.grid_png(imgs[:count], per_row), {})], figures
