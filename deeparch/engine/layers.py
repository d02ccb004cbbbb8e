"""A model's layers as the trainer reports them: its trainable parameters grouped by module path, the rows
of the per-layer gradient norms (``grad/<layer>``)."""
from __future__ import annotations

import re

import torch


def layer_name(param_name: str) -> str:
    """'rnn.weight_ih_l1' → 'rnn.l1'; 'features.0.weight' → 'features.0' (the module path)."""
    module, _, leaf = param_name.rpartition(".")
    m = re.search(r"_l(\d+)(_reverse)?$", leaf)
    if m:
        return f"{module}.l{m.group(1)}{'r' if m.group(2) else ''}".lstrip(".")
    return module or leaf


def layer_groups(model: torch.nn.Module) -> dict[str, list]:
    """The model's trainable parameters grouped by layer (:func:`layer_name`), input side first:
    the rows of the per-layer gradient norms (``grad/<layer>``)."""
    groups: dict[str, list] = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault(layer_name(name), []).append(p)
    return groups
