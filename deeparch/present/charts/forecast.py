"""The "forecast vs truth" view of a time-series run: the true series, the model's one-step forecasts on
the rolling-origin test folds and the naive forecast beside them, each fold's origin a dotted line
(deeparch.present.charts)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from deeparch.present.charts.base import HEIGHT, color, plain
from deeparch.present.charts.layout import _empty_note, _figure, _layout, value_axis
from deeparch.present.i18n import number, tr

# the legend's words (translated by deeparch.present.i18n like the declared ones; collected by deeparch.catalogs)
WORDS = ("true values", "model forecast", "naive forecast (last value)", "fold {n}",
         "fold {n}: model {mae} · naive {naive}", "year", "sunspot number")


def _line(name: str, x, y, c: str, width: float, dash: str | None = None, markers: bool = False) -> dict:
    line = dict(color=c, width=width)
    if dash:
        line["dash"] = dash
    return dict(type="scatter", x=list(x), y=list(y), name=plain(name), mode="lines+markers" if markers else "lines",
                line=line, marker=dict(size=6, color=c), uid=f"forecast|{name}",
                hovertemplate="%{y:.4g}<extra>%{fullData.name}</extra>")


def forecast_figure(meta: dict, title: str | None = None, uirevision: str = "forecast",
                    height: int = HEIGHT) -> go.Figure:
    """A view of ``draw="forecast"``: ``meta`` = {"truth": {"x", "y"}, "x", "model", "naive", "origins", "mae",
    "naive_mae", "xlabel", "ylabel"} (``deeparch.course.archs._series.forecast_meta``). The truth black, the
    model's forecasts in the first colour with points, the naive forecast dashed, a dotted line at each fold's
    origin with the fold's two errors on hover of its label."""
    layout = _layout(title, meta.get("xlabel", ""), meta.get("ylabel", ""), uirevision, height)
    truth = meta.get("truth") or {}
    if not truth.get("x"):
        layout["annotations"] = [_empty_note("no data yet")]
        return _figure([], layout)
    data = [_line(tr("true values"), truth["x"], truth["y"], "#000000", 2.0),
            _line(tr("naive forecast (last value)"), meta.get("x", []), meta.get("naive", []), color(1), 1.8, "dash"),
            _line(tr("model forecast"), meta.get("x", []), meta.get("model", []), color(0), 2.6, markers=True)]
    shapes, notes = [], []
    for n, (x, mae, naive) in enumerate(zip(meta.get("origins", []), meta.get("mae", []),
                                            meta.get("naive_mae", [])), start=1):
        shapes.append(dict(type="line", xref="x", x0=x - 0.5, x1=x - 0.5, yref="paper", y0=0, y1=1,
                           line=dict(color="#777", width=1.2, dash="dot")))
        notes.append(dict(text=plain(tr("fold {n}").format(n=n)), x=x - 0.5, xref="x", y=1, yref="paper",
                          xanchor="left", yanchor="top", showarrow=False, font=dict(size=13, color="#555"),
                          hovertext=plain(tr("fold {n}: model {mae} · naive {naive}").format(
                              n=n, mae=number(mae, ".1f"), naive=number(naive, ".1f")))))
    layout.update(shapes=shapes, annotations=notes)
    layout["yaxis"].update(value_axis([np.asarray(truth["y"], float), np.asarray(meta.get("model", []), float)]))
    return _figure(data, layout)


def forecast_summary(meta: dict) -> tuple[float, float] | None:
    """The mean over the folds of the model's and the naive forecast's mean absolute errors, or None."""
    mae, naive = meta.get("mae") or [], meta.get("naive_mae") or []
    if not mae or not naive:
        return None
    return float(np.mean(mae)), float(np.mean(naive))
