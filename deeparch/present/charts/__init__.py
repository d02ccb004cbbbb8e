"""Figure builders: plain arrays and DataFrames in, Plotly figures out (no Streamlit here).

Every builder is a pure function so it can be tested without a browser and reused by a
notebook. Series are downsampled server-side with :func:`downsample`, which keeps the
minimum and the maximum of every bucket so a loss spike never disappears from a chart.
Figures carry a ``uirevision`` so the browser keeps zoom and legend state when a live
page redraws them every second.

The builders live in ``base`` (style, ``Series``, downsampling), ``layout`` (the figure, axes, projector
mode), ``lines`` (line charts), ``panels`` (heatmaps, bars, probes, sweeps) and ``forecast`` (a time series' forecasts); every name is importable
from here.
"""
from __future__ import annotations

from deeparch.present.charts.base import (MAX_POINTS, HEATMAP_COLUMNS, PALETTE, FONT, TITLE_SIZE, TITLE_CHARS, HEIGHT,
                                          PROJECTOR_FONT, PROJECTOR_TITLE, PROJECTOR_LINE, PROJECTOR_HEIGHT,
                                          PROJECTOR_GRID, WORDS, BLOWUP, KEY_COLOR, SYMBOLS, SYMBOL_GLYPHS, Series,
                                          color, plain, wrap, downsample, ema, finite)
from deeparch.present.charts.layout import (_figure, _axis, _finite, value_axis, step_axis, _title, _layout,
                                            projector, projector_dict, _empty_note, _hline)
from deeparch.present.charts.lines import (_trace, Key, _key_trace, sci, blown, _blowup_notes, line_figure,
                                           curves_figure)
from deeparch.present.charts.forecast import WORDS as FORECAST_WORDS, forecast_figure, forecast_summary
from deeparch.present.charts.panels import (grad_heatmap, bar_figure, class_hist_figure, png_uri, probe_figure,
                                            probe_summary, _knob_ticks, sweep_figure, heatmap_figure)

# every name the one-file module had, its private helpers too (tests and pages reach a few)
__all__ = ["MAX_POINTS", "HEATMAP_COLUMNS", "PALETTE", "FONT", "TITLE_SIZE", "TITLE_CHARS", "HEIGHT",
           "PROJECTOR_FONT", "PROJECTOR_TITLE", "PROJECTOR_LINE", "PROJECTOR_HEIGHT", "PROJECTOR_GRID", "WORDS",
           "BLOWUP", "KEY_COLOR", "SYMBOLS", "SYMBOL_GLYPHS", "Series", "color", "plain", "wrap", "downsample", "ema",
           "finite", "_figure", "_axis", "_finite", "value_axis", "step_axis", "_title", "_layout", "projector", "projector_dict",
           "_empty_note", "_hline", "_trace", "Key", "_key_trace", "sci", "blown", "_blowup_notes", "line_figure",
           "curves_figure", "grad_heatmap", "bar_figure", "class_hist_figure", "png_uri", "probe_figure",
           "probe_summary", "_knob_ticks", "sweep_figure", "heatmap_figure", "FORECAST_WORDS", "forecast_figure",
           "forecast_summary"]
