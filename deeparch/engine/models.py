"""A model outside its training run, for the pages: how many weights a configuration builds, its
card (module tree and code), and what a run's latest checkpoint answers for a drawn digit.

The pages ask these and never build a model or open a checkpoint themselves. A model that is only
looked at is built on PyTorch's ``meta`` device (shapes without storage), as the memory estimate does.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import torch

from deeparch.present import insight
from deeparch.course.archs import ARCHS, get_arch, load_config, on_meta
from deeparch.course.data import DATASETS
from deeparch.store import Run, Store

CHECKPOINT = "checkpoint.pt"  # a run's latest weights, in its folder of the store


def _on_meta(config: Mapping[str, Any] | str) -> torch.nn.Module:
    """The configuration's model with shapes and no weights (nothing allocated, nothing trained)."""
    return on_meta(load_config(config))


def param_count(config: Mapping[str, Any] | str) -> int:
    """How many weights the configuration's model has; raises what building it raises (e.g. heads that
    do not divide the embedding size)."""
    return sum(p.numel() for p in _on_meta(config).parameters())


class Card(NamedTuple):
    """The model itself: its modules with their parameter counts, and its class's code."""

    tree: list[dict]  # insight.module_tree
    path: str         # the file of the model's class, relative to the project
    code: str


def model_card(config: Mapping[str, Any] | str) -> Card | None:
    """The card of the model a run's configuration builds; None for a configuration this version cannot
    read (an architecture it no longer has)."""
    try:
        model = _on_meta(config)
    except (KeyError, ValueError):
        return None
    return card_of(model)


def card_of(model: torch.nn.Module) -> Card:
    """The card of a built model (on the meta device or not)."""
    return Card(insight.module_tree(model), *insight.model_source(model))


# ---- the Draw page: a finished or running classifier answers a drawing ------------------------------------
def classifiers(store: Store) -> dict[int, Run]:
    """Runs that label digit images (a classifier on an image dataset, not on a generated token task),
    with a checkpoint, newest first, by id."""
    out = {}
    for run in store.list_runs():
        spec, info = ARCHS.get(run.arch), DATASETS.get(run.dataset)
        if spec is not None and info is not None and spec.reads_drawings(info.kind) \
                and (store.run_dir(run) / CHECKPOINT).exists():
            out[run.id] = run
    return out


def drawing(grey, size: int) -> torch.Tensor:
    """A drawing as the page sends it (``size`` × ``size`` grey values 0–255, ink bright) → an MNIST-like
    digit (1, 1, 28, 28) in [-1, 1] (``insight.to_mnist``)."""
    return insight.to_mnist(torch.tensor(grey, dtype=torch.float32).view(size, size) / 255)


@functools.lru_cache(maxsize=16)
def _classifier(config_json: str, path: str, mtime: float) -> torch.nn.Module:
    """One model per checkpoint version (a running run's newer checkpoint has a new mtime: a new entry).
    The file is only read; the trainer replaces it atomically, so a running run's checkpoint is whole."""
    from deeparch.engine.checkpoint import load_checkpoint

    cfg = load_config(config_json)
    model = get_arch(cfg.arch).build(cfg)
    model.load_state_dict(load_checkpoint(path)["model"])
    return model.eval()


class Answer(NamedTuple):
    probs: list[float]     # one per class
    cam_png: bytes | None  # where it looks (Grad-CAM over the digit), for a model with convolutions


def predict(store: Store, run: Run, x: torch.Tensor) -> Answer:
    """What the run's latest checkpoint says of the digit ``x`` (as ``drawing`` makes it)."""
    path = Path(store.run_dir(run)) / CHECKPOINT
    model = _classifier(json.dumps(run.config, sort_keys=True), str(path), path.stat().st_mtime)
    probs = insight.predict(model, x)
    if not insight.convs(model):
        return Answer(probs, None)
    cam, _ = insight.grad_cam(model, x)
    return Answer(probs, insight.rgb_grid_png(insight.overlay(x, cam), 1))
