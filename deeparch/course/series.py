"""Time series for forecasting (datasets of kind "series"): a classic series, sliding windows and a
rolling-origin temporal split (the course's temporal cross-validation), with no future value ever
in a training window.

The series ships with statsmodels (no download): ``sunspots``, the yearly mean sunspot numbers
1700–2008 (309 values). A model reads a window of ``window`` past values and forecasts the next one
(one step ahead).

Rolling origin, ``folds`` folds of ``fold_size`` values each: the last ``folds × fold_size`` values
are cut into consecutive test blocks. Fold j's *origin* is the first value of its block; it trains
on windows whose target (and so every input) comes before its origin, and is tested on the windows
whose target lies in its block (their inputs may reach back before the origin: they are the past,
known when the forecast is made). Each fold's values are scaled by the mean and standard deviation
of the values before its origin only: the test block never shapes its own scaling.

Tensors (``make``): ``x`` (N, folds, window) float32, the window as each fold scales it (zeros where
the window is not in that fold's set); ``y`` (N, folds) float32, the scaled target, NaN where the
window is not in that fold's set. Training windows are the union of the folds' training sets, each
test window belongs to one fold. A leaf module (numpy, torch, the config's ``Param``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import torch

from deeparch.course.config import Param
from deeparch.present.messages import Message

MIN_TRAIN = 20  # training windows the first fold needs at least


@dataclass(frozen=True)
class Series:
    name: str
    title: str
    unit: str          # what a value measures, the MAE's unit ("sunspot number")
    step: str          # what one time step is ("year")


SERIES: dict[str, Series] = {
    "sunspots": Series("sunspots", "Sunspots (yearly, 1700–2008, statsmodels; forecasting)", "sunspot number", "year"),
}

PARAMS: tuple[Param, ...] = (
    Param("window", 20, "sliding window: how many past values the model reads to forecast the next one "
          "(years for sunspots)", int, 2, 60, label="Window length"),
    Param("folds", 4, "rolling-origin folds (temporal cross-validation): each fold trains on everything before "
          "its origin and is tested on the next block; one model per fold, trained side by side", int, 1, 8,
          label="Temporal folds"),
    Param("fold_size", 20, "values in each fold's test block (years for sunspots)", int, 5, 25,
          label="Test block per fold"),
)


@functools.lru_cache(maxsize=None)
def values(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The series ``name`` as (times, values), float64 (for sunspots: years and yearly sunspot numbers)."""
    from statsmodels.datasets import sunspots  # ships its CSV: no network

    frame = sunspots.load_pandas().data
    return frame["YEAR"].to_numpy(float), frame["SUNACTIVITY"].to_numpy(float)


@dataclass(frozen=True)
class Fold:
    origin: int        # index of the fold's first test value: it trains on values[:origin] only
    end: int           # its test targets are values[origin:end]
    mean: float        # scaling statistics of values[:origin]
    std: float


def rolling_origin(n: int, window: int, folds: int, fold_size: int, raw: np.ndarray | None = None) -> list[Fold]:
    """The folds of a series of ``n`` values: consecutive test blocks of ``fold_size`` at its end, each
    scaled by the statistics of ``raw[:origin]`` (1 and 0 without ``raw``). ValueError when the first fold
    would keep fewer than MIN_TRAIN training windows."""
    first = n - folds * fold_size
    if first - window < MIN_TRAIN:
        raise ValueError(Message("series_too_short", n=n, window=window, folds=folds, fold_size=fold_size,
                                 least=MIN_TRAIN))
    out = []
    for j in range(folds):
        origin = first + j * fold_size
        past = raw[:origin] if raw is not None else np.zeros(1)
        std = float(past.std()) if raw is not None else 1.0
        out.append(Fold(origin, origin + fold_size, float(past.mean()), std if std > 0 else 1.0))
    return out


def windows(raw: np.ndarray, window: int) -> np.ndarray:
    """(n,) values → (n - window, window): row i holds raw[i : i + window], whose target is raw[i + window]."""
    return np.lib.stride_tricks.sliding_window_view(raw, window)[:-1]


def make(raw: np.ndarray, window: int, folds: list[Fold]) -> dict[str, torch.Tensor]:
    """The training and test tensors of ``raw`` cut into ``window``-long windows under ``folds`` (see the
    module's docstring for their layout). Row i of the training split is the window whose target is
    raw[window + i]; the test split's rows are the folds' test targets in time order."""
    k = len(folds)
    win = windows(raw, window)                                         # (n - W, W)
    target = raw[window:]                                              # (n - W,)
    t = np.arange(window, len(raw))                                    # each row's target index
    train_rows = t < folds[-1].origin                                  # the union: before the last origin
    test_rows = t >= folds[0].origin

    def split(rows: np.ndarray, member) -> tuple[torch.Tensor, torch.Tensor]:
        x = np.zeros((int(rows.sum()), k, window), np.float32)         # (N, k, W)
        y = np.full((int(rows.sum()), k), np.nan, np.float32)          # (N, k)
        for j, f in enumerate(folds):
            keep = member(t[rows], f)                                  # (N,) this fold's windows
            x[keep, j] = (win[rows][keep] - f.mean) / f.std
            y[keep, j] = (target[rows][keep] - f.mean) / f.std
        return torch.from_numpy(x), torch.from_numpy(y)

    x_train, y_train = split(train_rows, lambda ti, f: ti < f.origin)
    x_test, y_test = split(test_rows, lambda ti, f: (ti >= f.origin) & (ti < f.end))
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


@dataclass(frozen=True)
class Layout:
    """A series cut for one run: its values, the folds and the tensors (``make``)."""

    series: Series
    times: np.ndarray
    raw: np.ndarray
    window: int
    folds: tuple[Fold, ...]
    tensors: dict

    def test_targets(self) -> np.ndarray:
        """Indices of the test targets, in the test split's row order (fold by fold, in time)."""
        return np.concatenate([np.arange(f.origin, f.end) for f in self.folds])


def settings(hp: Mapping | None) -> tuple[int, int, int]:
    """(window, folds, fold_size) of a run's hyperparameters, defaults where it has none."""
    hp = {**{p.name: p.default for p in PARAMS}, **(hp or {})}
    return int(hp["window"]), int(hp["folds"]), int(hp["fold_size"])


@functools.lru_cache(maxsize=64)
def _layout(name: str, window: int, k: int, fold_size: int) -> Layout:
    times, raw = values(name)
    folds = rolling_origin(len(raw), window, k, fold_size, raw)
    return Layout(SERIES[name], times, raw, window, tuple(folds), make(raw, window, folds))


def layout(name: str, hp: Mapping | None = None) -> Layout:
    """The series ``name`` cut by a run's settings (remembered: a run's model and its data share it)."""
    return _layout(name, *settings(hp))


def naive_errors(raw: np.ndarray, folds) -> np.ndarray:
    """Per fold, the mean absolute error of the naive forecast (the next value is the last one seen) on
    that fold's test targets, in the series' own units: (folds,)."""
    return np.array([np.abs(raw[f.origin:f.end] - raw[f.origin - 1:f.end - 1]).mean() for f in folds])
