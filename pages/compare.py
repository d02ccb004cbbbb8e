"""Compare: overlay any runs' curves, see which settings differ, their final numbers and grids side by side.

Nothing is hidden or bent silently: runs without the chosen metric are named, sparse
series (evaluations) start unsmoothed, every run's last raw value is marked at the end
of its line, and each run gets one plain summary line with the best headline marked.
"""
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from deeparch.course import data
from deeparch.present import charts, i18n, numbers
from deeparch.read import series, views
from deeparch.execution import sweep
from deeparch.store import lifecycle
from deeparch.present.charts import Series
from deeparch.present.text import csv_cell, md_escape, without_common_prefix
from pages import _controls, _guard, _plot, _prefs, _selection, _store, _sweep_view, _views, _words

TEXT = i18n.Catalog("compare", {
    "title": "Compare",
    "pick": "Runs to compare",
    "pick_help": "Any runs: finished or still training, of any architecture. Each gets its own colour.",
    "none": "Pick two or more runs above to compare them.",
    "metric": "Metric",
    "x": "x axis",
    "x_step": "step", "x_samples": "samples seen", "x_wall": "time since start (s)",
    "smooth": "Smoothing",
    "smooth_help": "Exponential moving average, as in TensorBoard: 0 shows the raw values, 0.9 is very smooth. "
                   "The raw curve stays visible, faint, under the smoothed one, and each run's last raw value "
                   "is marked at the end. Sparse series (fewer than 50 points, such as test evaluations) "
                   "start unsmoothed.",
    "missing": "Not in this chart, no {metric} recorded: {runs}",
    "run_ref": "#{id} {name}",
    "metric_names": {  # metric keys no architecture declares a panel line for → what a reader sees
        "epoch": "epoch", "train_time": "training time (s)",
    },
    "qualified": "{line} {axis}",  # a line label shared by several panels, with its panel's axis: "test accuracy"
    "summary": "In one line each",
    "summary_line": "**{run}**: {metric} {value}{best} · {time} of training · {params} parameters",
    "summary_none": "**{run}**: no {metric} yet · {time} of training · {params} parameters",
    "best": " ★ best",
    "no_headline": "headline figure",
    "percent": "{:.1%}", "number": "{:.4g}",
    "final_cols": {
        "arch": "architecture", "status": "status", "steps": "steps",
        "test_loss_at_best": "test loss at best validation", "best_train_loss": "best training loss",
        "best_val_acc": "best validation accuracy",
        "train_seconds": "train time (s)", "params": "parameters", "samples_per_s": "samples/s (median)",
        "grad_norm": "grad norm (median)",
        "not_digits": "share of samples no digit", "verdict": "samples", "judge_version": "judge version",
        "quality_seconds": "sampling and judging (s)",
    },
    "verdicts": {"collapsed": "mode collapse", "not_digits": "no digits"},
    "run_col": "run",
    "log_y": "log y",
    "curves": "{metric} by {x}",
    "no_metric": "These runs have no metrics yet.",
    "final": "Final numbers",
    "download": "Download this table (CSV)",
    "config": "Settings that differ",
    "config_same": "All selected runs use the same settings.",
    "grids": "Views side by side",
    "view_pick": "View",
    "view_pick_help": "Any view the selected runs' architectures declare; a run whose architecture has no such "
                      "view says so.",
    "grid_step": "Step",
    "grid_step_help": "Each run shows its latest grid at or before this step.",
    "no_grid": "{name}: no grid at or before this step.",
    "grads": "Gradients",
    "grad_curve": "Gradient norm (all layers)",
    "grad_layers": "Per-layer gradient norm, median over the run: {name}",
    "grad_none": "{name}: no gradient records.",
    "grad_x": "median ‖grad‖ (log scale)",
    "sweep": "Sweep",
    "sweep_help": "A sweep (launched from Train → Sweep or `python -m deeparch sweep`) shows its final figure "
                  "against the knobs it varied, then the curves of all its runs. Choose none to pick runs yourself.",
    "sweep_none": "none: pick runs below",
    "sweep_option": "{group} ({n} runs)",
    "sweep_title": "{metric} by {knobs}",
    "sweep_x": " × ",
    "sweep_progress": "{done} of {n} runs have ended; a point fills in as soon as its run has evaluated.",
    "sweep_no_headline": "These runs declare no headline figure to plot against the knobs.",
})
MAX_RUNS = 8
X_KINDS = ("step", "samples", "wall")
SPARSE = 50  # a series with fewer points (evaluations) is not smoothed by default
SMOOTH = 0.6  # the default smoothing of dense series


def metric_label(key: str, labels: dict[str, str] | None = None) -> str:
    """A metric key as a reader sees it: declared, else the fallback catalog, else underscores as spaces."""
    return (labels or {}).get(key) or TEXT["metric_names"].get(key, key.replace("_", " "))


# the names of the runs on the page, without the title they all share (a lesson's): set by each body
_SHORT: dict[int, str] = {}


def shorten(runs) -> None:
    _SHORT.clear()
    _SHORT.update(zip((r.id for r in runs), without_common_prefix([r.name for r in runs])))


def run_ref(run) -> str:
    return TEXT["run_ref"].format(id=run.id, name=_SHORT.get(run.id, run.name))


def overlay(runs, rms, metric: str, xkind: str, weight: float) -> tuple[list[Series], list[tuple]]:
    """The lines of ``metric`` per run, and each run's last raw point (x, y, colour, group)."""
    out, ends = [], []
    for i, run in enumerate(runs):
        rm = rms[run.id]
        if not rm.has(metric):
            continue
        s, v, w = rm.series(metric)
        x = series.x_values(xkind, s, w, run, rm.first_wall())
        name = run_ref(run)  # two runs may share a name, never an id
        if weight > 0:
            out.append(Series(name, x, v, color=i, group=name, faint=True))
            out.append(Series(name, x, charts.ema(v, weight), color=i, group=name))
        else:
            out.append(Series(name, x, v, color=i, group=name, markers=len(v) < 60))
        drawn = np.flatnonzero(np.isfinite(v))
        if len(drawn):
            ends.append((x[drawn[-1]], float(v[drawn[-1]]), i, name))
    return out, ends


def mark_ends(fig: go.Figure, ends: list[tuple]) -> go.Figure:
    """A dot and the value at each run's last raw point: smoothing never hides where a run ended (a line
    that blew up past the top of the chart has its peak written there instead)."""
    top = fig.layout.yaxis.range[1] if fig.layout.yaxis.range and fig.layout.yaxis.type != "log" else None
    for x, y, i, group in ends:
        if top is not None and y > top:
            continue
        c = charts.color(i)
        fig.add_trace(go.Scatter(
            x=[x], y=[y], mode="markers+text", text=[i18n.number(y, ".4g")], textposition="middle right",
            marker=dict(size=9, color=c, line=dict(color="white", width=1)), textfont=dict(color=c, size=13),
            showlegend=False, legendgroup=group, hoverinfo="skip", cliponaxis=False, uid=f"{group}|end"))
    if fig.layout.legend.orientation == "v" and ends:  # a legend beside the plot: the values go inside it
        xs = np.concatenate([np.asarray(t.x, dtype=float) for t in fig.data if t.x is not None and len(t.x)])
        xs = xs[np.isfinite(xs)]
        lo, hi = float(xs.min()), float(xs.max())
        span = hi - lo or 1.0
        fig.update_xaxes(range=[lo - 0.02 * span, hi + 0.14 * span], autorange=False)
    else:
        fig.update_layout(margin=dict(r=70))
    return fig


def sparse(runs, rms, metric: str) -> bool:
    return max((len(rms[r.id].series(metric)[0]) for r in runs if rms[r.id].has(metric)), default=0) < SPARSE


def grids(runs) -> None:
    """One declared view (the student picks which) of every run side by side, at one step."""
    s = _store.store()
    choices = views.view_choices(runs)
    if not choices:
        return
    kind = st.selectbox(TEXT["view_pick"], list(choices), format_func=lambda k: choices[k].title,
                        key="compare_view", help=TEXT["view_pick_help"])
    top = max([r.total_steps or r.step for r in runs] + [1])
    step = st.slider(TEXT["grid_step"], 0, int(top), int(top), key="compare_grid_step",
                     help=TEXT["grid_step_help"], format=_prefs.number_format())
    cols = st.columns(min(_prefs.per_row(4), len(runs)))
    for n, run in enumerate(runs):
        with cols[n % len(cols)]:
            view = views.display(run.arch, run.dataset).view(kind)
            got = s.media(run.id, view.media_kind, step) if view else None
            if got is None:
                st.caption(TEXT["no_grid"].format(name=md_escape(run.name)))
                continue
            _views.draw(_views.COMPARE, run, view, got, title=run_ref(run))
    if choices[kind].explain:
        st.caption(choices[kind].explain)


def gradients(runs, rms, uid: str) -> None:
    curve = [Series(run_ref(r), *rms[r.id].series("grad_norm")[:2], color=i, group=run_ref(r))
             for i, r in enumerate(runs) if rms[r.id].has("grad_norm")]
    _plot.chart(charts.line_figure(curve, TEXT["grad_curve"], ylabel="‖grad‖", log_y=True, uirevision=f"cgrad-{uid}"),
             "compare_grad")
    cols = st.columns(min(_prefs.per_row(4), len(runs)))
    for n, run in enumerate(runs):
        with cols[n % len(cols)]:
            g = series.grad_summary(rms[run.id])
            if g.empty:
                st.caption(TEXT["grad_none"].format(name=md_escape(run.name)))
                continue
            fig = charts.bar_figure(g["layer"], g["median"], TEXT["grad_layers"].format(name=run.name),
                                    xlabel=TEXT["grad_x"], uirevision=f"cgl-{run.id}", log_y=True,
                                    horizontal=True, color_index=n, height=max(200, 70 + 24 * len(g)))
            _plot.chart(fig, f"compare_grad_layers:{run.id}")


def summary_lines(runs, finals: dict) -> list[str]:
    """One Markdown line per run: its declared headline figure (the best of the runs sharing it marked,
    by its direction), training time and parameters."""
    heads = {r.id: views.display(r.arch, r.dataset).headline for r in runs}
    value = {r.id: finals[r.id]["headline"] for r in runs}
    value = {i: v if v is not None and math.isfinite(v) else None for i, v in value.items()}
    best_ids = views.best_headlines(runs, finals)
    lines = []
    for r in runs:
        f, head, v = finals[r.id], heads[r.id], value[r.id]
        common = dict(run=md_escape(run_ref(r)), metric=head.label if head else TEXT["no_headline"],
                      time=_words.fmt_duration(f["train_seconds"]),
                      params=i18n.number(int(f["params"])) if f["params"] else "–")
        if v is None:
            lines.append(TEXT["summary_none"].format(**common))
            continue
        best = r.id in best_ids
        shown = TEXT["percent"].format(v) if head.percent else TEXT["number"].format(v)
        shown = _words.quality_cell(shown, f.get("verdict"), f.get("coverage"), f.get("not_digits"),
                                    f.get("judge_version"), data.shows_digits(r.dataset))
        lines.append(TEXT["summary_line"].format(**common, value=shown, best=TEXT["best"] if best else ""))
    return lines


def curves(runs, rms, keys: list[str], uid: str) -> None:
    """The overlay chart of one metric, with the runs that lack it named under it."""
    labels = views.declared_labels(runs, TEXT["qualified"])
    heads = [h.metric for h in (views.display(r.arch, r.dataset).headline for r in runs) if h is not None]
    preferred = [k for k in (*heads, *labels) if k in keys]  # the headline's series, else the first declared
    c1, c2, c3, c4 = st.columns([3, 3, 3, 1.4], vertical_alignment="bottom")
    metric = c1.selectbox(TEXT["metric"], keys, index=keys.index(preferred[0]) if preferred else 0,
                          format_func=lambda k: metric_label(k, labels), key="compare_metric")
    xkind = c2.segmented_control(TEXT["x"], X_KINDS, default="step", format_func=lambda k: TEXT["x_" + k],
                                 key="compare_x") or "step"
    weight = c3.slider(TEXT["smooth"], 0.0, 0.99, 0.0 if sparse(runs, rms, metric) else SMOOTH, 0.01,
                       key=f"compare_smooth:{metric}", help=TEXT["smooth_help"], format=_prefs.number_format())
    log_y = c4.toggle(TEXT["log_y"], key="compare_log")
    lines, ends = overlay(runs, rms, metric, xkind, weight)
    label = metric_label(metric, labels)
    fig = charts.line_figure(lines, TEXT["curves"].format(metric=label, x=TEXT["x_" + xkind]),
                             xlabel=TEXT["x_" + xkind], ylabel=label, log_y=log_y,
                             uirevision=f"cmp-{uid}-{metric}-{xkind}", height=380,
                             legend="right" if _prefs.projector() else "bottom", cut_blowups=views.blowup(runs, metric))
    _plot.chart(mark_ends(fig, ends), "compare_curves")
    lacking = [r for r in runs if not rms[r.id].has(metric)]
    if lacking:
        st.caption(TEXT["missing"].format(metric=label, runs=", ".join(md_escape(run_ref(r)) for r in lacking)))


def final_table(runs, rms) -> tuple[pd.DataFrame, dict]:
    """The final numbers, one row per run named by id and name, columns in words; and the raw rows by id."""
    finals = {r.id: views.final_metrics(r, rms[r.id]) for r in runs}
    labels = views.declared_labels(runs, TEXT["qualified"])
    refs = {r.id: run_ref(r) for r in runs}
    table = pd.DataFrame([views.final_row(r, finals[r.id], labels) for r in runs]).set_index("run_id").rename(index=refs)
    table["status"] = table["status"].map(_words.status)
    if "verdict" in table:
        table["verdict"] = table["verdict"].map(lambda v: TEXT["verdicts"].get(v, v) if isinstance(v, str) else v)
    table = table.dropna(axis=1, how="all").rename(columns=TEXT["final_cols"])
    table.index.name = TEXT["run_col"]
    return table, finals


def body(selected: list[int]) -> None:
    s = _store.store()
    runs = [r for r in (s.get_run(i) for i in selected) if r is not None]
    shorten(runs)
    rms = _store.metrics_cache([r.id for r in runs], s)
    uid = "-".join(str(r.id) for r in runs)

    keys: list[str] = []
    for r in runs:
        keys += [k for k in rms[r.id].keys if not k.startswith(series.GRAD_PREFIX) and k not in keys]
    if not keys:
        st.info(TEXT["no_metric"])
        return
    curves(runs, rms, keys, uid)

    final, finals = final_table(runs, rms)
    st.subheader(TEXT["summary"])
    st.markdown("\n".join("- " + line for line in summary_lines(runs, finals)))
    st.subheader(TEXT["final"])
    cols = TEXT["final_cols"]
    st.dataframe(final, width="stretch", placeholder="–", column_config={
        **{c: st.column_config.NumberColumn(format="percent") for c in views.percent_columns(runs)},
        cols["train_seconds"]: st.column_config.NumberColumn(format=_prefs.number_format("%.1f")),
        cols["params"]: st.column_config.NumberColumn(format="localized"),
        cols["samples_per_s"]: st.column_config.NumberColumn(format=_prefs.number_format("%.0f")),
    })
    diff = views.config_diff(runs).rename(index={r.id: run_ref(r) for r in runs})
    diff.index.name = TEXT["run_col"]
    st.subheader(TEXT["config"])
    if diff.shape[1] == 0:
        st.caption(TEXT["config_same"])
    else:
        st.dataframe(diff.map(lambda v: numbers.field(v) if isinstance(v, float) else v).astype(str),
                     width="stretch", placeholder="–")
    table = final.join(diff.add_prefix("hp."), how="left")
    table.index = [csv_cell(i) for i in table.index]
    table.index.name = TEXT["run_col"]
    st.download_button(TEXT["download"], views.spreadsheet_csv(table.map(csv_cell), i18n.current(), index=True),
                       file_name="deeparch-compare.csv", mime="text/csv", icon=":material/download:",
                       key="compare_download")

    st.subheader(TEXT["grids"])
    grids(runs)
    st.subheader(TEXT["grads"])
    gradients(runs, rms, uid)


def sweep_body(ids: list[int]) -> None:
    """A sweep's final headline figure against its knobs (a line, or a heat map for two), then the
    curves, numbers and grids of all its runs."""
    s = _store.store()
    runs = [r for r in (s.get_run(i) for i in ids) if r is not None]
    shorten(runs)
    _sweep_view.sweep_figure(runs, _store.metrics_cache(ids, s), TEXT)
    body(ids)


def main() -> None:
    st.title(TEXT["title"])
    s = _store.store()
    runs = _controls.runs_or_hint(s)
    if not runs:
        return
    found = sweep.sweeps(runs)
    chosen = _sweep_view.sweep_picker(runs, found, TEXT) if found else ""
    if chosen:
        members = found[chosen][::-1]  # launch order: the grid's order
        refreshing = any(r.status in lifecycle.ACTIVE for r in members)
        st.fragment(_guard.guarded(sweep_body), run_every=2.0 if refreshing else None)([r.id for r in members])
        return
    by_id = {r.id: r for r in runs}
    _selection.init_selection("compare_runs", "pages/compare.py", by_id, views.default_selection(runs, MAX_RUNS))
    selected = st.multiselect(TEXT["pick"], list(by_id), key="compare_runs", max_selections=MAX_RUNS,
                              select_all=_words.select_all(),
                              format_func=lambda i: _selection.run_label(by_id[i]), help=TEXT["pick_help"],
                              placeholder=_words.TEXT["choose"])
    _selection.keep_selection("compare_runs", selected)
    if not selected:
        st.info(TEXT["none"])
        return
    refreshing = any(by_id[i].status in lifecycle.ACTIVE for i in selected)
    st.fragment(_guard.guarded(body), run_every=2.0 if refreshing else None)(selected)


_guard.page(main)
