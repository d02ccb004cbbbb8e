"""Live: watch one or more runs learn, refreshed every second, and steer them."""
import streamlit as st

from deeparch.present import charts, i18n
from deeparch.read import pace, series, views
from deeparch.engine import diagnose
from deeparch.execution import jobs
from deeparch.store import lifecycle
from deeparch.course import data, lessons
from deeparch.present.charts import Series
from deeparch.present.text import md_escape, without_common_prefix
from pages import _controls, _guard, _lesson, _model_view, _plot, _prefs, _selection, _store, _views, _words

TEXT = i18n.Catalog("live", {
    "title": "Live",
    "pick": "Runs to watch",
    "pick_help": "Running runs are chosen by default. Pick up to six; on the charts each run has its own colour "
                 "and marker shape (the shape is shown before its name), and the line style tells train, "
                 "validation and test apart.",
    "none": "Pick a run above to watch it.",
    "follow": "Live refresh",
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
    "eta": "about {eta} left",
    "estimating": "time left: estimating…",
    "finishing": "training done: final evaluation and samples",
    "judging": "Judging samples… (drawing them and asking the judge; training goes on after it, its clock paused)",
    "arch_data": "{arch} on {dataset}",
    "layer_title": "{title}: {name}",
    "view_title": "**{title}**",
    "grids": "What the model sees and makes",
    "grid_step": "Grid at step",
    "grid_step_help": "Shows the latest grid at or before this step; leave it at the end to follow the run.",
    "no_grid": "{name}: no grid yet.",
    "run_title": "**{name}**",
    "run_title_mark": "{mark} **{name}**",
    "run_line": "{title} {badge}",
    "series": "{run} · {what}",
    "explain_of": "**{title}**: {explain}",
    "model": "The model itself: {name}",
    "model_differs": "**How it differs from the course listing.** {text}",
    "model_tree": "Layers and their parameters (own: held by that layer; total: with everything under it)",
    "model_cols": {"module": "module", "type": "type", "own": "own parameters", "total": "total parameters"},
    "model_code": "The model's code, from `{path}`",
    "model_none": "This run's architecture is not in this version of the lab.",
    "diag": {  # deeparch.engine.diagnose note keys → what the numbers say, in words
        "loss_nonfinite": "The loss became infinite or NaN at step {step:,}: the run diverged. Lower the learning "
                          "rate or set grad_clip.",
        "loss_diverging": "The loss is climbing: now {now:.3g}, its best was {best:.3g}. Diverging: lower the "
                          "learning rate or set grad_clip.",
        "grad_exploding": "Exploding gradients: the gradient norm is {now:.3g}, it started near {early:.3g}.",
        "grad_vanishing_layer": "Vanishing gradient in layer {layer} (‖grad‖ {value:.1e}): it has stopped learning.",
        "grad_spread": "Gradients {ratio:.0e}× smaller in {low} than in {high}: the signal vanishes through "
                       "the depth of the network.",
        "grad_vanishing_time": "The gradient at the first time step is {ratio:.1e} of the last one's: vanishing "
                               "through time (an LSTM or GRU keeps it flatter).",
        "overfitting": "Overfitting: the held-out loss rose to {now:.3g} from its best {best:.3g} at step "
                       "{best_step:,}, while the training loss kept falling.",
        "game_blowup": "G's loss has blown up: now {now:.3g}, it started near {early:.3g}. A GAN's losses wander as "
                       "the two players take turns, but not this far: the discriminator's verdicts saturate. Lower "
                       "both learning rates.",
        "d_winning": "The discriminator is winning: D(x) {d_x:.2f}, D(G(z)) {d_g_z:.2f}: it tells every fake apart. "
                     "With the non-saturating loss the generator's gradient does not fade, but it only pushes towards "
                     "whatever fools this discriminator now, so the samples do not settle; try a lower lr_d, label "
                     "smoothing or instance noise.",
        "d_winning_grad": "The discriminator is winning: D(x) {d_x:.2f}, D(G(z)) {d_g_z:.2f}, a gap of {gap:.2f}. G's "
                          "gradient norm is {g_grad:.3g} (it started near {g_grad_early:.3g}): with the non-saturating "
                          "loss it does not fade, but it only pushes towards whatever fools this discriminator at the "
                          "moment, so the samples do not settle into digits. Slow the discriminator down (a lower "
                          "lr_d), or add label smoothing or instance noise.",
        "mode_collapse": "Mode collapse: class coverage fell to {now:.2f} (best {best:.2f}); the generator draws "
                         "few kinds of digit.",
        "few_digits": "The samples cover few kinds of digit: class coverage {now:.2f} (all ten equally: 1). The "
                      "generator draws one or two digits.",
        "not_digits": "The samples do not look like digits (yet): the judge calls {share:.0%} of them no digit. Early "
                      "in training this is normal; if it stays, the model cannot draw.",
        "no_digits": "The samples do not look like digits (yet): the judge's Fréchet distance is {now:.0f}; real "
                     "digits score under 10. Early in training this is normal; if it stays, the model cannot draw.",
    },
    "diag_images": {  # the same on an image set that is not MNIST's digits (Fashion-MNIST, a teacher's own)
        "d_winning_grad": "The discriminator is winning: D(x) {d_x:.2f}, D(G(z)) {d_g_z:.2f}, a gap of {gap:.2f}. G's "
                          "gradient norm is {g_grad:.3g} (it started near {g_grad_early:.3g}): with the non-saturating "
                          "loss it does not fade, but it only pushes towards whatever fools this discriminator at the "
                          "moment, so the samples do not settle into images of the set. Slow the discriminator down "
                          "(a lower lr_d), or add label smoothing or instance noise.",
        "mode_collapse": "Mode collapse: class coverage fell to {now:.2f} (best {best:.2f}); the generator draws "
                         "few of the classes.",
        "few_digits": "The samples cover few of the classes: class coverage {now:.2f} (all classes equally: 1). The "
                      "generator draws one or two classes.",
        "not_digits": "The samples do not look like the set's images (yet): its judge puts {share:.0%} of them in "
                      "no class. Early in training this is normal; if it stays, the model cannot draw.",
        "no_digits": "The samples do not look like the set's images (yet): the judge's Fréchet distance is {now:.0f}. "
                     "Early in training this is normal; if it stays, the model cannot draw.",
    },
    "smooth": "Smoothing",
    "smooth_help": "Exponential moving average of the per-step curves, as on Compare: 0 shows the raw values. "
                   "The raw curve stays visible, faint, under the smoothed one; test points are never smoothed.",
})
MAX_RUNS = 6
DETAIL_EVERY_S = 5.0
WATCH_EVERY_S = 3.0
# the roles of a chart (train / test, G / D) differ by dash as well as colour
DASHES = (None, "dash", "dot", "dashdot")


def run_title(run, index: int, multi: bool) -> str:
    """The run's name as Markdown text (escaped: names are data), after the marker shape of its
    lines when several runs share the charts."""
    name = md_escape(run.name)
    if not multi:
        return TEXT["run_title"].format(name=name)
    return TEXT["run_title_mark"].format(mark=charts.SYMBOL_GLYPHS[index % len(charts.SYMBOL_GLYPHS)], name=name)


def add_to_selection(run_id: int) -> None:
    """A clone launched from this page joins the runs on it."""
    st.session_state["handoff:pages/live.py"] = [*st.session_state.get("live_runs", []), run_id]


def run_header(run, rm: series.RunMetrics, index: int, multi: bool) -> None:
    """Status, progress, time and the controls of one run, in one bordered row."""
    with st.container(border=True):
        c1, c2, c3 = st.columns([3, 3, 4], vertical_alignment="center")
        with c1:
            st.markdown(TEXT["run_line"].format(title=run_title(run, index, multi), badge=_controls.status_badge_md(run)))
            st.caption(TEXT["arch_data"].format(arch=run.arch, dataset=run.dataset))
        with c2:
            trained = pace.train_time(run, {"train_time": rm.last("train_time")})
            if run.total_steps:
                frac = pace.progress(run, trained)
                if pace.budget_bound(run, trained):  # a time budget (max_minutes) ends this run first
                    text = TEXT["progress_time"].format(step=run.step, done=_words.fmt_duration(trained),
                                                        budget=_words.fmt_duration(pace.time_budget_s(run)), pct=frac)
                else:
                    text = TEXT["progress"].format(step=run.step, total=run.total_steps, pct=frac)
                st.progress(frac, text=text)
            else:
                st.caption(TEXT["progress_unknown"].format(step=run.step))
            parts = [TEXT["elapsed"].format(elapsed=_words.fmt_duration(run.elapsed))]
            steps, _, walls = rm.series("samples_per_s")  # one record per log_every steps
            eta = pace.eta_seconds(run, pace.pace(steps, walls), trained_s=trained)
            if eta is not None:
                parts.append(TEXT["eta"].format(eta=_words.fmt_duration(eta)) if eta >= 1 else TEXT["finishing"])
            elif pace.expects_eta(run):
                parts.append(TEXT["estimating"])
            st.caption(" · ".join(parts))
        with c3:
            _controls.controls(run, key="live", on_clone=add_to_selection)
        message = _words.explain(run)
        for note in [] if message else diagnose.diagnose(rm, views.loss_key(run.arch)):  # an error says it already
            words = TEXT["diag"] if data.shows_digits(run.dataset) else {**TEXT["diag"], **TEXT["diag_images"]}
            if note.key in words:
                st.warning(words[note.key].format(**note.values), icon=":material/troubleshoot:")
        if message:
            st.error(message, icon=":material/error:")
        elif run.control == "stop" and run.status in lifecycle.ACTIVE:
            st.info(TEXT["stopping"])
        elif run.status == "queued":
            st.info(TEXT["waiting"].format(n=jobs.max_runs(_store.store())))
        elif run.status == "starting":
            st.caption(TEXT["starting"])
        elif run.status == "paused":
            st.info(TEXT["paused"])
        elif run.status == "running" and run.summary.get("judging"):
            st.caption(TEXT["judging"])


def curves(items, multi: bool, weight: float = 0.0) -> tuple[list[Series], list[charts.Key]]:
    """Series of (run, rm, index, panel) items: one per declared line of the run's panel it records,
    and the legend keys that stand for them.

    One run: every line its own colour (the strongest cue on a projector) and its own legend entry.
    Several runs: each run one colour and one marker shape (shown before its name in the header
    too) and one legend entry; each split (train, validation, test) its declared dash, named once in
    a key of line styles. Six runs of three splits thus need nine legend entries, not eighteen, and
    the legend leaves the plot its height. Dense per-step series are smoothed by ``weight`` over their
    faint raw line; sparse ones (evaluations, declared with markers) never are.
    """
    out, keys, roles, lines = [], [], {}, 0
    runs = list({run.id: run for run, *_ in items}.values())
    short = dict(zip((r.id for r in runs), without_common_prefix([r.name for r in runs])))
    for run, rm, i, panel in items:
        symbol = charts.SYMBOLS[i % len(charts.SYMBOLS)] if multi else None
        group = f"{run.id}"
        drawn = False
        for j, line in enumerate(panel.lines):
            if not rm.has(line.key):
                continue
            s, v, _ = rm.series(line.key)
            dash = line.dash or DASHES[j % len(DASHES)]
            if multi:
                name = TEXT["series"].format(run=short[run.id], what=line.label)  # what hovering says
                style = dict(color=i, dash=dash, markers=line.markers, symbol=symbol, group=group, legend=False)
                roles.setdefault(line.label, dash)
            else:
                # no shared legend group between one run's series: a click on an entry hides that one line
                name = line.label
                style = dict(color=lines, dash=dash, markers=line.markers)
            lines += 1
            drawn = True
            if weight > 0 and not line.markers:
                out.append(Series(name, s, v, faint=True, **style))
                v = charts.ema(v, weight)
            out.append(Series(name, s, v, **style))
        if multi and drawn:
            keys.append(charts.Key(short[run.id], charts.color(i), symbol=symbol, group=group))
    if len(roles) > 1:  # the splits' line styles, once for every run
        keys += [charts.Key(role, dash=dash) for role, dash in roles.items()]
    return out, keys


def grid_step(run, kinds: list[str]) -> int | None:
    """The step whose grids to show: a slider over the steps that have one (a stopped run's end, not its
    planned total); left at the newest, it follows new grids."""
    steps = sorted({step for kind in kinds for step in _store.store().media_steps(run.id, kind)})
    if not steps:
        return None
    ss, key = st.session_state, f"live_grid:{run.id}"
    if ss.get(key) not in steps or ss.get(key) == ss.get(key + ":newest"):
        ss[key] = steps[-1]
    ss[key + ":newest"] = steps[-1]
    if len(steps) == 1:
        return steps[0]
    return st.select_slider(TEXT["grid_step"], steps, key=key, help=TEXT["grid_step_help"], format_func=i18n.number)


def media(run) -> None:
    """Each view the run's architecture declares, titled and explained, at the step the slider picks."""
    declared = views.display(run.arch, run.dataset).drawn(run.config.get("hp", {}))
    step = grid_step(run, [v.media_kind for v in declared])
    # an ended run that never drew a view (older than the view, or a setting off) leaves it out
    drew = set(_store.store().media_kinds(run.id)) if run.status in lifecycle.FINAL else None
    for view in declared:
        if drew is not None and view.media_kind not in drew:
            continue
        got = _store.store().media(run.id, view.media_kind, step) if step is not None else None
        st.markdown(TEXT["view_title"].format(title=md_escape(view.title)))
        if got is None:
            st.caption(TEXT["no_grid"].format(name=md_escape(run.name)))
        else:
            _views.draw(_views.LIVE, run, view, got)
        if view.explain:
            st.caption(view.explain)


def load(selected: list[int]):
    s = _store.store()
    runs = [r for r in (s.get_run(i) for i in selected) if r is not None]
    rms = _store.metrics_cache([r.id for r in runs], s)
    items = [(r, rms[r.id], i) for i, r in enumerate(runs)]
    return s, runs, items, len(runs) > 1, "-".join(str(r.id) for r in runs)


def panels(items, detail: bool) -> list[tuple]:
    """The union of the runs' declared panels (with the common ones), in declaration order by id, that
    belong to this fragment: (first declaration, [(run, rm, index, the run's own panel), …])."""
    found: dict[str, tuple] = {}
    for run, rm, i in items:
        for panel in views.display(run.arch, run.dataset).with_common().panels:
            if panel.detail == detail:
                found.setdefault(panel.id, (panel, []))[1].append((run, rm, i, panel))
    return list(found.values())


def distinct(members, field: str) -> list[str]:
    """The members' own panels' ``field`` (title or explain), each once, in the runs' order: runs of
    different architectures share the loss panel, each with its own words for it."""
    return list(dict.fromkeys(str(getattr(own, field)) for *_, own in members if getattr(own, field)))


def line_panel(panel, members, *, uid: str, multi: bool, weight: float, refreshing: bool) -> None:
    """One line chart of a declared panel for these runs, kept in place under ``live_<panel id>``; its
    title names each architecture's own title for it ("Denoising loss / Loss" for a diffusion model
    beside a CNN), not the first run's alone. In projector mode its legend stands beside the plot."""
    title = " / ".join(distinct(members, "title")) or panel.title
    lines, keys = curves(members, multi, weight)
    _plot.chart(charts.line_figure(lines, title, ylabel=panel.ylabel, uirevision=f"{panel.id}-{uid}",
                                   log_y=panel.log_y, hlines=panel.hlines, keys=keys,
                                   legend="right" if _prefs.projector() else "bottom",
                                   cut_blowups=any(own.blowup for *_, own in members)),
                f"live_{panel.id}", defer=refreshing)


def heatmap_panel(panel, members, *, refreshing: bool, **_) -> None:
    """One row-per-key heatmap per run of the keys under ``panel.prefix`` (per-layer gradient norms)."""
    for run, rm, _, own in members:
        steps, layers, norms = rm.grad_matrix(own.prefix)
        _plot.chart(charts.grad_heatmap(steps, layers, norms, TEXT["layer_title"].format(title=panel.title, name=run.name),
                                     uirevision=f"{panel.id}-{run.id}"), f"live_{panel.id}:{run.id}", defer=refreshing)


PANEL_DRAW = {"lines": line_panel, "layer_heatmap": heatmap_panel}  # Panel.draw → how


def draw_panels(items, detail: bool, uid: str, multi: bool, weight: float, refreshing: bool) -> None:
    """The declared panels of this fragment, two to a row (one in projector mode: a chart as wide as the
    page, its legend beside the plot, reads from the back of a room), each with its "what to look for"
    under it."""
    chosen = panels(items, detail)
    per_row = 1 if _prefs.projector() else 2
    for n in range(0, len(chosen), per_row):
        for col, (panel, members) in zip(st.columns(per_row), chosen[n:n + per_row]):
            with col:
                PANEL_DRAW.get(panel.draw, line_panel)(panel, members, uid=uid, multi=multi, weight=weight,
                                                       refreshing=refreshing)
                explains = distinct(members, "explain")
                if len(explains) > 1:  # each architecture's "what to look for", under its own title
                    own = {str(m[3].explain): str(m[3].title) for m in members}
                    st.caption("\n\n".join(TEXT["explain_of"].format(title=own[e], explain=e) for e in explains))
                elif explains:
                    st.caption(explains[0])


def live(selected: list[int], refreshing: bool, weight: float) -> None:
    """Status, controls and the training curves: refreshed every second."""
    _store.reconcile()
    s, runs, items, multi, uid = load(selected)
    for run, rm, i in items:
        run_header(run, rm, i, multi)
    draw_panels(items, False, uid, multi, weight, refreshing)
    if refreshing and not any(r.status in lifecycle.ACTIVE for r in runs):
        st.rerun()  # everything shown has ended: redraw once without the timer


def details(selected: list[int], weight: float, refreshing: bool) -> None:
    """Gradients, sample quality, grids, learning rate and throughput: refreshed every few seconds.

    Each refresh sends every chart's figure again and the browser redraws it; on a busy
    2-core machine a dozen charts redrawn every second would not keep up, so the
    slower-moving panels (declared ``detail``) and the media refresh less often.
    """
    s, runs, items, multi, uid = load(selected)
    draw_panels(items, True, uid, multi, weight, refreshing)
    st.subheader(TEXT["grids"])
    cols = st.columns(min(_prefs.per_row(3), len(items)) or 1)
    for n, (run, _, _) in enumerate(items):
        with cols[n % len(cols)]:
            media(run)


def watch(selected: list[int], shown: dict[int, str]) -> None:
    """While nothing shown trains, look every few seconds whether a run changed status (resumed from
    another tab or the command line, deleted): then redraw the page, which starts the live refresh."""
    now = {r.id: r.status for r in _store.store().list_runs(ids=selected)}
    if now != shown:
        st.rerun()


def main() -> None:
    st.title(TEXT["title"])
    s = _store.store()
    runs = _controls.runs_or_hint(s)
    if not runs:
        return
    by_id = {r.id: r for r in runs}
    default = [r.id for r in runs if r.status in views.RUNNING][:MAX_RUNS] or [runs[0].id]
    _selection.init_selection("live_runs", "pages/live.py", by_id, default)
    c1, c2, c3 = st.columns([5, 2, 2], vertical_alignment="bottom")
    # the chips name the runs only: their status is the badge's, read fresh at every refresh
    selected = c1.multiselect(TEXT["pick"], list(by_id), key="live_runs", max_selections=MAX_RUNS,
                              select_all=_words.select_all(),
                              format_func=lambda i: _selection.run_label(by_id[i]), help=TEXT["pick_help"],
                              placeholder=_words.TEXT["choose"])
    weight = c2.slider(TEXT["smooth"], 0.0, 0.99, 0.0, 0.01, key="live_smooth", help=TEXT["smooth_help"],
                       format=_prefs.number_format())
    follow = c3.toggle(TEXT["follow"], value=True, key="live_follow", help=TEXT["follow_help"])
    _selection.keep_selection("live_runs", selected)
    if not selected:
        st.info(TEXT["none"])
        return
    shown_lessons = {l.id: l for l in (lessons.lesson_of(by_id[i].group_name) for i in selected) if l}
    for lesson in shown_lessons.values():
        _lesson.script(lesson)  # the script beside the charts it talks about
    refreshing = follow and any(by_id[i].status in lifecycle.ACTIVE for i in selected)
    st.fragment(_guard.guarded(live), run_every=1.0 if refreshing else None)(selected, refreshing, weight)
    st.fragment(_guard.guarded(details), run_every=DETAIL_EVERY_S if refreshing else None)(selected, weight,
                                                                                                 refreshing)
    if follow and not refreshing:
        st.fragment(_guard.guarded(watch), run_every=WATCH_EVERY_S)(selected, {i: by_id[i].status for i in selected})
    for i in selected:
        _model_view.model_itself(by_id[i], TEXT)


_guard.page(main)
