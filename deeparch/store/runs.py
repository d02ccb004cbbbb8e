"""The store's rows about runs (``runs``), the shared settings (``settings``) and the classroom's claimed
names (``students``): a part of ``Store`` (deeparch.store), which supplies ``db``, ``tx``, ``dialect`` and ``run_dir``."""
from __future__ import annotations

import json
import shutil
import time
import uuid
from typing import Any, Iterable

import deeparch.store.lifecycle as lifecycle
from deeparch.store.dialect import db_errors
from deeparch.store.lifecycle import ACTIVE, FINAL, LIVE, STATUSES
from deeparch.store.records import OwnerLimitError, Run, _marks, _run
from deeparch.present.text import clean_name


class RunTables:
    """Settings, classroom names and runs (mixed into ``Store``)."""

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
