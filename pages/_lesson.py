"""A lesson's script (what to watch, in order, and the questions to ask), shared by the Lessons page
and the Live page of a lesson's runs, so the teacher reads it beside the charts it talks about."""
from __future__ import annotations

import streamlit as st

from deeparch.present import i18n
from deeparch.course.lessons import Lesson
from deeparch.present.text import md_escape

TEXT = i18n.Catalog("lesson", {
    "watch": "What to watch",
    "questions": "Questions for the class",
    "script_title": "Lesson: {title}",
    "step": "{n}. {text}",
    "question": "- {text}",
})


def script(lesson: Lesson, expanded: bool = False) -> None:
    """The lesson's script in an expander: numbered things to watch, then the questions."""
    with st.expander(TEXT["script_title"].format(title=i18n.tr(lesson.title)), expanded=expanded,
                     icon=":material/school:"):
        st.markdown(f"**{TEXT['watch']}**\n\n" + "\n".join(
            TEXT["step"].format(n=n, text=md_escape(i18n.tr(t))) for n, t in enumerate(lesson.watch, 1)))
        st.markdown(f"**{TEXT['questions']}**\n\n" + "\n".join(
            TEXT["question"].format(text=md_escape(i18n.tr(q))) for q in lesson.questions))
