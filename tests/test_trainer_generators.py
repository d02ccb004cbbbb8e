"""Generators in the trainer: grids early in short runs, quality figures with their collapse flag."""
import types

import pytest
import torch
import torch.nn as nn

from deeparch.course import data
from deeparch.course.archs import ARCHS
from deeparch.course.archs.base import ArchSpec, GeneratorModel
from deeparch.course.archs import make_config
from deeparch.present.display import generator
from deeparch.engine.trainer import Trainer

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
    for module in ("deeparch.engine.trainer", "deeparch.engine.media_passes"):  # the steps and the media passes
        monkeypatch.setattr(f"{module}.time", types.SimpleNamespace(perf_counter=clock.perf_counter))
    monkeypatch.setitem(ARCHS, "onedigit", ArchSpec(name="onedigit", title="One digit", kind="generator",
                                                    summary="test", preset={}, params=(), build=OneDigit,
                                                    display=generator()))
    return clock


def recorded(arch: str, **hp):
    """A run of ``arch``; what its callbacks were told: (result, metrics, media, judging states in order)."""
    emitted, media, judging = [], [], []

    class Rec:
        def __getattr__(self, name):
            return lambda *a: None

        def on_metrics(self, step, values):
            emitted.append((step, dict(values)))

        def on_media(self, step, kind, png, meta):
            media.append((step, kind))

        def on_judging(self, trainer, active):
            judging.append(active)

    result = Trainer(make_config(arch, **hp), [Rec()]).fit()
    return result, emitted, media, judging


def run(**hp):
    return recorded("onedigit", **hp)[:3]


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


SAMPLE_S = 0.05  # seconds of (fake) clock per sampled image: 25 s for 500 judged samples


class SlowDigit(OneDigit):
    """OneDigit whose sampling costs SAMPLE_S of the fake clock per image, as a diffusion model's does."""

    sampled = 0

    @torch.no_grad()
    def sample(self, n, seed):
        self.clock.now += SAMPLE_S * n
        type(self).sampled += n
        return super().sample(n, seed)


@pytest.fixture
def slow_digit(one_digit, monkeypatch):
    monkeypatch.setattr(SlowDigit, "sampled", 0)
    monkeypatch.setattr("deeparch.course.archs.base.time", types.SimpleNamespace(perf_counter=one_digit.perf_counter),
                        raising=False)  # the chunks of a quality pass run on the same fake clock
    monkeypatch.setitem(ARCHS, "slowdigit", ArchSpec(name="slowdigit", title="Slow digit", kind="generator",
                                                     summary="test", preset={}, params=(), build=SlowDigit,
                                                     display=generator()))
    return one_digit


def run_recording_judging(**hp):
    """A slowdigit run; also which judging states the callbacks were told, in order."""
    return recorded("slowdigit", **hp)


def test_sampling_and_judging_take_at_most_a_quarter_of_the_run(slow_digit):
    """Two minutes of training with samples that cost 50 ms each: grids and quality passes (the final one
    included) stay within a quarter of training + media, the run still ends with a judged pass, and the
    summary keeps training time and quality time apart."""
    result, emitted, media, judging = run_recording_judging(max_minutes=2.0, epochs=1000, batch_size=25)
    media_s = SlowDigit.sampled * SAMPLE_S
    train_s = result.summary["train_seconds"]
    assert media_s / (train_s + media_s) <= 0.25
    qualities = [s for s, k in media if k == "quality"]
    assert qualities and qualities[-1] == result.step  # the final pass is never skipped
    assert [s for s, k in media if k == "samples"][0] * STEP_S <= 30  # a first grid early all the same
    assert result.summary["sample_seconds"] + result.summary["quality_seconds"] == pytest.approx(media_s)
    assert judging == [True, False] * len(qualities)  # "judging samples…" around every quality pass


def test_a_short_run_ends_with_fewer_samples_judged_not_with_minutes_of_judging(slow_digit):
    result, emitted, media, _ = run_recording_judging(max_steps=20, batch_size=400)  # 10 s of training
    last = [v for s, v in emitted if "recognisability" in v][-1]
    assert 0 < last["quality_samples"] < 500 and last["quality_samples"] % 100 == 0
    assert SlowDigit.sampled * SAMPLE_S <= 10.0 + 100 * SAMPLE_S  # the floor, and at most one chunk past it
