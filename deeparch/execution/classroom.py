"""Classroom mode: who may act on which run when a teacher serves the lab to a room.

Off by default, and then every rule here allows everything (the local single-user lab asks
for nothing). On when the server is started with ``DEEPARCH_CLASSROOM=1`` (``python -m
deeparch serve --classroom`` sets it): each browser claims its student's name; everyone
sees every run, but only a run's owner or the teacher may pause, resume, stop, delete or
compress it, and a student has at most ``DEEPARCH_STUDENT_MAX_RUNS`` runs queued or training
at once (checked in the transaction that creates the run).

A name is an identity nobody else can take: the first browser to claim it gets a random
token (kept by the browser as a cookie; the store keeps only its SHA-256), and another
browser typing the same name is refused until the teacher releases it. Names are compared
folded (``name_key``: Unicode NFKC, look-alike letters of other scripts mapped to Latin,
accents and case dropped), so "Ana", "ana", "Aná" and a Cyrillic "Аna" are one name.
The teacher unlocks with ``DEEPARCH_TEACHER_TOKEN``, compared in constant time; the token
is never stored, logged or put in a URL. Runs without an owner (launched from the command
line, or before classroom mode) are the teacher's. No Streamlit here: pages/_classroom.py
draws the sidebar and asks these questions.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from deeparch.store import lifecycle
from deeparch.store import Run, Store
from deeparch.present.text import clean_name

ENV_ON, ENV_TOKEN, ENV_LIMIT = "DEEPARCH_CLASSROOM", "DEEPARCH_TEACHER_TOKEN", "DEEPARCH_STUDENT_MAX_RUNS"
DEFAULT_LIMIT = 3
OWNER_ACTIONS = ("pause", "resume", "stop", "delete", "compress")   # what only the owner or the teacher may do
MAX_NAME = 40


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


@lru_cache(maxsize=1)
def _latin_lookalikes() -> dict[str, str]:
    """Each non-ASCII character that Unicode's confusables data says looks like an ASCII letter or digit,
    mapped to that letter (Cyrillic а → a, Greek ο → o, …)."""
    from confusable_homoglyphs import confusables

    out = {}
    for ch, homoglyphs in confusables.confusables_data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        latin = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii() and h["c"].isalnum()]
        if latin:
            out[ch] = latin[0]
    return out


def name_key(name: str | None) -> str:
    """``name`` folded for comparison: two names with the same key are one student. NFKC (full-width and
    styled letters become plain), invisible characters dropped, letters of other scripts that look like
    Latin ones mapped to them, accents dropped, case folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", clean_name(name, MAX_NAME))
    lookalike = _latin_lookalikes()
    text = "".join(lookalike.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def same_student(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and name_key(a) == name_key(b)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Claim:
    """The outcome of typing a name: ``name`` (as first claimed) and the browser's ``token`` when this
    browser holds it now; ``refusal`` when another browser holds it."""

    name: str | None = None
    token: str | None = None
    refusal: Refusal | None = None


def claim(store: Store, name: str, token: str | None = None) -> Claim:
    """Claim ``name`` for the browser holding ``token`` (a new token when it has none). A name already
    held by this token is simply confirmed; one held by another browser is refused."""
    shown = clean_name(name, MAX_NAME)
    key = name_key(shown)
    if not key:
        return Claim(refusal=Refusal("student_needed", {}))
    token = token or secrets.token_urlsafe(24)
    held_name, held_secret = store.claim_name(key, shown, _hash(token))
    if not hmac.compare_digest(held_secret, _hash(token)):
        return Claim(refusal=Refusal("name_taken", {"name": held_name}))
    return Claim(name=held_name, token=token)


def identify(store: Store, token: str | None) -> str | None:
    """The name this browser's ``token`` holds (None: no token, or the name was released)."""
    return store.name_of(_hash(token)) if token else None


def release(store: Store, name: str) -> bool:
    """Free ``name`` (the teacher's release, or its student signing out): the next browser may claim it."""
    return store.release_name(name_key(name))


def claimed(store: Store) -> list[tuple[str, str]]:
    """Every claimed name as (its key, the name as claimed), oldest claim first: the teacher's list."""
    return [(key, name) for key, name, _ in store.claimed_names()]


def may(who: Who, run: Run, action: str) -> Refusal | None:
    """None when ``who`` may do ``action`` on ``run``; else why not."""
    if not enabled() or who.teacher or action not in OWNER_ACTIONS:
        return None
    if same_student(run.owner, who.student):
        return None
    return Refusal("owner_only", {"owner": run.owner or "teacher", "action": action, "id": run.id})


def may_launch(who: Who, store: Store, n: int = 1) -> Refusal | None:
    """None when ``who`` may queue ``n`` more runs; else why not (no name yet, or over the limit)."""
    if not enabled() or who.teacher:
        return None
    if not who.student:
        return Refusal("student_needed", {})
    mine = sum(1 for r in store.list_runs(status=lifecycle.ACTIVE) if same_student(r.owner, who.student))
    if mine + n > limit():
        return Refusal("queue_full", {"n": mine, "need": n, "limit": limit()})
    return None


def owner_of(who: Who) -> str | None:
    """The owner a new run of ``who`` gets: the student's name in classroom mode, else None."""
    return who.student if enabled() and not who.teacher else None
