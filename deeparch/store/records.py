"""What the run store hands out and raises: ``Run`` (one row of ``runs``), the store's errors, and the small
helpers the store's parts share (placeholders, reading a row, telling a full disk from a damaged file)."""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

class StoreError(Exception):
    """The run store cannot be used; the message names the file, what is wrong and what to do."""


class CorruptStoreError(StoreError):
    """runs.db exists but is empty or not an SQLite database."""


class StoreUnreachable(Exception):
    """A worker could not reach its server store for longer than its grace (``DEEPARCH_STORE_GRACE``)."""


def store_grace() -> float:
    """Seconds a worker keeps training and buffering its writes while the server store is unreachable
    (DEEPARCH_STORE_GRACE, default 30: below the 60 s heartbeat timeout, so a run that outlives an outage
    is never taken for hung once the store is back)."""
    try:
        return max(0.0, float(os.environ.get("DEEPARCH_STORE_GRACE", "30")))
    except ValueError:
        return 30.0


class OwnerLimitError(Exception):
    """A run was not created: its owner already has ``active`` runs queued or training, the most allowed
    (``limit``). Checked in the transaction that would create it, so two launches at once cannot both pass."""

    def __init__(self, owner: str, active: int, limit: int):
        super().__init__(f"{owner} already has {active} runs queued or training (the limit is {limit})")
        self.owner, self.active, self.limit = owner, active, limit


def default_root() -> Path:
    return Path(os.environ.get("DEEPARCH_RUNS", "runs"))


@dataclass
class Run:
    id: int
    name: str
    arch: str
    dataset: str
    config: dict
    status: str
    created: float
    started: float | None
    ended: float | None
    pid: int | None
    heartbeat: float | None
    reason: str | None
    summary: dict
    control: str | None
    step: int
    total_steps: int | None
    parent: int | None
    group_name: str | None
    uid: str | None = None  # names the run's folder; None for runs from before folders had one
    control_at: float | None = None  # when the pending control request was made
    owner: str | None = None  # the student who launched it (classroom mode); None: local, CLI or older
    sweep: dict | None = None  # the sweep this run is one point of: {"id", "knobs", "values"} (deeparch.execution.sweep)
    host: str | None = None  # the machine its worker trains on (set when it starts)
    executor: str | None = None  # what started it: "local" (a process of this machine) or "ray" (deeparch.execution.ray_executor)
    handle: str | None = None  # the executor's name for it: the Ray supervisor actor's name (None for local)

    @property
    def folder_name(self) -> str:
        return f"run-{self.id}-{self.uid[:8]}" if self.uid else f"run-{self.id}"

    @property
    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.ended or time.time()) - self.started

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _marks(values) -> str:
    return ",".join("?" * len(values))


def unwritable(e: sqlite3.OperationalError) -> bool:
    """A write refused by the disk (full, read-only), not by the data."""
    msg = str(e).lower()
    return "full" in msg or "readonly" in msg or "read-only" in msg or "unable to open" in msg


def corrupt(e: sqlite3.DatabaseError) -> bool:
    """The file itself is damaged or not SQLite (not a disk that refuses writes)."""
    code = getattr(e, "sqlite_errorname", "")
    return code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or "not a database" in str(e) \
        or "malformed" in str(e)


def _run(row: sqlite3.Row) -> Run:
    d = dict(row)
    d["config"] = json.loads(d["config"])
    d["summary"] = json.loads(d["summary"] or "{}")
    if d.get("sweep"):
        d["sweep"] = json.loads(d["sweep"])
    return Run(**d)
