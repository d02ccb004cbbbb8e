"""The figure, its axes and its layout, shared by every builder; the projector restyling (deeparch.present.charts)."""
from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np
import plotly.graph_objects as go

from deeparch.present.charts.base import (FONT, HEIGHT, PROJECTOR_FONT, PROJECTOR_GRID, PROJECTOR_HEIGHT,
                                          PROJECTOR_LINE, PROJECTOR_TITLE, TITLE_SIZE, plain, wrap)
from deeparch.present.i18n import tr


# ---- figures -----------------------------------------------------------------------------------
# Figures are assembled as plain dicts and wrapped once, at the end, without Plotly's validation of every
# property: the one private call the lab keeps on purpose (plotly has no public switch to skip it). The
# builders are tested, and validation would make watching cost more (issue: watching costs nothing).
# Measured with plotly 7.1 on this project's 2-core machine: a 6-series × 2,000-point line chart takes
# 4.4 ms validated against 1.2 ms; the Live page's six figures of bench/bench_render.py (100,000 steps)
# 22.5 ms against 12.8 ms per refresh; the AppTest page tests 74 s against 63 s.
def _figure(data: list, layout: dict) -> go.Figure:
    return go.Figure(data=data, layout=layout, _validate=False)


def _axis(label: str, log: bool = False, **extra) -> dict:
    axis = dict(title=dict(text=plain(label), standoff=6), showgrid=True, gridcolor="#e4e4e4", zeroline=False,
                type="log" if log else "linear", automargin=True, exponentformat="power",
                linecolor="#888", ticks="outside", ticklen=4)
    if log:
        axis["dtick"] = 1  # ticks at powers of ten; value_axis() adds 2 and 5 when the data span few decades
    axis.update(extra)
    return axis


def _finite(values: Iterable[np.ndarray], log: bool = False) -> np.ndarray:
    parts = [np.asarray(v, dtype=float).ravel() for v in values]
    v = np.concatenate(parts) if parts else np.zeros(0)
    v = v[np.isfinite(v)]
    return v[v > 0] if log else v


def value_axis(values: Iterable[np.ndarray], log: bool = False) -> dict:
    """Range and tick format of a value axis that tell the truth about the data.

    Plotly's own choices mislead in three cases: a constant series (a learning rate of 1e-3
    drawn at "0" on a -0.5..1 axis) gets a range padded around its value; very large or very
    small values (a diverged loss of 2e22, a learning rate) get exponent ticks instead of
    long digit strings or "0"; a log axis spanning less than a few decades gets its range
    snapped to whole decades and 2 / 5 ticks, so it always has labelled ticks.
    """
    v = _finite(values, log)
    if not len(v):
        return {}
    lo, hi = float(v.min()), float(v.max())
    if log:
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        b = max(b, a + 1)
        out = dict(range=[a, b], autorange=False)
        if b - a <= 3:
            out["dtick"] = "D2"  # 1, 2, 5 in each decade
        return out
    out: dict = {}
    big = max(abs(lo), abs(hi))
    if big >= 1e5 or 0 < big < 1e-2:
        out["tickformat"] = "~e"
    if hi - lo <= 1e-9 * max(big, 1e-300):  # constant: pad around the value, never around 0..1
        pad = abs(hi) * 0.5 if hi else 1.0
        out.update(range=[lo - pad, hi + pad], autorange=False)
    return out


def step_axis(xs: Iterable[np.ndarray]) -> dict:
    """A step axis with a single point (one evaluation so far) spans a sane range around it."""
    v = _finite(xs)
    if not len(v) or v.max() > v.min():
        return {}
    x = float(v[0])
    pad = max(1.0, abs(x) * 0.1)
    return dict(range=[x - pad, x + pad], autorange=False)


def _title(title: str) -> dict:
    """Plotly's title dict for a wrapped title: above the plot, pushing the top margin by as many
    lines as it has (Plotly misplaces a multi-line title anchored to the top of the figure)."""
    return dict(text=wrap(plain(title)), x=0, xanchor="left", xref="container", y=1, yanchor="bottom", yref="paper",
                automargin=True, pad=dict(b=12, l=8), font=dict(size=TITLE_SIZE, weight=600, color="#1F2430"))


def _layout(title: str | None, xlabel: str, ylabel: str, uirevision: str, height: int, log_y: bool = False,
            legend: bool = True, **extra) -> dict:
    layout = dict(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        font=FONT,
        uirevision=uirevision,
        hovermode="x unified",
        hoverlabel=dict(font=dict(size=14)),
        showlegend=legend,
        # below the plot: the legend wraps onto as many rows as the width needs without covering the title
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0,
                    font=dict(size=14)),
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis=_axis(tr(xlabel)),
        yaxis=_axis(tr(ylabel), log_y),
    )
    if title:
        layout["title"] = _title(title)
    layout.update(extra)
    return layout


def _merge(into: dict, extra: dict) -> dict:
    """``extra`` merged into ``into`` key by key, nested dicts merged in turn (Plotly's ``update`` semantics)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, dict) else value
    return into


def projector_dict(fig: dict) -> dict:
    """A figure as plain dicts (``Figure.to_plotly_json()``) restyled for a projector, in place: larger fonts,
    thicker lines and markers, darker grid and text. Built figures are restyled, not rebuilt, so every builder
    gets the mode for free; on dicts, because Plotly's validated ``update_*`` calls cost a Live page's server
    most of its time in projector mode (py-spy, ``bench/bench_watch.py browser --projector``)."""
    big = dict(size=PROJECTOR_FONT, color="#000000")
    layout = fig.setdefault("layout", {})
    _merge(layout, dict(font=big, legend=dict(font=big), hoverlabel=dict(font=big)))
    layout["height"] = max(layout.get("height") or HEIGHT, PROJECTOR_HEIGHT)
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        _merge(title, dict(font=dict(size=PROJECTOR_TITLE, color="#000000")))
    axes = {key for key in layout if re.fullmatch(r"[xy]axis\d*", key)} | {"xaxis", "yaxis"}
    for key in axes:
        _merge(layout.setdefault(key, {}), dict(gridcolor=PROJECTOR_GRID, linecolor="#000000", tickfont=big,
                                                title=dict(font=big)))
    for trace in fig.get("data", ()):
        if trace.get("type", "scatter") == "scatter":
            line, marker = trace.setdefault("line", {}), trace.setdefault("marker", {})
            line["width"] = (line.get("width") or 2) * PROJECTOR_LINE
            marker["size"] = (marker.get("size") or 7) * 1.5
    for note in layout.get("annotations") or ():
        note.setdefault("font", {})["size"] = PROJECTOR_FONT - 2
    return fig


def projector(fig: go.Figure) -> go.Figure:
    """``fig`` restyled for a projector (``projector_dict``), as a new figure."""
    d = projector_dict(fig.to_plotly_json())
    return _figure(d.get("data", []), d["layout"])


def _empty_note(text: str) -> dict:
    return dict(text=plain(tr(text)), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                font=dict(size=15, color="#777"))


def _hline(value: float, label: str) -> tuple[dict, dict]:
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=value, y1=value,
                 line=dict(color="#777", width=1.5, dash="dot"))
    note = dict(text=plain(label), xref="paper", x=0, yref="y", y=value, xanchor="left", yanchor="bottom",
                showarrow=False, font=dict(size=13, color="#555"))
    return shape, note
