"""The two SQL dialects of the run store: SQLite (embedded, the default) and PostgreSQL (a server every node shares).

A thin layer of our own rather than SQLAlchemy Core: the store's forty-odd queries are already written in
the SQL both engines accept, so what differs is small and listed here — placeholders (``?`` vs ``%s``),
three column types of the schema, the autoincrement id, reading one JSON field, adding a column only if
missing, the write lock, and how a connection is opened. That is about 150 lines against a new dependency
and a rewrite of every query into expression objects. psycopg (v3) is imported only when a
``postgresql://`` URL is used, so the default install needs neither it nor a server.
"""
from __future__ import annotations

import re
import sqlite3
import sys
from urllib.parse import unquote, unquote_plus

WRITE_LOCK = 0x64656570  # the advisory lock every PostgreSQL write transaction takes ("deep")


def is_server_url(url: str | None) -> bool:
    """True for a PostgreSQL URL (``postgresql://`` or ``postgres://``); anything else is the SQLite default."""
    return bool(url) and url.split("://", 1)[0] in ("postgresql", "postgres")


# a query parameter (or keyword=value) whose key, percent-decoded, names a secret: password, sslpassword
_SECRET_PARAM = re.compile(r"(^|[?&\s])([^=&?\s]*)=([^&\s]*)")
_PLAIN_USER = re.compile(r"[\w.%+-]*")


def _secret_key(key: str) -> bool:
    return "pass" in unquote_plus(key).lower()


def _mask_params(text: str) -> str:
    return _SECRET_PARAM.sub(lambda m: f"{m[1]}{m[2]}=***" if _secret_key(m[2]) else m[0], text)


# host:port pairs of a URL's host part (IPv6 hosts in brackets; several hosts separated by commas)
_HOST_PORT = re.compile(r"(^|,)(\[[^\]]*\]|[^,:\[]*):([^,]*)")


def _odd_ports(hosts: str) -> list[str]:
    """The "ports" of a host part that are no numbers: ``postgresql://user:password`` without its ``@``
    reads as host ``user``, port ``password`` (and the driver repeats that port in its error)."""
    return [m[3] for m in _HOST_PORT.finditer(hosts) if m[3] and not m[3].isdigit()]


def _split_hosts(rest: str) -> tuple[str, str]:
    """(the host part, the path and query) of what follows the credentials."""
    m = re.match(r"[^/?]*", rest)
    return rest[:m.end()], rest[m.end():]


def shown_url(url: str) -> str:
    """The URL with every secret hidden, for messages and logs: the password of ``user:password@`` and any
    ``password=`` (or ``sslpassword=``, any case, percent-encoded or not) parameter. Malformed URLs are
    masked generously: everything up to the last ``@`` is taken as credentials, of which only a plain
    user name is kept, and a port that is no number is masked too."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _mask_params(url)
    at = rest.rfind("@")
    shown = ""
    if at >= 0:
        user, colon, _ = rest[:at].partition(":")
        user = user if _PLAIN_USER.fullmatch(user) else "***"
        shown = f"{user}:***@" if colon else f"{user}@"
        rest = rest[at + 1:]
    hosts, tail = _split_hosts(rest)
    hosts = _HOST_PORT.sub(lambda m: m[0] if not m[3] or m[3].isdigit() else f"{m[1]}{m[2]}:***", hosts)
    return f"{scheme}://{shown}{_mask_params(hosts + tail)}"


def _secrets(url: str) -> set[str]:
    """Every string of ``url`` that may be its password, as written and percent-decoded: what libpq would
    take (up to the first ``@``) and what a reader might (up to any later one), and secret parameters."""
    _, _, rest = url.partition("://")
    found = set()
    for i, ch in enumerate(rest):
        if ch == "@":
            _, colon, password = rest[:i].partition(":")
            if colon:
                found.add(password)
    found.update(m[3] for m in _SECRET_PARAM.finditer(url) if _secret_key(m[2]))
    found.update(_odd_ports(_split_hosts(rest[rest.rfind("@") + 1:])[0]))
    found |= {unquote(s) for s in found} | {unquote_plus(s) for s in found}
    return {s for s in found if s}


def redact(text: str, url: str | None) -> str:
    """``text`` (an error message, a log line) with ``url`` and its secrets masked wherever they appear:
    drivers echo a malformed URL, or one of its parts, in their messages. A short secret is masked only
    where it stands apart (not inside a longer word), so that a one-letter password leaves words whole."""
    if not text or not url:
        return text
    text = text.replace(url, shown_url(url))
    for secret in sorted(_secrets(url), key=len, reverse=True):
        if len(secret) >= 6:
            text = text.replace(secret, "***")
        else:
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "***", text)
    return text


def db_errors(operational: bool = False) -> tuple[type[BaseException], ...]:
    """The exception classes a database call may raise, of the drivers loaded in this process. With
    ``operational``, only those about the database's state (disk full, read-only, gone), not the SQL.
    Used as ``except db_errors():`` — evaluated when an exception is being matched, so psycopg is never
    imported for it."""
    errors: list = [sqlite3.OperationalError if operational else sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.OperationalError if operational else psycopg.Error)
    return tuple(errors)


def split_statements(script: str) -> list[str]:
    """The statements of a DDL script (no semicolons inside its strings), run one by one inside a
    transaction: sqlite3's ``executescript`` would commit first."""
    return [s.strip() for s in script.split(";") if s.strip()]


class SQLite:
    """SQLite as the store has always used it: WAL mode, BEGIN IMMEDIATE as the write lock."""

    name = "sqlite"
    types = {"ID": "INTEGER PRIMARY KEY AUTOINCREMENT", "ROWID": "INTEGER PRIMARY KEY", "BIGINT": "INTEGER",
             "REAL": "REAL", "BLOB": "BLOB"}

    @staticmethod
    def begin(db) -> None:
        db.execute("BEGIN IMMEDIATE")  # take the write lock up front: no upgrade deadlocks

    @staticmethod
    def json_int(column: str, *path: str) -> str:
        return f"json_extract({column}, '$.{'.'.join(path)}')"

    @staticmethod
    def columns(db, table: str) -> set[str]:
        return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}

    @classmethod
    def add_column(cls, db, table: str, column: str, kind: str) -> None:
        if column not in cls.columns(db, table):
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @staticmethod
    def has_table(db, table: str) -> bool:
        return db.execute("SELECT 1 FROM sqlite_master WHERE name=?", (table,)).fetchone() is not None

    @staticmethod
    def plain_rows(db, sql: str, args) -> list[tuple]:
        """Rows as plain tuples (no Row objects): the fast path for long metric reads."""
        cur = db.cursor()
        cur.row_factory = None
        return cur.execute(sql, args).fetchall()


class Row(tuple):
    """A PostgreSQL result row readable like ``sqlite3.Row``: by position, by column name, and by ``dict()``."""

    def __new__(cls, names: list[str], values):
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key):
        return tuple.__getitem__(self, self._names.index(key) if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._names)


def _row_factory(cursor):
    names = [c.name for c in cursor.description or ()]
    return lambda values: Row(names, values)


def _marks(sql: str) -> str:
    return sql.replace("?", "%s")  # the store's SQL has no other question marks and no percent signs


class PgConnection:
    """A psycopg connection with the part of sqlite3's surface the store uses (``execute`` with ``?``
    marks, ``executemany``, ``close``), in autocommit mode so that the store's own BEGIN/COMMIT delimit
    transactions exactly as on SQLite.

    It outlives a restart of the server: a statement outside a transaction on a connection the server
    closed (a restart, a failover, an idle timeout) opens a new connection and runs once more. Inside a
    transaction it cannot (the transaction died with the connection): the error goes up to the store's
    ``tx()``, which rolls back, and its caller decides (a worker buffers its rows, a page shows the outage
    and tries again)."""

    def __init__(self, url: str):
        self.url, self.in_tx = url, False
        self.conn = self._open()

    def _open(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, row_factory=_row_factory, connect_timeout=10)

    def ensure(self) -> None:
        """A live connection for the next statement (a new one if the server closed this one)."""
        if self.conn.closed and not self.in_tx:
            self.conn = self._open()

    def _again(self, call):
        import psycopg

        self.ensure()
        try:
            return call()
        except psycopg.OperationalError:
            if self.in_tx or not self.conn.closed:
                raise
        self.conn = self._open()  # the server closed it between two statements: once more on a new one
        return call()

    def execute(self, sql: str, args=()):
        word = sql.strip().split(None, 1)[0].upper()
        if word in ("COMMIT", "ROLLBACK"):
            self.in_tx = False
            if self.conn.closed:
                if word == "ROLLBACK":
                    return None  # the transaction died with the connection: nothing left to roll back
                import psycopg

                raise psycopg.OperationalError("the connection to the run store was lost before COMMIT")
            return self.conn.execute(sql)
        cursor = self._again(lambda: self.conn.execute(_marks(sql), args if args else None))
        if word == "BEGIN":
            self.in_tx = True
        return cursor

    def executemany(self, sql: str, rows) -> None:
        def run():
            with self.conn.cursor() as cur:
                cur.executemany(_marks(sql), rows)
        if self.in_tx:
            run()
        else:
            self._again(run)

    def close(self) -> None:
        self.conn.close()


class Postgres:
    """PostgreSQL: identity ids, DOUBLE PRECISION (its REAL is 4 bytes), BYTEA, and one advisory lock per
    write transaction, so that writers are serialised as on SQLite: read-modify-write steps (claiming queued
    runs, merging a summary) stay atomic, and metric ids become visible in increasing order, which the
    dashboard's incremental reads (``id > last seen``) rely on."""

    name = "postgresql"
    types = {"ID": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
             "ROWID": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT": "BIGINT",
             "REAL": "DOUBLE PRECISION", "BLOB": "BYTEA"}

    @staticmethod
    def connect(url: str) -> PgConnection:
        return PgConnection(url)

    @staticmethod
    def begin(db) -> None:
        db.execute("BEGIN")
        db.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))

    @staticmethod
    def json_int(column: str, *path: str) -> str:
        return f"CAST(CAST({column} AS JSONB) #>> '{{{','.join(path)}}}' AS BIGINT)"

    @staticmethod
    def add_column(db, table: str, column: str, kind: str) -> None:
        db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")

    @staticmethod
    def has_table(db, table: str) -> bool:
        return db.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()[0]

    @staticmethod
    def plain_rows(db, sql: str, args) -> list[tuple]:
        from psycopg.rows import tuple_row

        def read():
            with db.conn.cursor(row_factory=tuple_row) as cur:
                return cur.execute(_marks(sql), args if args else None).fetchall()
        return db._again(read)
