"""Runs: every run of the store (launched here or from the command line); filter, open, stop, delete, export.

The table's row selection arrives from the browser as row positions of the table the
browser last showed. The page keeps the selection as run ids: positions are read against
the id order drawn last time, and whenever the rows move (a new run, a filter, a sort,
a delete) the ticks are sent back at the selected runs' new positions.
"""
import streamlit as st

from deeparch import jobs, views
from deeparch.config import ConfigError
from deeparch.store import STATUSES
from deeparch.text import md_escape
from pages import _controls, _guard, _selection, _store

TEXT = {
    "title": "Runs",
    "intro": "Every run in the store, including those started from the command line. "
             "Select rows to open them, stop them, delete them or export their metrics.",
    "status": "Status", "arch": "Architecture", "search": "Name contains", "sort": "Sort by",
    "sort_options": {"newest": "newest first", "oldest": "oldest first", "accuracy": "test accuracy",
                     "loss": "lowest loss", "duration": "longest duration", "name": "name"},
    "shown": "{shown} of {total} runs",
    "headline_cell": "{label} {value}",  # the architecture's declared headline figure, e.g. "best test accuracy 93.0%"
    "percent": "{:.1%}", "number": "{:.4g}",
    "headline_help": "The figure each architecture declares as its headline (a classifier's test accuracy at its best validation accuracy, "
                     "a generator's recognisability).",
    "none_match": "No run matches these filters.",
    "selected": "{n} selected",
    "select_hint": "Tick rows in the table to act on them.",
    "live": "Open in Live", "compare": "Compare", "stop": "Stop", "delete": "Delete", "export": "Export metrics (CSV)",
    "stopped": "Stop requested for {n} run(s).",
    "stop_none": "None of the selected runs is training or queued.",
    "confirm": "Delete {n} run(s) and all their metrics, images and checkpoints? This cannot be undone. "
               "Runs still training are stopped first.",
    "confirm_item": "- #{id} {name}",
    "confirm_yes": "Yes, delete", "confirm_no": "Cancel",
    "deleted": "Deleted {n} run(s).",
    "export_help": "The ticked runs' metrics, wide: one row per run and step, one column per metric key, "
                   "after the columns run_id and run. `python -m deeparch export RUN` writes the same columns "
                   "for one run, without run_id and run.",
    "export_file": "deeparch-runs-{ids}.csv",
    "col": {"id": "#", "name": "Run", "status": "Status", "arch": "Architecture", "dataset": "Dataset",
            "progress": "Progress", "step": "Step", "headline": "Headline", "test_acc": "Test accuracy", "loss": "Train loss",
            "test_loss": "Best test loss", "recognisability": "Recognisability", "coverage": "Coverage",
            "frechet": "Judge Fréchet", "params": "Parameters", "started": "Started", "duration_s": "Duration (s)",
            "group": "Group", "reason": "Reason"},
}
SORTS = {"newest": ("id", False), "oldest": ("id", True), "accuracy": ("test_acc", False), "loss": ("loss", True),
         "duration": ("duration_s", False), "name": ("name", True)}
COLUMNS = ["id", "name", "status", "arch", "dataset", "progress", "headline", "test_acc", "loss", "test_loss",
           "recognisability", "coverage", "frechet", "params", "started", "duration_s", "group", "reason"]


TABLE = "runs_table"      # the dataframe widget: row positions, as the browser shows them
SHOWN = "runs_shown"      # run ids in the order the table was last drawn
CLEAR = "runs_clear"      # set by a delete: start the next run with nothing selected
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
            ss[CLEAR] = True
            st.toast(TEXT["deleted"].format(n=len(runs)))
            st.rerun()
        if n.button(TEXT["confirm_no"], key="runs_delete_no"):
            ss.pop(PENDING, None)
            st.rerun()


def actions(s, ids: list[int]) -> None:
    row = st.container(horizontal=True, vertical_alignment="center")
    none = not ids
    if row.button(TEXT["live"], disabled=none, icon=":material/monitoring:", key="runs_live"):
        _selection.open_page("pages/live.py", ids[:6])
    if row.button(TEXT["compare"], disabled=none, icon=":material/compare_arrows:", key="runs_compare"):
        _selection.open_page("pages/compare.py", ids[:8])
    if row.button(TEXT["stop"], disabled=none, icon=":material/stop:", key="runs_stop"):
        n = 0
        with _store.write_lock():
            for rid in ids:
                try:
                    jobs.stop(rid, store=s)
                    n += 1
                except ConfigError:
                    pass
        st.toast(TEXT["stopped"].format(n=n) if n else TEXT["stop_none"])
    if row.button(TEXT["delete"], disabled=none, icon=":material/delete:", key="runs_delete"):
        st.session_state[PENDING] = list(ids)
    chosen = list(ids)  # bound now: the download serves exactly the runs ticked when it was drawn
    row.download_button(TEXT["export"], lambda: views.metrics_csv(s, chosen),
                        file_name=TEXT["export_file"].format(ids="-".join(map(str, chosen[:20]))),
                        mime="text/csv", disabled=none, icon=":material/download:", key="runs_export",
                        on_click="ignore", help=TEXT["export_help"])
    row.caption(TEXT["selected"].format(n=len(ids)) if ids else TEXT["select_hint"])
    delete_confirmation(s, ids)


def main() -> None:
    st.title(TEXT["title"])
    s = _store.store()
    runs = _controls.runs_or_hint(s)
    if not runs:
        return
    ticked = selected_ids()
    st.caption(TEXT["intro"])
    c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
    statuses = c1.multiselect(TEXT["status"], STATUSES, key="runs_status")
    archs = c2.multiselect(TEXT["arch"], sorted({r.arch for r in runs}), key="runs_arch")
    search = c3.text_input(TEXT["search"], key="runs_search")
    sort = c4.selectbox(TEXT["sort"], list(SORTS), format_func=lambda k: TEXT["sort_options"][k], key="runs_sort")

    shown = [r for r in runs if (not statuses or r.status in statuses) and (not archs or r.arch in archs)
             and (not search or search.lower() in r.name.lower())]
    df = views.runs_frame(s, shown)
    col, asc = SORTS[sort]
    df = df.sort_values(col, ascending=asc, na_position="last", kind="stable").reset_index(drop=True)
    df["progress"] = (df["progress"] * 100).round(1)
    df["headline"] = [headline_cell(*cell) for cell in zip(df["headline_label"], df["headline"], df["headline_percent"])]
    st.caption(TEXT["shown"].format(shown=len(df), total=len(runs)))
    ids = sync_table([int(i) for i in df["id"]], ticked)
    if df.empty:
        st.info(TEXT["none_match"])
        return
    cols = TEXT["col"]
    st.dataframe(
        df[COLUMNS], hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
        key=TABLE, height=min(640, 38 + 35 * len(df)), placeholder="–",
        column_config={
            **{k: cols[k] for k in ("name", "status", "arch", "dataset", "group", "reason")},
            "id": st.column_config.NumberColumn(cols["id"], format="%d", width="small"),
            "progress": st.column_config.ProgressColumn(cols["progress"], min_value=0, max_value=100,
                                                        format="%.0f%%"),
            "headline": st.column_config.TextColumn(cols["headline"], help=TEXT["headline_help"]),
            "test_acc": st.column_config.NumberColumn(cols["test_acc"], format="percent"),
            "loss": st.column_config.NumberColumn(cols["loss"], format="%.4f"),
            "test_loss": st.column_config.NumberColumn(cols["test_loss"], format="%.4f"),
            "recognisability": st.column_config.NumberColumn(cols["recognisability"], format="percent"),
            "coverage": st.column_config.NumberColumn(cols["coverage"], format="%.2f"),
            "frechet": st.column_config.NumberColumn(cols["frechet"], format="%.2f"),
            "params": st.column_config.NumberColumn(cols["params"], format="localized"),
            "started": st.column_config.DatetimeColumn(cols["started"], format="YYYY-MM-DD HH:mm"),
            "duration_s": st.column_config.NumberColumn(cols["duration_s"], format="%.0f"),
        },
    )
    actions(s, ids)


_guard.page(main)
