"""Classroom mode: who may act on which run when a teacher serves the lab to a room.

Off by default, and then every rule here allows everything (the local single-user lab asks
for nothing). On when the server is started with ``DEEPARCH_CLASSROOM=1`` (``python -m
deeparch serve --classroom`` sets it): each browser session names its student; everyone
sees every run, but only a run's owner or the teacher may pause, resume, stop or delete it,
and a student has at most ``DEEPARCH_STUDENT_MAX_RUNS`` runs queued or training at once.
The teacher unlocks with ``DEEPARCH_TEACHER_TOKEN``, compared in constant time; the token
is never stored, logged or put in a URL. Runs without an owner (launched from the command
line, or before classroom mode) are the teacher's. No Streamlit here: pages/_classroom.py
draws the sidebar and asks these questions.
"""
from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from deeparch import lifecycle
from deeparch.store import Run, Store

ENV_ON, ENV_TOKEN, ENV_LIMIT = "DEEPARCH_CLASSROOM", "DEEPARCH_TEACHER_TOKEN", "DEEPARCH_STUDENT_MAX_RUNS"
DEFAULT_LIMIT = 3
OWNER_ACTIONS = ("pause", "resume", "stop", "delete")   # what only the owner or the teacher may do


@dataclass(frozen=True)
class Who:
    """One browser session: its student's name (None until typed) and whether the teacher unlocked it."""

    student: str | None = None
    teacher: bool = False


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a catalog key of pages/_classroom.py and what fills it in."""

    key: str
    args: dict


def enabled() -> bool:
    return os.environ.get(ENV_ON, "").strip().lower() in ("1", "true", "yes", "on")


def limit() -> int:
    """Runs a student may have queued or training at once (DEEPARCH_STUDENT_MAX_RUNS, default 3)."""
    try:
        return max(1, int(os.environ.get(ENV_LIMIT, DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


def unlock(given: str | None) -> bool:
    """Is ``given`` the teacher token? False when none is set; the comparison takes the same time
    wherever the strings differ (hmac.compare_digest)."""
    token = os.environ.get(ENV_TOKEN, "")
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def may(who: Who, run: Run, action: str) -> Refusal | None:
    """None when ``who`` may do ``action`` on ``run``; else why not."""
    if not enabled() or who.teacher or action not in OWNER_ACTIONS:
        return None
    if who.student and run.owner == who.student:
        return None
    return Refusal("owner_only", {"owner": run.owner or "teacher", "action": action, "id": run.id})


def may_launch(who: Who, store: Store, n: int = 1) -> Refusal | None:
    """None when ``who`` may queue ``n`` more runs; else why not (no name yet, or over the limit)."""
    if not enabled() or who.teacher:
        return None
    if not who.student:
        return Refusal("student_needed", {})
    mine = sum(1 for r in store.list_runs(status=lifecycle.ACTIVE) if r.owner == who.student)
    if mine + n > limit():
        return Refusal("queue_full", {"n": mine, "limit": limit()})
    return None


def owner_of(who: Who) -> str | None:
    """The owner a new run of ``who`` gets: the student's name in classroom mode, else None."""
    return who.student if enabled() and not who.teacher else None
