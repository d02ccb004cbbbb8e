"""Classroom mode's sidebar under AppTest: a name typed once is this session's identity on every page
(a launch from Train is the student's), a second session cannot take it, the teacher releases one.

AppTest keeps the sidebar's elements of the first run only (its later runs show an empty sidebar, with
this code and before it), so what the sidebar holds is read from the session's state; the browser
journey (test_browser_classroom.py) sees the sidebar itself."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from deeparch.execution import classroom, jobs
from deeparch.store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TOKEN = "key-1618"


@pytest.fixture
def class_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv(classroom.ENV_ON, "1")
    monkeypatch.setenv(classroom.ENV_TOKEN, TOKEN)
    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)  # launched runs stay "starting"
    s = Store(tmp_path / "runs")
    yield s
    s.close()


def session(path: str = "pages/train.py") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if path != "pages/train.py":
        at.switch_page(path).run()
    return at


def field(at: AppTest, label: str):
    return [t for t in at.text_input if t.label == label][0]


def me(at: AppTest) -> str | None:
    return (at.session_state["class_me"] or {}).get("name") if "class_me" in at.session_state else None


def refused(at: AppTest) -> str | None:
    return at.session_state["class_refused"] if "class_refused" in at.session_state else None


def test_a_name_is_kept_by_its_session_and_launches_are_its_own(class_store):
    ana = session()
    assert any("Type your name in the sidebar" in e.value for e in ana.error)  # Launch is off without a name
    field(ana, "Your name").input("Ana").run()
    assert me(ana) == "Ana" and not refused(ana)
    assert not any("Type your name" in e.value for e in ana.error)
    [b for b in ana.button if b.label == "Launch run"][0].click().run()  # switches to Live and launches there
    ana.run()
    assert not ana.exception, [e.value for e in ana.exception]
    assert [r.owner for r in class_store.list_runs()] == ["Ana"] and me(ana) == "Ana"

    other = session()
    field(other, "Your name").input("аNA").run()  # Cyrillic а: the same name folded
    assert me(other) is None
    assert "The name Ana is already used in this class by another browser" in refused(other)


def test_the_teacher_releases_a_name_and_its_next_claimer_gets_it(class_store):
    ana = session()
    field(ana, "Your name").input("Ana").run()
    classroom.release(class_store, "ana")  # what the teacher's Release button calls (pages/_classroom.py)
    other = session()
    field(other, "Your name").input("ana").run()
    assert me(other) == "ana"


def test_the_teacher_unlocks_with_the_key_only(class_store):
    wrong, teacher = session(), session()
    field(wrong, "Teacher key").input("wrong").run()
    assert not wrong.session_state["class_teacher"] and wrong.session_state["class_wrong"]
    field(teacher, "Teacher key").input(TOKEN).run()
    assert teacher.session_state["class_teacher"] and teacher.session_state["class_token"] == ""
