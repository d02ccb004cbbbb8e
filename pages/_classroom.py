"""Classroom mode in the browser: the student's name and the teacher's unlock in the sidebar, and
the words of a refusal. Off (the default), nothing here draws or asks anything; the rules are
``deeparch.execution.classroom``'s.

A student types a name once: the browser that claims it first keeps it (a token in a cookie, so
F5 and a new tab keep it too), another browser typing the same name is refused until the teacher
releases it. The identity lives in a plain session key, not in the text field's widget state:
Streamlit may drop a widget's value for the first run after a page switch, which is when a launch
from Train or Lessons is carried out.
"""
from __future__ import annotations

import json

import streamlit as st

from deeparch.execution import classroom
from deeparch.present import i18n
from deeparch.store import OwnerLimitError, Run
from deeparch.present.text import md_escape

TEXT = i18n.Catalog("classroom", {
    "student": "Your name",
    "student_help": "In classroom mode each run carries the name of who launched it; only that person (or the "
                    "teacher) can pause, stop, resume or delete it. This browser keeps your name.",
    "student_needed": "Type your name in the sidebar to launch or control runs.",
    "you_are": "You are **{name}**.",
    "sign_out": "Sign out",
    "sign_out_help": "Frees your name in this class: use it when you leave a shared computer.",
    "name_taken": "The name {name} is already used in this class by another browser. If it is yours, ask the "
                  "teacher to release it; otherwise choose another name.",
    "teacher": "Teacher key",
    "teacher_help": "The teacher set it when starting the server (DEEPARCH_TEACHER_TOKEN).",
    "teacher_on": "Teacher: can control every run.",
    "teacher_wrong": "Wrong teacher key.",
    "teacher_off": "Leave teacher mode",
    "students": "Students' names ({n})",
    "students_none": "No student has claimed a name yet.",
    "release": "Release",
    "release_help": "Frees the name: the next browser that types it gets it (a student who lost their browser).",
    "released": "Released the name {name}.",
    "owner_only": "Only {owner} or the teacher can {action} run #{id}.",
    "queue_full": "You have {n} runs queued or training and this launch adds {need}; the limit per student is "
                  "{limit}. Wait for one to finish or stop one of them.",
    "action_pause": "pause", "action_resume": "resume", "action_stop": "stop", "action_delete": "delete",
    "action_compress": "compress",
})

ME_KEY, FIELD_KEY, TEACHER_KEY, TOKEN_KEY, WRONG_KEY = "class_me", "class_name", "class_teacher", "class_token", \
    "class_wrong"
REFUSED_KEY, COOKIE_JS_KEY, CHECKED_KEY = "class_refused", "class_cookie_js", "class_checked"
COOKIE = "deeparch_student"
COOKIE_DAYS = 200  # a semester


def _store():
    from pages import _store

    return _store.store()


def who() -> classroom.Who:
    me = st.session_state.get(ME_KEY) or {}
    return classroom.Who(student=me.get("name"), teacher=bool(st.session_state.get(TEACHER_KEY)))


def message(refusal: classroom.Refusal) -> str:
    """A refusal in words (names are typed by students: escaped)."""
    args = dict(refusal.args)
    if "action" in args:
        args["action"] = TEXT["action_" + args["action"]]
    for k in ("owner", "name"):
        if k in args:
            args[k] = md_escape(args[k])
    return TEXT[refusal.key].format(**args)


def limit_message(e: OwnerLimitError) -> str:
    """The words for a launch the store refused at the student's limit."""
    return message(classroom.Refusal("queue_full", {"n": e.active, "need": 1, "limit": e.limit}))


def refusal(run: Run, action: str) -> str | None:
    """Why this session may not ``action`` ``run``, in words; None when it may."""
    found = classroom.may(who(), run, action)
    return message(found) if found else None


def launch_refusal(store, n: int = 1) -> str | None:
    found = classroom.may_launch(who(), store, n)
    return message(found) if found else None


def owner() -> str | None:
    return classroom.owner_of(who())


def _cookie(token: str | None) -> None:
    """Have the browser keep (or forget, None) this student's token; drawn once, by ``sidebar``."""
    st.session_state[COOKIE_JS_KEY] = token or ""


def _claim() -> None:
    """The name field's callback: claim the typed name for this browser, or say who holds it."""
    ss = st.session_state
    typed = ss.get(FIELD_KEY, "")
    ss[REFUSED_KEY] = None
    if not typed.strip():
        return
    found = classroom.claim(_store(), typed, (ss.get(ME_KEY) or {}).get("token") or _browser_token())
    if found.refusal:
        ss[REFUSED_KEY] = message(found.refusal)
        return
    ss[ME_KEY] = {"name": found.name, "token": found.token}
    ss[FIELD_KEY] = ""
    _cookie(found.token)


def _sign_out() -> None:
    ss = st.session_state
    me = ss.pop(ME_KEY, None)
    if me:
        classroom.release(_store(), me["name"])
    _cookie(None)


def _browser_token() -> str | None:
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 - no browser behind this session (AppTest)
        return None
    return token if isinstance(token, str) and token else None


def _restore() -> None:
    """Once per session and at each full run: the name this browser's token holds (after F5, in a new
    tab), or none once the teacher released it."""
    ss = st.session_state
    token = (ss.get(ME_KEY) or {}).get("token") or _browser_token()
    if not token:
        return
    name = classroom.identify(_store(), token)
    if name:
        ss[ME_KEY] = {"name": name, "token": token}
    else:
        ss.pop(ME_KEY, None)


def _check_token() -> None:
    """The key field's callback: unlock teacher mode on the right key; the key itself is forgotten at once."""
    ss = st.session_state
    given = ss.get(TOKEN_KEY, "")
    ss[TOKEN_KEY] = ""
    ss[TEACHER_KEY] = classroom.unlock(given)
    ss[WRONG_KEY] = bool(given) and not ss[TEACHER_KEY]


def _leave() -> None:
    st.session_state[TEACHER_KEY] = False


def _release(name: str) -> None:
    if classroom.release(_store(), name):
        st.toast(TEXT["released"].format(name=md_escape(name)))


def _draw_cookie() -> None:
    js = st.session_state.pop(COOKIE_JS_KEY, None)
    if js is None:
        return
    value = f"{COOKIE}={js}; path=/; SameSite=Strict; max-age={COOKIE_DAYS * 86400 if js else 0}"
    st.html(f"<script>document.cookie = {json.dumps(value)};</script>", unsafe_allow_javascript=True)


def students() -> None:
    """The teacher's list of claimed names, each with a Release button."""
    claimed = classroom.claimed(_store())
    with st.expander(TEXT["students"].format(n=len(claimed))):
        if not claimed:
            st.caption(TEXT["students_none"])
        for key, name in claimed:
            left, right = st.columns([3, 2], vertical_alignment="center")
            left.text(name)
            right.button(TEXT["release"], key=f"class_release:{key}", on_click=_release, args=(name,),
                         help=TEXT["release_help"], type="tertiary")


def sidebar() -> None:
    """The student's name and the teacher's key; nothing at all when classroom mode is off."""
    if not classroom.enabled():
        return
    ss = st.session_state
    _restore()
    me = ss.get(ME_KEY)
    if me:
        st.markdown(TEXT["you_are"].format(name=md_escape(me["name"])))
        st.button(TEXT["sign_out"], on_click=_sign_out, type="tertiary", key="class_sign_out",
                  help=TEXT["sign_out_help"], icon=":material/logout:")
    else:
        st.text_input(TEXT["student"], key=FIELD_KEY, help=TEXT["student_help"], max_chars=classroom.MAX_NAME,
                      on_change=_claim)
        if ss.get(REFUSED_KEY):
            st.error(ss[REFUSED_KEY], icon=":material/lock:")
    _draw_cookie()
    if ss.get(TEACHER_KEY):
        st.success(TEXT["teacher_on"], icon=":material/school:")
        students()
        st.button(TEXT["teacher_off"], on_click=_leave, type="tertiary", key="class_leave")
        return
    st.text_input(TEXT["teacher"], key=TOKEN_KEY, type="password", help=TEXT["teacher_help"], on_change=_check_token)
    if ss.get(WRONG_KEY):
        st.error(TEXT["teacher_wrong"], icon=":material/lock:")
