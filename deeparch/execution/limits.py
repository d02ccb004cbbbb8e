"""How long and how many: the timeouts a run is judged by, and how many runs train at once.

The job system, its executors and the worker all read these; they sit below all three and
import only the configuration and the store.
"""
from __future__ import annotations

import os

from deeparch.course.config import env_number
from deeparch.store import Store

STARTING_GRACE_S = 60.0
HEARTBEAT_TIMEOUT_S = 60.0  # no heartbeat for this long: the worker is hung (or SIGSTOPped) and is ended
STOP_GRACE_S = 30.0  # a stop request unanswered this long gets SIGTERM; twice this long, SIGKILL


def heartbeat_timeout() -> float:
    return env_number("DEEPARCH_HEARTBEAT_TIMEOUT", HEARTBEAT_TIMEOUT_S, low=0.1)


def stop_grace() -> float:
    return env_number("DEEPARCH_STOP_GRACE", STOP_GRACE_S)


def max_runs(store: Store | None = None) -> int:
    """How many runs may train at once, for every process of the store.

    DEEPARCH_MAX_RUNS, when set, is written to the store; otherwise the stored value holds;
    the default is one per core, at most 4.
    """
    store = store if store is not None else Store()
    env = env_number("DEEPARCH_MAX_RUNS", None, kind=int, low=1)
    stored = store.setting("max_runs")
    if env is not None:
        if stored != str(env) and not store.readonly:
            store.set_setting("max_runs", str(env))
        return env
    if stored is not None:
        return int(stored)
    return max(1, min(4, os.cpu_count() or 1))


def threads_per_run(store: Store | None = None) -> int:
    """Torch threads for each worker, so that ``max_runs()`` workers share the cores."""
    return max(1, (os.cpu_count() or 1) // max_runs(store))
