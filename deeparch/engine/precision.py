"""Mixed-precision training (the course's "treinamento misto de precisão"), for every architecture.

The common knob ``precision`` picks the number format of the forward pass: ``fp32`` (off), ``bf16``
(autocast to bfloat16: on CPUs with native bfloat16 arithmetic, and on CUDA), ``fp16`` (autocast to
float16 with a gradient scaler: CUDA only, since float16's narrow range underflows small gradients
without one and CPUs have no fast float16 path) or ``auto`` (bf16 on a CPU that supports it, fp16 on
CUDA, fp32 otherwise). Weights, gradients and optimizer state stay float32 ("mixed"): autocast casts
each operation's inputs, so a matrix product runs in the low format and a softmax or loss stays float32.

A combination the machine cannot run is refused before launch (``problem``/``require``) and again
when the worker starts (the worker may run on another machine), with the reason.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from deeparch.course.config import ConfigError, RunConfig
from deeparch.present.messages import Message

CHOICES = ("fp32", "bf16", "fp16", "auto")


def cpu_bf16() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (AVX-512 BF16 or AMX), as oneDNN sees it.

    Without it PyTorch still accepts bfloat16 on the CPU but emulates it, several times slower
    than float32: that is refused rather than run."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a build without oneDNN
        return False


@dataclass(frozen=True)
class Plan:
    """What a precision setting means on one device: autocast's dtype (None: float32) and whether a
    gradient scaler is needed."""

    dtype: torch.dtype | None
    device_type: str
    scaler: bool = False

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]

    def autocast(self):
        """The context a training step runs in."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def grad_scaler(self) -> torch.amp.GradScaler | None:
        return torch.amp.GradScaler(self.device_type) if self.scaler else None


def plan(choice: str, device: str | torch.device = "cpu") -> Plan:
    """The plan for ``choice`` on ``device``; ConfigError with the reason where it cannot run there."""
    device_type = torch.device(device).type
    cuda = device_type == "cuda"
    if choice == "auto":
        choice = "fp16" if cuda else ("bf16" if cpu_bf16() else "fp32")
    if choice == "fp32":
        return Plan(None, device_type)
    if choice == "fp16":
        if not cuda:
            raise ConfigError("fp16_needs_cuda")
        return Plan(torch.float16, device_type, scaler=True)
    if choice == "bf16":
        if not cuda and not cpu_bf16():
            raise ConfigError("bf16_no_cpu")
        return Plan(torch.bfloat16, device_type)
    raise ConfigError("must_be", where=f"precision={choice!r}",
                      range=Message("range_choices", values=", ".join(CHOICES)))


def training_device() -> str:
    """Where a run launched from this machine trains (the trainer's own default)."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def problem(cfg: RunConfig, device: str | None = None) -> str | None:
    """Why ``cfg``'s precision cannot run here, or None."""
    try:
        plan(cfg.hp.get("precision", "fp32"), device or training_device())
    except ConfigError as e:
        return e.args[0]  # the Message: a code and fields
    return None


def require(cfg: RunConfig, device: str | None = None) -> None:
    """Refuse, with the reason, a configuration whose precision this machine cannot run."""
    reason = problem(cfg, device)
    if reason:
        raise ConfigError(reason)
