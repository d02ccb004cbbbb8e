"""Read-side queries the pages need that the store does not offer: pure functions over a Store.

Nothing here writes to the store or imports Streamlit. ``RunMetrics`` keeps one run's
series in memory and grows them from the rows newer than the last metric id it has
seen, so a live page reads only what is new each second.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from deeparch import lifecycle
from deeparch.archs import load_config
from deeparch.config import ConfigError
from deeparch.display import Display
from deeparch.store import ACTIVE, FINAL, Run, Store
from deeparch.text import csv_cell

GRAD_PREFIX = "grad/"
RUNNING = lifecycle.LIVE


# ---- run lists ---------------------------------------------------------------------------------
def status_counts(store: Store) -> dict[str, int]:
    """How many runs are in each status (one GROUP BY, cheap with thousands of runs)."""
    return store.status_counts()


def run_count(store: Store) -> int:
    return store.run_count()


def spec(arch: str):
    """The registered ArchSpec of ``arch``, or None for an architecture this version no longer has."""
    from deeparch.archs import ARCHS

    return ARCHS.get(arch)


def display(arch: str) -> Display:
    """What runs of ``arch`` show (its declared panels, views and headline); empty for an unknown arch,
    so an old run of a removed architecture still lists and compares by its generic columns."""
    found = spec(arch)
    return found.display if found else Display()


def loss_key(arch: str) -> str:
    """The loss the architecture declares as watched (``ArchSpec.loss_keys[0]``)."""
    found = spec(arch)
    return found.loss_keys[0] if found else "loss"


def headline_value(run: Run, figures: dict) -> float | None:
    """The run's declared headline figure from ``figures`` (its summary over its latest metrics),
    falling back to the latest value of the metric behind it; None without a headline or value."""
    head = display(run.arch).headline
    if head is None:
        return None
    v = figures.get(head.key, figures.get(head.metric))
    return float(v) if isinstance(v, (int, float)) else None


def batch_size(run: Run) -> int:
    return int(run.config.get("hp", {}).get("batch_size", 1) or 1)


def time_budget_s(run: Run) -> float | None:
    """The run's training-time budget in seconds (``max_minutes``), or None."""
    minutes = run.config.get("hp", {}).get("max_minutes") or 0
    return float(minutes) * 60 if minutes and minutes > 0 else None


def train_time(run: Run, last: dict | None = None) -> float | None:
    """Seconds of training so far: the latest ``train_time`` metric, else the run's summary."""
    t = (last or {}).get("train_time")
    if t is None:
        t = run.summary.get("train_seconds")
    return float(t) if t is not None else None


def progress(run: Run, trained_s: float | None = None) -> float:
    """Done share of the run: of its steps, or of its training-time budget when that comes first."""
    if run.status == "finished":
        return 1.0
    frac = run.step / run.total_steps if run.total_steps else 0.0
    budget = time_budget_s(run)
    if budget and trained_s is not None:
        frac = max(frac, trained_s / budget)
    return max(0.0, min(1.0, frac))


def budget_bound(run: Run, trained_s: float | None) -> bool:
    """Whether the time budget, not the step count, ends this run: at its pace so far, the steps
    it would reach in the whole budget fall short of its total steps."""
    budget = time_budget_s(run)
    if not budget or not trained_s or not run.total_steps:
        return False
    return run.step / trained_s * budget < run.total_steps


PACE_MIN_STEPS = 20      # a pace is measured over at least this many steps…
PACE_MIN_SECONDS = 10.0  # …or this much time, after the first record
PACE_WINDOW = 30         # intervals between records the pace is taken over (the recent pace)
PAUSE_GAP = 10.0         # an interval this many times the typical one is a pause or a restart, not pace


def pace(steps: np.ndarray, walls: np.ndarray) -> float | None:
    """Wall seconds per step over the recent log records, or None while too little is measured.

    The first record is left out: its steps carry the start-up (data on the device, first
    calls, a busy machine) and extrapolating them told a 2-minute demo "41 min". Intervals
    much longer than the typical one (a pause, a stop and resume) are left out too;
    evaluation and sampling stay in, since the run's end waits for them as well.
    """
    steps, walls = np.asarray(steps, dtype=float), np.asarray(walls, dtype=float)
    if len(steps) < 3:
        return None
    steps, walls = steps[1:][-(PACE_WINDOW + 1):], walls[1:][-(PACE_WINDOW + 1):]
    ds, dt = np.diff(steps), np.diff(walls)
    ok = (ds > 0) & (dt >= 0)
    ds, dt = ds[ok], dt[ok]
    if not len(ds):
        return None
    per = dt / ds
    keep = per <= PAUSE_GAP * max(float(np.median(per)), 1e-9)
    n, seconds = ds[keep].sum(), dt[keep].sum()
    if n < PACE_MIN_STEPS and seconds < PACE_MIN_SECONDS:
        return None
    return float(seconds / n)


def expects_eta(run: Run) -> bool:
    """Whether a time left makes sense for the run: training (not waiting) towards a known total."""
    return (run.status in ACTIVE and run.status != "queued" and bool(run.total_steps)
            and run.step < run.total_steps)


def eta_seconds(run: Run, pace_s: float | None, trained_s: float | None = None) -> float | None:
    """Seconds left for a training run at its measured pace (see :func:`pace`), never more than
    what is left of its training-time budget; None when there is nothing or not yet enough to estimate."""
    if not expects_eta(run) or pace_s is None:
        return None
    eta = pace_s * (run.total_steps - run.step)
    budget = time_budget_s(run)
    if budget and trained_s is not None:
        eta = min(eta, max(0.0, budget - trained_s))
    return eta


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def key_metrics(run: Run, last: dict[str, float] | None = None) -> dict[str, float | None]:
    """The few numbers the runs table shows: from the summary, or from the latest rows while training.

    ``headline`` is the architecture's declared headline figure; its ``extra`` summary keys
    (e.g. a generator's coverage) come under their own keys."""
    s = {**(last or {}), **{k: v for k, v in run.summary.items() if isinstance(v, (int, float))}}
    lk = loss_key(run.arch)
    out = {
        "loss": s.get("last_" + lk, s.get(lk)),
        "test_acc": s.get("best_test_acc", s.get("test_acc")),
        "test_loss": s.get("best_test_loss", s.get("test_loss")),
        "headline": headline_value(run, s),
        **{k: s.get(k) for k in EXTRA_COLUMNS},
        **{k: s.get(k) for k in display(run.arch).extra},
        "params": s.get("params"),
    }
    return {k: (float(v) if v is not None else None) for k, v in out.items()}


# summary keys the runs table always has a column for (empty where a run has none), as before issue 9
EXTRA_COLUMNS = ("recognisability", "coverage", "frechet")


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
        head = display(r.arch).headline
        rows.append({
            "id": r.id, "name": r.name, "status": r.status, "arch": r.arch, "dataset": r.dataset,
            "progress": progress(r, train_time(r, last)), "step": r.step, "total_steps": r.total_steps,
            "headline": m["headline"], "headline_label": head.label if head else "",
            "headline_percent": bool(head and head.percent),
            **{k: m[k] for k in ("test_acc", "loss", "test_loss", *EXTRA_COLUMNS, "params")},
            "created": _local(r.created),
            "started": _local(r.started),
            "duration_s": (r.ended or now) - r.started if r.started else None,
            "group": r.group_name or "", "reason": r.reason or "",
        })
    cols = ["id", "name", "status", "arch", "dataset", "progress", "step", "total_steps", "headline",
            "headline_label", "headline_percent", "test_acc", "loss", "test_loss", *EXTRA_COLUMNS, "params",
            "created", "started", "duration_s", "group", "reason"]
    return pd.DataFrame(rows, columns=cols)


def _local(t: float | None):
    """Epoch seconds → a naive timestamp in the server's local time (what the user's clock says)."""
    return pd.Timestamp(datetime.fromtimestamp(t)) if t else pd.NaT


def explain(run: Run) -> str | None:
    """What went wrong with a failed or diverged run, and what to try, in words."""
    if run.status == "diverged":
        return (f"The training diverged: {run.reason or 'a loss became NaN or infinite'}. "
                "The weights blew up; clone the run with a smaller learning rate, or set grad_clip (e.g. 1.0).")
    if run.status == "failed":
        reason = run.reason or "unknown error"
        hint = "Look at the worker log for details."
        if "died" in reason or "did not start" in reason:
            hint = ("The training process ended without saying why (killed, out of memory, or the machine "
                    "restarted). Resume it to continue from its last checkpoint.")
        elif "stopped responding" in reason:
            hint = ("The training process stopped answering (suspended or stuck) and was ended. Resume it to "
                    "continue from its last checkpoint.")
        elif reason.startswith("disk full"):
            hint = "Free some disk space, then resume the run from its last checkpoint."
        elif "DataError" in reason or "dataset" in reason.lower():
            hint = "The dataset could not be loaded; use mnist-5k (embedded, works offline)."
        return f"The run failed: {reason}. {hint}"
    return None


# ---- metrics -----------------------------------------------------------------------------------
@dataclass
class RunMetrics:
    """One run's metric series, grown incrementally from rows newer than ``last_id``."""

    run_id: int
    last_id: int = 0
    keys: list[str] = field(default_factory=list)  # in order of first appearance (layers: input side first)
    _chunks: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = field(default_factory=dict)
    _clean: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    def update(self, store: Store, keys: Iterable[str] | None = None) -> int:
        """Read the rows newer than the last seen id; return how many arrived."""
        groups, last_id, n = read_rows(store, self.run_id, keys, self.last_id)
        if n:
            self.last_id = last_id
            self._add_groups(groups)
        return n

    def add(self, df: pd.DataFrame) -> None:
        """Add rows in the store's DataFrame form (id, step, key, value, wall)."""
        if df.empty:
            return
        self.last_id = max(self.last_id, int(df["id"].max()))
        groups: dict[str, tuple] = {}
        for key, part in df.groupby("key", sort=False):
            groups[key] = (part["step"].to_numpy(np.int64), part["value"].to_numpy(float),
                           part["wall"].to_numpy(float))
        self._add_groups(groups)

    def _add_groups(self, groups: dict[str, tuple]) -> None:
        for k, (s, v, w) in groups.items():
            if k not in self._chunks:
                self.keys.append(k)
                self._chunks[k] = []
            self._chunks[k].append((np.asarray(s, np.int64), np.asarray(v, float), np.asarray(w, float)))
            self._clean.pop(k, None)

    def has(self, key: str) -> bool:
        return key in self._chunks

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, values, walls) of ``key``, sorted by step; a step logged twice (a resumed run) keeps its last value."""
        if key in self._clean:
            return self._clean[key]
        chunks = self._chunks.get(key)
        if not chunks:
            empty = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
            return empty
        if len(chunks) > 1:
            chunks[:] = [tuple(np.concatenate(parts) for parts in zip(*chunks))]
        s, v, w = chunks[0]
        if len(s) > 1 and np.any(np.diff(s) <= 0):
            # keep the last record of each step (ids grow with time), then order by step
            rev = s[::-1]
            _, idx = np.unique(rev, return_index=True)
            keep = len(s) - 1 - idx
            s, v, w = s[keep], v[keep], w[keep]
        self._clean[key] = (s, v, w)
        return self._clean[key]

    def last(self, key: str) -> float | None:
        s, v, _ = self.series(key)
        return float(v[-1]) if len(v) else None

    def rows_under(self, prefix: str = GRAD_PREFIX) -> list[str]:
        """The names of the keys under ``prefix`` (layers, for the gradient keys), in order of first appearance."""
        return [k[len(prefix):] for k in self.keys if k.startswith(prefix)]

    @property
    def layers(self) -> list[str]:
        return self.rows_under(GRAD_PREFIX)

    def grad_matrix(self, prefix: str = GRAD_PREFIX) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(steps, rows, values[row, step]) of the keys under ``prefix`` (per-layer gradient norms by
        default), NaN where missing."""
        layers = self.rows_under(prefix)
        if not layers:
            return np.zeros(0, np.int64), [], np.zeros((0, 0))
        per = [self.series(prefix + name) for name in layers]
        steps = np.unique(np.concatenate([p[0] for p in per]))
        out = np.full((len(layers), len(steps)), np.nan)
        for i, (s, v, _) in enumerate(per):
            out[i, np.searchsorted(steps, s)] = v
        return steps, layers, out

    def first_wall(self) -> float | None:
        walls = [self.series(k)[2] for k in self.keys]
        walls = [w.min() for w in walls if len(w)]
        return float(min(walls)) if walls else None


def read_rows(store: Store, run_id: int, keys: Iterable[str] | None = None, after_id: int = 0
              ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], int, int]:
    """Metric rows newer than ``after_id`` grouped by key: ({key: (steps, values, walls)}, last id, row count)."""
    return store.metric_series(run_id, keys, after_id)


def read_metrics(store: Store, run_id: int, keys: Iterable[str] | None = None) -> RunMetrics:
    rm = RunMetrics(run_id)
    rm.update(store, keys)
    return rm


def metric_keys(store: Store, run_ids: Iterable[int]) -> list[str]:
    """Distinct metric keys over several runs (gradient keys excluded), in a stable order."""
    seen: dict[str, None] = {}
    for rid in run_ids:
        for k in store.metric_keys(rid):
            if not k.startswith(GRAD_PREFIX):
                seen.setdefault(k, None)
    return list(seen)


def x_values(axis: str, steps: np.ndarray, walls: np.ndarray, run: Run, start_wall: float | None = None) -> np.ndarray:
    """The x axis of a compare chart: 'step', 'samples' (step × batch size) or 'wall' (s since start)."""
    if axis == "samples":
        return steps * batch_size(run)
    if axis == "wall":
        t0 = start_wall if start_wall is not None else (run.started or (walls.min() if len(walls) else 0.0))
        return walls - t0
    return steps


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
    head = display(run.arch).headline

    def best(key, fn):
        _, v, _ = rm.series(key)
        v = v[np.isfinite(v)] if len(v) else v
        return float(fn(v)) if len(v) else None

    value = None
    if head is not None:
        value = s.get(head.key)
        if value is None and head.metric:
            value = (best(head.metric, np.max if head.higher_is_better else np.min)
                     if head.key.startswith("best_") else rm.last(head.metric))
    return {
        "run_id": run.id, "arch": run.arch, "status": run.status, "steps": run.step,
        "headline": value,
        "best_test_loss": s.get("best_test_loss", best("test_loss", np.min)),
        "best_train_loss": best(loss_key(run.arch), np.min),
        **{k: s.get(k, rm.last(k)) for k in display(run.arch).extra},
        "train_seconds": s.get("train_seconds", run.elapsed if run.started else None),
        "params": s.get("params"),
        "samples_per_s": best("samples_per_s", np.median),
        "grad_norm": best("grad_norm", np.median),
    }


def grad_summary(rm: RunMetrics) -> pd.DataFrame:
    """Per layer: median, 5th and 95th percentile of the gradient norm over the run."""
    rows = []
    for name in rm.layers:
        _, v, _ = rm.series(GRAD_PREFIX + name)
        v = v[np.isfinite(v)]
        if len(v):
            rows.append({"layer": name, "median": float(np.median(v)), "p5": float(np.percentile(v, 5)),
                         "p95": float(np.percentile(v, 95))})
    return pd.DataFrame(rows, columns=["layer", "median", "p5", "p95"])


def metrics_wide(store: Store, run_id: int) -> pd.DataFrame:
    """One run's metrics, one row per step and one column per metric key (a step logged twice keeps its last value)."""
    df = store.metrics(run_id)
    wide = df.pivot_table(index="step", columns="key", values="value", aggfunc="last", dropna=False).reset_index()
    wide.columns.name = None
    return wide


def metrics_csv(store: Store, run_ids: Iterable[int]) -> bytes:
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
        return b"run_id,run,step\n"
    return pd.concat(frames, ignore_index=True, sort=False).to_csv(index=False).encode()


__all__ = [
    "ACTIVE", "FINAL", "RUNNING", "RunMetrics", "status_counts", "run_count", "runs_frame", "explain", "eta_seconds",
    "pace", "expects_eta", "time_budget_s", "train_time", "budget_bound",
    "fmt_duration", "progress", "key_metrics", "config_diff", "final_metrics", "grad_summary", "metrics_csv",
    "metrics_wide",
    "spec", "display", "loss_key", "headline_value", "x_values", "metric_keys", "read_metrics",
]
