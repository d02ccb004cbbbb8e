"""Generators in the trainer: grids early in short runs, quality figures with their collapse flag."""
import types

import pytest
import torch
import torch.nn as nn

from deeparch import data
from deeparch.archs import ARCHS
from deeparch.archs.base import ArchSpec, GeneratorModel
from deeparch.archs import make_config
from deeparch.display import generator
from deeparch.trainer import Trainer

STEP_S = 0.5  # seconds of (fake) training clock per step


class FakeClock:
    now = 0.0

    def perf_counter(self):
        return self.now


class OneDigit(GeneratorModel):
    """A collapsed generator: every sample is the same real "1". Its steps cost STEP_S of the fake clock."""

    clock: FakeClock = None

    def __init__(self, cfg):
        super().__init__(cfg)
        d = data.load(cfg.dataset)
        self.w = nn.Parameter(torch.zeros(1))
        self.register_buffer("digit", d.x_test[d.y_test == 1][:1].clone())  # (1, 1, 28, 28)

    def train_step(self, x, y, opts):
        loss = (self.w - 1).pow(2).sum()
        self.optimize(opts[0], loss)
        self.clock.now += STEP_S
        return {"loss": loss.item()}

    @torch.no_grad()
    def sample(self, n, seed):
        return self.digit.expand(n, -1, -1, -1)


@pytest.fixture
def one_digit(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(OneDigit, "clock", clock)
    monkeypatch.setattr("deeparch.trainer.time", types.SimpleNamespace(perf_counter=clock.perf_counter))
    monkeypatch.setitem(ARCHS, "onedigit", ArchSpec(name="onedigit", title="One digit", kind="generator",
                                                    summary="test", preset={}, params=(), build=OneDigit,
                                                    display=generator()))
    return clock


def run(**hp):
    emitted, media = [], []

    class Rec:
        def __getattr__(self, name):
            return lambda *a: None

        def on_metrics(self, step, values):
            emitted.append((step, dict(values)))

        def on_media(self, step, kind, png, meta):
            media.append((step, kind))

    result = Trainer(make_config("onedigit", **hp), [Rec()]).fit()
    return result, emitted, media


def test_a_two_minute_run_shows_its_first_grid_within_30_s_and_several(one_digit):
    result, _, media = run(max_minutes=2.0, epochs=1000, batch_size=25)  # 160 steps an epoch = 80 s
    assert "time budget" in result.reason
    grids = [s for s, k in media if k == "samples"]
    assert grids[0] * STEP_S <= 30
    assert len(grids) >= 6
    qualities = [s for s, k in media if k == "quality"]
    assert 2 <= len(qualities) < len(grids) and qualities[-1] == result.step


def test_a_long_run_shows_one_grid_per_epoch(one_digit):
    result, _, media = run(epochs=10, batch_size=400)  # 10 steps an epoch
    assert [s for s, k in media if k == "samples"] == list(range(10, 101, 10))


def test_explicit_cadences_are_honoured(one_digit):
    _, _, media = run(max_steps=30, sample_every=7, quality_every=10, batch_size=400)
    assert [s for s, k in media if k == "samples"] == [7, 10, 14, 20, 21, 28, 30]
    assert [s for s, k in media if k == "quality"] == [10, 20, 30]


def test_a_collapsed_generator_is_flagged_beside_its_recognisability(one_digit):
    result, emitted, _ = run(max_steps=20, batch_size=400)
    quality = [v for _, v in emitted if "recognisability" in v]
    assert quality
    for v in quality:  # recognisability never without coverage and the flag in the same emission
        assert v["collapsed"] == 1.0 and v["coverage"] < 0.1
    assert result.summary["collapsed"] == 1.0 and "coverage" in result.summary
