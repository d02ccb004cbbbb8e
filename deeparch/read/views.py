"""The tables the pages and the command line show about runs: pure functions over a Store.

Run lists and counts, each run's headline figures (from its architecture's declaration),
the runs table, settings that differ, final numbers, metric exports. Nothing here writes to
the store or imports Streamlit; the words are the pages'. Series live in ``deeparch.read.series``,
progress and time estimates in ``deeparch.read.pace``.
"""
from __future__ import annotations

import time
from datetime import datetime
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from deeparch.present import i18n
from deeparch.store import lifecycle
from deeparch.course.archs import load_config
from deeparch.course.config import ConfigError
from deeparch.present.display import Display, for_other_images
from deeparch.read.pace import progress, train_time
from deeparch.read.series import RunMetrics
from deeparch.store import Run, Store
from deeparch.present.text import csv_cell

RUNNING = lifecycle.LIVE


# ---- run lists ---------------------------------------------------------------------------------
def status_counts(store: Store) -> dict[str, int]:
    """How many runs are in each status (one GROUP BY, cheap with thousands of runs)."""
    return store.status_counts()


def run_count(store: Store) -> int:
    return store.run_count()


def spec(arch: str):
    """The registered ArchSpec of ``arch``, or None for an architecture this version no longer has."""
    from deeparch.course.archs import ARCHS

    return ARCHS.get(arch)


def display(arch: str, dataset: str | None = None) -> Display:
    """What runs of ``arch`` on ``dataset`` show (its declared panels, views and headline); empty for an
    unknown arch, so an old run of a removed architecture still lists and compares by its generic columns."""
    from deeparch.course.data import DATASETS, shows_digits

    found = spec(arch)
    if not found:
        return Display()
    info = DATASETS.get(dataset or "")
    shown = found.shows(info.kind if info else "image")
    return i18n.localized(shown if shows_digits(dataset) else for_other_images(shown))


def differs(arch: str, dataset: str | None = None) -> str:
    """How the model runs of ``arch`` on ``dataset`` train differs from the course's listing (English; the
    page translates it), "" for an unknown architecture."""
    from deeparch.course.data import DATASETS

    found = spec(arch)
    info = DATASETS.get(dataset or "")
    return found.differs_on(info.kind if info else "image") if found else ""


def loss_key(arch: str) -> str:
    """The loss the architecture declares as watched (``ArchSpec.loss_keys[0]``)."""
    found = spec(arch)
    return found.loss_keys[0] if found else "loss"


def headline_value(run: Run, figures: dict) -> float | None:
    """The run's declared headline figure from ``figures`` (its summary over its latest metrics),
    falling back to the latest value of the metric behind it; None without a headline or value."""
    head = display(run.arch, run.dataset).headline
    if head is None:
        return None
    v = next((figures[k] for k in (head.key, head.legacy, head.metric) if k and k in figures), None)
    return float(v) if isinstance(v, (int, float)) else None


def key_metrics(run: Run, last: dict[str, float] | None = None) -> dict[str, float | None]:
    """The few numbers the runs table shows: from the summary, or from the latest rows while training.

    ``headline`` is the architecture's declared headline figure; its ``extra`` summary keys
    (e.g. a generator's coverage) come under their own keys."""
    s = {**(last or {}), **{k: v for k, v in run.summary.items() if isinstance(v, (int, float))}}
    lk = loss_key(run.arch)
    out = {
        "loss": s.get("last_" + lk, s.get(lk)),
        "test_acc": s.get("test_acc_at_best", s.get("best_test_acc", s.get("test_acc"))),
        # at the step validation picked, as the accuracy: the lowest test loss would be chosen on test
        "test_loss": s.get("test_loss_at_best", s.get("test_loss")),
        "headline": headline_value(run, s),
        **{k: s.get(k) for k in EXTRA_COLUMNS},
        **{k: s.get(k) for k in display(run.arch, run.dataset).extra},
        "not_digits": s.get("not_digits"),
        "params": s.get("params"),
    }
    return {k: (float(v) if v is not None else None) for k, v in out.items()}


# summary keys the runs table always has a column for (empty where a run has none)
EXTRA_COLUMNS = ("recognisability", "coverage", "frechet")


def verdict(figures: dict) -> str | None:
    """What a generator's quality figures say before its recognisability: "not_digits" (most samples are no
    digit) or "collapsed" (one or two digits only), else None; see ``deeparch.engine.quality.verdict``."""
    from deeparch.engine.quality import verdict as judged

    return judged(figures) if "recognisability" in figures else None


def judge_version(summary: dict) -> int | None:
    """The version of the judge that measured a run's quality figures (runs from before versions were
    recorded: 1); None for a run without quality figures."""
    if "recognisability" not in summary:
        return None
    return int(summary.get("judge_version", 1))


def runs_frame(store: Store, runs: Sequence[Run] | None = None, now: float | None = None) -> pd.DataFrame:
    """One row per run for the runs table; active runs get their latest metrics from the store.

    ``headline`` is the declared headline's value, ``headline_label`` and ``headline_percent``
    how to show it (label and format from the architecture's declaration)."""
    runs = store.list_runs() if runs is None else runs
    now = now or time.time()
    rows = []
    for r in runs:
        last = store.last_metrics(r.id) if r.status in RUNNING else None
        m = key_metrics(r, last)
        head = display(r.arch, r.dataset).headline
        rows.append({
            "id": r.id, "name": r.name, "status": r.status, "arch": r.arch, "dataset": r.dataset,
            "progress": progress(r, train_time(r, last)), "step": r.step, "total_steps": r.total_steps,
            "headline": m["headline"], "headline_label": head.label if head else "",
            "headline_percent": bool(head and head.percent),
            "verdict": verdict({**(last or {}), **r.summary}), "not_digits": m.get("not_digits"),
            "judge_version": judge_version({**(last or {}), **r.summary}),
            **{k: m[k] for k in ("test_acc", "loss", "test_loss", *EXTRA_COLUMNS, "params")},
            "created": _local(r.created),
            "started": _local(r.started),
            "duration_s": (r.ended or now) - r.started if r.started else None,
            "group": r.group_name or "", "reason": r.reason or "", "owner": r.owner or "",
            "host": r.host or "", "executor": r.executor or "", "device": device_cell(r.summary),
        })
    cols = ["id", "name", "status", "arch", "dataset", "progress", "step", "total_steps", "headline",
            "headline_label", "headline_percent", "verdict", "not_digits", "judge_version", "test_acc", "loss", "test_loss", *EXTRA_COLUMNS, "params",
            "created", "started", "duration_s", "group", "reason", "owner", "host", "executor", "device"]
    return pd.DataFrame(rows, columns=cols)


def matching(runs: Sequence[Run], statuses: Iterable[str] = (), archs: Iterable[str] = (),
             search: str = "") -> list[Run]:
    """The runs in one of ``statuses``, of one of ``archs`` (none given: any), whose name contains
    ``search`` (any case)."""
    statuses, archs, search = set(statuses), set(archs), search.lower()
    return [r for r in runs if (not statuses or r.status in statuses) and (not archs or r.arch in archs)
            and search in r.name.lower()]


def device_cell(summary: dict) -> str:
    """"cpu · fp32", "cuda:0 · fp16": where a run trained and in which precision (what ``auto`` chose);
    empty for a run that has not started, or one stored before this was recorded."""
    return " · ".join(str(summary[k]) for k in ("device", "precision_used") if summary.get(k))


def _local(t: float | None):
    """Epoch seconds → a naive timestamp in the server's local time (what the user's clock says)."""
    return pd.Timestamp(datetime.fromtimestamp(t)) if t else pd.NaT


# ---- metrics -----------------------------------------------------------------------------------


# ---- comparisons -------------------------------------------------------------------------------
def _stored_hp(run: Run) -> dict:
    """The run's hyperparameters as it trained with them (parameters added later at their old value)."""
    try:
        return load_config(run.config).hp
    except (ConfigError, KeyError):  # a config this version no longer accepts: show it as stored
        return dict(run.config.get("hp", {}))


def config_diff(runs: Sequence[Run]) -> pd.DataFrame:
    """Rows: runs (by id: two runs may share a name); columns: arch, dataset and only the
    hyperparameters whose values differ ("–" where a run lacks one)."""
    if not runs:
        return pd.DataFrame()
    table = {r.id: {"arch": r.arch, "dataset": r.dataset, **_stored_hp(r)} for r in runs}
    keys: list[str] = []
    for row in table.values():
        for k in row:
            if k not in keys:
                keys.append(k)
    differ = [k for k in keys if len({repr(row.get(k, "–")) for row in table.values()}) > 1]
    df = pd.DataFrame([{k: row.get(k, "–") for k in differ} for row in table.values()], index=list(table),
                      dtype=object)
    df.index.name = "run_id"
    return df


def final_metrics(run: Run, rm: RunMetrics) -> dict:
    """Headline numbers of a run for the compare table, from its summary and series, by key
    (the page names them); None where the run has no such number.

    ``headline`` is the architecture's declared headline figure (the best of its metric for a
    ``best_`` key, else its latest value while the summary lacks it); the declared ``extra``
    summary keys follow under their own names."""
    s = run.summary
    head = display(run.arch, run.dataset).headline

    def best(key, fn):
        _, v, _ = rm.series(key)
        v = v[np.isfinite(v)] if len(v) else v
        return float(fn(v)) if len(v) else None

    value = None
    if head is not None:
        value = s.get(head.key, s.get(head.legacy) if head.legacy else None)
        if value is None and head.metric:
            value = (best(head.metric, np.max if head.higher_is_better else np.min)
                     if head.key.startswith("best_") else rm.last(head.metric))
    return {
        "run_id": run.id, "arch": run.arch, "status": run.status, "steps": run.step,
        "headline": value,
        # the test loss where validation picked the run's best step (never the lowest one on test: that
        # would pick on test); runs without a validation split: the last evaluation's
        "test_loss_at_best": s.get("test_loss_at_best", s.get("test_loss", rm.last("test_loss"))),
        "best_train_loss": best(loss_key(run.arch), np.min),
        **{k: s.get(k, rm.last(k)) for k in display(run.arch, run.dataset).extra},
        "not_digits": s.get("not_digits", rm.last("not_digits")),
        "verdict": verdict({**{k: rm.last(k) for k in ("recognisability", "coverage", "not_digits")
                               if rm.has(k)}, **s}),
        "judge_version": judge_version({"recognisability": None, **s} if rm.has("recognisability") else s),
        "train_seconds": s.get("train_seconds", run.elapsed if run.started else None),
        "quality_seconds": s.get("quality_seconds"),
        "params": s.get("params"),
        "samples_per_s": best("samples_per_s", np.median),
        "grad_norm": best("grad_norm", np.median),
    }


def _displays(runs: Sequence[Run]):
    """The display of each distinct (arch, dataset) among ``runs``, in their order."""
    return [display(arch, dataset) for arch, dataset in dict.fromkeys((r.arch, r.dataset) for r in runs)]


def default_selection(runs: Sequence[Run], limit: int) -> list[int]:
    """What Compare shows first of ``runs`` (newest first): the latest race (at most ``limit`` runs), or the
    most recent finished runs, or the most recent runs."""
    latest = runs[0]
    if latest.group_name:
        return [r.id for r in runs if r.group_name == latest.group_name][:limit]
    done = [r.id for r in runs if r.status == "finished"][:3]
    return done if len(done) >= 2 else [r.id for r in runs[:2]]


def declared_labels(runs: Sequence[Run], qualified: str = "{line} {axis}") -> dict[str, str]:
    """Metric key → label from the runs' declared panel lines: a one-line panel's title; a line
    label that several lines share ("train", "test") qualified by its panel's axis (``qualified``, the
    page's words: "test accuracy"); else the label."""
    lines = [(panel, line) for d in _displays(runs) for panel in d.with_common().panels for line in panel.lines]
    counts: dict[str, int] = {}
    for _, line in lines:
        counts[line.label] = counts.get(line.label, 0) + 1
    out: dict[str, str] = {}
    for panel, line in lines:
        if len(panel.lines) == 1:
            label = panel.title
        elif counts[line.label] > 1:
            label = qualified.format(line=line.label, axis=panel.ylabel)
        else:
            label = line.label
        out.setdefault(line.key, label)
    return out


def blowup(runs: Sequence[Run], metric: str) -> bool:
    """Whether ``metric`` is a line of a loss panel of these runs, whose blown-up lines are cut at the top."""
    return any(panel.blowup and metric in panel.keys for d in _displays(runs) for panel in d.panels)


GRID_DRAWS = ("image", "probe")  # the views a comparison opens on, when the runs declare one


def view_choices(runs: Sequence[Run]) -> dict:
    """Every view the runs' architectures declare, by media kind (first declaration wins), the
    first grid-like view first so Compare opens on what it always showed."""
    found: dict = {}
    for run in runs:
        for view in display(run.arch, run.dataset).drawn(run.config.get("hp", {})):
            found.setdefault(view.kind, view)
    first = sorted(found, key=lambda k: found[k].draw not in GRID_DRAWS)
    return {k: found[k] for k in first}


def percent_columns(runs: Sequence[Run]) -> set[str]:
    """The final table's columns that hold shares: the headlines declared as percentages."""
    return {h.label for h in (display(r.arch, r.dataset).headline for r in runs) if h is not None and h.percent}


def final_row(run: Run, f: dict, labels: dict[str, str]) -> dict:
    """A run's final numbers (``final_metrics``) with its declared headline and extra figures under their
    declared labels (``labels``: ``declared_labels``)."""
    head = display(run.arch, run.dataset).headline
    row = {k: v for k, v in f.items() if k != "headline"}
    if head is not None:
        row = {**{k: row.pop(k) for k in ("run_id", "arch", "status", "steps")}, head.label: f["headline"], **row}
    return {labels.get(k, k) if k in display(run.arch, run.dataset).extra else k: v for k, v in row.items()}


def best_headlines(runs: Sequence[Run], finals: dict[int, dict]) -> set[int]:
    """The runs whose declared headline figure (``finals``: ``final_metrics`` by id) is the best, by its
    direction, of the runs sharing that headline, and only where it beats another run. A run whose samples
    are no digits or collapsed, or measured by an older judge, is never best."""
    from deeparch.engine.quality import JUDGE_VERSION

    heads = {r.id: display(r.arch, r.dataset).headline for r in runs}
    value = {r.id: finals[r.id]["headline"] for r in runs}
    value = {i: v if v is not None and np.isfinite(v) else None for i, v in value.items()}
    old = {r.id for r in runs if isinstance(v := finals[r.id].get("judge_version"), (int, float))
           and np.isfinite(v) and int(v) != JUDGE_VERSION}
    ranked = {r.id for r in runs if not finals[r.id].get("verdict") and r.id not in old}
    shared: dict[str, list[float]] = {}
    for i, head in heads.items():
        if head is not None and value[i] is not None and i in ranked:
            shared.setdefault(head.key, []).append(value[i])
    best = set()
    for r in runs:
        v, ranks = value[r.id], shared.get(heads[r.id].key, []) if heads[r.id] and r.id in ranked else []
        if v is not None and ranks and min(ranks) < max(ranks) \
                and v == (max if heads[r.id].higher_is_better else min)(ranks):
            best.add(r.id)
    return best


def metrics_wide(store: Store, run_id: int) -> pd.DataFrame:
    """One run's metrics, one row per step and one column per metric key (a step logged twice keeps its last value)."""
    df = store.metrics(run_id)
    wide = df.pivot_table(index="step", columns="key", values="value", aggfunc="last", dropna=False).reset_index()
    wide.columns.name = None
    return wide


def metrics_frame(store: Store, run_ids: Iterable[int]) -> pd.DataFrame:
    """The runs' metrics in the wide format: run_id, run, step, then one column per metric key.

    Run names are escaped so a spreadsheet never evaluates one as a formula."""
    frames = []
    for rid in run_ids:
        run = store.get_run(rid)
        if run is None:
            continue
        wide = metrics_wide(store, rid)
        wide.insert(0, "run", csv_cell(run.name))
        wide.insert(0, "run_id", rid)
        frames.append(wide)
    if not frames:
        return pd.DataFrame(columns=["run_id", "run", "step"])
    return pd.concat(frames, ignore_index=True, sort=False)


def metrics_csv(store: Store, run_ids: Iterable[int]) -> bytes:
    """``metrics_frame`` as plain CSV (commas, decimal points), for programs."""
    return metrics_frame(store, run_ids).to_csv(index=False).encode()


def spreadsheet_csv(df: pd.DataFrame, lang: str = "en", index: bool = False) -> bytes:
    """``df`` as a CSV that a spreadsheet of a ``lang`` reader opens right: UTF-8 with a byte-order mark
    (accents in names), and where the comma is the decimal mark (pt-BR) ``;`` between cells and ``,``
    in the numbers, as a Brazilian spreadsheet expects. Text cells must already be escaped (``csv_cell``)."""
    from deeparch.present import i18n

    dec, _ = i18n._symbols(lang)
    sep = ";" if dec == "," else ","
    return df.to_csv(index=index, sep=sep, decimal=dec).encode("utf-8-sig")


def xlsx(df: pd.DataFrame, index: bool = False, sheet: str = "deeparch") -> bytes:
    """``df`` as an Excel workbook (openpyxl): numbers as numeric cells, missing values as empty ones.

    openpyxl writes a text cell that starts with ``=`` as a formula: text cells must already be
    escaped (``csv_cell``), which makes them plain text."""
    import io

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as out:
        df.to_excel(out, index=index, sheet_name=sheet)
    return buf.getvalue()
