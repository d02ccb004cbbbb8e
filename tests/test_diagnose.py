"""Issue 12.8: diagnostics in words, from a run's metric series (known shapes in, notes out)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from deeparch.course import data
from deeparch.engine import diagnose
from deeparch.course.archs import ARCHS, make_config
from deeparch.course.archs.base import MediaContext


class Series:
    """The part of RunMetrics the rules read: has, series, rows_under."""

    def __init__(self, **keys):
        self.data = {k.replace("__", "/"): (np.asarray(s), np.asarray(v, dtype=float)) for k, (s, v) in keys.items()}

    def has(self, key):
        return key in self.data

    def series(self, key):
        s, v = self.data[key]
        return s, v, s

    def rows_under(self, prefix):
        return [k[len(prefix):] for k in self.data if k.startswith(prefix)]


STEPS = np.arange(1, 101)
FALLING = 2.3 * np.exp(-STEPS / 30) + 0.1


def keys(notes):
    return [n.key for n in notes]


def test_a_healthy_run_gets_no_note():
    rm = Series(loss=(STEPS, FALLING), test_loss=(STEPS[9::10], FALLING[9::10] + 0.05),
                grad_norm=(STEPS, np.full(100, 0.5)), grad__a=(STEPS, np.full(100, 1e-2)),
                grad__b=(STEPS, np.full(100, 1e-3)), d_x=(STEPS, np.full(100, 0.6)), d_g_z=(STEPS, np.full(100, 0.4)),
                coverage=(STEPS[::20], np.linspace(0.6, 0.9, 5)))
    assert diagnose.diagnose(rm) == []


def test_diverging_and_nonfinite_loss():
    rising = np.concatenate([FALLING[:50], np.geomspace(0.3, 50, 50)])
    assert keys(diagnose.diagnose(Series(loss=(STEPS, rising)))) == ["loss_diverging"]
    nan = FALLING.copy()
    nan[-1] = np.nan
    note = diagnose.diagnose(Series(loss=(STEPS, nan)))[0]
    assert note.key == "loss_nonfinite" and note.values == {"step": 100}


def test_gradients_exploding_vanishing_and_spread_through_depth():
    boom = Series(grad_norm=(STEPS, np.geomspace(0.1, 1e3, 100)))
    assert keys(diagnose.gradients(boom)) == ["grad_exploding"]
    dead = Series(grad__first=(STEPS, np.full(100, 1e-9)), grad__last=(STEPS, np.full(100, 1e-2)))
    assert diagnose.gradients(dead) == [diagnose.Note("grad_vanishing_layer", {"layer": "first", "value": 1e-9})]
    spread = Series(grad__first=(STEPS, np.full(100, 1e-6)), grad__last=(STEPS, np.full(100, 1.0)))
    assert keys(diagnose.gradients(spread)) == ["grad_spread"]


def test_vanishing_through_time_from_a_per_time_step_series():
    rm = Series(grad_t__0=(STEPS, np.full(100, 1e-9)), grad_t__27=(STEPS, np.full(100, 1e-1)))
    assert keys(diagnose.diagnose(rm)) == ["grad_vanishing_time"]
    assert diagnose.vanishing_in_time(1e-3, 1.0) == []
    assert diagnose.vanishing_in_time(0.0, 0.0) == [], "no gradient at all is not a ratio"


@pytest.mark.parametrize("cell,forget_bias,vanishes", [("rnn", 0.0, True), ("lstm", 3.0, False)])
def test_the_rnn_logs_its_gradient_through_time_and_a_plain_rnn_is_named(cell, forget_bias, vanishes):
    """The real model's views log the curve's two ends as grad_t/<step>; over the recall task's 100 blanks
    the plain RNN's first-step gradient underflows and is diagnosed in words, the LSTM's is not."""
    torch.manual_seed(0)
    cfg = make_config("rnn", "recall", distance=100, hidden=64, cell=cell, forget_bias=forget_bias)
    d = data.load(cfg.dataset, hp=cfg.hp)
    model = ARCHS["rnn"].build(cfg)
    ctx = MediaContext(d.x_test[:16], d.y_test[:16], d.classes, None)
    media, figures = model.media(ctx, False)
    curve = {m.kind: m.meta for m in media}["time_grads"]["series"][0]["y"]
    assert figures == {"grad_t/0": curve[0], f"grad_t/{len(curve) - 1}": curve[-1]}
    rm = Series(**{k.replace("/", "__"): (STEPS, np.full(100, v)) for k, v in figures.items()})
    assert (keys(diagnose.diagnose(rm)) == ["grad_vanishing_time"]) == vanishes


def test_overfitting_needs_held_out_loss_rising_while_training_loss_falls():
    evals = STEPS[9::10]
    u_shape = np.array([1.0, 0.7, 0.5, 0.4, 0.38, 0.45, 0.55, 0.65, 0.75, 0.85])
    note = diagnose.overfitting(Series(loss=(STEPS, FALLING), test_loss=(evals, u_shape)))
    assert keys(note) == ["overfitting"] and note[0].values["best_step"] == 50
    flat_train = np.concatenate([FALLING[:40], np.full(60, FALLING[39])])  # training stalled too: not overfitting
    assert diagnose.overfitting(Series(loss=(STEPS, flat_train), test_loss=(evals, u_shape))) == []


def test_discriminator_winning_and_mode_collapse():
    rm = Series(d_x=(STEPS, np.full(100, 0.99)), d_g_z=(STEPS, np.full(100, 0.01)))
    assert keys(diagnose.discriminator_wins(rm)) == ["d_winning"]
    assert keys(diagnose.mode_collapse(Series(coverage=(STEPS[:4], [0.8, 0.9, 0.7, 0.4])))) == ["mode_collapse"]
    assert diagnose.mode_collapse(Series(coverage=(STEPS[:4], [0.8, 0.9, 0.85, 0.88]))) == []


def _game(g_loss, d_x, d_g_z, **more):
    """A GAN's series: both players' losses, D's outputs (and whatever else is given)."""
    g_loss = np.asarray(g_loss, dtype=float)
    return Series(g_loss=(STEPS, g_loss), d_loss=(STEPS, 1.4 - g_loss / 2), d_x=(STEPS, np.full(100, d_x)),
                  d_g_z=(STEPS, np.full(100, d_g_z)), **more)


def test_a_gan_whose_generator_loss_rises_is_playing_not_diverging():
    """As a healthy MLP GAN's does over its first minutes (0.65 → 2.1, measured): D gets better for a while."""
    rising = np.linspace(0.65, 2.1, 100)
    rm = _game(rising, 0.85, 0.2, g_grad=(STEPS, np.linspace(1.4, 9.8, 100)))
    assert diagnose.diagnose(rm, "g_loss") == []
    assert keys(diagnose.diagnose(Series(loss=(STEPS, rising)))) == ["loss_diverging"]  # a descent's loss: diverging


def test_a_game_diverges_only_on_a_real_blow_up_or_a_non_finite_value():
    assert keys(diagnose.diagnose(_game(np.geomspace(0.7, 80, 100), 0.6, 0.4), "g_loss")) == ["game_blowup"]
    nan = np.full(100, 1.0)
    nan[-1] = np.nan
    assert keys(diagnose.diagnose(_game(nan, 0.6, 0.4), "g_loss")) == ["loss_nonfinite"]


def test_the_discriminator_wins_by_its_outputs_and_the_note_quotes_g_gradient():
    g = np.concatenate([np.full(10, 2.0), np.full(90, 12.0)])
    note = diagnose.discriminator_wins(_game(np.full(100, 4.0), 0.99, 0.02, g_grad=(STEPS, g)))
    assert keys(note) == ["d_winning_grad"]
    assert note[0].values["gap"] == pytest.approx(0.97) and note[0].values["g_grad"] == 12.0
    assert note[0].values["g_grad_early"] == 2.0
    assert diagnose.discriminator_wins(_game(np.full(100, 4.0), 0.9, 0.15)) == []  # ahead, not winning outright


def test_coverage_that_never_was_higher_did_not_fall_and_noise_has_no_coverage_note():
    low = Series(coverage=(STEPS[:3], [0.0, 0.0, 0.0]))
    assert keys(diagnose.mode_collapse(low)) == ["few_digits"]
    noise = Series(coverage=(STEPS[:3], [0.0, 0.0, 0.0]), not_digits=(STEPS[:3], [1.0, 1.0, 1.0]))
    assert keys(diagnose.diagnose(noise)) == ["not_digits"]
    assert keys(diagnose.mode_collapse(Series(coverage=(STEPS[:3], [0.9, 0.95, 0.3])))) == ["mode_collapse"]
