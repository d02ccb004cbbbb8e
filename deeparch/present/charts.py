"""Figure builders: plain arrays and DataFrames in, Plotly figures out (no Streamlit here).

Every builder is a pure function so it can be tested without a browser and reused by a
notebook. Series are downsampled server-side with :func:`downsample`, which keeps the
minimum and the maximum of every bucket so a loss spike never disappears from a chart.
Figures carry a ``uirevision`` so the browser keeps zoom and legend state when a live
page redraws them every second.
"""
from __future__ import annotations

import base64
import html
import math
import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

from deeparch.present.i18n import number, tr
from deeparch.present.text import clean_name

MAX_POINTS = 2000
HEATMAP_COLUMNS = 300

# Okabe-Ito: distinguishable for colour-blind readers, printable. (Its yellow is left last:
# it vanishes on a white background under a projector.)
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
# sizes for a projector: 14 px ticks and legend at 1280x720 (checked in Chromium, docs/live-1280x720.png)
FONT = dict(family="Inter, Source Sans Pro, sans-serif", size=14, color="#1F2430")
TITLE_SIZE = 16
TITLE_CHARS = 28    # a title longer than this wraps onto the next line (a half-width chart at 150% zoom)
HEIGHT = 380
# projector mode (readable from the back of a room): larger type, thicker lines, black on white
PROJECTOR_FONT = 20
PROJECTOR_TITLE = 24
PROJECTOR_LINE = 2.0      # line widths are multiplied by this
PROJECTOR_HEIGHT = 460
PROJECTOR_GRID = "#b0b0b0"
# the axis words the builders write themselves (translated by deeparch.present.i18n like the declared ones)
WORDS = ("step", "class the judge sees", "share of samples", "no data yet", "uniform", "diverged: {value}")
# a series whose rise stands this many times above every other series' is drawn off the top of the chart
BLOWUP = 10.0
KEY_COLOR = "#444444"  # the line-style key's samples: no run's colour
# marker shapes that tell runs apart on a shared chart, with the character that names each in text
SYMBOLS = ("circle", "diamond", "square", "triangle-up", "x", "star")
SYMBOL_GLYPHS = ("●", "◆", "■", "▲", "✕", "★")


@dataclass
class Series:
    """One line of a chart: ``x`` and ``y`` of equal length, a legend name, a colour index."""

    name: str
    x: np.ndarray
    y: np.ndarray
    color: int = 0
    dash: str | None = None
    group: str | None = None   # legend group (one run), so a click hides all its lines
    faint: bool = False        # drawn thin and transparent (raw data under a smoothed line)
    markers: bool = False      # points, for sparse series such as test-split evaluations
    symbol: str | None = None  # a marker shape that tells this series apart (sparse markers on dense lines)
    legend: bool = True        # its own legend entry (off where a key entry stands for it: one per run)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def plain(text: str | None) -> str:
    """Text shown literally by Plotly, which reads a subset of HTML in names and titles: run names
    are data, so ``<``, ``>`` and ``&`` are escaped and control / bidi-override characters dropped."""
    return html.escape(clean_name(text, max_len=10_000), quote=False) if text else ""


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """Break an escaped title into lines of at most ``width`` characters at spaces (Plotly cuts, never wraps)."""
    lines: list[str] = []
    words = [w[i:i + width] for w in text.split(" ") for i in range(0, max(len(w), 1), width)]
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


# ---- data reduction ----------------------------------------------------------------------------
def downsample(x: Sequence[float], y: Sequence[float], max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a series to at most ``max_points`` points, keeping each bucket's min and max.

    Points are split into equal-count buckets (x is assumed sorted, as steps and times
    are); from each bucket the index of its minimum and of its maximum survive, in their
    original order, plus the very first and last points. NaN values are ignored when
    looking for the extremes (a bucket of NaN keeps one NaN, which draws as a gap).
    """
    x = np.asarray(x)
    y = np.asarray(y, dtype=float)
    n = len(y)
    if max_points < 4:
        raise ValueError("max_points must be at least 4")
    if n <= max_points:
        return x, y
    buckets = (max_points - 2) // 2
    size = math.ceil(n / buckets)
    buckets = math.ceil(n / size)
    pad = buckets * size - n
    nan = np.isnan(y)
    lo = np.where(nan, np.inf, y)
    hi = np.where(nan, -np.inf, y)
    if pad:
        lo = np.concatenate([lo, np.full(pad, np.inf)])
        hi = np.concatenate([hi, np.full(pad, -np.inf)])
    base = np.arange(buckets) * size
    i_min = base + lo.reshape(buckets, size).argmin(1)
    i_max = base + hi.reshape(buckets, size).argmax(1)
    keep = np.unique(np.concatenate([[0, n - 1], i_min, i_max]))
    keep = keep[keep < n]
    return x[keep], y[keep]


def ema(y: Sequence[float], weight: float) -> np.ndarray:
    """TensorBoard-style smoothing: exponential moving average with start-up bias corrected.

    ``weight`` in [0, 1): 0 returns the data unchanged, 0.99 is very smooth. NaN values
    stay NaN and do not poison the average. (pandas' ``ewm(adjust=True)`` is exactly the
    debiased average, in compiled code.)
    """
    y = np.asarray(y, dtype=float)
    if weight <= 0 or len(y) == 0:
        return y.copy()
    if not 0 <= weight < 1:
        raise ValueError("weight must be in [0, 1)")
    import pandas as pd

    out = pd.Series(y).ewm(alpha=1 - weight, adjust=True, ignore_na=True).mean().to_numpy(copy=True)
    out[np.isnan(y)] = np.nan
    return out


def finite(y: np.ndarray) -> np.ndarray:
    """±inf → NaN (Plotly cannot draw infinities; a diverged run's last loss may be one)."""
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y), y, np.nan)


# ---- figures -----------------------------------------------------------------------------------
# Figures are assembled as plain dicts and wrapped once, at the end, without Plotly's property-by-property
# validation: measured with plotly 7.1 on one core, it makes a 6-series × 2,000-point line chart 15.5 ms
# instead of 2.6 ms, on pages that redraw every second. Plotly has no public switch for it (the private
# `_validate` argument is the one way); tests/test_charts.py validates every builder's output instead.
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


def projector(fig: go.Figure) -> go.Figure:
    """``fig`` restyled for a projector: larger fonts, thicker lines and markers, darker grid and
    text. Built figures are restyled, not rebuilt, so every builder gets the mode for free."""
    big = dict(size=PROJECTOR_FONT, color="#000000")
    fig.update_layout(font=big, legend=dict(font=big), hoverlabel=dict(font=big),
                      height=max(fig.layout.height or HEIGHT, PROJECTOR_HEIGHT))
    if fig.layout.title and fig.layout.title.text:
        fig.update_layout(title_font=dict(size=PROJECTOR_TITLE, color="#000000"))
    fig.update_xaxes(gridcolor=PROJECTOR_GRID, linecolor="#000000", tickfont=big, title_font=big)
    fig.update_yaxes(gridcolor=PROJECTOR_GRID, linecolor="#000000", tickfont=big, title_font=big)
    for trace in fig.data:
        if trace.type == "scatter":
            trace.line.width = (trace.line.width or 2) * PROJECTOR_LINE
            trace.marker.size = (trace.marker.size or 7) * 1.5
    for note in fig.layout.annotations or ():
        note.font.size = PROJECTOR_FONT - 2
    return fig


def _empty_note(text: str) -> dict:
    return dict(text=plain(tr(text)), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                font=dict(size=15, color="#777"))


def _hline(value: float, label: str) -> tuple[dict, dict]:
    shape = dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=value, y1=value,
                 line=dict(color="#777", width=1.5, dash="dot"))
    note = dict(text=plain(label), xref="paper", x=0, yref="y", y=value, xanchor="left", yanchor="bottom",
                showarrow=False, font=dict(size=13, color="#555"))
    return shape, note


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


def curves_figure(meta: dict, title: str | None = None, uirevision: str = "curves",
                  height: int = HEIGHT) -> go.Figure:
    """A view of ``draw="curves"``: ``meta`` = {"series": [{"label", "x", "y"}], "xlabel", "ylabel", "log_y"},
    one coloured line per series (a curve over time steps, a noise schedule)."""
    series = [Series(tr(str(s.get("label", ""))), np.asarray(s.get("x", []), dtype=float),
                     np.asarray(s.get("y", []), dtype=float), color=i, markers=len(s.get("x", [])) <= 40)
              for i, s in enumerate(meta.get("series") or [])]
    return line_figure(series, title, meta.get("xlabel", ""), meta.get("ylabel", ""), uirevision, height,
                       bool(meta.get("log_y")))
