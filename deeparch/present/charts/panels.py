"""Everything but line charts: the gradient heatmap, bars, class histograms, probe grids, sweep results and
the views' heatmaps (deeparch.present.charts)."""
from __future__ import annotations

import base64
import math
import warnings
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from deeparch.present.charts.base import FONT, HEATMAP_COLUMNS, HEIGHT, color, finite, plain
from deeparch.present.charts.layout import _empty_note, _figure, _hline, _layout, value_axis
from deeparch.present.i18n import tr


def grad_heatmap(steps: np.ndarray, layers: Sequence[str], norms: np.ndarray, title: str | None = None,
                 uirevision: str = "heatmap", height: int | None = None,
                 max_columns: int = HEATMAP_COLUMNS) -> go.Figure:
    """Per-layer gradient norms as a layer × step heatmap on a log colour scale.

    ``norms`` is (layers, steps); NaN where a layer had no gradient. Columns are merged
    into at most ``max_columns`` buckets by the geometric mean (the mean of log10), so a
    layer whose gradients vanish (dark) or explode (bright) stays visible at any length.
    """
    norms = np.asarray(norms, dtype=float)
    steps = np.asarray(steps)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log10(np.where(norms > 0, norms, np.nan))
    if z.ndim == 2 and z.shape[1] > max_columns:
        size = math.ceil(z.shape[1] / max_columns)
        cols = math.ceil(z.shape[1] / size)
        pad = cols * size - z.shape[1]
        zp = np.concatenate([z, np.full((z.shape[0], pad), np.nan)], axis=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)  # a bucket with no record stays NaN
            z = np.nanmean(zp.reshape(z.shape[0], cols, size), axis=2)
        steps = steps[np.minimum(np.arange(cols) * size + size - 1, len(steps) - 1)]
    layout = _layout(title, "step", "", uirevision, height or max(220, 90 + 28 * len(layers)), legend=False)
    layout["yaxis"].update(autorange="reversed", showgrid=False, type="category")  # input side on top
    layout["xaxis"].update(showgrid=False)
    layout["hovermode"] = "closest"
    data = []
    finite_z = z[np.isfinite(z)] if z.size else z
    if finite_z.size:
        lo, hi = math.floor(finite_z.min()), math.ceil(finite_z.max())
        hi = max(hi, lo + 1)
        ticks = list(range(lo, hi + 1))
        data.append(dict(
            type="heatmap", x=steps, y=list(layers), z=z, zmin=lo, zmax=hi, colorscale="Viridis",
            colorbar=dict(title=dict(text="‖grad‖", side="right"), tickvals=ticks,
                          ticktext=[f"1e{t}" for t in ticks], thickness=14),
            customdata=np.power(10.0, z),
            hovertemplate=plain(tr("step")) + " %{x}<br>%{y}<br>‖grad‖ %{customdata:.3g}<extra></extra>",
        ))
    else:
        layout["annotations"] = [_empty_note("no gradient records yet")]
        layout["xaxis"]["showticklabels"] = layout["yaxis"]["showticklabels"] = False
    return _figure(data, layout)


def bar_figure(labels: Sequence[str], values: Sequence[float], title: str | None = None, xlabel: str = "",
               ylabel: str = "", uirevision: str = "bar", height: int = 240, log_y: bool = False,
               horizontal: bool = False, color_index: int = 0) -> go.Figure:
    c = color(color_index)
    labels, values = [str(v) for v in labels], [float(v) for v in values]
    if horizontal:
        trace = dict(type="bar", y=labels, x=values, orientation="h", marker=dict(color=c),
                     hovertemplate="%{y}: %{x:.3g}<extra></extra>")
    else:
        trace = dict(type="bar", x=labels, y=values, marker=dict(color=c),
                     hovertemplate="%{x}: %{y:.3g}<extra></extra>")
    layout = _layout(title, xlabel, ylabel, uirevision, height, legend=False, hovermode="closest", bargap=0.25)
    cat, num = ("yaxis", "xaxis") if horizontal else ("xaxis", "yaxis")
    layout[cat].update(type="category", showgrid=False)
    if horizontal:
        layout[cat]["autorange"] = "reversed"
    if log_y:
        layout[num].update(type="log", dtick=1)
        layout[num].update(value_axis([np.asarray(values)], log=True))
    return _figure([trace], layout)


def class_hist_figure(hist: Sequence[float], classes: Sequence[str], title: str | None = None,
                      uirevision: str = "hist", height: int = 220) -> go.Figure:
    """The judge's class histogram of generated samples, with the uniform share marked."""
    hist = np.asarray(hist, dtype=float)
    total = hist.sum()
    share = hist / total if total > 0 else hist
    fig = bar_figure([str(c) for c in classes], share, title, "class the judge sees", "share of samples",
                     uirevision, height, color_index=2)
    if len(classes):
        shape, note = _hline(1 / len(classes), tr("uniform"))
        fig.layout.shapes = [shape]
        fig.layout.annotations = [note]
    fig.layout.yaxis.tickformat = ".0%"
    fig.layout.yaxis.rangemode = "tozero"
    return fig


def png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def probe_figure(png: bytes, meta: dict, ncol: int = 4, cell: int = 28, pad: int = 2,
                 uirevision: str = "probe", height: int = 360) -> go.Figure:
    """The classifier probe: the grid of test digits with each prediction written above it.

    Green when the prediction is right ("7 · 93%"), red when it is wrong, the true label after an arrow
    ("7 → 4"): marks and digits only, so the notes read the same in every language (the page's caption
    says what they mean).
    ``png`` is the grid drawn by ``images.grid_png(x, ncol)`` with ``pad`` pixels between cells.
    """
    labels, pred, conf = meta.get("labels", []), meta.get("pred", []), meta.get("conf", [])
    classes = meta.get("classes") or [str(i) for i in range(10)]
    n = len(labels)
    rows = max(1, math.ceil(n / ncol))
    image = dict(source=png_uri(png), xref="x", yref="y", x=0, y=0, sizex=ncol * (cell + pad) + pad,
                 sizey=rows * (cell + pad) + pad, sizing="stretch", layer="below")
    notes = []
    for i in range(n):
        r, c = divmod(i, ncol)
        ok = pred[i] == labels[i]
        p = classes[pred[i]] if pred[i] < len(classes) else str(pred[i])
        t = classes[labels[i]] if labels[i] < len(classes) else str(labels[i])
        text = f"{p} · {conf[i]:.0%}" if ok else f"{p} → {t}"
        notes.append(dict(x=pad + c * (cell + pad) + cell / 2, y=pad + r * (cell + pad) + 1, xref="x", yref="y",
                          text=text, showarrow=False, yanchor="top", xanchor="center",
                          font=dict(size=13, color="white"),
                          bgcolor="#1a7f37" if ok else "#cf222e", opacity=0.92, borderpad=1))
    w = ncol * (cell + pad) + pad
    h = rows * (cell + pad) + pad
    layout = dict(height=height, margin=dict(l=0, r=0, t=0, b=0), uirevision=uirevision, plot_bgcolor="white",
                  paper_bgcolor="white", font=FONT, dragmode=False, images=[image], annotations=notes,
                  xaxis=dict(visible=False, range=[0, w], constrain="domain"),
                  yaxis=dict(visible=False, range=[h, 0], scaleanchor="x", constrain="domain"))
    return _figure([], layout)


def probe_summary(meta: dict) -> tuple[int, int]:
    """(right, total) predictions of a probe grid."""
    labels, pred = meta.get("labels", []), meta.get("pred", [])
    return sum(int(a == b) for a, b in zip(labels, pred)), len(labels)


def _knob_ticks(values: Sequence) -> list[str]:
    """A sweep's knob values as axis labels in the reader's language: 0.001 (0,001 in pt-BR), 64, adam."""
    from deeparch.present import numbers

    return [numbers.field(v) if isinstance(v, float) else str(v) for v in values]


def sweep_figure(result: dict, label: str, title: str | None = None, percent: bool = False,
                 log_x: bool = False, uirevision: str = "sweep", height: int = HEIGHT) -> go.Figure:
    """A sweep's final figure against its knobs (``deeparch.execution.sweep.results``): a line over the one knob
    (a log axis for a log-scale knob such as the learning rate), or a heat map over two (the first
    knob down, the second across), each cell written with its value; a point without a value is a gap."""
    knobs, values, z = result["knobs"], result["values"], result["z"]
    fmt = ".1%" if percent else ".4g"
    if len(knobs) == 1:
        xs = values[knobs[0]]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs)
        x = list(xs) if numeric else _knob_ticks(xs)
        y = [np.nan if v is None else v for v in z]
        trace = dict(type="scatter", x=x, y=y, mode="lines+markers+text", name=plain(label),
                     text=[("" if v is None else format(v, fmt)) for v in z], textposition="top center",
                     line=dict(color=color(0), width=2.6), marker=dict(size=10, color=color(0)),
                     hovertemplate=f"{plain(knobs[0])}=%{{x}}<br>%{{y:{fmt}}}<extra></extra>")
        layout = _layout(title, knobs[0], label, uirevision, height, legend=False, hovermode="closest")
        layout["xaxis"].update(type="log" if numeric and log_x else ("linear" if numeric else "category"))
        if numeric and not log_x:
            layout["xaxis"].update(tickvals=x)
        layout["yaxis"].update(tickformat=".0%" if percent else None)
        return _figure([trace], layout)
    rows, cols = _knob_ticks(values[knobs[0]]), _knob_ticks(values[knobs[1]])
    zz = [[np.nan if v is None else v for v in row] for row in z]
    trace = dict(type="heatmap", x=cols, y=rows, z=zz, colorscale="Viridis", texttemplate=f"%{{z:{fmt}}}",
                 textfont=dict(size=15), xgap=2, ygap=2,
                 colorbar=dict(title=dict(text=plain(label), side="right"), tickformat=".0%" if percent else None),
                 hovertemplate=f"{plain(knobs[0])}=%{{y}}<br>{plain(knobs[1])}=%{{x}}<br>%{{z:{fmt}}}<extra></extra>")
    layout = _layout(title, knobs[1], knobs[0], uirevision, height, legend=False, hovermode="closest")
    layout["xaxis"].update(type="category")
    layout["yaxis"].update(type="category")
    return _figure([trace], layout)


# ---- the shared view formats (media meta: see the working agreement's contract) --------------
def heatmap_figure(meta: dict, title: str | None = None, uirevision: str = "heatmap", height: int | None = None,
                   colorscale: str = "Viridis") -> go.Figure:
    """A view of ``draw="heatmap"``: ``meta`` = {"z": rows × columns, "x": column labels, "y": row labels,
    "xlabel", "ylabel", "zlabel"}. The first row is drawn on top (a confusion matrix reads as printed);
    each cell carries its value on hover, and, for small matrices, as text on the cell."""
    z = np.asarray(meta.get("z") or [[]], dtype=float)
    rows, cols = (z.shape if z.ndim == 2 else (0, 0))
    x = [str(v) for v in (meta.get("x") or range(cols))]
    y = [str(v) for v in (meta.get("y") or range(rows))]
    layout = _layout(title, meta.get("xlabel", ""), meta.get("ylabel", ""), uirevision,
                     height or max(260, min(560, 120 + 30 * rows)), legend=False, hovermode="closest")
    layout["yaxis"].update(autorange="reversed", showgrid=False, type="category")
    layout["xaxis"].update(showgrid=False, type="category")
    if not z.size:
        layout["annotations"] = [_empty_note("no data yet")]
        return _figure([], layout)
    zlabel = plain(tr(meta.get("zlabel", "")))
    trace = dict(type="heatmap", x=x, y=y, z=finite(z), colorscale=colorscale,
                 colorbar=dict(title=dict(text=zlabel, side="right"), thickness=14),
                 hovertemplate=f"{plain(tr(meta.get('ylabel', '')))} %{{y}}<br>{plain(tr(meta.get('xlabel', '')))} %{{x}}"
                               f"<br>{zlabel} %{{z:.3g}}<extra></extra>")
    if rows * cols <= 144:  # a 10 × 10 confusion matrix: the counts on the cells, readable from the back row
        trace.update(texttemplate="%{z:.3~g}", textfont=dict(size=14))
    return _figure([trace], layout)
