"""The run lifecycle in one table: statuses, legal transitions, and which actions each allows.

``jobs`` refuses an action exactly when ``allowed()`` says False, and the pages enable a
button from the same answer, so a button is never offered that ``jobs`` then refuses.
A run is described by its status and its pending control request (None, "pause", "stop").
"""
from __future__ import annotations

ACTIVE = ("queued", "starting", "running", "paused")
FINAL = ("finished", "stopped", "failed", "diverged")
STATUSES = ACTIVE + FINAL
LIVE = ("starting", "running", "paused")  # a worker process exists (or is being started)
WAITING = ("queued",)  # active, waiting for a free slot
CONTROLS = (None, "pause", "stop")
ACTIONS = ("pause", "resume", "stop", "clone", "delete")

# status -> the statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    "queued": frozenset({"starting", "running", "stopped"}),  # a worker may claim a queued run directly
    "starting": frozenset({"running", "stopped", "failed"}),
    "running": frozenset({"paused", "finished", "stopped", "failed", "diverged"}),
    "paused": frozenset({"running", "finished", "stopped", "failed"}),
    "finished": frozenset(),
    "diverged": frozenset(),
    "stopped": frozenset({"queued"}),  # resume from the last checkpoint
    "failed": frozenset({"queued"}),
}

# (action, status, control) -> allowed; the reason text says why not, for the error message
_RULES = {
    "pause": (lambda s, c: s in ("starting", "running") and c is None,
              "only a running run can be paused (and not while a request is pending)"),
    "resume": (lambda s, c: (s in LIVE and c == "pause") or s in ("stopped", "failed"),
               "only paused, stopped or failed runs can be resumed"),
    "stop": (lambda s, c: s == "queued" or (s in LIVE and c != "stop"),
             "only queued, running or paused runs can be stopped"),
    "clone": (lambda s, c: True, ""),
    "delete": (lambda s, c: True, ""),
}


def can(action: str, status: str, control: str | None = None) -> bool:
    return _RULES[action][0](status, control)


def allowed(run) -> dict[str, bool]:
    """For a run (anything with ``status`` and ``control``): each action -> whether it is accepted now."""
    return {a: can(a, run.status, run.control) for a in ACTIONS}


def refusal(action: str, run) -> str:
    """Why ``action`` is refused for ``run`` (one line, for ConfigError)."""
    pending = f" with a pending {run.control} request" if run.control else ""
    return f"run {run.id} is {run.status}{pending}; {_RULES[action][1]}"


def legal(old: str, new: str) -> bool:
    return new in TRANSITIONS[old]
