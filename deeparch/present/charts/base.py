"""The charts' style (palette, sizes, words), ``Series`` and what every builder does to a series first:
downsampling that keeps the extremes, smoothing, infinities made gaps (deeparch.present.charts)."""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

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
