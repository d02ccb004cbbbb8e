"""One check of a configuration before it trains. It is validated once and its model built once, on
PyTorch's ``meta`` device (shapes without storage), for its weight count, its card and its peak
training memory; then come what this machine can train now (precision, memory) and the run an
``init_from`` names. Launches (``jobs.launch``, the command line, sweeps) and the Train page ask it,
so a launch builds the model at most once before its worker does.
"""
from __future__ import annotations

import threading
from typing import Any, Mapping, NamedTuple

from deeparch.execution import memory
from deeparch.engine import precision
from deeparch.course.archs import load_config, on_meta
from deeparch.course.config import ConfigError, RunConfig
from deeparch.engine.models import Card, card_of
from deeparch.execution.runner import transfer_source

CACHE_SIZE = 256  # configurations remembered in this process (a page checks one at each edit)


class Preflight(NamedTuple):
    config: RunConfig
    params: int                # how many weights its model has
    memory: dict[str, float]   # its peak training memory in bytes: weights, step, worker, total (deeparch.execution.memory)
    card: Card                 # its module tree and code


_cache: dict[str, Preflight] = {}
_lock = threading.Lock()


def preflight(config: RunConfig | Mapping[str, Any] | str) -> Preflight:
    """What ``config`` builds: validated (a dict or JSON; a RunConfig already is), its model built once on
    the meta device. Raises ConfigError, or what building raises (heads that do not divide the embedding
    size, say). Remembered per configuration in this process: a page that checked a configuration while
    it was being edited launches it without building it again."""
    cfg = config if isinstance(config, RunConfig) else load_config(config)
    key = cfg.to_json()
    with _lock:
        found = _cache.pop(key, None)
    if found is None:
        model = on_meta(cfg)
        params, card = sum(p.numel() for p in model.parameters()), card_of(model)
        found = Preflight(cfg, params, memory.measure(model, cfg), card)  # measure trains it two (meta) steps
    with _lock:
        _cache[key] = found  # the newest last
        while len(_cache) > CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
    return found


def problem(checked: Preflight, free: float | None = None) -> str | None:
    """Why this machine cannot train the configuration now: a precision it lacks, or too little memory
    (``free`` bytes, default: what is available now); None when it can."""
    return precision.problem(checked.config) or memory.refusal(checked.memory, checked.config, free)


def require(config: RunConfig | Mapping[str, Any] | str, store=None, started: bool = True) -> Preflight:
    """:func:`preflight`, or ConfigError with the reason this configuration cannot train here now
    (:func:`problem`) or, given the ``store``, cannot start from the run its ``init_from`` names
    (``runner.transfer_source``; ``started`` False at launch: a source still training is accepted)."""
    checked = preflight(config)
    reason = problem(checked)
    if reason:
        raise ConfigError(reason)
    if store is not None:
        transfer_source(store, checked.config, started=started)
    return checked
