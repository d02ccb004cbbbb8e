"""Diagnostics in words: what a run's numbers say clearly, as short notes beside the run.

Pure functions over a run's metric series (anything with ``has(key)``, ``series(key) ->
(steps, values, …)`` and ``rows_under(prefix)``, as ``deeparch.read.series.RunMetrics``). Each
finding is a ``Note``: a catalog key and the numbers behind it; the page words it. A rule
speaks only when the numbers are unambiguous (enough points, a wide margin), because a
wrong warning teaches the wrong lesson.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

MIN_POINTS = 10            # a per-step series needs this many points before any rule reads it
DIVERGE_FACTOR = 3.0       # recent loss this many times its best: diverging
EXPLODED = 100.0           # latest loss this many times the first: diverged within a few steps
EXPLODE_FACTOR = 100.0     # gradient norm this many times its early level: exploding
VANISH_BELOW = 1e-7        # a layer's recent gradient norm under this: it has stopped learning
LAYER_SPREAD = 1e4         # largest / smallest recent layer gradient norm: vanishing through depth
TIME_RATIO = 1e-6          # first / last time step's gradient under this: vanishing through time (a healthy
                           # LSTM on recall over 100 steps keeps 1e-4..1e-2; a plain RNN underflows to 0)
OVERFIT_RISE = 1.1         # held-out loss this much above its best, while the training loss fell
TRAIN_FALL = 0.95          # … to below this share of its level at the held-out best
GAME_BLOWUP = 30.0         # a game's loss (G's) this many times its early level (or 1): blown up, not a game
D_GAP = 0.9                # D(x) − D(G(z)) above this lately: the discriminator tells (almost) every fake apart
COLLAPSE_DROP = 0.7        # class coverage under this share of its best (or under 0.5): mode collapse
COLLAPSED = 0.5            # class coverage under this: one or two digits only
NOT_DIGITS = 0.5           # share of samples the judge calls no digit, above which the samples are not digits
NO_DIGITS_FRECHET = 400.0  # runs judged before that share existed: judge Fréchet distance above this


class Note(NamedTuple):
    key: str               # catalog key the page words
    values: dict           # the numbers the words quote


def _recent(values: np.ndarray, share: float = 0.1, least: int = 5) -> np.ndarray:
    """The last ``share`` of the finite values (at least ``least`` of them)."""
    v = values[np.isfinite(values)]
    return v[-max(least, int(len(v) * share)):]


def _series(rm, key: str) -> tuple[np.ndarray, np.ndarray]:
    if not rm.has(key):
        return np.zeros(0), np.zeros(0)
    s, v = rm.series(key)[:2]
    return np.asarray(s), np.asarray(v, dtype=float)


def adversarial(rm) -> bool:
    """Whether the run plays a game (a GAN: a discriminator's or critic's loss beside the generator's)."""
    return rm.has("d_loss") or rm.has("critic_loss")


def diverging(rm, loss_key: str = "loss") -> list[Note]:
    """The training loss has become non-finite, or its recent level is far above its best. A game's
    losses (a GAN's) are no descent: G's loss rises whenever D gets better, so there only a non-finite
    value or a real blow-up (GAME_BLOWUP times its early level) counts."""
    steps, v = _series(rm, loss_key)
    if len(v) and not np.isfinite(v[-1]):
        return [Note("loss_nonfinite", {"step": int(steps[-1])})]
    if adversarial(rm):
        v = v[np.isfinite(v)]
        if len(v) < MIN_POINTS:
            return []
        early, now = float(np.median(v[:max(5, len(v) // 10)])), float(np.median(_recent(v)))
        return [Note("game_blowup", {"now": now, "early": early})] if now > GAME_BLOWUP * max(early, 1.0) else []
    if len(v) >= 3 and np.isfinite(v[0]) and v[-1] > EXPLODED * max(v[0], 1e-12):  # too fast for the rule below
        return [Note("loss_diverging", {"now": float(v[-1]), "best": float(np.nanmin(v))})]
    if len(v) < MIN_POINTS:
        return []
    now, best = float(np.median(_recent(v))), float(np.nanmin(v))
    if now > DIVERGE_FACTOR * max(best, 1e-12) and now > float(np.median(v[:max(5, len(v) // 10)])):
        return [Note("loss_diverging", {"now": now, "best": best})]
    return []


def gradients(rm) -> list[Note]:
    """Exploding overall gradient; layers whose gradient vanished, or a wide spread through depth."""
    out = []
    _, g = _series(rm, "grad_norm")
    g = g[np.isfinite(g)]
    if len(g) >= MIN_POINTS:
        early, now = float(np.median(g[:max(3, len(g) // 10)])), float(np.median(_recent(g)))
        if now > EXPLODE_FACTOR * max(early, 1e-30):
            out.append(Note("grad_exploding", {"now": now, "early": early}))
    recent = {}
    for layer in rm.rows_under("grad/"):
        v = _series(rm, "grad/" + layer)[1]
        v = v[np.isfinite(v)]
        if len(v) >= 3:
            recent[layer] = float(np.median(v[-max(3, len(v) // 5):]))
    if len(recent) >= 2:
        low = min(recent, key=recent.get)
        high = max(recent, key=recent.get)
        if recent[low] < VANISH_BELOW:
            out.append(Note("grad_vanishing_layer", {"layer": low, "value": recent[low]}))
        elif recent[high] / max(recent[low], 1e-30) > LAYER_SPREAD:
            out.append(Note("grad_spread", {"low": low, "high": high, "ratio": recent[high] / recent[low]}))
    return out


def vanishing_in_time(first: float, last: float) -> list[Note]:
    """The loss's gradient with respect to the first time step's hidden state against the last's
    (an RNN's curve over time steps): far smaller at the start is vanishing through time."""
    if last > 0 and np.isfinite(first) and first / last < TIME_RATIO:
        return [Note("grad_vanishing_time", {"ratio": first / last})]
    return []


def overfitting(rm, held_out: str = "test_loss", train: str = "loss") -> list[Note]:
    """The held-out loss rose well above its best, at least two evaluations ago, while the training
    loss kept falling over the same steps."""
    steps, v = _series(rm, held_out)
    ok = np.isfinite(v)
    steps, v = steps[ok], v[ok]
    if len(v) < 4:
        return []
    i = int(np.argmin(v))
    if i > len(v) - 3 or v[-1] < OVERFIT_RISE * v[i]:
        return []
    ts, tv = _series(rm, train)
    before, after = tv[(ts <= steps[i]) & np.isfinite(tv)], tv[(ts > steps[i]) & np.isfinite(tv)]
    if len(before) < 3 or len(after) < 3 or np.median(_recent(after)) >= TRAIN_FALL * np.median(_recent(before)):
        return []
    return [Note("overfitting", {"best_step": int(steps[i]), "best": float(v[i]), "now": float(v[-1])})]


def discriminator_wins(rm) -> list[Note]:
    """D(x) − D(G(z)) near 1 lately: the discriminator tells every fake apart. Read from D's outputs,
    never from a rising loss; the note quotes G's gradient norm (``g_grad``) against its early level,
    which with the non-saturating loss does not fade: G keeps being pushed, towards whatever fools
    this D at this moment, so its samples do not settle into digits."""
    dx, dgz = _series(rm, "d_x")[1], _series(rm, "d_g_z")[1]
    if len(dx) < MIN_POINTS or len(dgz) < MIN_POINTS:
        return []
    a, b = float(np.median(_recent(dx))), float(np.median(_recent(dgz)))
    if a - b <= D_GAP:
        return []
    values = {"d_x": a, "d_g_z": b, "gap": a - b}
    g = _series(rm, "g_grad")[1]
    g = g[np.isfinite(g)]
    if len(g) >= MIN_POINTS:
        values.update(g_grad=float(np.median(_recent(g))), g_grad_early=float(np.median(g[:max(5, len(g) // 10)])))
        return [Note("d_winning_grad", values)]
    return [Note("d_winning", values)]


def _latest(rm, key: str) -> float | None:
    v = _series(rm, key)[1]
    v = v[np.isfinite(v)]
    return float(v[-1]) if len(v) else None


def mode_collapse(rm) -> list[Note]:
    """Class coverage of the samples fell far below its best (``mode_collapse``), or has stayed under 0.5
    without ever being higher (``few_digits``: there was nothing to fall from). Silent where most samples
    are no digit: the coverage of noise says nothing (``no_digits`` speaks there)."""
    v = _series(rm, "coverage")[1]
    v = v[np.isfinite(v)]
    nd = _latest(rm, "not_digits")
    if len(v) < 2 or (nd is not None and nd > NOT_DIGITS):
        return []
    now, best = float(v[-1]), float(v.max())
    if best >= COLLAPSED and (now < COLLAPSED or now < COLLAPSE_DROP * best):
        return [Note("mode_collapse", {"now": now, "best": best})]
    if best < COLLAPSED:
        return [Note("few_digits", {"now": now})]
    return []


def no_digits(rm) -> list[Note]:
    """The latest judged samples are no digits: the judge calls most of them "not a digit" (``not_digits``);
    for runs judged before that share existed, their Fréchet distance is far from real digits'. A generator
    that draws noise or blotches: too early, or a model that cannot draw (the course's toy diffusion)."""
    share = _latest(rm, "not_digits")
    if share is not None:
        return [Note("not_digits", {"share": share})] if share > NOT_DIGITS else []
    v = _series(rm, "frechet")[1]
    v = v[np.isfinite(v)]
    return [Note("no_digits", {"now": float(v[-1])})] if len(v) and v[-1] > NO_DIGITS_FRECHET else []


def diagnose(rm, loss_key: str = "loss") -> list[Note]:
    """Every note the run's numbers support, most urgent first (overfitting is read on the validation
    loss where the run has one, else on the test loss)."""
    held_out = "val_loss" if rm.has("val_loss") else "test_loss"
    notes = [*diverging(rm, loss_key), *gradients(rm), *overfitting(rm, held_out, train=loss_key),
             *discriminator_wins(rm), *mode_collapse(rm), *no_digits(rm)]
    times = [t for t in rm.rows_under("grad_t/") if t.isdigit()]  # an RNN may log grad_t/<time step>
    if len(times) >= 2:
        ordered = sorted(times, key=int)
        first, last = (_series(rm, "grad_t/" + t)[1] for t in (ordered[0], ordered[-1]))
        if len(first) and len(last):
            notes += vanishing_in_time(float(first[-1]), float(last[-1]))
    return notes
