"""What every forecaster of a time series shares (datasets of kind "series", ``deeparch.course.series``):
one network per rolling-origin fold trained side by side, the masked MSE loss, the mean absolute error
in the series' own units beside the naive forecast's, and the "forecast vs truth" view.

One run trains ``folds`` copies of the same network, one per fold, on the same steps: each batch of
windows carries, per fold, the window as that fold scales it and its target (NaN where the window is
not one of that fold's training windows, so a fold never learns from the years it is tested on). The
series is tiny, so k small models cost little; the figures a run reports are means over the folds.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn

from deeparch.course import series
from deeparch.course.archs.base import ArchModel, Media
from deeparch.present.display import Display, Headline, Line, Panel, View


def masked_mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error of ``pred`` (B, k) against ``y`` (B, k) over the finite targets of each fold, then
    the mean over the folds that have any in the batch. No boolean indexing, so it runs on the meta device."""
    mask = torch.isfinite(y)                                            # (B, k)
    err = (pred - torch.where(mask, y, torch.zeros_like(y))) ** 2 * mask  # (B, k), 0 off the folds' sets
    count = mask.sum(0)                                                 # (k,)
    per_fold = err.sum(0) / count.clamp(min=1)                          # (k,)
    return per_fold.sum() / (count > 0).sum().clamp(min=1)


class SeriesModel(ArchModel):
    """``folds`` copies of a one-fold forecaster ``net(cfg)``: (B, W) scaled window → (B,) next value."""

    kind = "forecaster"

    def __init__(self, cfg, net):
        super().__init__(cfg)
        _, folds, _ = series.settings(cfg.hp)
        self.folds = nn.ModuleList(net(cfg) for _ in range(folds))
        self.forecast: np.ndarray | None = None  # the latest evaluation's forecasts in series units, for the view

    def forward(self, x):                                               # (B, k, W)
        return torch.stack([f(x[:, j]) for j, f in enumerate(self.folds)], 1)   # (B, k)

    def train_step(self, x, y, opts):
        self.train()
        loss = masked_mse(self(x), y)
        self.optimize(opts[0], loss)
        return {"loss": loss.item()}

    @torch.no_grad()
    def evaluate(self, x, y, batch_size: int = 1000) -> dict[str, float]:
        """On the test folds: the scaled MSE, and the mean over the folds of each fold's mean absolute error
        in the series' units, the model's (``test_mae``) and the naive forecast's (``naive_mae``)."""
        self.eval()
        pred = torch.cat([self(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])   # (M, k)
        lay = series.layout(self.cfg.dataset, self.cfg.hp)
        mask = torch.isfinite(y)
        count = mask.sum(0).clamp(min=1)                                # (k,)
        std = torch.tensor([f.std for f in lay.folds], device=x.device)
        mean = torch.tensor([f.mean for f in lay.folds], device=x.device)
        diff = torch.where(mask, pred - y, torch.zeros_like(y))        # (M, k)
        mae = (diff.abs().sum(0) / count * std).cpu().numpy()           # (k,) in series units
        self.forecast = torch.where(mask, pred * std + mean, torch.zeros_like(pred)).sum(1).cpu().numpy()  # (M,)
        self.fold_mae = mae
        return {"test_loss": ((diff ** 2).sum(0) / count).mean().item(), "test_mae": float(mae.mean()),
                "naive_mae": float(series.naive_errors(lay.raw, lay.folds).mean())}

    def media(self, ctx, with_quality):
        """The test folds' true values, the model's one-step forecasts (from the latest evaluation) and the
        naive forecast (draw="forecast")."""
        if self.forecast is None:
            return [], {}
        return [Media("forecast", b"", forecast_meta(series.layout(self.cfg.dataset, self.cfg.hp),
                                                     self.forecast, self.fold_mae))], {}


def forecast_meta(lay: series.Layout, forecast: np.ndarray, fold_mae: np.ndarray) -> dict:
    """The forecast view's data: the truth from one block before the first origin to the end, the model's
    and the naive forecasts on the test targets, each fold's origin and both errors per fold."""
    idx = lay.test_targets()
    start = max(0, lay.folds[0].origin - (lay.folds[0].end - lay.folds[0].origin))
    naive = series.naive_errors(lay.raw, lay.folds)
    r = lambda a: [round(float(v), 3) for v in a]  # noqa: E731
    return {"truth": {"x": r(lay.times[start:]), "y": r(lay.raw[start:])},
            "x": r(lay.times[idx]), "model": r(forecast), "naive": r(lay.raw[idx - 1]),
            "origins": r(lay.times[[f.origin for f in lay.folds]]),
            "mae": r(fold_mae), "naive_mae": r(naive),
            "xlabel": lay.series.step, "ylabel": lay.series.unit}


# ---- what forecasters show -------------------------------------------------------------------
SERIES_LOSS = Panel(
    "loss", "Loss (mean squared error, scaled values)", "MSE",
    (Line("loss", "train"), Line("test_loss", "test folds", "dash", True)), blowup=True,
    explain="Mean squared error of the one-step forecasts on the scaled values (each fold scaled by the "
            "statistics of its own training years), averaged over the folds: every training step, and on the "
            "test folds at each evaluation. A test loss that turns up while the training loss keeps falling is "
            "overfitting: the series is short.")
MAE = Panel(
    "mae", "Mean absolute error on the test folds", "absolute error (series units)",
    (Line("test_mae", "model", markers=True), Line("naive_mae", "naive forecast (next = last)", "dash", True)),
    explain="How far the one-step forecasts are from the true values, in the series' own units (sunspot "
            "number), averaged over the rolling-origin test folds. The dashed line is the naive forecast, which "
            "says next year equals this year: a model below it has learned something about the series; one "
            "above it is worse than doing nothing.")
FORECAST = View(
    "forecast", "Forecast vs truth (test folds)", draw="forecast",
    explain="The true series (black), the model's one-step-ahead forecasts on each test fold (each fold's model "
            "trained only on the years before that fold's origin, the dotted vertical line) and the naive "
            "forecast (dashed: last year's value). Look at the peaks and troughs of the 11-year cycle: the naive "
            "forecast is always one year late; a model that learned the cycle turns before the truth does. "
            "Early in training the forecasts are nearly flat, at the mean.")
MAE_HEADLINE = Headline("test_mae", "test MAE (mean over folds)", metric="test_mae", higher_is_better=False)


def series_display(*panels: Panel, views: tuple[View, ...] = ()) -> Display:
    """A forecaster's display: loss, MAE beside the naive forecast (then ``panels``), the forecast view."""
    return Display((SERIES_LOSS, MAE, *panels), (FORECAST, *views), MAE_HEADLINE, ("naive_mae",))
