"""Will a configuration fit in memory? An estimate of a run's peak training memory, before launch.

The model is built on PyTorch's ``meta`` device (shapes without storage, so a 1-billion-weight
configuration costs nothing to build) and two training steps run on a meta batch of the real
batch size, watched through public PyTorch mechanisms only: a ``TorchFunctionMode`` (torch.overrides,
"Extending PyTorch") keeps the running total of the tensors every operation creates until they are
freed (activations, temporaries, optimizer state), ``saved_tensors_hooks`` (torch.autograd.graph)
see what each backward pass keeps, and each backward adds the gradients it makes and those of one
operation in flight. The peak of the second step counts, when the optimizer
state exists. On top comes the fixed cost of a worker process (the Python interpreter, PyTorch, the dataset).

Accuracy: the tensors are counted as PyTorch allocates them, but allocator caching and
fragmentation are not, nor are the buffers of a library kernel (oneDNN convolutions): the
estimate tracks real peaks within a factor of 2 (measured against peak RSS
in tests/test_memory.py). Hence the refusal keeps a margin: a run must fit in ``FIT_SHARE`` of
the available memory. It costs about a second of CPU, whatever the configuration's size.
"""
from __future__ import annotations

import functools
import weakref

import torch
from torch.overrides import TorchFunctionMode

from deeparch.present.messages import Message
from deeparch.course.config import RunConfig
from deeparch.course.data import example_batch

# a worker before its first step (interpreter, PyTorch, store, mnist-5k): 560 MB of RSS measured
WORKER_BYTES = 600e6
FIT_SHARE = 0.8  # a run may plan on this share of the available memory; the rest is the margin
GB = 1e9


class _LiveBytes(TorchFunctionMode):
    """Counts the bytes of every storage an operation creates until it is freed; keeps the peak.

    Views and in-place results share an existing storage and are not counted twice. A backward pass
    (``Tensor.backward``, ``torch.autograd.backward`` or ``grad``) is not seen operation by operation:
    at its start the total is what the forward left alive (the saved tensors among it); during it, the
    gradients it makes and the gradients in flight of one operation (its output's and its input's, each
    the size of the largest saved tensor, seen by ``saved_tensors_hooks``) come on top. ``.item()`` (``int()``, ``float()``, ``bool()``) of a meta tensor has no value, so it
    answers 1 (only logged floats, step counters and first-step checks read one)."""

    BACKWARD = (torch.Tensor.backward, torch.autograd.backward, torch.autograd.grad)
    # a meta tensor read as a Python number: the answer each reading gives
    SCALAR = {torch.Tensor.item: 1, torch.Tensor.__int__: 1, torch.Tensor.__index__: 1, torch.Tensor.__float__: 1.0,
              torch.Tensor.__bool__: True}

    def __init__(self, params=()):
        super().__init__()
        self.live = self.peak = 0
        self.largest_saved = 0
        self.params = list(params)
        self.storages: dict[int, int] = {}  # id of a counted storage → its bytes, while it lives
        self.saved = torch.autograd.graph.saved_tensors_hooks(self._pack, lambda t: t)

    def _free(self, key: int) -> None:
        self.live -= self.storages.pop(key, 0)

    def _count(self, t) -> int:
        """Count ``t``'s storage if it is new: the bytes added."""
        if not isinstance(t, torch.Tensor):
            return 0
        s = t.untyped_storage()  # one Python object per storage while it lives, so its id names it
        if id(s) in self.storages:
            return 0
        n = s.nbytes()
        self.storages[id(s)] = n
        self.live += n
        weakref.finalize(s, self._free, id(s))
        return n

    def _pack(self, t: torch.Tensor) -> torch.Tensor:
        self.largest_saved = max(self.largest_saved, t.untyped_storage().nbytes())
        return t

    def __enter__(self):
        self.saved.__enter__()
        return super().__enter__()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        return self.saved.__exit__(*exc)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func in self.SCALAR:
            return self.SCALAR[func]
        if func in self.BACKWARD:
            before = self.live
            out = func(*args, **(kwargs or {}))
            made = sum(self._count(p.grad) for p in self.params if p.grad is not None)
            made += sum(self._count(t) for t in (out if isinstance(out, (tuple, list)) else (out,)))
            self.peak = max(self.peak, before + made + 2 * self.largest_saved)
            return out
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else (out,):
            self._count(t)
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
        counter = _LiveBytes(model.parameters())
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
