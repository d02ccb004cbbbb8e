"""Runs: every run of the store (launched here or from the command line); filter, open, stop, delete, export
(metrics; one run's TensorBoard files, GIF and model: ``pages/_export_view.py``), and compress one finished
classifier (pruning, int8: ``deeparch.engine.compress``).

The table's row selection arrives from the browser as row positions of the table the
browser last showed. The page keeps the selection as run ids: positions are read against
the id order drawn last time, and whenever the rows move (a new run, a filter, a sort,
a delete) the ticks are sent back at the selected runs' new positions.
"""
import streamlit as st

from deeparch.course import data
from deeparch.execution import classroom, jobs
from deeparch.store import lifecycle
from deeparch.present import i18n
from deeparch.read import views
from deeparch.course.config import ConfigError
from deeparch.store import STATUSES
from deeparch.present.text import md_escape
from pages import _classroom, _compress_view, _controls, _export_view, _guard, _prefs, _selection, _store, _words

TEXT = i18n.Catalog("runs", {
    "title": "Runs",
    "intro": "Every run in the store, including those started from the command line. "
             "Select rows to open them, pause, resume, stop, clone or delete them, or export their metrics.",
    "status": "Status", "arch": "Architecture", "search": "Name contains", "sort": "Sort by",
    "sort_options": {"newest": "newest first", "oldest": "oldest first", "accuracy": "test accuracy",
                     "loss": "lowest loss", "duration": "longest duration", "name": "name"},
    "shown": "{shown} of {total} runs",
    "headline_cell": "{label} {value}",  # the architecture's declared headline figure, e.g. "best test accuracy 93.0%"
    "percent": "{:.1%}", "number": "{:.4g}",
    "headline_help": "The figure each architecture declares as its headline (a classifier's test accuracy at its best validation accuracy, "
                     "a generator's recognisability with its class coverage, or what its samples are instead: no digits, "
                     "or one or two digits only).",
    "none_match": "No run matches these filters.",
    "selected": "{n} selected",
    "select_hint": "Tick rows in the table to act on them.",
    "live": "Open in Live", "compare": "Compare", "pause": "Pause", "resume": "Resume", "stop": "Stop",
    "clone": "Clone", "delete": "Delete", "export": "Export metrics (CSV)",
    "pause_help": "Hold the ticked runs that are training after their current step; Resume continues them.",
    "resume_help": "Continue the ticked runs that are paused, or restart stopped or failed ones from their last "
                   "checkpoint.",
    "stop_help": "End the ticked runs that are training, paused or queued after their current step; each keeps "
                 "its checkpoint and can be resumed later.",
    "clone_help": "Launch a new run with the same settings as each ticked run.",
    "cannot": "None of the ticked runs can do this now: {why}",
    "cannot_why": {"pause": "only a training run can be paused.",
                   "resume": "only paused, stopped or failed runs can be resumed.",
                   "stop": "only queued, training or paused runs can be stopped."},
    "paused": "Pause requested for {n} run(s).",
    "resumed": "Resumed {n} run(s).",
    "stopped": "Stop requested for {n} run(s).",
    "cloned": "Launched {n} copy(ies) of the ticked runs.",
    "action_none": "Nothing was done: the ticked runs changed since the page was drawn.",
    "clone_failed": "Could not clone #{id}: {error}",
    "confirm": "Delete {n} run(s) and all their metrics, images and checkpoints? This cannot be undone. "
               "Runs still training are stopped first.",
    "confirm_item": "- #{id} {name}",
    "confirm_yes": "Yes, delete", "confirm_no": "Cancel",
    "deleted": "Deleted {n} run(s).",
    "export_help": "The ticked runs' metrics, wide: one row per run and step, one column per metric key, "
                   "after the columns run_id and run. `python -m deeparch export RUN` writes the same columns "
                   "for one run, without run_id and run.",
    "export_file": "deeparch-runs-{ids}.csv",
    "export_xlsx": "Export metrics (Excel)",
    "export_xlsx_file": "deeparch-runs-{ids}.xlsx",
    "export_xlsx_help": "The same table as an Excel workbook with numeric cells, for any spreadsheet in any language. "
                        "The CSV uses the separators of the page's language (in Portuguese: ; between cells, a "
                        "decimal comma).",
    "col": {"id": "#", "name": "Run", "status": "Status", "arch": "Architecture", "dataset": "Dataset",
            "progress": "Progress", "step": "Step", "headline": "Headline", "test_acc": "Test accuracy", "loss": "Train loss",
            "test_loss": "Test loss", "recognisability": "Recognisability", "coverage": "Coverage",
            "frechet": "Judge Fréchet", "params": "Parameters", "started": "Started", "duration_s": "Duration (s)",
            "group": "Group", "reason": "Reason", "owner": "Student", "host": "Host", "executor": "Executor",
            "device": "Device"},
    "executors": {"local": "local process", "ray": "Ray"},
    "host_help": "The machine the run's worker trains on (recorded when it starts).",
    "device_help": "Where the run trains (cpu, or cuda for a GPU) and in which precision: fp32, or the mixed "
                   "bf16 / fp16 that precision=auto chose (recorded when it starts).",
    "cluster": "Ray cluster",
    "cluster_capacity": "{cpus_free:g} of {cpus:g} CPUs free · {gpus_free:g} of {gpus:g} GPUs free · {nodes} node(s)",
    "cluster_gone": "The Ray cluster cannot be reached: queued runs wait for it; training runs that stop "
                    "reporting are marked failed after the heartbeat timeout.",
    "compress": "Compress {name}",
    "compress_intro": "Make the trained model smaller and see what it costs: pruning zeroes the smallest weights "
                      "(L1 magnitude), dynamic int8 quantization stores the Linear and recurrent layers' weights as "
                      "8-bit integers. Each version is measured on this machine's CPU against the original.",
    "compress_pick": "Tick one finished classifier run to compress it.",
    "compress_sparsity": "Pruning: share of weights set to zero",
    "compress_sparsity_help": "0 = no pruning. The weights with the smallest absolute value go first.",
    "compress_scope": "Pruning scope",
    "compress_scopes": {"global": "whole model (smallest weights anywhere)", "layer": "same share in every layer"},
    "compress_int8": "Dynamic int8 quantization",
    "compress_go": "Measure",
    "compress_busy": "Pruning, quantizing and timing the model on the CPU…",
    "compress_nothing": "Choose a pruning share above 0, int8, or both.",
    "compress_failed": "Could not compress this run: {error}",
    "compress_cols": {"variant": "Version", "size_mb": "Size (MB)", "gzip_mb": "Compressed (gzip, MB)",
                      "sparsity": "Zero weights", "latency_b1_ms": "Latency, 1 image (ms)",
                      "latency_b256_ms": "Latency, 256 images (ms)", "test_acc": "Test accuracy",
                      "agree": "Same prediction as the original"},
    "compress_quantized": "int8 replaced: {names}. Kept in float32 (no int8 kernel): {kept}.",
    "compress_none": "none",
    "compress_timing": "Latency: median of {repeats} forward passes on {threads} CPU thread(s), on this machine "
                       "now; other programs running at the same time slow it down.",
})
SORTS = {"newest": ("id", False), "oldest": ("id", True), "accuracy": ("test_acc", False), "loss": ("loss", True),
         "duration": ("duration_s", False), "name": ("name", True)}
COLUMNS = ["id", "name", "status", "arch", "dataset", "progress", "headline", "test_acc", "loss", "test_loss",
           "recognisability", "coverage", "frechet", "params", "started", "duration_s", "group", "reason", "host",
           "executor", "device"]


TABLE = "runs_table"      # the dataframe widget: row positions, as the browser shows them
SHOWN = "runs_shown"      # run ids in the order the table was last drawn
CLEAR = "runs_clear"      # set by an action: start the next run with nothing selected
PENDING = "runs_confirm_delete"


def headline_cell(label: str, value, percent: bool) -> str | None:
    """The declared headline as the table shows it: its label and value; None (shown "–") without a value."""
    if value is None or value != value:
        return None
    return TEXT["headline_cell"].format(label=label, value=TEXT["percent" if percent else "number"].format(value))


def selected_ids() -> list[int]:
    """The ticked runs: the browser's row positions read against the table it was showing."""
    ss = st.session_state
    if ss.pop(CLEAR, False):
        return []
    shown = ss.get(SHOWN, ())
    state = ss.get(TABLE) or {}
    rows = state.get("selection", {}).get("rows", [])
    return [shown[i] for i in rows if 0 <= i < len(shown)]


def sync_table(order: list[int], ids: list[int]) -> list[int]:
    """Before the table is drawn: put the ticks back on ``ids`` at their rows in ``order``.

    Returns the selected ids still in the table (a run filtered out or deleted is dropped)."""
    ss = st.session_state
    keep = [i for i in ids if i in order]
    rows = sorted(order.index(i) for i in keep)
    current = (ss.get(TABLE) or {}).get("selection", {}).get("rows", [])
    if list(current) != rows:
        ss[TABLE] = {"selection": {"rows": rows, "columns": []}}
    ss[SHOWN] = list(order)
    return [order[r] for r in rows]


def delete_confirmation(s, ids: list[int]) -> None:
    """Name the runs a delete will remove; delete them only on "Yes", then clear the selection."""
    ss = st.session_state
    pending = ss.get(PENDING)
    if not pending:
        return
    if sorted(pending) != sorted(ids):  # the ticks changed since Delete was clicked: ask again
        ss.pop(PENDING, None)
        return
    runs = [r for r in (s.get_run(i) for i in pending) if r is not None]
    items = "\n".join(TEXT["confirm_item"].format(id=r.id, name=md_escape(r.name)) for r in runs)
    with st.container(border=True):
        st.warning(TEXT["confirm"].format(n=len(runs)) + "\n\n" + items, icon=":material/warning:")
        y, n, _ = st.columns([1, 1, 6])
        if y.button(TEXT["confirm_yes"], type="primary", key="runs_delete_yes"):
            with _store.write_lock():
                for r in runs:
                    try:
                        jobs.delete(r.id, store=s)
                    except ConfigError:
                        pass  # already gone
            ss.pop(PENDING, None)
            done(TEXT["deleted"].format(n=len(runs)))
        if n.button(TEXT["confirm_no"], key="runs_delete_no"):
            ss.pop(PENDING, None)
            st.rerun()


def allowed(s, ids: list[int], action: str) -> bool:
    """May this session ``action`` every ticked run (classroom mode)? If not, say which it may not, and
    do nothing: a half-done stop or delete would be harder to read than a refusal."""
    refusals = [m for m in (_classroom.refusal(r, action) for r in (s.get_run(i) for i in ids) if r) if m]
    if refusals:
        st.error("\n\n".join(refusals), icon=":material/lock:")
    return not refusals


CONTROLS = {"pause": (jobs.pause, "paused"), "resume": (jobs.resume, "resumed"), "stop": (jobs.stop, "stopped")}


def done(message: str) -> None:
    """After an action: its message at the next redraw, and nothing ticked, so the next click starts a new
    selection and no later action applies to runs ticked for this one."""
    st.session_state[CLEAR] = True
    st.session_state["_flash"] = message
    st.rerun()


def control(s, runs: list, action: str) -> None:
    """Pause, resume or stop those of the ticked runs whose status allows it (``deeparch.store.lifecycle``)."""
    targets = [r for r in runs if lifecycle.allowed(r)[action]]
    if not allowed(s, [r.id for r in targets], action):
        return
    do, said = CONTROLS[action]
    n = 0
    with _store.write_lock():
        for r in targets:
            try:
                do(r.id, store=s)
                n += 1
            except ConfigError:  # it moved on meanwhile (the worker, another tab, the command line)
                pass
    done(TEXT[said].format(n=n) if n else TEXT["action_none"])


def clone(s, runs: list) -> None:
    """A new run with the settings of each ticked run, launched as this session's student."""
    refused = _classroom.launch_refusal(s, len(runs))
    if refused:
        st.error(refused, icon=":material/lock:")
        return
    n, failed = 0, []
    with _store.write_lock():
        for r in runs:
            try:
                jobs.clone(r.id, store=s, owner=_classroom.owner())
                n += 1
            except ConfigError as e:  # the run's architecture or settings no longer launch
                failed.append(TEXT["clone_failed"].format(id=r.id, error=md_escape(i18n.tr_error(str(e)))))
    if failed:
        st.session_state["_flash_error"] = "; ".join(failed)
    done(TEXT["cloned"].format(n=n))


def actions(s, ids: list[int]) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")
    none = not ids
    runs = [r for r in (s.get_run(i) for i in ids) if r is not None]
    if row.button(TEXT["live"], disabled=none, icon=":material/monitoring:", key="runs_live"):
        _selection.open_page("pages/live.py", ids[:6])
    if row.button(TEXT["compare"], disabled=none, icon=":material/compare_arrows:", key="runs_compare"):
        _selection.open_page("pages/compare.py", ids[:8])
    for action in CONTROLS:  # offered when one ticked run at least allows it; done to those that do
        able = any(lifecycle.allowed(r)[action] for r in runs)
        why = None if able or none else TEXT["cannot"].format(why=TEXT["cannot_why"][action])
        if row.button(TEXT[action], disabled=not able, icon=_controls.CONTROL_ICONS[action], key=f"runs_{action}",
                      help=why or TEXT[action + "_help"]):
            control(s, runs, action)
    refused = _classroom.launch_refusal(s, max(len(runs), 1)) if runs else None
    if row.button(TEXT["clone"], disabled=none or bool(refused), icon=_controls.CONTROL_ICONS["clone"],
                  key="runs_clone", help=refused or TEXT["clone_help"]):
        clone(s, runs)
    if row.button(TEXT["delete"], disabled=none, icon=":material/delete:", key="runs_delete") and \
            allowed(s, ids, "delete"):
        st.session_state[PENDING] = list(ids)
    chosen = list(ids)  # bound now: the download serves exactly the runs ticked when it was drawn
    lang, stem = i18n.current(), "-".join(map(str, chosen[:20]))
    row.download_button(TEXT["export"], lambda: views.spreadsheet_csv(views.metrics_frame(s, chosen), lang),
                        file_name=TEXT["export_file"].format(ids=stem),
                        mime="text/csv", disabled=none, icon=":material/download:", key="runs_export",
                        on_click="ignore", help=TEXT["export_help"])
    row.download_button(TEXT["export_xlsx"], lambda: views.xlsx(views.metrics_frame(s, chosen)),
                        file_name=TEXT["export_xlsx_file"].format(ids=stem),
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", disabled=none,
                        icon=":material/table_view:", key="runs_export_xlsx", on_click="ignore",
                        help=TEXT["export_xlsx_help"])
    row.caption(TEXT["selected"].format(n=len(ids)) if ids else TEXT["select_hint"])
    delete_confirmation(s, ids)


def main() -> None:
    st.title(TEXT["title"])
    cluster_sidebar()
    s = _store.store()
    runs = _controls.runs_or_hint(s)
    if not runs:
        return
    ticked = selected_ids()
    st.caption(TEXT["intro"])
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    choose = _words.TEXT["choose"]
    statuses = c1.multiselect(TEXT["status"], STATUSES, key="runs_status", format_func=_words.status,
                              select_all=_words.select_all(),
                              placeholder=choose)
    archs = c2.multiselect(TEXT["arch"], sorted({r.arch for r in runs}), key="runs_arch", placeholder=choose,
                           select_all=_words.select_all())
    search = c3.text_input(TEXT["search"], key="runs_search")
    sort = c4.selectbox(TEXT["sort"], list(SORTS), format_func=lambda k: TEXT["sort_options"][k], key="runs_sort")

    shown = views.matching(runs, statuses, archs, search)
    df = views.runs_frame(s, shown)
    col, asc = SORTS[sort]
    df = df.sort_values(col, ascending=asc, na_position="last", kind="stable").reset_index(drop=True)
    df["progress"] = (df["progress"] * 100).round(1)
    df["status"] = df["status"].map(_words.status)
    df["reason"] = df["reason"].map(i18n.tr_error)
    df["executor"] = df["executor"].map(lambda e: TEXT["executors"].get(e, e))
    df["headline"] = [_words.quality_cell(headline_cell(label, v, pct), verdict, cov, nd, version,
                                          data.shows_digits(ds))
                      for label, v, pct, verdict, cov, nd, version, ds in zip(
                          df["headline_label"], df["headline"], df["headline_percent"], df["verdict"], df["coverage"],
                          df["not_digits"], df["judge_version"], df["dataset"])]
    st.caption(TEXT["shown"].format(shown=len(df), total=len(runs)))
    ids = sync_table([int(i) for i in df["id"]], ticked)
    if df.empty:
        st.info(TEXT["none_match"])
        return
    cols = TEXT["col"]
    st.dataframe(
        df[COLUMNS + (["owner"] if classroom.enabled() else [])], hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
        key=TABLE, height=min(640, 38 + 35 * len(df)), placeholder="–",
        column_config={
            **{k: cols[k] for k in ("name", "status", "arch", "dataset", "group", "reason", "owner", "executor")},
            "host": st.column_config.TextColumn(cols["host"], help=TEXT["host_help"]),
            "device": st.column_config.TextColumn(cols["device"], help=TEXT["device_help"]),
            "id": st.column_config.NumberColumn(cols["id"], format="%d", width="small"),
            "progress": st.column_config.ProgressColumn(cols["progress"], min_value=0, max_value=100,
                                                        format="%.0f%%"),
            "headline": st.column_config.TextColumn(cols["headline"], help=TEXT["headline_help"]),
            "test_acc": st.column_config.NumberColumn(cols["test_acc"], format="percent"),
            "loss": st.column_config.NumberColumn(cols["loss"], format=_prefs.number_format("%.4f")),
            "test_loss": st.column_config.NumberColumn(cols["test_loss"], format=_prefs.number_format("%.4f")),
            "recognisability": st.column_config.NumberColumn(cols["recognisability"], format="percent"),
            "coverage": st.column_config.NumberColumn(cols["coverage"], format=_prefs.number_format("%.2f")),
            "frechet": st.column_config.NumberColumn(cols["frechet"], format=_prefs.number_format("%.2f")),
            "params": st.column_config.NumberColumn(cols["params"], format="localized"),
            "started": st.column_config.DatetimeColumn(cols["started"], format="YYYY-MM-DD HH:mm"),
            "duration_s": st.column_config.NumberColumn(cols["duration_s"], format=_prefs.number_format("%.0f")),
        },
    )
    actions(s, ids)
    _export_view.downloads(s, ids)
    _compress_view.compression(s, ids, TEXT)


@st.cache_data(ttl=5, show_spinner=False)
def _capacity() -> dict | None:
    return jobs.executor().capacity()


def cluster_sidebar() -> None:
    """With the Ray executor, the cluster's free CPUs and GPUs (asked at most every 5 s), or that it is gone."""
    try:
        if jobs.executor_name() != "ray":
            return
    except ConfigError:
        return
    cap = _capacity()
    st.sidebar.markdown(f"**{TEXT['cluster']}**")
    if cap is None:
        st.sidebar.warning(TEXT["cluster_gone"])
    else:
        st.sidebar.caption(TEXT["cluster_capacity"].format(**cap))


_guard.page(main)
