"""Lessons: ready sets of runs a teacher launches with one click, with the script of what to watch
and the questions to ask; and "break it" pairs (a healthy run beside one broken on purpose)."""
import time

import streamlit as st

from deeparch.present import i18n
from deeparch.course import lessons
from deeparch.store import lifecycle
from deeparch.course.config import ConfigError
from deeparch.course.lessons import Lesson
from deeparch.present.text import md_escape
from pages import _controls, _guard, _lesson, _selection, _store

TEXT = i18n.Catalog("lessons", {
    "title": "Lessons",
    "intro": "Each lesson launches a set of runs with one click and opens them on Live. Read its script while "
             "they train: what to watch, in which order, and the questions to ask the class.",
    "tab_lessons": "Lessons",
    "tab_break": "Break it",
    "break_intro": "Each scenario trains a healthy run beside one broken on purpose. The broken one shows a "
                   "symptom you will meet in real projects; the notes beside the run on Live name it.",
    "topic": "Course topic: {topic} · about {minutes:g} min on a 2-core laptop",
    "symptom": "Symptom to find: **{symptom}**",
    "starts_from": " (starts from the weights of *{source}*)",
    "run": "- **{label}**: {arch}",
    "launch": "Launch ({n} runs)",
    "launch_one": "Launch (1 run)",
    "open": "Open its runs on Live",
    "running": "Runs of this lesson still training or waiting: {ids}.",
    "double": "This lesson was launched a moment ago; not launching it twice.",
    "invalid": "This lesson cannot be launched here: {error}",
    "symptoms": {  # the first deeparch.engine.diagnose key of each scenario's symptom, in words
        "loss_diverging": "the loss diverges",
        "grad_spread": "vanishing gradients",
        "d_winning": "the discriminator wins",
        "d_winning_grad": "the discriminator wins",
        "overfitting": "overfitting",
        "no_digits": "no digits in the samples",
        "not_digits": "no digits in the samples",
    },
})


def active_runs(lesson: Lesson) -> list:
    """This lesson's runs (from any launch of it) that still train or wait."""
    return [r for r in _store.store().list_runs(status=lifecycle.ACTIVE) if lessons.lesson_of(r.group_name) == lesson]


def launch(lesson: Lesson) -> None:
    """Launch every run of the lesson as one group, then open them on Live."""
    try:
        configs = lesson.configs()
    except ConfigError as e:
        st.error(TEXT["invalid"].format(error=md_escape(str(e))), icon=":material/error:")
        return
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    names = lesson.run_names()
    # a fine-tune is launched pointing at its pre-training's id, and waits in the queue for it to end;
    # Live opens at once and launches them (several memory checks and process starts take seconds)
    _selection.launch_then_open("pages/live.py", lambda: _controls.launch_once(
        configs, names, group=lesson.group(stamp), chain=lambda cfgs, start: lesson.launch(cfgs, start, names)),
        TEXT["double"])


def card(lesson: Lesson) -> None:
    with st.container(border=True):
        st.subheader(i18n.tr(lesson.title))
        st.caption(TEXT["topic"].format(topic=i18n.tr(lesson.topic), minutes=lesson.minutes))
        st.markdown(md_escape(i18n.tr(lesson.goal)))
        if lesson.symptoms:
            st.markdown(TEXT["symptom"].format(symptom=TEXT["symptoms"][lesson.symptoms[0]]))
        st.markdown("\n".join(
            TEXT["run"].format(label=md_escape(i18n.tr(r.label)), arch=r.arch)
            + (TEXT["starts_from"].format(source=md_escape(i18n.tr(lesson.runs[r.starts_from].label)))
               if r.starts_from is not None else "") for r in lesson.runs))
        _lesson.script(lesson)
        running = active_runs(lesson)
        row = st.container(horizontal=True, gap="small")
        label = TEXT["launch"].format(n=len(lesson.runs)) if len(lesson.runs) > 1 else TEXT["launch_one"]
        if row.button(label, key=f"lesson:{lesson.id}", type="primary", icon=":material/play_arrow:"):
            launch(lesson)
        if running:
            if row.button(TEXT["open"], key=f"lesson_open:{lesson.id}", icon=":material/monitoring:"):
                _selection.open_page("pages/live.py", [r.id for r in running])
            st.caption(TEXT["running"].format(ids=", ".join(f"#{r.id}" for r in running)))


def main() -> None:
    st.title(TEXT["title"])
    st.caption(TEXT["intro"])
    tab_lessons, tab_break = st.tabs([TEXT["tab_lessons"], TEXT["tab_break"]])
    with tab_lessons:
        cols = st.columns(2)
        for i, lesson in enumerate(lessons.LESSONS):
            with cols[i % 2]:
                card(lesson)
    with tab_break:
        st.caption(TEXT["break_intro"])
        cols = st.columns(2)
        for i, lesson in enumerate(lessons.BREAK_IT):
            with cols[i % 2]:
                card(lesson)


_guard.page(main)
