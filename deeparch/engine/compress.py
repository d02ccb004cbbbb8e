"""Model compression of a finished classifier (the course's optimisation of Transformers: "podar" and
"quantização"): magnitude pruning and dynamic int8 quantization, measured before and after.

A run's checkpoint is loaded into its own architecture's model; variants are made from copies:

- **pruned**: PyTorch's pruning utilities (``torch.nn.utils.prune``) zero the ``sparsity`` share of
  the weights with the smallest absolute value (L1 unstructured), over all weight matrices and
  kernels at once (``global``) or the same share in each (``layer``); the masks are then made
  permanent. The dense tensors keep their size: the zeros show as a smaller *compressed* file and
  as fewer non-zero weights, not as a faster dense matmul.
- **int8**: ``torch.ao.quantization.quantize_dynamic`` stores the weights of the Linear and
  recurrent layers (LSTM, GRU) as 8-bit integers with one scale each, and quantizes activations on
  the fly at inference. Convolutions, attention's inner projections, embeddings and norms stay
  float32: dynamic quantization has no kernel for them.

Each variant is measured the same way: size of its serialized state dict (raw and gzip-compressed),
CPU inference latency (median over repeats, batch 1 and batch 256), test accuracy, and the share of
test predictions equal to the float model's. Nothing here knows an architecture.
"""
from __future__ import annotations

import copy
import gzip
import io
import json
import statistics
import time
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.utils.prune as prune

from deeparch.present.messages import Message
from deeparch.course import data as data_mod
from deeparch.course.archs import ARCHS, get_arch, load_config
from deeparch.course.config import MAX_THREADS, ConfigError, check_count
from deeparch.engine.checkpoint import load_checkpoint

SCOPES = ("global", "layer")
# layers dynamic int8 quantization has kernels for (PyTorch's eager-mode dynamic quantization)
QUANTIZABLE = (nn.Linear, nn.LSTM, nn.GRU)
MAX_REPEATS = 100_000  # timed passes per latency: a median needs one; this many already takes minutes
RESULT_FILE = "compress.json"  # the last measurement, kept in the run's folder for the pages


@dataclass
class Row:
    """One variant's figures (sizes in bytes, latencies in milliseconds, shares in [0, 1])."""

    variant: str
    size_bytes: int
    size_gzip_bytes: int
    nonzero_weights: int
    sparsity: float          # zero share of the prunable weights
    latency_b1_ms: float
    latency_b256_ms: float
    test_acc: float
    agree: float             # share of test predictions equal to the float model's


@dataclass
class Report:
    run_id: int
    arch: str
    rows: list[Row]
    pruned: list[str] = field(default_factory=list)     # the tensors pruning touched
    quantized: list[str] = field(default_factory=list)  # the modules int8 replaced
    kept_float: list[str] = field(default_factory=list)  # weighted modules int8 left in float32
    threads: int = 1
    repeats: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        return cls(**{**d, "rows": [Row(**r) for r in d["rows"]]})


@contextmanager
def _quiet():
    """torch 2.x warns that torch.ao.quantization is deprecated (moving to torchao); it still works."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.ao\..*")
        warnings.filterwarnings("ignore", message=r".*quantize_per_tensor.*")
        yield


# ---- loading ------------------------------------------------------------------------------------
def compressible(arch: str, dataset: str | None = None) -> bool:
    """Whether runs of ``arch`` (on ``dataset``) can be compressed here: classifiers of images, whose test accuracy
    says what was lost (not its runs on a token task or a time series)."""
    spec, info = ARCHS.get(arch), data_mod.DATASETS.get(dataset or "")
    return spec is not None and spec.kind == "classifier" and (info is None or info.kind == "image")


def load_model(store, run_id: int) -> tuple[nn.Module, object]:
    """The run's model with its checkpoint's weights, on the CPU in eval mode, and its config;
    ConfigError with the reason for a missing run, a generator, or a run without a checkpoint."""
    try:
        run = store.get_run(run_id)
    except OverflowError:  # an id beyond SQLite's 64-bit integers names no run
        run = None
    if run is None:
        raise ConfigError("no_run_in", id=str(run_id), where=str(store.path))
    cfg = load_config(run.config)
    spec = get_arch(cfg.arch)
    if not compressible(cfg.arch, cfg.dataset):
        kind = data_mod.DATASETS[cfg.dataset].kind
        raise ConfigError("not_compressible", id=str(run_id), kind=spec.kind if kind == "image" else f"{kind} model",
                          arch=cfg.arch)
    path = store.run_dir(run) / "checkpoint.pt"
    if not path.exists():
        raise ConfigError("no_checkpoint_yet", id=str(run_id), path=str(path))
    blob = load_checkpoint(path)  # CheckpointRefused (a ConfigError) for a pickle that would run code
    model = spec.build(cfg)
    model.load_state_dict(blob["model"])
    return model.eval(), cfg


# ---- the two techniques -------------------------------------------------------------------------
def prunable(model: nn.Module) -> list[tuple[nn.Module, str, str]]:
    """(module, parameter name, full name) of every weight matrix or kernel: the parameters named
    weight* with two or more dimensions (Linear, Conv, recurrent and attention weights); biases
    and norms are left alone, as usual."""
    out = []
    for mname, module in model.named_modules():
        for pname, p in module.named_parameters(recurse=False):
            if pname.startswith(("weight", "in_proj_weight")) and p.dim() >= 2:
                out.append((module, pname, f"{mname}.{pname}".lstrip(".")))
    return out


def prune_model(model: nn.Module, sparsity: float, scope: str = "global") -> tuple[nn.Module, list[str]]:
    """A copy of ``model`` with ``sparsity`` of its prunable weights zeroed by L1 magnitude, made
    permanent; and the names of the tensors pruned."""
    if not 0.0 <= sparsity < 1.0:
        raise ConfigError("must_be", where=f"prune={sparsity!r}", range=Message("range_share"))
    if scope not in SCOPES:
        raise ConfigError("must_be", where=f"scope={scope!r}", range=Message("range_choices", values=", ".join(SCOPES)))
    model = copy.deepcopy(model)
    targets = prunable(model)
    if not targets or sparsity == 0:
        return model, []
    pairs = [(m, n) for m, n, _ in targets]
    if scope == "global":
        prune.global_unstructured(pairs, pruning_method=prune.L1Unstructured, amount=sparsity)
    else:
        for m, n in pairs:
            prune.l1_unstructured(m, n, amount=sparsity)
    for m, n in pairs:
        prune.remove(m, n)  # weight = weight_orig * mask, as a plain parameter again
    if any(isinstance(m, nn.RNNBase) for m, _ in pairs):
        for m in model.modules():
            if isinstance(m, nn.RNNBase):
                m.flatten_parameters()  # re-read the pruned weights into the fused (cuDNN) layout
    return model, [full for _, _, full in targets]


def sparsity_of(model: nn.Module) -> tuple[float, int]:
    """Zero share of the weight matrices and kernels (every weight tensor of two or more dimensions,
    a quantized layer's unpacked), and the non-zero count of all its weights and buffers."""
    tensors = _weights(model)
    mats = [t for t in tensors if t.dim() >= 2]
    total = sum(t.numel() for t in mats)
    zeros = sum(int((t == 0).sum()) for t in mats)
    return (zeros / total if total else 0.0), sum(int((t != 0).sum()) for t in tensors)


def _weights(model: nn.Module) -> list[torch.Tensor]:
    """Every weight tensor of the model as floats, quantized ones unpacked (for counting only)."""
    out = []
    for v in model.state_dict().values():
        if isinstance(v, torch.Tensor):
            out.append(v.dequantize() if v.is_quantized else v)
        elif isinstance(v, tuple):  # a dynamic-quantized Linear's (weight, bias) packed params
            out += [t.dequantize() if t.is_quantized else t for t in v if isinstance(t, torch.Tensor)]
    return out


def quantize_model(model: nn.Module) -> tuple[nn.Module, list[str], list[str]]:
    """A copy with dynamic int8 quantization of its Linear, LSTM and GRU layers; the modules it
    replaced, and the weighted modules left in float32 (with their type)."""
    with _quiet():
        q = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), set(QUANTIZABLE), dtype=torch.qint8)
    before = dict(model.named_modules())
    quantized, kept = [], []
    for name, m in q.named_modules():
        orig = before.get(name)
        if orig is None or not name:
            continue
        if type(m) is not type(orig):
            quantized.append(f"{name} ({type(orig).__name__})")
        elif any(p.dim() >= 2 for p in orig.parameters(recurse=False)):
            kept.append(f"{name} ({type(orig).__name__})")
    _without_fastpath(q)
    return q.eval(), quantized, kept


def _without_fastpath(model: nn.Module) -> None:
    """Run ``model`` with PyTorch's fused Transformer-layer inference path off: that path reads each
    Linear's ``.weight`` as a tensor, which a quantized Linear has only as a method."""
    was: list[bool] = []

    def off(_module, _args):
        was.append(torch.backends.mha.get_fastpath_enabled())
        torch.backends.mha.set_fastpath_enabled(False)

    def back(_module, _args, _out):
        torch.backends.mha.set_fastpath_enabled(was.pop() if was else True)

    model.register_forward_pre_hook(off)
    model.register_forward_hook(back)


# ---- measurements -------------------------------------------------------------------------------
def sizes(model: nn.Module) -> tuple[int, int]:
    """Bytes of the serialized state dict, raw and gzip-compressed (zeros compress: pruning shows here)."""
    buf = io.BytesIO()
    with _quiet():
        torch.save(model.state_dict(), buf)
    raw = buf.getvalue()
    return len(raw), len(gzip.compress(raw, compresslevel=6))


@torch.no_grad()
def latencies_ms(models: list[nn.Module], x: torch.Tensor, repeats: int) -> list[float]:
    """Median wall time of one forward pass on ``x`` for each model, after a warm-up pass each.

    The models take turns, one pass each per round, so a busy moment of a shared machine slows
    them all alike instead of whichever happened to be measured then."""
    for m in models:
        m(x)
    times: list[list[float]] = [[] for _ in models]
    for _ in range(repeats):
        for m, t in zip(models, times):
            start = time.perf_counter()
            m(x)
            t.append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


@torch.no_grad()
def predictions(model: nn.Module, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    return torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, len(x), batch)])


def measure(name: str, model: nn.Module, x: torch.Tensor, y: torch.Tensor, reference: torch.Tensor | None
            ) -> tuple[Row, torch.Tensor]:
    """One version's row (latencies left at 0: ``compress`` times all versions together), and its
    test predictions."""
    pred = predictions(model, x)
    raw, packed = sizes(model)
    share, nonzero = sparsity_of(model)
    row = Row(name, raw, packed, nonzero, share, 0.0, 0.0, float((pred == y).float().mean()),
              1.0 if reference is None else float((pred == reference).float().mean()))
    return row, pred


def compress(store, run_id: int, sparsity: float = 0.0, int8: bool = False, scope: str = "global",
             repeats: int = 50, threads: int | None = None, data_root=None) -> Report:
    """Measure the run's float model and the versions asked for: pruned, int8, and both (pruned, then
    quantized); every row measured on the test split with the same inputs."""
    if not sparsity and not int8:
        raise ConfigError("nothing_to_compare")
    check_count("repeats", repeats, 1, MAX_REPEATS)
    check_count("threads", threads or 0, 0, MAX_THREADS, Message("note_torch_threads"))
    model, cfg = load_model(store, run_id)
    if threads:
        torch.set_num_threads(threads)
    ds = data_mod.load(cfg.dataset, data_root)
    x, y = ds.x_test, ds.y_test
    report = Report(run_id, cfg.arch, [], threads=torch.get_num_threads(), repeats=repeats)
    versions = [("float32", model)]
    pruned = None
    if sparsity:
        pruned, report.pruned = prune_model(model, sparsity, scope)
        versions.append((f"pruned {sparsity:.0%} ({scope})", pruned))
    if int8:
        q, report.quantized, report.kept_float = quantize_model(model)
        versions.append(("int8 (dynamic)", q))
        if pruned is not None:
            versions.append((f"pruned {sparsity:.0%} + int8", quantize_model(pruned)[0]))
    with _quiet():
        base, ref = measure(*versions[0], x, y, None)
        report.rows = [base] + [measure(name, m, x, y, ref)[0] for name, m in versions[1:]]
        models = [m for _, m in versions]
        for row, b1, b256 in zip(report.rows, latencies_ms(models, x[:1], repeats),
                                 latencies_ms(models, x[:256], max(3, repeats // 5))):
            row.latency_b1_ms, row.latency_b256_ms = b1, b256
    return report


def save(store, report: Report) -> None:
    """Keep the report in the run's folder, where the pages read it."""
    folder = store.run_dir(report.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULT_FILE).write_text(json.dumps(report.to_dict(), indent=1))


def saved(store, run_id: int) -> Report | None:
    """The last report measured for the run, or None."""
    path = store.run_dir(run_id) / RESULT_FILE
    try:
        return Report.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def table(report: Report):
    """The report as a DataFrame, one row per variant, plus ratios against the float model."""
    import pandas as pd

    df = pd.DataFrame([asdict(r) for r in report.rows]).set_index("variant")
    base = report.rows[0]
    df["size_ratio"] = df["size_bytes"] / base.size_bytes
    df["speedup_b1"] = base.latency_b1_ms / df["latency_b1_ms"]
    df["speedup_b256"] = base.latency_b256_ms / df["latency_b256_ms"]
    return df
