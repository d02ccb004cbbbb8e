"""Classroom mode's rules: owners, the teacher's key, the per-student limit; off, nothing is refused."""
from __future__ import annotations

import sqlite3

import pytest

import fake_runs
from deeparch.execution import classroom
from deeparch.store import Store

TOKEN = "class-key-3141"


@pytest.fixture
def on(monkeypatch):
    monkeypatch.setenv(classroom.ENV_ON, "1")
    monkeypatch.setenv(classroom.ENV_TOKEN, TOKEN)
    monkeypatch.setenv(classroom.ENV_LIMIT, "2")


def owned(store: Store, owner: str | None) -> int:
    rid = fake_runs.running_gan(store, steps=20, total=100)
    store.update_run(rid, owner=owner)
    return rid


def test_off_by_default_nothing_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(classroom.ENV_ON, raising=False)
    s = Store(tmp_path)
    run = s.get_run(owned(s, "ana"))
    nobody = classroom.Who()
    assert not classroom.enabled()
    assert all(classroom.may(nobody, run, a) is None for a in classroom.OWNER_ACTIONS)
    assert classroom.may_launch(nobody, s, 50) is None
    assert classroom.owner_of(classroom.Who("ana")) is None


def test_only_the_owner_or_the_teacher_may_act(tmp_path, on):
    s = Store(tmp_path)
    run = s.get_run(owned(s, "ana"))
    for action in classroom.OWNER_ACTIONS:
        assert classroom.may(classroom.Who("ana"), run, action) is None
        refused = classroom.may(classroom.Who("bruno"), run, action)
        assert refused.key == "owner_only" and refused.args == {"owner": "ana", "action": action, "id": run.id}
        assert classroom.may(classroom.Who(None, teacher=True), run, action) is None
    assert classroom.may(classroom.Who("bruno"), run, "clone") is None  # anyone may copy a run


def test_a_run_without_an_owner_is_the_teachers(tmp_path, on):
    s = Store(tmp_path)
    run = s.get_run(owned(s, None))  # launched from the command line
    assert classroom.may(classroom.Who("ana"), run, "stop").args["owner"] == "teacher"
    assert classroom.may(classroom.Who(teacher=True), run, "stop") is None


def test_the_teacher_key_is_compared_exactly(on, monkeypatch):
    assert classroom.unlock(TOKEN)
    assert not classroom.unlock(TOKEN + " ") and not classroom.unlock(TOKEN[:-1]) and not classroom.unlock("")
    assert not classroom.unlock(None)
    monkeypatch.delenv(classroom.ENV_TOKEN)
    assert not classroom.unlock("")  # no key set: nobody is the teacher


def test_a_student_needs_a_name_and_has_a_queue_limit(tmp_path, on):
    s = Store(tmp_path)
    assert classroom.may_launch(classroom.Who(None), s).key == "student_needed"
    ana = classroom.Who("ana")
    assert classroom.may_launch(ana, s, 2) is None
    assert classroom.may_launch(ana, s, 3).key == "queue_full"  # a race of three at once
    owned(s, "ana")
    owned(s, "ana")
    owned(s, "bruno")
    refused = classroom.may_launch(ana, s)
    assert refused.key == "queue_full" and refused.args == {"n": 2, "need": 1, "limit": 2}
    assert classroom.may_launch(classroom.Who("bruno"), s) is None
    assert classroom.may_launch(classroom.Who(teacher=True), s, 10) is None
    s.set_status(s.list_runs()[-1].id, "finished")  # one of ana's ends: room again
    assert classroom.may_launch(ana, s) is None


def test_new_runs_carry_their_student(on):
    assert classroom.owner_of(classroom.Who("ana")) == "ana"
    assert classroom.owner_of(classroom.Who("ana", teacher=True)) is None


def test_the_owner_is_stored_and_an_old_store_stays_readable(tmp_path):
    s = Store(tmp_path)
    rid = s.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}}, owner="ana\x00")
    assert s.get_run(rid).owner == "ana"  # cleaned like a name
    # a store from before the column: drop it, then open the store again
    s.close()
    db = sqlite3.connect(tmp_path / "runs.db")
    db.execute("ALTER TABLE runs DROP COLUMN owner")
    db.execute("DROP TABLE schema_version")  # such a store also predates versioned migrations
    db.commit()
    db.close()
    old = Store(tmp_path, readonly=True)
    assert old.get_run(rid).owner is None
    old.close()
    migrated = Store(tmp_path)
    assert migrated.get_run(rid).owner is None
    rid2 = migrated.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}}, owner="bruno")
    assert migrated.get_run(rid2).owner == "bruno"


def test_serve_classroom_listens_on_the_network_and_turns_the_mode_on(tmp_path):
    from deeparch.cli import build_parser, serve_command

    cmd, env = serve_command(build_parser().parse_args(["serve", "--classroom", "--max-runs-per-student", "4"]))
    assert env["DEEPARCH_CLASSROOM"] == "1" and env["DEEPARCH_STUDENT_MAX_RUNS"] == "4"
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    cmd, env = serve_command(build_parser().parse_args(["serve"]))
    assert "DEEPARCH_CLASSROOM" not in env or env["DEEPARCH_CLASSROOM"] != "1"
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"


# ---- names that cannot be taken over, and a limit that cannot be raced ----------------------------------------
BOTH_BACKENDS = True  # the claim and the limit are store transactions: SQLite and PostgreSQL (conftest.py)


@pytest.mark.parametrize("other", ["ana", "ANA", " Ana ", "Aná", "\u0410na", "\uff41\uff4e\uff41", "a\u200bna",
                                   "A\u0301na"])
def test_look_alike_names_are_one_name(other):
    assert classroom.name_key(other) == classroom.name_key("Ana")


@pytest.mark.parametrize("other", ["Ane", "Anna", "Ana Maria", "Bruno"])
def test_different_names_stay_different(other):
    assert classroom.name_key(other) != classroom.name_key("Ana")


def test_the_first_browser_keeps_a_name_and_others_are_refused(store, on):
    first = classroom.claim(store, "Ana")
    assert first.name == "Ana" and first.token and first.refusal is None
    assert classroom.claim(store, "ana", first.token) == first  # the same browser again: confirmed
    for thief in ("ana", "\u0410na", "ANA"):  # another browser (no token, or its own)
        taken = classroom.claim(store, thief)
        assert taken.name is None and taken.token is None and taken.refusal.key == "name_taken"
        assert taken.refusal.args == {"name": "Ana"}
    assert classroom.identify(store, first.token) == "Ana"  # F5: the cookie's token finds the name again
    assert classroom.identify(store, "forged-token") is None and classroom.identify(store, None) is None
    assert classroom.claimed(store) == [("ana", "Ana")]
    assert classroom.release(store, "ANA")  # the teacher frees it
    assert classroom.identify(store, first.token) is None
    second = classroom.claim(store, "ana")
    assert second.refusal is None and second.token != first.token and second.name == "ana"


def test_a_look_alike_name_cannot_act_on_anothers_run(tmp_path, on):
    s = Store(tmp_path)
    run = s.get_run(owned(s, "ana"))
    assert classroom.may(classroom.Who("Ana"), run, "stop") is None  # the same student, typed differently
    assert classroom.may(classroom.Who("anna"), run, "stop").key == "owner_only"
    assert classroom.may(classroom.Who("bruno"), run, "compress").key == "owner_only"


@pytest.mark.slow  # six processes
def test_launches_at_once_never_pass_the_students_limit(tmp_path, db_url):
    """Six processes create a run for one student with limit 1 at the same instant (two tabs clicking
    Clone, many times over): one run exists, five are refused by the store's own transaction."""
    import multiprocessing

    import race_util

    Store(tmp_path, url=db_url).close()  # the schema exists before the race
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(6), ctx.Queue()
    procs = [ctx.Process(target=race_util.create_at_once, args=(str(tmp_path), db_url, barrier, results)) for _ in range(6)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert len([o for o in outcomes if isinstance(o, int)]) == 1, outcomes
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["refused at 1/1"] * 5
    assert [r.owner for r in Store(tmp_path, url=db_url).list_runs()] == ["Ana"]


def test_launch_checks_the_limit_when_it_creates_the_run(store, on, monkeypatch):
    """jobs.launch hands the student's limit to the store: past it (even when the page's earlier check
    passed), OwnerLimitError and no run."""
    from deeparch.execution import jobs
    from deeparch.course.archs import make_config
    from deeparch.store import OwnerLimitError

    monkeypatch.setattr(jobs, "reconcile", lambda s: None)  # nothing starts: the runs stay queued
    cfg = make_config("cnn", max_steps=5)
    jobs.launch(cfg, store=store, owner="ana")
    jobs.launch(cfg, store=store, owner="Ana")  # the limit is 2 (the `on` fixture)
    with pytest.raises(OwnerLimitError):
        jobs.launch(cfg, store=store, owner="ANA")
    jobs.launch(cfg, store=store, owner="bruno")  # another student is not counted against her
    assert sorted(r.owner for r in store.list_runs()) == ["Ana", "ana", "bruno"]
