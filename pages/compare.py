"""Compare: overlay any runs' curves, see which settings differ, their final numbers and grids side by side."""
import pandas as pd
import streamlit as st

from deeparch import charts, views
from deeparch.charts import Series
from pages import _common as ui

TEXT = {
    "title": "Compare",
    "pick": "Runs to compare",
    "pick_help": "Any runs: finished or still training, of any architecture. Each gets its own colour.",
    "none": "Pick two or more runs above to compare them.",
    "metric": "Metric",
    "x": "x axis",
    "x_step": "step", "x_samples": "samples seen", "x_wall": "time since start (s)",
    "smooth": "Smoothing",
    "smooth_help": "Exponential moving average, as in TensorBoard: 0 shows the raw values, 0.9 is very smooth. "
                   "The raw curve stays visible, faint, under the smoothed one.",
    "log_y": "log y",
    "curves": "{metric} by {x}",
    "no_metric": "These runs have no metrics yet.",
    "final": "Final numbers",
    "download": "Download this table (CSV)",
    "config": "Settings that differ",
    "config_same": "All selected runs use the same settings.",
    "grids": "Grids side by side",
    "grid_step": "Step",
    "grid_step_help": "Each run shows its latest grid at or before this step.",
    "grid_caption": "{name} · step {step:,}",
    "probe_caption": "{name} · step {step:,}: {right}/{total} right",
    "no_grid": "{name}: no grid at or before this step.",
    "grads": "Gradients",
    "grad_curve": "Gradient norm (all layers)",
    "grad_layers": "Per-layer gradient norm, median over the run: {name}",
    "grad_none": "{name}: no gradient records.",
    "grad_x": "median ‖grad‖ (log scale)",
}
MAX_RUNS = 8
X_KINDS = ("step", "samples", "wall")


def default_selection(runs) -> list[int]:
    """The latest race, or the most recent finished runs, or the most recent run."""
    latest = runs[0]
    if latest.group_name:
        return [r.id for r in runs if r.group_name == latest.group_name][:MAX_RUNS]
    done = [r.id for r in runs if r.status == "finished"][:3]
    return done if len(done) >= 2 else [r.id for r in runs[:2]]


def overlay(runs, rms, metric: str, xkind: str, weight: float) -> list[Series]:
    out = []
    for i, run in enumerate(runs):
        rm = rms[run.id]
        if not rm.has(metric):
            continue
        s, v, w = rm.series(metric)
        x = views.x_values(xkind, s, w, run, rm.first_wall())
        if weight > 0:
            out.append(Series(run.name, x, v, color=i, group=run.name, faint=True))
            out.append(Series(run.name, x, charts.ema(v, weight), color=i, group=run.name))
        else:
            out.append(Series(run.name, x, v, color=i, group=run.name, markers=len(v) < 60))
    return out


def grids(runs) -> None:
    s = ui.store()
    top = max([r.total_steps or r.step for r in runs] + [1])
    step = st.slider(TEXT["grid_step"], 0, int(top), int(top), key="compare_grid_step",
                     help=TEXT["grid_step_help"])
    cols = st.columns(min(4, len(runs)))
    for n, run in enumerate(runs):
        with cols[n % len(cols)]:
            kind = views.media_kind(run.arch)
            got = s.media(run.id, kind, step)
            if got is None:
                st.caption(TEXT["no_grid"].format(name=run.name))
                continue
            at, png, meta = got
            if kind == "probe":
                right, total = charts.probe_summary(meta)
                ui.chart(charts.probe_figure(png, meta, uirevision=f"cprobe-{run.id}", height=280),
                         f"compare_probe:{run.id}")
                st.caption(TEXT["probe_caption"].format(name=run.name, step=at, right=right, total=total))
            else:
                st.image(png, width="stretch")
                st.caption(TEXT["grid_caption"].format(name=run.name, step=at))


def gradients(runs, rms, uid: str) -> None:
    curve = [Series(r.name, *rms[r.id].series("grad_norm")[:2], color=i, group=r.name)
             for i, r in enumerate(runs) if rms[r.id].has("grad_norm")]
    ui.chart(charts.line_figure(curve, TEXT["grad_curve"], ylabel="‖grad‖", log_y=True, uirevision=f"cgrad-{uid}"),
             "compare_grad")
    cols = st.columns(min(4, len(runs)))
    for n, run in enumerate(runs):
        with cols[n % len(cols)]:
            g = views.grad_summary(rms[run.id])
            if g.empty:
                st.caption(TEXT["grad_none"].format(name=run.name))
                continue
            fig = charts.bar_figure(g["layer"], g["median"], TEXT["grad_layers"].format(name=run.name),
                                    xlabel=TEXT["grad_x"], uirevision=f"cgl-{run.id}", log_y=True,
                                    horizontal=True, color_index=n, height=max(200, 70 + 24 * len(g)))
            ui.chart(fig, f"compare_grad_layers:{run.id}")


def body(selected: list[int]) -> None:
    s = ui.store()
    runs = [r for r in (s.get_run(i) for i in selected) if r is not None]
    rms = ui.metrics_cache([r.id for r in runs], s)
    uid = "-".join(str(r.id) for r in runs)

    keys: list[str] = []
    for r in runs:
        keys += [k for k in rms[r.id].keys if not k.startswith(views.GRAD_PREFIX) and k not in keys]
    if not keys:
        st.info(TEXT["no_metric"])
        return
    preferred = [k for k in ("test_acc", "loss", "g_loss") if k in keys]
    c1, c2, c3, c4 = st.columns([3, 3, 3, 1.4], vertical_alignment="bottom")
    metric = c1.selectbox(TEXT["metric"], keys, index=keys.index(preferred[0]) if preferred else 0,
                          key="compare_metric")
    xkind = c2.segmented_control(TEXT["x"], X_KINDS, default="step", format_func=lambda k: TEXT["x_" + k],
                                 key="compare_x") or "step"
    weight = c3.slider(TEXT["smooth"], 0.0, 0.99, 0.6, 0.01, key="compare_smooth", help=TEXT["smooth_help"])
    log_y = c4.toggle(TEXT["log_y"], key="compare_log")
    ui.chart(charts.line_figure(overlay(runs, rms, metric, xkind, weight),
                                TEXT["curves"].format(metric=metric, x=TEXT["x_" + xkind]), xlabel=TEXT["x_" + xkind],
                                ylabel=metric, log_y=log_y, uirevision=f"cmp-{uid}-{metric}-{xkind}", height=380),
             "compare_curves")

    st.subheader(TEXT["final"])
    final = pd.DataFrame([views.final_metrics(r, rms[r.id]) for r in runs]).set_index("run")
    final = final.dropna(axis=1, how="all")
    st.dataframe(final, width="stretch", column_config={
        "best test accuracy": st.column_config.NumberColumn(format="percent"),
        "train time (s)": st.column_config.NumberColumn(format="%.1f"),
        "parameters": st.column_config.NumberColumn(format="localized"),
        "samples/s (median)": st.column_config.NumberColumn(format="%.0f"),
    })
    diff = views.config_diff(runs)
    st.subheader(TEXT["config"])
    if diff.shape[1] == 0:
        st.caption(TEXT["config_same"])
    else:
        st.dataframe(diff.astype(str), width="stretch")
    table = final.join(diff.add_prefix("hp."), how="left")
    st.download_button(TEXT["download"], table.to_csv().encode(), file_name="deeparch-compare.csv",
                       mime="text/csv", icon=":material/download:", key="compare_download")

    st.subheader(TEXT["grids"])
    grids(runs)
    st.subheader(TEXT["grads"])
    gradients(runs, rms, uid)


def main() -> None:
    st.title(TEXT["title"])
    s = ui.store()
    runs = ui.runs_or_hint(s)
    if not runs:
        return
    by_id = {r.id: r for r in runs}
    ui.init_selection("compare_runs", "pages/compare.py", by_id, default_selection(runs))
    selected = st.multiselect(TEXT["pick"], list(by_id), key="compare_runs", max_selections=MAX_RUNS,
                              format_func=lambda i: ui.run_label(by_id[i]), help=TEXT["pick_help"])
    ui.keep_selection("compare_runs", selected)
    if not selected:
        st.info(TEXT["none"])
        return
    refreshing = any(by_id[i].status in views.ACTIVE for i in selected)
    st.fragment(ui.guarded(body), run_every=2.0 if refreshing else None)(selected)


ui.page(main)
