"""The run store's schema, in migrations, and the upgrade that brings a store up to date (either dialect)."""
from __future__ import annotations

import time
from string import Template

from deeparch.store.dialect import split_statements

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
