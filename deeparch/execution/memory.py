"""Will a configuration fit in memory? An estimate of a run's peak training memory, before launch.

The model is built on PyTorch's ``meta`` device (shapes without storage, so a 1-billion-weight
configuration costs nothing to build) and two training steps run on a meta batch of the real
batch size under a dispatch mode that keeps the running total of the tensors alive — weights,
gradients, optimizer state, the activations saved for the backward pass and the temporaries of
each operation — and records its peak during the second step, when the optimizer state exists.
On top comes the fixed cost of a worker process (the Python interpreter, PyTorch, the dataset).

Accuracy: the tensors are counted exactly as PyTorch allocates them, but allocator caching and
fragmentation are not, nor are the buffers of a library kernel (oneDNN convolutions): the
estimate is a lower bound that tracks real peaks within a factor of 2 (measured against peak RSS
in tests/test_memory.py). Hence the refusal keeps a margin: a run must fit in ``FIT_SHARE`` of
the available memory. It costs about a second of CPU, whatever the configuration's size.
"""
from __future__ import annotations

import functools
import weakref

import torch
# private module, but the documented way to see every operation below autograd (PyTorch's "Extending
# PyTorch" notes); no public class does this. Only _LiveBytes uses it.
from torch.utils._python_dispatch import TorchDispatchMode

from deeparch.present.messages import Message
from deeparch.course.config import RunConfig
from deeparch.course.data import example_batch

# a worker before its first step (interpreter, PyTorch, store, mnist-5k): 560 MB of RSS measured
WORKER_BYTES = 600e6
FIT_SHARE = 0.8  # a run may plan on this share of the available memory; the rest is the margin
GB = 1e9


class _LiveBytes(TorchDispatchMode):
    """Counts the bytes of every tensor an operation creates until it is freed; keeps the peak.

    Views and in-place results share an existing storage and are not counted; ``.item()`` on
    a meta tensor has no value, so it answers 1 (only logged floats and step counters read it)."""

    def __init__(self):
        super().__init__()
        self.live = self.peak = 0

    def _free(self, n: int) -> None:
        self.live -= n

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default:
            return 1
        out = func(*args, **(kwargs or {}))
        outs = out if isinstance(out, (tuple, list)) else (out,)
        for ret, t in zip(func._schema.returns, outs):
            if isinstance(t, torch.Tensor) and ret.alias_info is None:
                n = t.untyped_storage().nbytes()
                self.live += n
                weakref.finalize(t, self._free, n)
        self.peak = max(self.peak, self.live)
        return out


def estimate(cfg: RunConfig) -> dict[str, float]:
    """Peak training memory of ``cfg`` in bytes: ``weights`` (parameters and buffers, the EMA copy
    included), ``step`` (the peak of one steady training step on top of them: gradients, optimizer
    state, activations, temporaries), ``worker`` (the process itself) and their ``total``.

    Remembered per configuration in this process: a page that checked a configuration while it
    was being edited launches it without paying for the estimate again."""
    return dict(_estimate(cfg.to_json()))


@functools.lru_cache(maxsize=256)
def _estimate(config_json: str) -> tuple[tuple[str, float], ...]:
    from deeparch.course.archs import load_config, on_meta

    cfg = load_config(config_json)
    return tuple(measure(on_meta(cfg), cfg).items())


def measure(model: torch.nn.Module, cfg: RunConfig) -> dict[str, float]:
    """:func:`estimate` for ``cfg``'s ``model``, built on the meta device (``archs.on_meta``); two training
    steps run on it (its optimizer state, on the meta device, is created)."""
    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        opts = model.configure_optimizers()
        x, y = example_batch(cfg.dataset, cfg.hp, cfg.batch_size)  # images (B, 1, 28, 28) or tokens (B, T)
        weights = sum(t.untyped_storage().nbytes() for t in (*model.parameters(), *model.buffers()))
        counter = _LiveBytes()
        with counter:
            model.train_step(x, y, opts)  # the first step creates the optimizer state …
            counter.peak = counter.live
            model.train_step(x, y, opts)  # … which the second one carries
    out = {"weights": float(weights), "step": float(counter.peak), "worker": WORKER_BYTES}
    out["total"] = sum(out.values())
    return out


def available() -> float:
    """Memory a new run can use now, in bytes: free GPU memory when training on a GPU, else RAM."""
    if torch.cuda.is_available():
        return float(torch.cuda.mem_get_info()[0])
    import psutil

    return float(psutil.virtual_memory().available)


def check(cfg: RunConfig, free: float | None = None) -> str | None:
    """None when ``cfg`` fits in memory (``free`` bytes, default: what is available now), else the reason."""
    return refusal(estimate(cfg), cfg, free)


def refusal(est: dict[str, float], cfg: RunConfig, free: float | None = None) -> str | None:
    """:func:`check` for the estimate ``est`` of ``cfg`` (:func:`measure`)."""
    free = available() if free is None else free
    if est["total"] <= FIT_SHARE * free:
        return None
    return Message("memory", total=est["total"] / GB, weights=est["weights"] / GB, step=est["step"] / GB,
                   batch=cfg.batch_size, free=free / GB)
