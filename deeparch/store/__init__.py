"""The run store: the only thing workers, the command line and the pages share.

SQLite in WAL mode (readers never block the writer) by default, or a PostgreSQL database named by
``DEEPARCH_DB`` that several machines share (what differs lives in ``deeparch.store.dialect``): ``runs`` (one row per run: config,
status, process, heartbeat, reason, summary, control request), ``metrics`` (long format:
run, step, key, value, wall time) and ``media`` (PNG image grids with JSON metadata).
Writers batch their rows; each batch is one transaction, so several workers can write
at once without losing a row. Everything goes through this package: ``Store`` here (connection, transactions), its parts
``runs`` (runs, settings, names) and ``metrics`` (metrics, media), ``schema`` (migrations), ``records``
(``Run``, errors) and the dialect layer.
The schema is versioned (``schema_version``, ``MIGRATIONS``) on both backends. ``settings`` holds values every process must share
(the slot limit). A missing store is created atomically; an empty or corrupt one is
reported (``CorruptStoreError``), never replaced.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

from deeparch.store import lifecycle  # noqa: F401 - re-exported
from deeparch.store.dialect import SQLite, Postgres, db_errors, is_server_url, redact, shown_url, split_statements  # noqa: F401
from deeparch.store.lifecycle import ACTIVE, FINAL, LIVE, STATUSES  # noqa: F401 - re-exported for old importers
from deeparch.store.metrics import MetricTables
from deeparch.store.records import (CorruptStoreError, OwnerLimitError, Run, StoreError, StoreUnreachable,  # noqa: F401
                                    _marks, _run, corrupt, default_root, store_grace, unwritable)
from deeparch.store.runs import RunTables
from deeparch.store.schema import BASE_SCHEMA, LATEST, MIGRATIONS, VERSION_TABLE, _ddl, schema_version, upgrade  # noqa: F401
from deeparch.present.messages import Message

# what ``from deeparch.store import ...`` offers: the Store and everything its importers took from this module
# before it was split
__all__ = ["Store", "Run", "StoreError", "CorruptStoreError", "StoreUnreachable", "OwnerLimitError", "store_grace",
           "default_root", "unwritable", "corrupt", "lifecycle", "ACTIVE", "FINAL", "LIVE", "STATUSES", "SQLite",
           "Postgres", "db_errors", "is_server_url", "redact", "shown_url", "split_statements", "BASE_SCHEMA",
           "VERSION_TABLE", "MIGRATIONS", "LATEST", "schema_version", "upgrade", "_ddl", "_marks", "_run"]


class Store(RunTables, MetricTables):
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
            raise CorruptStoreError(Message("store_empty", path=str(self.path)))
        try:
            self.db = self._connect()
            self._migrate()
        except sqlite3.DatabaseError as e:
            if corrupt(e):
                raise CorruptStoreError(Message("store_corrupt", path=str(self.path), error=str(e))) from None
            self.db = self._read_only_fallback(e)

    def _open_server(self) -> None:
        """Connect to PostgreSQL and bring its schema up to date; the runs' folder is still ``root``."""
        self.dialect, self.readonly, self.path = Postgres, False, shown_url(self.url)
        try:
            self.db = Postgres.connect(self.url)
            upgrade(self.db, Postgres)
        except ImportError:
            raise StoreError(Message("store_needs_driver", path=str(self.path))) from None
        except db_errors() as e:  # unreachable, refused, or a URL the driver cannot parse (it may echo the URL)
            raise StoreError(Message("store_unreachable_at", path=str(self.path),
                                     error=redact(' '.join(str(e).split()), self.url))) from None
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
        raise StoreError(Message("store_cannot_open", path=str(self.path), error=str(error)))

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
