"""What a model's weights go through besides a training step, shared by the architectures: layers frozen
and unfrozen for transfer learning (``freeze``, ``unfreeze``, the layer names they match), and the one
exponential moving average of weights (``averaged_copy``, ``update_average``, ``WeightAverage``) that the
DCGAN family's generator and the diffusion model's noise predictor sample from."""
from __future__ import annotations

import copy

import torch
import torch.nn as nn
from torch.optim.swa_utils import get_ema_multi_avg_fn

from deeparch.present.messages import Message


def matching(names, prefixes: str, knob: str) -> list[str]:
    """The ``names`` (parameter or state keys) under one of the comma-separated layer ``prefixes``,
    each a whole module path ("features" takes "features.0.weight", not "featuresX"). ValueError
    naming the model's layers when a prefix matches none."""
    names = list(names)
    found: list[str] = []
    for prefix in filter(None, prefixes.split(",")):
        hits = [n for n in names if n == prefix or n.startswith(prefix + ".")]
        if not hits:
            tops = sorted({n.split(".")[0] for n in names})
            raise ValueError(Message("no_layer_match", knob=knob, prefix=repr(prefix), layers=", ".join(tops)))
        found += hits
    return found


# the layers that keep running statistics (torch's own base class of them, _BatchNorm, is private)
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm,
               nn.LazyBatchNorm1d, nn.LazyBatchNorm2d, nn.LazyBatchNorm3d)


def freeze(model: nn.Module, prefixes: str) -> list[str]:
    """Stop the gradients of every parameter under the layer ``prefixes`` (:func:`matching`); the
    frozen names. Batch norm layers under them keep the statistics they were loaded with: in training
    mode they would still normalise by each new batch and move their running mean and variance
    towards the new data, so a "frozen" feature extractor would change after all (an ``ArchModel``
    keeps them in evaluation mode; their names in ``frozen_norms``)."""
    frozen = matching((n for n, _ in model.named_parameters()), prefixes, "freeze")
    for n, p in model.named_parameters():
        if n in frozen:
            p.requires_grad_(False)
    wanted = [p for p in prefixes.split(",") if p]
    model.frozen_norms = tuple(n for n, m in model.named_modules() if isinstance(m, BATCH_NORMS)
                               and any(n == p or n.startswith(p + ".") for p in wanted))
    return frozen


def unfreeze(model: nn.Module, names: list[str]) -> None:
    """Undo :func:`freeze` for the parameter ``names`` it returned: they get gradients again, and its batch
    norm layers normalise by each batch again (an optimizer built over all parameters already holds them)."""
    for n, p in model.named_parameters():
        if n in names:
            p.requires_grad_(True)
    model.frozen_norms = ()


def averaged_copy(module: nn.Module) -> nn.Module:
    """A frozen copy of ``module`` to hold an exponential moving average (EMA) of its weights: each
    parameter becomes a buffer of the same name, so checkpoints carry it and ``.to()`` moves it, but
    it is no parameter (no optimizer, no gradient statistics, no count). Not
    torch.optim.swa_utils.AveragedModel: that keeps the average as Parameters (counted as the model's),
    renames checkpoint keys and has no decay warm-up."""
    avg = copy.deepcopy(module).eval()
    for m in avg.modules():
        for name, p in list(m.named_parameters(recurse=False)):
            delattr(m, name)
            m.register_buffer(name, p.detach().clone())
    return avg


@torch.no_grad()
def update_average(avg: nn.Module, source: nn.Module, decay: float, n: int) -> None:
    """Move ``avg`` (an :func:`averaged_copy`) towards ``source``'s weights; ``n`` counts the updates so far:
    early on the decay is warmed up, min(decay, (1 + n) / (10 + n)), so the average follows the fast-moving
    weights closely. ``source``'s own buffers (batch-norm statistics) are copied, not averaged."""
    mine = dict(avg.named_buffers())
    params = dict(source.named_parameters())
    if params:  # the lerp reads its first tensor: a module without weights has nothing to average
        lerp = get_ema_multi_avg_fn(min(decay, (1 + n) / (10 + n)))
        lerp([mine[k] for k in params], [p.detach() for p in params.values()], n)
    for k, b in source.named_buffers():
        mine[k].copy_(b)


class WeightAverage(nn.Module):
    """An EMA of a module's weights (:func:`averaged_copy`) that counts its own updates."""

    def __init__(self, module: nn.Module, decay: float):
        super().__init__()
        self.decay = decay
        self.module = averaged_copy(module)
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))

    def forward(self, *args, **kw):
        return self.module(*args, **kw)

    def update(self, source: nn.Module) -> None:
        update_average(self.module, source, self.decay, int(self.updates))
        self.updates += 1
