"""The ``precision`` knob: bf16 really runs the forward in bfloat16, losses stay finite, and a
combination the machine cannot run is refused with a reason (at launch and in the trainer)."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn as nn

from deeparch.execution import jobs
from deeparch.engine import precision
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from deeparch.engine.trainer import Callback, Trainer

needs_bf16 = pytest.mark.skipif(not precision.cpu_bf16(), reason="this CPU has no native bfloat16")


class Losses(Callback):
    def __init__(self):
        self.loss = []

    def on_metrics(self, step, values):
        if "loss" in values:
            self.loss.append(values["loss"])


def linear_output_dtypes(arch: str, **hp) -> tuple[set, list[float]]:
    """Train a few steps; the dtypes every Linear layer produced in training, and the losses."""
    rec = Losses()
    t = Trainer(make_config(arch, max_steps=3, batch_size=8, eval_every=100, sample_every=100, **hp), [rec],
                device="cpu")
    t.setup()
    seen: set = set()
    for m in t.model.modules():
        if isinstance(m, nn.Linear):
            m.register_forward_hook(lambda mod, i, out: seen.add(out.dtype) if mod.training else None)
    t.fit()
    return seen, rec.loss


@needs_bf16
def test_bf16_runs_the_forward_in_bfloat16_and_stays_finite():
    seen, losses = linear_output_dtypes("mlp", precision="bf16", width=32, layers=2)
    assert seen == {torch.bfloat16}
    assert len(losses) == 3 and all(math.isfinite(v) for v in losses)


def test_fp32_is_float32():
    seen, losses = linear_output_dtypes("mlp", precision="fp32", width=32, layers=2)
    assert seen == {torch.float32} and all(math.isfinite(v) for v in losses)


@needs_bf16
def test_bf16_changes_the_losses_weights_stay_float32():
    _, fp32 = linear_output_dtypes("mlp", precision="fp32", width=32, layers=2)
    _, bf16 = linear_output_dtypes("mlp", precision="bf16", width=32, layers=2)
    assert fp32 != bf16  # rounded to bfloat16, the same seed gives other losses
    t = Trainer(make_config("mlp", precision="bf16", width=32, layers=2), device="cpu")
    t.setup()
    assert all(p.dtype == torch.float32 for p in t.model.parameters())


def test_fp16_on_cpu_is_refused_with_a_reason(store):
    cfg = make_config("mlp", precision="fp16", max_steps=2)
    with pytest.raises(ConfigError, match="fp16 needs a CUDA GPU"):
        precision.plan("fp16", "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="precision=fp16"):
            jobs.launch(cfg, store=store)
        assert store.list_runs() == []  # refused before anything was stored
    with pytest.raises(ConfigError, match="fp16"):
        Trainer(cfg, device="cpu").setup()  # a worker on a CPU refuses it too


def test_bf16_without_native_support_is_refused(monkeypatch):
    monkeypatch.setattr(precision, "cpu_bf16", lambda: False)
    with pytest.raises(ConfigError, match="no native bfloat16"):
        precision.plan("bf16", "cpu")
    assert precision.plan("auto", "cpu").dtype is None  # auto falls back to fp32, never refuses
    assert precision.plan("bf16", "cuda").dtype is torch.bfloat16  # a GPU does bf16 whatever the CPU


def test_auto_and_bad_values():
    assert precision.plan("auto", "cuda").dtype is torch.float16 and precision.plan("auto", "cuda").scaler
    with pytest.raises(ConfigError, match="precision='fp8'"):
        make_config("cnn", precision="fp8")


def test_the_gradient_scale_is_checkpointed_and_comes_back_on_resume(tmp_path, monkeypatch):
    """fp16's gradient scaler (CUDA only; stood in for here by a CPU scaler over float32) keeps its
    scale in the checkpoint: a resumed run goes on with the scale it had learned, not 65536 again."""
    monkeypatch.setattr(precision, "plan", lambda choice, device="cpu": precision.Plan(None, "cpu", scaler=True))
    cfg = make_config("cnn", max_steps=4, checkpoint_every=2, channels=4, hidden=16, eval_every=2)
    ck = tmp_path / "ck.pt"
    first = Trainer(cfg, checkpoint=ck, device="cpu")
    first.fit()
    assert first.model.scaler is not None and first.model.scaler.get_scale() == 65536.0  # no overflow in fp32
    first.model.scaler.update(new_scale=1024.0)  # as after a few float16 overflows
    first.save_checkpoint()
    again = Trainer(cfg, checkpoint=ck, device="cpu")
    again.setup()
    assert again.step == 4 and again.model.scaler.get_scale() == 1024.0
    fresh = Trainer(cfg, checkpoint=tmp_path / "other.pt", device="cpu")
    fresh.setup()
    assert fresh.model.scaler.get_scale() == 65536.0
