"""Sweeps (the course's automated hyperparameter search): a grid over one or two knobs, launched as a
group of queued runs, and the result read back as the final headline figure at each grid point.

A grid is ``{knob: [values]}``; each value is checked by the knob's own ``Param`` (a bad one is
refused naming the knob), and every point's configuration by the architecture's rules before any run
is queued. Every run of a sweep carries ``{"id", "knobs", "values"}`` in the store (``Run.sweep``);
the queue (``DEEPARCH_MAX_RUNS``) trains them a slot at a time. Nothing here knows an architecture.
"""
from __future__ import annotations

import itertools
import math
import re
import uuid
from typing import Any, Iterable, Mapping

from deeparch.present import messages
from deeparch.present.messages import Message
from deeparch.course.archs import make_config, schema
from deeparch.course.config import ConfigError, Param, RunConfig

MAX_KNOBS = 2
MAX_VALUES = 8   # per knob
MAX_RUNS = 36    # per sweep: the queue trains them a slot at a time
# knobs that only change what is recorded, never what is learned: no point sweeping them
NOT_SWEPT = ("log_every", "eval_every", "sample_every", "quality_every", "checkpoint_every")


def sweepable(arch: str) -> list[str]:
    """The knobs a sweep of ``arch`` may vary."""
    return [n for n in schema(arch) if n not in NOT_SWEPT]


def parse_values(p: Param, values: str | Iterable[Any], lang: str | None = None) -> list:
    """``values`` (text "1e-4, 1e-3" or a list) checked one by one against ``p``: each converted to
    its type; ConfigError naming the knob for a bad, missing or repeated value.

    Text is read in the reader's language ``lang`` (default: the current one): numbers as
    ``deeparch.present.numbers.parse`` reads them, separated by commas in English and by semicolons where
    the comma is the decimal mark ("0,001; 0,01" in pt-BR; ``numbers.split``). Choices and truth
    values hold no decimal mark: a comma or a semicolon separates them in any language."""
    from deeparch.present import numbers

    if isinstance(values, str):
        numeric = p.type in (int, float) and p.choices is None
        items = numbers.split(values, lang) if numeric else [v.strip() for v in re.split(r"[;,]", values)]
    else:
        items = list(values)
    items = [v for v in items if v != ""]
    if len(items) < 2:
        few = Message("sweep_commas" if numbers.list_separator(lang) == "," else "sweep_semicolons",
                      range=p.describe_range())
        raise ConfigError("sweep_knob", knob=p.name, error=few)
    if len(items) > MAX_VALUES:
        raise ConfigError("sweep_knob", knob=p.name, error=Message("sweep_too_many", most=MAX_VALUES, got=len(items)))
    out = []
    for v in items:
        try:
            c = p.coerce(v, lang)
        except ConfigError as e:
            raise ConfigError("sweep_knob", knob=p.name, error=messages.of(e)) from None
        if c in out:
            raise ConfigError("sweep_knob", knob=p.name, error=Message("sweep_twice", value=repr(c)))
        out.append(c)
    return out


def suggested(p: Param, lang: str | None = None) -> str:
    """A first guess at a sweep's values for ``p``, typed as ``parse_values`` reads them back in ``lang``,
    around its default: a decade either side of a log-scale knob, half and double of a number (kept inside
    its range), every choice, both truth values."""
    from deeparch.present import numbers

    sep = numbers.list_separator(lang) + " "
    if p.type is bool:
        return "true" + sep + "false"
    if p.choices is not None:
        return sep.join(map(str, p.choices))
    lo = p.min if p.min is not None else float("-inf")
    hi = p.max if p.max is not None else float("inf")
    factors = (0.1, 1, 10) if p.log else (0.5, 1, 2)
    values = [min(max(p.default * f, lo), hi) for f in factors]
    guesses = [str(int(v)) if p.type is int else numbers.field(v, lang) for v in values]
    return sep.join(dict.fromkeys(guesses))  # a default of 0 suggests one value: the user types the others


def parse_grid(arch: str, items: Iterable[str] | Mapping[str, Any], lang: str | None = None) -> dict[str, list]:
    """``["lr=1e-4,1e-3", "batch_size=32,64"]`` (or a dict knob → values) as ``{knob: [values]}``, checked;
    text values are read in ``lang`` (``parse_values``)."""
    params = schema(arch)
    pairs = list(items.items()) if isinstance(items, Mapping) else [_split(s) for s in items]
    if not pairs:
        raise ConfigError("sweep_no_knob")
    if len(pairs) > MAX_KNOBS:
        raise ConfigError("sweep_max_knobs", most=MAX_KNOBS, got=len(pairs), knobs=", ".join(k for k, _ in pairs))
    grid: dict[str, list] = {}
    for knob, values in pairs:
        if knob in grid:
            raise ConfigError("sweep_knob_twice", knob=knob)
        if knob not in params or knob in NOT_SWEPT:
            raise ConfigError("sweep_not_knob", knob=knob, arch=arch, valid=", ".join(sweepable(arch)))
        grid[knob] = parse_values(params[knob], values, lang)
    size = math.prod(len(v) for v in grid.values())
    if size > MAX_RUNS:
        raise ConfigError("sweep_max_runs", size=size, most=MAX_RUNS)
    return grid


def _split(item: str) -> tuple[str, str]:
    knob, eq, values = item.partition("=")
    if not eq:
        raise ConfigError("grid_form", item=repr(item))
    return knob.strip().replace("-", "_"), values


def points(grid: Mapping[str, list]) -> list[dict]:
    """Every combination of the grid's values, the first knob varying slowest."""
    knobs = list(grid)
    return [dict(zip(knobs, combo)) for combo in itertools.product(*(grid[k] for k in knobs))]


def configs(arch: str, dataset: str, base: Mapping[str, Any], grid: Mapping[str, list]) -> list[tuple[dict, RunConfig]]:
    """The validated configuration of every grid point (``base`` with the point's values); ConfigError
    naming the point where the architecture refuses one, before anything is launched."""
    out = []
    for point in points(grid):
        try:
            out.append((point, make_config(arch, dataset, **{**base, **point})))
        except ConfigError as e:
            where = ", ".join(f"{k}={v}" for k, v in point.items())
            raise ConfigError("sweep_point", point=where, error=messages.of(e)) from None
    return out


def point_name(point: Mapping[str, Any]) -> str:
    """A run's name from its grid point: ``lr=0.001 batch_size=64``."""
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in point.items())


def launch(arch: str, dataset: str, base: Mapping[str, Any], grid: Mapping[str, list], store=None,
           group: str | None = None, names: Iterable[str] | None = None,
           owner: str | None = None) -> tuple[str, list[int]]:
    """Queue one run per grid point, all checked first (the rules, the machine's precision support and
    memory, the run an ``init_from`` names), so a refused point queues none; (the sweep id, the run ids)."""
    from deeparch.execution import jobs, preflight

    planned = configs(arch, dataset, base, grid)
    store = jobs._store(store)
    for point, cfg in planned:  # each point's model built once here; jobs.launch finds it checked
        try:
            preflight.require(cfg, store, started=False)
        except ConfigError as e:
            raise ConfigError("sweep_point", point=point_name(point), error=messages.of(e)) from None
    sweep_id = uuid.uuid4().hex[:8]
    meta = {"id": sweep_id, "knobs": list(grid), "values": {k: list(v) for k, v in grid.items()}}
    names = list(names) if names is not None else [point_name(p) for p, _ in planned]
    group = group or f"sweep {sweep_id}"
    ids = [jobs.launch(cfg, name=n, store=store, group=group, sweep=meta, owner=owner)
           for (_, cfg), n in zip(planned, names)]
    return sweep_id, ids


def sweeps(runs: Iterable) -> dict[str, list]:
    """The runs of each sweep among ``runs``, by sweep id, in the order given (newest sweep first for
    a store's newest-first list)."""
    out: dict[str, list] = {}
    for r in runs:
        if r.sweep:
            out.setdefault(r.sweep["id"], []).append(r)
    return out


def results(runs: list, value_of) -> dict:
    """A sweep's result: its knobs, their values in grid order, and ``value_of(run)`` (the final
    headline figure, or None) at each point — a list for one knob, rows × columns for two (first
    knob down, second across)."""
    meta = runs[0].sweep
    knobs, values = meta["knobs"], meta["values"]
    at = {tuple(r.config["hp"].get(k) for k in knobs): value_of(r) for r in runs}
    if len(knobs) == 1:
        z = [at.get((v,)) for v in values[knobs[0]]]
    else:
        z = [[at.get((a, b)) for b in values[knobs[1]]] for a in values[knobs[0]]]
    return {"knobs": knobs, "values": values, "z": z}
