"""The run store: the only thing workers, the command line and the pages share.

SQLite in WAL mode (readers never block the writer) by default, or a PostgreSQL database named by
``DEEPARCH_DB`` that several machines share (what differs lives in ``deeparch.store.dialect``): ``runs`` (one row per run: config,
status, process, heartbeat, reason, summary, control request), ``metrics`` (long format:
run, step, key, value, wall time) and ``media`` (PNG image grids with JSON metadata).
Writers batch their rows; each batch is one transaction, so several workers can write
at once without losing a row. Everything goes through this module (and its dialect layer).
The schema is versioned (``schema_version``, ``MIGRATIONS``) on both backends. ``settings`` holds values every process must share
(the slot limit). A missing store is created atomically; an empty or corrupt one is
reported (``CorruptStoreError``), never replaced.
"""
from __future__ import annotations

import gc
import json
import math
import os
import shutil
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, Iterable

import numpy as np

from deeparch.store import lifecycle
from deeparch.store.dialect import SQLite, Postgres, db_errors, is_server_url, redact, shown_url, split_statements  # noqa: F401
from deeparch.store.lifecycle import ACTIVE, FINAL, LIVE, STATUSES  # noqa: F401 - re-exported for old importers
from deeparch.present.text import clean_name

# The schema, in migrations: each store records the versions it has (``schema_version``) and runs the
# newer ones in one write transaction, on either dialect. $ID, $ROWID, $BIGINT, $REAL and $BLOB are the
# column types that differ between SQLite and PostgreSQL (deeparch.store.dialect). Version 1 is the first
# release's schema; a store made before versions existed has no version table, so it counts as 0 and
# gets every migration (each one idempotent: CREATE ... IF NOT EXISTS, a column added only if missing).
BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id $ID,
    name TEXT NOT NULL,
    arch TEXT NOT NULL,
    dataset TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    created $REAL NOT NULL,
    started $REAL,
    ended $REAL,
    pid $BIGINT,
    heartbeat $REAL,
    reason TEXT,
    summary TEXT NOT NULL DEFAULT '{}',
    control TEXT,
    step $BIGINT NOT NULL DEFAULT 0,
    total_steps $BIGINT,
    parent $BIGINT,
    group_name TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    id $ROWID,
    run_id $BIGINT NOT NULL,
    step $BIGINT NOT NULL,
    key TEXT NOT NULL,
    value $REAL,
    wall $REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS metrics_run_step ON metrics (run_id, step);
CREATE INDEX IF NOT EXISTS metrics_run_id ON metrics (run_id, id);
CREATE INDEX IF NOT EXISTS metrics_run_key ON metrics (run_id, key, step);
CREATE TABLE IF NOT EXISTS media (
    id $ROWID,
    run_id $BIGINT NOT NULL,
    step $BIGINT NOT NULL,
    kind TEXT NOT NULL,
    png $BLOB NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    wall $REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS media_run_kind_step ON media (run_id, kind, step)
"""
VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version $BIGINT PRIMARY KEY, applied $REAL NOT NULL, " \
                "what TEXT NOT NULL)"
# (version, what it brings, DDL, columns added to runs)
MIGRATIONS = (
    (1, "runs, metrics and media", BASE_SCHEMA, ()),
    (2, "run folders, stop times, owners, sweeps; shared settings",
     "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
     (("uid", "TEXT"), ("control_at", "$REAL"), ("owner", "TEXT"),
      ("sweep", "TEXT"))),  # JSON {"id", "knobs", "values"} of the sweep a run belongs to (deeparch.execution.sweep)
    (3, "where a run trains: host, executor and the executor's handle", "",
     (("host", "TEXT"), ("executor", "TEXT"), ("handle", "TEXT"))),
    # classroom mode: a name belongs to the browser that claimed it first (deeparch.execution.classroom). ``name_key``
    # is the name folded for comparison, ``secret`` the SHA-256 of the token that browser keeps
    (4, "classroom names claimed by one browser each",
     "CREATE TABLE IF NOT EXISTS students (name_key TEXT PRIMARY KEY, name TEXT NOT NULL, "
     "secret TEXT NOT NULL, claimed $REAL NOT NULL)", ()),
)
LATEST = MIGRATIONS[-1][0]


def _ddl(text: str, dialect) -> str:
    return Template(text).substitute(dialect.types)


def schema_version(db, dialect) -> int:
    """The newest migration this store has (0: a store from before versions, or a new file)."""
    if not dialect.has_table(db, "schema_version"):
        return 0
    return db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]


def upgrade(db, dialect) -> None:
    """Run the migrations this store lacks, in one write transaction (a second process waits, then finds
    nothing left to do)."""
    if schema_version(db, dialect) >= LATEST:
        return
    dialect.begin(db)
    try:
        db.execute(_ddl(VERSION_TABLE, dialect))
        have = schema_version(db, dialect)
        for version, what, ddl, columns in MIGRATIONS:
            if version <= have:
                continue
            for statement in split_statements(_ddl(ddl, dialect)):
                db.execute(statement)
            for column, kind in columns:
                dialect.add_column(db, "runs", column, _ddl(kind, dialect))
            db.execute("INSERT INTO schema_version (version, applied, what) VALUES (?, ?, ?)",
                       (version, time.time(), what))
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


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


class Store:
    """One connection to the run store: SQLite at ``root/runs.db`` (created on first use), or the
    PostgreSQL database named by ``url`` (default ``$DEEPARCH_DB``; anything but a ``postgresql://`` URL
    means SQLite). Either way ``root`` is the folder of the runs' own files (checkpoints, worker logs):
    with several machines, a folder they all mount (deeparch.executors).

    ``readonly=True`` opens an existing SQLite store for reading only (``mode=ro``): the command line's
    read-only commands use it so that they work on a read-only or full disk.
    """

    def __init__(self, root: str | os.PathLike | None = None, readonly: bool = False, url: str | None = None):
        self.root = Path(root) if root else default_root()
        self.url = os.environ.get("DEEPARCH_DB", "") if url is None else url
        if is_server_url(self.url):
            self._open_server()
            return
        self.url, self.dialect = "", SQLite
        self.path = self.root / "runs.db"
        self.readonly = readonly = readonly and self.path.exists()  # nothing to read yet: a new, empty store
        if not readonly:
            self.root.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self._create()
        if self.path.stat().st_size == 0:
            raise CorruptStoreError(self._advice("is empty (0 bytes), not a run store"))
        try:
            self.db = self._connect()
            self._migrate()
        except sqlite3.DatabaseError as e:
            if corrupt(e):
                raise CorruptStoreError(self._advice(f"is not a readable run store ({e})")) from None
            self.db = self._read_only_fallback(e)

    def _open_server(self) -> None:
        """Connect to PostgreSQL and bring its schema up to date; the runs' folder is still ``root``."""
        self.dialect, self.readonly, self.path = Postgres, False, shown_url(self.url)
        try:
            self.db = Postgres.connect(self.url)
            upgrade(self.db, Postgres)
        except ImportError:
            raise StoreError(f"DEEPARCH_DB={self.path} needs the PostgreSQL driver: "
                             "python3 -m pip install 'psycopg[binary]'") from None
        except db_errors() as e:  # unreachable, refused, or a URL the driver cannot parse (it may echo the URL)
            raise StoreError(f"the run store {self.path} cannot be reached ({redact(' '.join(str(e).split()), self.url)}); "
                             "start PostgreSQL or check DEEPARCH_DB (see the README's runbook)") from None
        self.root.mkdir(parents=True, exist_ok=True)

    def _read_only_fallback(self, error: sqlite3.DatabaseError) -> sqlite3.Connection:
        """A full or read-only disk: read the store as it is (``immutable`` as a last resort, when
        SQLite cannot even make its shared-memory file; nobody can write there then)."""
        for query in ("mode=ro", "mode=ro&immutable=1"):
            try:
                db = sqlite3.connect(f"file:{self.path}?{query}", uri=True, timeout=30, isolation_level=None,
                                     check_same_thread=False)
                db.row_factory = sqlite3.Row
                db.execute("SELECT COUNT(*) FROM runs").fetchone()
            except sqlite3.DatabaseError:
                continue
            self.readonly = True
            return db
        raise StoreError(f"{self.path} cannot be opened ({error}); free some space on its disk or check the "
                         "folder's permissions")

    def _advice(self, what: str) -> str:
        return (f"{self.path} {what}; nothing was changed. Move it aside (mv {self.path} {self.path}.bad) "
                "to start a new store, or restore it from a backup")

    def _create(self) -> None:
        """Write the schema to a private file, then link it into place: nobody sees a half-made store."""
        tmp = self.root / f".runs.db.new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            upgrade(db, SQLite)
        finally:
            db.close()
        try:
            os.link(tmp, self.path)  # fails if another process created it first: theirs is as good
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        target, uri = (f"file:{self.path}?mode=ro", True) if self.readonly else (self.path, False)
        db = sqlite3.connect(target, uri=uri, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        if not self.readonly:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError as e:
                if not unwritable(e):
                    raise
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # a corrupt file fails here
        return db

    def _migrate(self) -> None:
        """Bring an old store's schema up to date; on a read-only or full disk, read it as it is."""
        if self.readonly:
            return
        try:
            upgrade(self.db, SQLite)
        except sqlite3.OperationalError as e:
            if not unwritable(e) and "locked" not in str(e):
                raise

    def close(self) -> None:
        self.db.close()

    def lost(self, e: BaseException) -> bool:
        """Is ``e`` this store's server being out of reach (stopped, restarting, the network), rather than
        a refused statement or a full disk? Only a server store can be lost; SQLite's errors keep their
        own meaning (a full or read-only disk)."""
        return self.dialect is Postgres and isinstance(e, db_errors(operational=True))

    @contextmanager
    def tx(self):
        """A write transaction that holds the store's write lock from its start (dialect.begin)."""
        self.dialect.begin(self.db)
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def run_dir(self, run_id: int | Run) -> Path:
        """The run's own folder (checkpoint, worker.log): ``run-ID-UID8``, or ``run-ID`` for an old run."""
        run = run_id if isinstance(run_id, Run) else self.get_run(run_id)
        return self.root / (run.folder_name if run else f"run-{run_id}")

    # ---- settings shared by every process ---------------------------------------------------
    def setting(self, key: str) -> str | None:
        try:
            row = self.db.execute("SELECT value FROM settings WHERE key=?", (key,)).fetchone()
        except db_errors(operational=True):  # an old store opened read-only has no settings table
            return None
        return row["value"] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.tx() as db:
            db.execute("INSERT INTO settings (key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value=excluded.value", (key, str(value)))

    # ---- classroom names --------------------------------------------------------------------
    def claim_name(self, name_key: str, name: str, secret: str) -> tuple[str, str]:
        """Claim ``name_key`` for the browser whose token hashes to ``secret``, unless another has it:
        returns (the name as first claimed, the secret of whoever holds it). One transaction, so two
        browsers claiming at once get one winner."""
        with self.tx() as db:
            row = db.execute("SELECT name, secret FROM students WHERE name_key=?", (name_key,)).fetchone()
            if row:
                return row[0], row[1]
            db.execute("INSERT INTO students (name_key, name, secret, claimed) VALUES (?, ?, ?, ?)",
                       (name_key, clean_name(name), secret, time.time()))
        return clean_name(name), secret

    def name_of(self, secret: str) -> str | None:
        """The name claimed by the browser whose token hashes to ``secret`` (None: none, or released)."""
        try:
            row = self.db.execute("SELECT name FROM students WHERE secret=?", (secret,)).fetchone()
        except db_errors(operational=True):  # an old store opened read-only has no students table
            return None
        return row[0] if row else None

    def claimed_names(self) -> list[tuple[str, str, float]]:
        """Every claimed name as (name_key, name, when), oldest first."""
        try:
            return [tuple(r) for r in self.db.execute("SELECT name_key, name, claimed FROM students ORDER BY claimed")]
        except db_errors(operational=True):
            return []

    def release_name(self, name_key: str) -> bool:
        """Free a claimed name (the teacher's release, or the student signing out); True if it was claimed."""
        with self.tx() as db:
            return db.execute("DELETE FROM students WHERE name_key=?", (name_key,)).rowcount > 0

    # ---- runs -------------------------------------------------------------------------------
    def create_run(self, config: dict, name: str | None = None, status: str = "queued",
                   total_steps: int | None = None, parent: int | None = None, group: str | None = None,
                   owner: str | None = None, sweep: dict | None = None, owner_limit: int | None = None,
                   same_owner=None) -> int:
        """A new run with a fresh uid, so its folder is one no earlier run (or old store) left behind.

        With ``owner_limit``, the run is created only if ``owner`` has fewer active runs than that
        (``same_owner(a, b)`` says whether two stored owner names are the same person; default: equal),
        counted inside the same write transaction: else ``OwnerLimitError`` and nothing is written."""
        name = clean_name(name)
        owner = clean_name(owner) or None
        with self.tx() as db:
            if owner_limit is not None and owner is not None:
                same = same_owner or (lambda a, b: a == b)
                rows = db.execute(f"SELECT owner FROM runs WHERE owner IS NOT NULL AND status IN ({_marks(ACTIVE)})",
                                  tuple(ACTIVE)).fetchall()
                active = sum(1 for r in rows if same(r[0], owner))
                if active >= owner_limit:
                    raise OwnerLimitError(owner, active, owner_limit)
            cur = db.execute(
                "INSERT INTO runs (name, arch, dataset, config, status, created, total_steps, parent, group_name, "
                "uid, owner, sweep) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (name, config["arch"], config["dataset"], json.dumps(config, sort_keys=True), status,
                 time.time(), total_steps, parent, clean_name(group) or None, uuid.uuid4().hex,
                 owner, json.dumps(sweep, sort_keys=True) if sweep else None),
            )
            run_id = cur.fetchone()[0]
            if not name:
                db.execute("UPDATE runs SET name=? WHERE id=?", (f"{config['arch']}-{run_id}", run_id))
        return run_id

    def get_run(self, run_id: int) -> Run | None:
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return _run(row) if row else None

    def list_runs(self, status: Iterable[str] | None = None, ids: Iterable[int] | None = None) -> list[Run]:
        sql, args = "SELECT * FROM runs", []
        where = []
        if status is not None:
            status = list(status)
            where.append(f"status IN ({','.join('?' * len(status))})")
            args += status
        if ids is not None:
            ids = [int(i) for i in ids]
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args += ids
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [_run(r) for r in self.db.execute(sql + " ORDER BY id DESC", args)]

    def update_run(self, run_id: int, **fields: Any) -> None:
        if "summary" in fields and isinstance(fields["summary"], dict):
            fields["summary"] = json.dumps(fields["summary"])
        if "name" in fields:
            fields["name"] = clean_name(fields["name"])
        if "config" in fields and isinstance(fields["config"], dict):
            fields["config"] = json.dumps(fields["config"], sort_keys=True)
        cols = ", ".join(f"{k}=?" for k in fields)
        with self.tx() as db:
            db.execute(f"UPDATE runs SET {cols} WHERE id=?", (*fields.values(), run_id))

    def set_status(self, run_id: int, status: str, reason: str | None = None, only_if: Iterable[str] | None = None,
                   **fields: Any) -> bool:
        """Move a run to ``status``; with ``only_if``, only from one of those statuses from which the
        lifecycle allows the move. True if it moved."""
        assert status in STATUSES, status
        if only_if is not None:
            only_if = [s for s in only_if if lifecycle.legal(s, status)]
        sets = {"status": status, **fields}
        if reason is not None:
            sets["reason"] = reason
        if status in FINAL:
            sets.setdefault("ended", time.time())
            sets.setdefault("control", None)
        cols = ", ".join(f"{k}=?" for k in sets)
        sql, args = f"UPDATE runs SET {cols} WHERE id=?", [*sets.values(), run_id]
        if only_if is not None:
            only_if = list(only_if)
            sql += f" AND status IN ({','.join('?' * len(only_if))})"
            args += only_if
        with self.tx() as db:
            return db.execute(sql, args).rowcount > 0

    def merge_summary(self, run_id: int, **values: Any) -> None:
        with self.tx() as db:
            row = db.execute("SELECT summary FROM runs WHERE id=?", (run_id,)).fetchone()
            summary = {**json.loads(row["summary"] or "{}"), **values}
            db.execute("UPDATE runs SET summary=? WHERE id=?", (json.dumps(summary), run_id))

    def request(self, run_id: int, control: str | None) -> None:
        """Ask the run's worker to 'pause', 'stop' (or clear the request with None); the time is kept
        so that a worker that does not answer a stop can be ended after a grace period."""
        self.update_run(run_id, control=control, control_at=time.time() if control else None)

    def status_counts(self) -> dict[str, int]:
        """How many runs are in each status (one GROUP BY, cheap with thousands of runs)."""
        return {s: n for s, n in self.db.execute("SELECT status, COUNT(*) FROM runs GROUP BY status")}

    def run_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def has_queued(self) -> bool:
        return self.db.execute("SELECT 1 FROM runs WHERE status='queued' LIMIT 1").fetchone() is not None

    def claim_queued(self, limit: int) -> list[int]:
        """In one transaction: move the oldest queued runs to 'starting' while fewer than ``limit`` hold a slot."""
        with self.tx() as db:
            busy = db.execute(f"SELECT COUNT(*) FROM runs WHERE status IN ({_marks(LIVE)})", LIVE).fetchone()[0]
            # a run that starts from another's weights (init_from) waits until that run has ended
            ids = [r[0] for r in db.execute(
                "SELECT id FROM runs AS r WHERE status='queued' AND NOT EXISTS (SELECT 1 FROM runs AS src "
                f"WHERE src.id = {self.dialect.json_int('r.config', 'hp', 'init_from')} AND src.status IN ({_marks(ACTIVE)})) "
                "ORDER BY id LIMIT ?", (*ACTIVE, max(limit - busy, 0)))]
            for run_id in ids:
                db.execute("UPDATE runs SET status='starting', pid=NULL, heartbeat=? WHERE id=?", (time.time(), run_id))
        return ids

    def control(self, run_id: int) -> str | None:
        row = self.db.execute("SELECT control FROM runs WHERE id=?", (run_id,)).fetchone()
        return row["control"] if row else None

    def delete_run(self, run_id: int) -> None:
        folder = self.run_dir(run_id)
        with self.tx() as db:
            for table, col in (("metrics", "run_id"), ("media", "run_id"), ("runs", "id")):
                db.execute(f"DELETE FROM {table} WHERE {col}=?", (run_id,))
        shutil.rmtree(folder, ignore_errors=True)

    # ---- metrics ----------------------------------------------------------------------------
    def log_metrics(self, run_id: int, rows: Iterable[tuple[int, str, float, float]],
                    heartbeat: float | None = None, step: int | None = None) -> None:
        """One write path for metric rows (step, key, value, wall); optionally beat the heart too."""
        rows = [(run_id, s, k, None if v != v else v, w) for s, k, v, w in rows]  # NaN is NULL on both backends
        with self.tx() as db:
            if rows:
                db.executemany("INSERT INTO metrics (run_id, step, key, value, wall) VALUES (?, ?, ?, ?, ?)", rows)
            if heartbeat is not None:
                if step is None:
                    db.execute("UPDATE runs SET heartbeat=? WHERE id=?", (heartbeat, run_id))
                else:
                    db.execute("UPDATE runs SET heartbeat=?, step=? WHERE id=?", (heartbeat, step, run_id))

    @staticmethod
    def _metrics_sql(run_id: int, keys: Iterable[str] | None, after_id: int,
                     after_step: int | None = None) -> tuple[str, list]:
        """The metric-row query (id, step, key, value, wall), oldest first, and its arguments."""
        sql = "SELECT id, step, key, value, wall FROM metrics WHERE run_id=?"
        args: list = [run_id]
        if after_id:
            sql += " AND id>?"
            args.append(after_id)
        if after_step is not None:
            sql += " AND step>?"
            args.append(after_step)
        if keys is not None:
            keys = list(keys)
            sql += f" AND key IN ({_marks(keys)})"
            args += keys
        return sql + " ORDER BY id", args

    def metrics(self, run_id: int, keys: Iterable[str] | None = None, after_id: int = 0,
                after_step: int | None = None):
        """Metric rows of a run as a DataFrame (id, step, key, value, wall), oldest first."""
        import pandas as pd

        cur = self.db.execute(*self._metrics_sql(run_id, keys, after_id, after_step))
        return pd.DataFrame(cur.fetchall(), columns=["id", "step", "key", "value", "wall"])

    def metric_series(self, run_id: int, keys: Iterable[str] | None = None, after_id: int = 0
                      ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]], int, int]:
        """Metric rows newer than ``after_id`` grouped by key: ({key: (steps, values, walls)}, last id, row count).

        The same rows as ``metrics`` but about 4× faster for a long run: plain tuples
        instead of sqlite3.Row objects, no DataFrame, and the garbage collector paused while
        a few hundred thousand tuples are made (it would otherwise rescan them many times).
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            rows = self.dialect.plain_rows(self.db, *self._metrics_sql(run_id, keys, after_id))
            n = len(rows)
            if not n:
                return {}, after_id, 0
            codes: dict[str, int] = {}
            code = np.fromiter((codes.setdefault(r[2], len(codes)) for r in rows), np.int32, n)
            steps = np.fromiter((r[1] for r in rows), np.int64, n)
            values = np.fromiter((math.nan if r[3] is None else r[3] for r in rows), float, n)  # NaN is kept as NULL
            walls = np.fromiter((r[4] for r in rows), float, n)
            last = rows[-1][0]
            del rows
        finally:
            if was_enabled:
                gc.enable()
        order = np.argsort(code, kind="stable")  # rows of each key together, oldest first
        bounds = np.concatenate([[0], np.cumsum(np.bincount(code, minlength=len(codes)))])
        groups = {}
        for key, c in codes.items():  # codes in order of first appearance
            idx = order[bounds[c]:bounds[c + 1]]
            groups[key] = (steps[idx], values[idx], walls[idx])
        return groups, last, n

    def metric_keys(self, run_id: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT key FROM metrics WHERE run_id=?", (run_id,))]

    def last_metrics(self, run_id: int) -> dict[str, float]:
        """The latest value of every key of a run."""
        rows = self.db.execute(
            "SELECT key, value FROM metrics WHERE id IN (SELECT MAX(id) FROM metrics WHERE run_id=? GROUP BY key)",
            (run_id,),
        )
        return {k: v for k, v in rows}

    def count_metrics(self, run_id: int) -> int:
        return self.db.execute("SELECT COUNT(*) FROM metrics WHERE run_id=?", (run_id,)).fetchone()[0]

    def drop_after(self, run_id: int, step: int) -> None:
        """Delete the metric rows and media of steps after ``step``: a run resumed from its
        checkpoint at ``step`` logs them again, so each step keeps one value."""
        with self.tx() as db:
            for table in ("metrics", "media"):
                db.execute(f"DELETE FROM {table} WHERE run_id=? AND step>?", (run_id, step))

    # ---- media ------------------------------------------------------------------------------
    def log_media(self, run_id: int, step: int, kind: str, png: bytes, meta: dict | None = None) -> None:
        with self.tx() as db:
            db.execute("INSERT INTO media (run_id, step, kind, png, meta, wall) VALUES (?, ?, ?, ?, ?, ?)",
                       (run_id, step, kind, png, json.dumps(meta or {}), time.time()))

    def media_steps(self, run_id: int, kind: str) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT step FROM media WHERE run_id=? AND kind=? ORDER BY step", (run_id, kind))]

    def media_kinds(self, run_id: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT kind FROM media WHERE run_id=?", (run_id,))]

    def media(self, run_id: int, kind: str, step: int | None = None) -> tuple[int, bytes, dict] | None:
        """The grid of ``kind`` at ``step`` (or the latest one at or before it): (step, png, meta)."""
        sql, args = "SELECT step, png, meta FROM media WHERE run_id=? AND kind=?", [run_id, kind]
        if step is not None:
            sql += " AND step<=?"
            args.append(step)
        row = self.db.execute(sql + " ORDER BY step DESC, id DESC LIMIT 1", args).fetchone()
        return (row["step"], row["png"], json.loads(row["meta"])) if row else None
