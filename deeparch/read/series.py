"""One run's metric series in memory, read from the store incrementally, for charts and tables.

``RunMetrics`` keeps a run's series and grows them from the rows newer than the last metric
id it has seen, so a live page reads only what is new each second. No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pandas as pd

from deeparch.read.pace import batch_size
from deeparch.store import Run, Store

GRAD_PREFIX = "grad/"


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
