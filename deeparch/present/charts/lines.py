"""Line charts: series, legend keys, reference lines, and a blown-up series cut at the top edge
(deeparch.present.charts)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

from deeparch.present.charts.base import (BLOWUP, HEIGHT, KEY_COLOR, MAX_POINTS, Series, color, downsample, finite,
                                          plain)
from deeparch.present.charts.layout import (_empty_note, _figure, _finite, _hline, _layout, step_axis,
                                            value_axis)
from deeparch.present.i18n import number, tr


def _trace(s: Series, max_points: int) -> dict:
    x, y = downsample(s.x, finite(s.y), max_points)
    c = color(s.color)
    name = plain(s.name)
    line = dict(color=c, width=1.2 if s.faint else 2.6)
    if s.dash:
        line["dash"] = s.dash
    marker = dict(size=7, color=c)
    if s.symbol:
        marker["symbol"] = s.symbol
        if not s.markers:
            marker["maxdisplayed"] = 12  # a dense line carries a few of its shape marks, not 2000
    return dict(  # SVG scatter, not WebGL: at <= 2000 points it is fast and draws everywhere
        type="scatter", x=x, y=y, name=name,
        mode="lines+markers" if (s.markers or s.symbol) and not s.faint else "lines",
        line=line, marker=marker, opacity=0.3 if s.faint else 1.0,
        legendgroup=plain(s.group) or name, showlegend=s.legend and not s.faint,
        # a stable identity: a line hidden from the legend stays hidden when other lines appear
        uid=f"{s.group or ''}|{s.name}|{'raw' if s.faint else 'line'}",
        # the name comes from the trace (already escaped), never spliced into the template
        hovertemplate="%{y:.4g}<extra>%{fullData.name}</extra>",
    )


@dataclass
class Key:
    """A legend entry that stands for several lines (a run's, or every line drawn with one dash)."""

    name: str
    color: str = KEY_COLOR
    dash: str | None = None
    symbol: str | None = None
    group: str | None = None   # the legend group it toggles (a run's lines); none: a key of line styles only


def _key_trace(k: Key) -> dict:
    line = dict(color=k.color, width=2.6 if k.group else 1.8)  # a thinner style sample shows its dashes
    if k.dash:
        line["dash"] = k.dash
    marker = dict(size=7, color=k.color, symbol=k.symbol or "circle")
    return dict(type="scatter", x=[None], y=[None], name=plain(k.name), mode="lines+markers" if k.symbol else "lines",
                line=line, marker=marker, legendgroup=plain(k.group) if k.group else f"key|{plain(k.name)}",
                showlegend=True, hoverinfo="skip", uid=f"key|{k.group or ''}|{k.name}")


def sci(value: float) -> str:
    """A number as a reader writes it: ``2×10⁴`` for a very large or small one, ``2.35`` otherwise (in the
    current language's separators)."""
    if 100 <= abs(value) < 1e4:
        return number(value, ",.0f")  # 3,350 (".3g" would write 3.35e+03)
    if value == 0 or 1e-3 <= abs(value) < 100:
        return number(value, ".3g")
    exp = math.floor(math.log10(abs(value)))
    mant = round(value / 10 ** exp, 1)
    if abs(mant) >= 10:
        mant, exp = mant / 10, exp + 1
    sup = str(exp).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{number(mant, 'g')}×10{sup}"


def blown(data: Sequence[dict], floor_values: Sequence[float] = ()) -> tuple[float, float, list[int]] | None:
    """Where a linear value axis should end so that a series that blew up does not flatten the others:
    (bottom, top, indices of the blown traces), or None when every series fits.

    Each trace's rise is its peak above the lowest value drawn. Sorted from the highest, the first
    gap of more than ``BLOWUP`` times between one rise and the next separates the blown traces
    (above it) from the rest; the axis then spans the rest (and ``floor_values``, the reference
    lines) and the blown ones leave through its top. One series alone, or several that rise alike,
    are never cut."""
    ys = [finite(d["y"]) for d in data]
    ys = [y[np.isfinite(y)] for y in ys]
    drawn = [i for i, y in enumerate(ys) if len(y)]
    if len(drawn) < 2:
        return None
    low = min([float(ys[i].min()) for i in drawn] + list(floor_values))
    rise = {i: float(ys[i].max()) - low for i in drawn}
    order = sorted(drawn, key=rise.get, reverse=True)
    for n in range(len(order) - 1):
        above, below = rise[order[n]], rise[order[n + 1]]
        if below > 0 and above > BLOWUP * below:
            kept = order[n + 1:]
            top = max([float(ys[i].max()) for i in kept] + list(floor_values))
            return low, top, order[:n + 1]
    return None


def _blowup_notes(data: Sequence[dict], cut: list[int], top: float) -> list[dict]:
    """A note at the top edge where each blown line leaves the chart, in its colour, with its peak (the
    raw one: a smoothed line's peak is lower); one per colour, so a run's train and test lines share it."""
    notes = []
    xs = _finite(d["x"] for d in data)
    middle = (float(xs.min()) + float(xs.max())) / 2 if len(xs) else 0.0
    peak: dict[str, float] = {}
    for i in cut:
        c = data[i]["line"]["color"]
        peak[c] = max(peak.get(c, -math.inf), float(np.nanmax(finite(data[i]["y"]))))
    for i in sorted(cut, key=lambda i: float(np.nanmax(finite(data[i]["y"]))), reverse=True):
        d = data[i]
        c = d["line"]["color"]
        if d.get("opacity", 1.0) < 1 or c not in peak:  # a faint raw line, or a colour already noted
            continue
        y = finite(d["y"])
        above = np.flatnonzero(y > top)
        x = np.asarray(d["x"])[above[0]] if len(above) else np.asarray(d["x"])[int(np.nanargmax(y))]
        text = "↑ " + plain(tr("diverged: {value}").format(value=sci(peak.pop(c))))
        notes.append(dict(text=text, x=x, xref="x", y=1, yref="paper", yanchor="top",
                          xanchor="left" if x <= middle else "right", showarrow=False, font=dict(size=14, color=c),
                          bgcolor="rgba(255,255,255,0.85)", yshift=-24 * len(notes)))
    return notes


def line_figure(series: Iterable[Series], title: str | None = None, xlabel: str = "step", ylabel: str = "",
                uirevision: str = "chart", height: int = HEIGHT, log_y: bool = False,
                max_points: int = MAX_POINTS, hlines: Sequence[tuple[float, str]] = (),
                empty_text: str = "no data yet", keys: Sequence[Key] = (), legend: str = "bottom",
                cut_blowups: bool = False) -> go.Figure:
    """Overlaid lines, each downsampled to ``max_points`` (min/max kept), on axes that do not lie.

    With ``cut_blowups`` (loss charts), a series that blew up (a diverged run's loss reaching 2×10⁴
    beside losses near 1) does not flatten the others: on a linear axis the range is fitted to the other series and the blown
    line leaves through the top edge, marked "↑ diverged: 2×10⁴" in its colour where it leaves
    (:func:`blown`). This is chosen over a log axis for students: the linear loss curve is the one
    the course draws and reads (how much it fell, not how many decades), the healthy runs keep the
    whole height instead of the bottom quarter of a five-decade axis, a loss that can go negative
    (a WGAN critic's) still draws, and the peak is written in numbers rather than guessed from a
    log tick. Hovering still gives every real value; a log axis remains a click away where a page
    offers one (``log_y``: nothing is cut there).

    ``keys`` are legend entries that stand for several lines (one per run, and the line styles of
    the splits); lines then leave the legend to them. ``legend`` is "bottom" (rows under the plot)
    or "right" (a column beside it, for a wide chart: it never takes the plot's height).
    """
    data = [_trace(s, max_points) for s in series]
    shapes, notes = [], []
    for value, label in hlines:
        shape, note = _hline(value, label)
        shapes.append(shape)
        notes.append(note)
    layout = _layout(title, xlabel, ylabel, uirevision, height, log_y, shapes=shapes, annotations=notes)
    if legend == "right":
        layout["legend"].update(orientation="v", yref="paper", y=1, yanchor="top", xref="paper", x=1.02,
                                xanchor="left")
    keyed = [_key_trace(k) for k in keys]
    if not any(len(d["x"]) for d in data):
        notes.append(_empty_note(empty_text))
        layout["xaxis"]["showticklabels"] = layout["yaxis"]["showticklabels"] = False
        return _figure(data + keyed, layout)
    refs = [v for v, _ in hlines]
    cut = blown(data, refs) if cut_blowups and not log_y else None
    if cut:
        low, top, gone = cut
        kept = [d["y"] for i, d in enumerate(data) if i not in gone]
        layout["yaxis"].update(value_axis(kept + [np.array(refs)]))
        pad = 0.08 * (top - low) or abs(top) * 0.1 or 1.0
        bottom = max(low - pad, 0.0) if low >= 0 else low - pad
        layout["yaxis"].update(range=[bottom, top + pad], autorange=False)
        notes.extend(_blowup_notes(data, gone, top + pad))
    else:
        ys = [d["y"] for d in data] + [np.array(refs)]
        layout["yaxis"].update(value_axis(ys, log_y))
    layout["xaxis"].update(step_axis(d["x"] for d in data))
    return _figure(data + keyed, layout)



def curves_figure(meta: dict, title: str | None = None, uirevision: str = "curves",
                  height: int = HEIGHT) -> go.Figure:
    """A view of ``draw="curves"``: ``meta`` = {"series": [{"label", "x", "y"}], "xlabel", "ylabel", "log_y"},
    one coloured line per series (a curve over time steps, a noise schedule)."""
    series = [Series(tr(str(s.get("label", ""))), np.asarray(s.get("x", []), dtype=float),
                     np.asarray(s.get("y", []), dtype=float), color=i, markers=len(s.get("x", [])) <= 40)
              for i, s in enumerate(meta.get("series") or [])]
    return line_figure(series, title, meta.get("xlabel", ""), meta.get("ylabel", ""), uirevision, height,
                       bool(meta.get("log_y")))
