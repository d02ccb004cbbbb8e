"""Live: watch one or more runs learn, refreshed every second, and steer them."""
import streamlit as st

from deeparch import charts, views
from deeparch.charts import Series
from pages import _common as ui

TEXT = {
    "title": "Live",
    "pick": "Runs to watch",
    "pick_help": "Running runs are chosen by default. Pick up to six; each gets its own colour.",
    "none": "Pick a run above to watch it.",
    "follow": "Refresh every second",
    "follow_help": "Turn off to freeze the page while you look at it; the runs keep training. Zoom, pan and "
                   "series hidden from a legend are kept while new points arrive. Finished runs never refresh.",
    "waiting": "Waiting for a free training slot ({n} runs train at once).",
    "starting": "Starting: loading the data and building the model…",
    "paused": "Paused. Resume to continue from the same step.",
    "stopping": "Stop requested: the run ends after its current step.",
    "progress": "step {step:,} of {total:,} · {pct:.0%}",
    "progress_time": "step {step:,} · {done} of {budget} of training · {pct:.0%}",
    "progress_unknown": "step {step:,}",
    "elapsed": "elapsed {elapsed}",
    "eta": "about {eta} of training left",
    "finishing": "training done: final evaluation and samples",
    "arch_data": "{arch} on {dataset}",
    "loss": "Loss", "loss_y": "loss",
    "acc": "Accuracy", "acc_y": "accuracy",
    "gan_loss": "Generator and discriminator losses",
    "gan_d": "Discriminator: D(x) on real digits, D(G(z)) on fakes",
    "balance": "balance (0.5)",
    "lr": "Learning rate", "lr_y": "learning rate",
    "speed": "Throughput", "speed_y": "samples / s",
    "grad": "Gradient norm (all layers)", "grad_y": "‖grad‖",
    "heat": "Gradient norm per layer: {name}",
    "heat_help": "Each row is a layer (input side on top), each column a moment of training. Dark rows "
                 "are vanishing gradients, bright ones exploding gradients.",
    "quality": "Sample quality (judged by a classifier)", "quality_y": "share",
    "recog": "recognisability", "coverage": "class coverage",
    "frechet": "Judge Fréchet distance (lower is better)", "frechet_y": "distance",
    "hist": "Classes the judge sees in the samples: {name}",
    "train": "train", "test": "test",
    "grids": "What the model sees and makes",
    "grid_step": "Grid at step",
    "grid_step_help": "Shows the latest grid at or before this step; leave it at the end to follow the run.",
    "grid_caption": "{name} · step {step:,}",
    "probe_caption": "{name} · step {step:,}: {right} of {total} test digits right "
                     "(label · confidence; red: wrong, with the true label)",
    "no_grid": "{name}: no grid yet.",
}
MAX_RUNS = 6
DETAIL_EVERY_S = 5.0


def run_header(run, rm: views.RunMetrics, color: int) -> None:
    """Status, progress, time and the controls of one run, in one bordered row."""
    with st.container(border=True):
        c1, c2, c3 = st.columns([2, 3, 5], vertical_alignment="center")
        with c1:
            st.markdown(f"<span style='color:{charts.color(color)};font-size:1.2rem'>●</span> "
                        f"**{run.name}**", unsafe_allow_html=True)
            ui.status_badge(run)
            st.caption(TEXT["arch_data"].format(arch=run.arch, dataset=run.dataset))
        with c2:
            trained = views.train_time(run, {"train_time": rm.last("train_time")})
            if run.total_steps:
                frac = views.progress(run, trained)
                if views.budget_bound(run, trained):  # a time budget (max_minutes) ends this run first
                    text = TEXT["progress_time"].format(step=run.step, done=views.fmt_duration(trained),
                                                        budget=views.fmt_duration(views.time_budget_s(run)), pct=frac)
                else:
                    text = TEXT["progress"].format(step=run.step, total=run.total_steps, pct=frac)
                st.progress(frac, text=text)
            else:
                st.caption(TEXT["progress_unknown"].format(step=run.step))
            parts = [TEXT["elapsed"].format(elapsed=views.fmt_duration(run.elapsed))]
            eta = views.eta_seconds(run, rm.last("samples_per_s"), trained_s=trained)
            if eta is not None:
                parts.append(TEXT["eta"].format(eta=views.fmt_duration(eta)) if eta >= 1 else TEXT["finishing"])
            st.caption(" · ".join(parts))
        with c3:
            cloned = ui.controls(run, key="live")
        if cloned is not None:
            st.session_state["handoff:pages/live.py"] = [*st.session_state.get("live_runs", []), cloned]
            st.rerun()
        message = views.explain(run)
        if message:
            st.error(message, icon=":material/error:")
        elif run.control == "stop" and run.status in views.ACTIVE:
            st.info(TEXT["stopping"])
        elif run.status == "queued":
            st.info(TEXT["waiting"].format(n=ui.jobs.max_runs()))
        elif run.status == "starting":
            st.caption(TEXT["starting"])
        elif run.status == "paused":
            st.info(TEXT["paused"])


def _name(run, multi: bool, what: str) -> str:
    return f"{run.name} · {what}" if multi else what


def curves(items, key_pairs, multi: bool):
    """Series for (run, rm, color) items: for each (key, label, dash, markers) present in a run."""
    out = []
    for run, rm, c in items:
        for key, label, dash, markers in key_pairs:
            if rm.has(key):
                s, v, _ = rm.series(key)
                # no legend group: a click on a legend entry hides that one line
                out.append(Series(_name(run, multi, label), s, v, color=c, dash=dash, markers=markers))
    return out


def grid(run, color: int) -> None:
    kind = views.media_kind(run.arch)
    s = ui.store()
    step = None
    if run.total_steps:
        step = st.slider(TEXT["grid_step"], 0, int(run.total_steps), int(run.total_steps),
                         key=f"live_grid:{run.id}", help=TEXT["grid_step_help"])
    got = s.media(run.id, kind, step)
    if got is None:
        st.caption(TEXT["no_grid"].format(name=run.name))
        return
    at, png, meta = got
    if kind == "probe":
        right, total = charts.probe_summary(meta)
        ui.chart(charts.probe_figure(png, meta, uirevision=f"probe-{run.id}", height=330), f"live_probe:{run.id}")
        st.caption(TEXT["probe_caption"].format(name=run.name, step=at, right=right, total=total))
    else:
        st.image(png, width=330)
        st.caption(TEXT["grid_caption"].format(name=run.name, step=at))


def load(selected: list[int]):
    s = ui.store()
    runs = [r for r in (s.get_run(i) for i in selected) if r is not None]
    rms = ui.metrics_cache([r.id for r in runs], s)
    items = [(r, rms[r.id], i) for i, r in enumerate(runs)]
    return s, runs, items, len(runs) > 1, "-".join(str(r.id) for r in runs)


def live(selected: list[int], refreshing: bool) -> None:
    """Status, controls and the training curves: refreshed every second."""
    ui.reconcile()
    s, runs, items, multi, uid = load(selected)
    for run, rm, c in items:
        run_header(run, rm, c)

    gans = [it for it in items if it[0].arch == "gan"]
    others = [it for it in items if it[0].arch != "gan"]
    classifiers = [it for it in items if views.arch_kind(it[0].arch) == "classifier"]

    left, right = st.columns(2)
    if others:
        with left:
            ui.chart(charts.line_figure(
                curves(others, [("loss", TEXT["train"], None, False), ("test_loss", TEXT["test"], "dash", True)],
                       multi), TEXT["loss"], ylabel=TEXT["loss_y"], uirevision=f"loss-{uid}"), "live_loss")
    if classifiers:
        with right if others else left:
            ui.chart(charts.line_figure(
                curves(classifiers, [("train_acc", TEXT["train"], None, False),
                                     ("test_acc", TEXT["test"], "dash", True)], multi),
                TEXT["acc"], ylabel=TEXT["acc_y"], uirevision=f"acc-{uid}"), "live_acc")
    if gans:
        left, right = st.columns(2)
        with left:
            ui.chart(charts.line_figure(
                curves(gans, [("g_loss", "G", None, False), ("d_loss", "D", "dash", False)], multi),
                TEXT["gan_loss"], ylabel=TEXT["loss_y"], uirevision=f"ganloss-{uid}"), "live_gan_loss")
        with right:
            ui.chart(charts.line_figure(
                curves(gans, [("d_x", "D(x)", None, False), ("d_g_z", "D(G(z))", "dash", False)], multi),
                TEXT["gan_d"], ylabel="D", uirevision=f"gand-{uid}", hlines=[(0.5, TEXT["balance"])]),
                "live_gan_d")

    if refreshing and not any(r.status in views.ACTIVE for r in runs):
        st.rerun()  # everything shown has ended: redraw once without the timer


def details(selected: list[int]) -> None:
    """Gradients, sample quality, grids, learning rate and throughput: refreshed every few seconds.

    Each refresh sends every chart's figure again and the browser redraws it; on a busy
    2-core machine a dozen charts redrawn every second would not keep up, so the
    slower-moving views refresh less often.
    """
    s, runs, items, multi, uid = load(selected)
    generators = [it for it in items if views.arch_kind(it[0].arch) == "generator"]
    left, right = st.columns(2)
    with left:
        ui.chart(charts.line_figure(curves(items, [("grad_norm", TEXT["grad_y"], None, False)], multi),
                                 TEXT["grad"], ylabel=TEXT["grad_y"], log_y=True, uirevision=f"grad-{uid}"),
              "live_grad")
    with right:
        for run, rm, c in items:
            steps, layers, norms = rm.grad_matrix()
            ui.chart(charts.grad_heatmap(steps, layers, norms, TEXT["heat"].format(name=run.name),
                                      uirevision=f"heat-{run.id}"), f"live_heat:{run.id}")
        st.caption(TEXT["heat_help"])

    if generators:
        left, mid = st.columns(2)
        with left:
            ui.chart(charts.line_figure(
                curves(generators, [("recognisability", TEXT["recog"], None, True),
                                    ("coverage", TEXT["coverage"], "dash", True)], multi),
                TEXT["quality"], ylabel=TEXT["quality_y"], uirevision=f"quality-{uid}"), "live_quality")
        with mid:
            ui.chart(charts.line_figure(curves(generators, [("frechet", TEXT["frechet_y"], None, True)], multi),
                                     TEXT["frechet"], ylabel=TEXT["frechet_y"], uirevision=f"frechet-{uid}"),
                  "live_frechet")

    st.subheader(TEXT["grids"])
    cols = st.columns(min(3, len(items)) or 1)
    for n, (run, rm, c) in enumerate(items):
        with cols[n % len(cols)]:
            grid(run, c)
            if views.arch_kind(run.arch) == "generator":
                q = s.media(run.id, "quality")
                if q is not None and q[2].get("class_hist"):
                    ui.chart(charts.class_hist_figure(q[2]["class_hist"], q[2].get("classes", []),
                                                   TEXT["hist"].format(name=run.name), uirevision=f"hist-{run.id}"),
                          f"live_hist:{run.id}")

    left, right = st.columns(2)
    with left:
        ui.chart(charts.line_figure(curves(items, [("lr", TEXT["lr_y"], None, False)], multi), TEXT["lr"],
                                 ylabel=TEXT["lr_y"], uirevision=f"lr-{uid}", height=240), "live_lr")
    with right:
        ui.chart(charts.line_figure(curves(items, [("samples_per_s", TEXT["speed_y"], None, False)], multi),
                                 TEXT["speed"], ylabel=TEXT["speed_y"], uirevision=f"speed-{uid}", height=240),
              "live_speed")


def main() -> None:
    st.title(TEXT["title"])
    s = ui.store()
    runs = ui.runs_or_hint(s)
    if not runs:
        return
    by_id = {r.id: r for r in runs}
    default = [r.id for r in runs if r.status in views.RUNNING][:MAX_RUNS] or [runs[0].id]
    ui.init_selection("live_runs", "pages/live.py", by_id, default)
    c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
    selected = c1.multiselect(TEXT["pick"], list(by_id), key="live_runs", max_selections=MAX_RUNS,
                              format_func=lambda i: ui.run_label(by_id[i]), help=TEXT["pick_help"])
    follow = c2.toggle(TEXT["follow"], value=True, key="live_follow", help=TEXT["follow_help"])
    ui.keep_selection("live_runs", selected)
    if not selected:
        st.info(TEXT["none"])
        return
    refreshing = follow and any(by_id[i].status in views.ACTIVE for i in selected)
    st.fragment(ui.guarded(live), run_every=1.0 if refreshing else None)(selected, refreshing)
    st.fragment(ui.guarded(details), run_every=DETAIL_EVERY_S if refreshing else None)(selected)


ui.page(main)
