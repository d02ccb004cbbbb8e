"""Classroom mode in the browser: the student's name and the teacher's unlock in the sidebar, and
the words of a refusal. Off (the default), nothing here draws or asks anything; the rules are
``deeparch.classroom``'s.
"""
from __future__ import annotations

import streamlit as st

from deeparch import classroom, i18n
from deeparch.store import Run
from deeparch.text import clean_name, md_escape

TEXT = i18n.Catalog("classroom", {
    "student": "Your name",
    "student_help": "In classroom mode each run carries the name of who launched it; only that person (or the "
                    "teacher) can pause, stop, resume or delete it.",
    "student_needed": "Type your name in the sidebar to launch or control runs.",
    "teacher": "Teacher key",
    "teacher_help": "The teacher set it when starting the server (DEEPARCH_TEACHER_TOKEN).",
    "teacher_on": "Teacher: can control every run.",
    "teacher_wrong": "Wrong teacher key.",
    "teacher_off": "Leave teacher mode",
    "owner_only": "Only {owner} or the teacher can {action} run #{id}.",
    "queue_full": "You already have {n} runs queued or training (the limit per student is {limit}). "
                  "Wait for one to finish or stop one of them.",
    "action_pause": "pause", "action_resume": "resume", "action_stop": "stop", "action_delete": "delete",
})

STUDENT_KEY, TEACHER_KEY, TOKEN_KEY, WRONG_KEY = "class_student", "class_teacher", "class_token", "class_wrong"


def who() -> classroom.Who:
    ss = st.session_state
    return classroom.Who(student=clean_name(ss.get(STUDENT_KEY)) or None, teacher=bool(ss.get(TEACHER_KEY)))


def message(refusal: classroom.Refusal) -> str:
    """A refusal in words (run owners are names typed by students: escaped)."""
    args = dict(refusal.args)
    if "action" in args:
        args["action"] = TEXT["action_" + args["action"]]
    if "owner" in args:
        args["owner"] = md_escape(args["owner"])
    return TEXT[refusal.key].format(**args)


def refusal(run: Run, action: str) -> str | None:
    """Why this session may not ``action`` ``run``, in words; None when it may."""
    found = classroom.may(who(), run, action)
    return message(found) if found else None


def launch_refusal(store, n: int = 1) -> str | None:
    found = classroom.may_launch(who(), store, n)
    return message(found) if found else None


def owner() -> str | None:
    return classroom.owner_of(who())


def _check_token() -> None:
    """The key field's callback: unlock teacher mode on the right key; the key itself is forgotten at once."""
    ss = st.session_state
    given = ss.get(TOKEN_KEY, "")
    ss[TOKEN_KEY] = ""
    ss[TEACHER_KEY] = classroom.unlock(given)
    ss[WRONG_KEY] = bool(given) and not ss[TEACHER_KEY]


def _leave() -> None:
    st.session_state[TEACHER_KEY] = False


def sidebar() -> None:
    """The student's name and the teacher's key; nothing at all when classroom mode is off."""
    if not classroom.enabled():
        return
    ss = st.session_state
    st.text_input(TEXT["student"], key=STUDENT_KEY, help=TEXT["student_help"], max_chars=40)
    if ss.get(TEACHER_KEY):
        st.success(TEXT["teacher_on"], icon=":material/school:")
        st.button(TEXT["teacher_off"], on_click=_leave, type="tertiary", key="class_leave")
        return
    st.text_input(TEXT["teacher"], key=TOKEN_KEY, type="password", help=TEXT["teacher_help"], on_change=_check_token)
    if ss.get(WRONG_KEY):
        st.error(TEXT["teacher_wrong"], icon=":material/lock:")
