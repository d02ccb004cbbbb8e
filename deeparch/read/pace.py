"""How far a run is and how long it has left: progress, the measured pace, the time estimate.

Pure arithmetic over a run and its series; no Streamlit, no words (the pages say it).
"""
from __future__ import annotations

import numpy as np

from deeparch.store.lifecycle import ACTIVE
from deeparch.store import Run


def batch_size(run: Run) -> int:
    return int(run.config.get("hp", {}).get("batch_size", 1) or 1)


def time_budget_s(run: Run) -> float | None:
    """The run's training-time budget in seconds (``max_minutes``), or None."""
    minutes = run.config.get("hp", {}).get("max_minutes") or 0
    return float(minutes) * 60 if minutes and minutes > 0 else None


def train_time(run: Run, last: dict | None = None) -> float | None:
    """Seconds of training so far: the latest ``train_time`` metric, else the run's summary."""
    t = (last or {}).get("train_time")
    if t is None:
        t = run.summary.get("train_seconds")
    return float(t) if t is not None else None


def progress(run: Run, trained_s: float | None = None) -> float:
    """Done share of the run: of its steps, or of its training-time budget when that comes first."""
    if run.status == "finished":
        return 1.0
    frac = run.step / run.total_steps if run.total_steps else 0.0
    budget = time_budget_s(run)
    if budget and trained_s is not None:
        frac = max(frac, trained_s / budget)
    return max(0.0, min(1.0, frac))


def budget_bound(run: Run, trained_s: float | None) -> bool:
    """Whether the time budget, not the step count, ends this run: at its pace so far, the steps
    it would reach in the whole budget fall short of its total steps."""
    budget = time_budget_s(run)
    if not budget or not trained_s or not run.total_steps:
        return False
    return run.step / trained_s * budget < run.total_steps


PACE_MIN_STEPS = 20      # a pace is measured over at least this many steps…


PACE_MIN_SECONDS = 10.0  # …or this much time, after the first record


PACE_WINDOW = 30         # intervals between records the pace is taken over (the recent pace)


PAUSE_GAP = 10.0         # an interval this many times the typical one is a pause or a restart, not pace


def pace(steps: np.ndarray, walls: np.ndarray) -> float | None:
    """Wall seconds per step over the recent log records, or None while too little is measured.

    The first record is left out: its steps carry the start-up (data on the device, first
    calls, a busy machine) and extrapolating them told a 2-minute demo "41 min". Intervals
    much longer than the typical one (a pause, a stop and resume) are left out too;
    evaluation and sampling stay in, since the run's end waits for them as well.
    """
    steps, walls = np.asarray(steps, dtype=float), np.asarray(walls, dtype=float)
    if len(steps) < 3:
        return None
    steps, walls = steps[1:][-(PACE_WINDOW + 1):], walls[1:][-(PACE_WINDOW + 1):]
    ds, dt = np.diff(steps), np.diff(walls)
    ok = (ds > 0) & (dt >= 0)
    ds, dt = ds[ok], dt[ok]
    if not len(ds):
        return None
    per = dt / ds
    keep = per <= PAUSE_GAP * max(float(np.median(per)), 1e-9)
    n, seconds = ds[keep].sum(), dt[keep].sum()
    if n < PACE_MIN_STEPS and seconds < PACE_MIN_SECONDS:
        return None
    return float(seconds / n)


def expects_eta(run: Run) -> bool:
    """Whether a time left makes sense for the run: training (not waiting) towards a known total."""
    return (run.status in ACTIVE and run.status != "queued" and bool(run.total_steps)
            and run.step < run.total_steps)


def eta_seconds(run: Run, pace_s: float | None, trained_s: float | None = None) -> float | None:
    """Seconds left for a training run at its measured pace (see :func:`pace`), never more than
    what is left of its training-time budget; None when there is nothing or not yet enough to estimate."""
    if not expects_eta(run) or pace_s is None:
        return None
    eta = pace_s * (run.total_steps - run.step)
    budget = time_budget_s(run)
    if budget and trained_s is not None:
        eta = min(eta, max(0.0, budget - trained_s))
    return eta
