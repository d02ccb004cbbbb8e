"""Train's "Your own images": upload a zip (one folder per class) or a CSV and import it as a dataset, and
what an imported set holds. The import itself is ``deeparch.engine.own_data``; the words are Train's
(``words``). In classroom mode only the teacher imports."""
from __future__ import annotations

import streamlit as st

from deeparch.course import imported
from deeparch.course.data import DataError, data_root
from deeparch.course.config import ConfigError
from deeparch.execution import classroom
from deeparch.present import i18n, messages
from pages import _classroom

RESULT, CHOSEN = "own_result", "own_select"  # (kind, text) of the last import, shown once; the set to select


def _import(words) -> None:
    """Import the upload (the judge trains meanwhile: seconds), then select the new set in the dataset field."""
    from deeparch.engine import own_data

    ss = st.session_state
    up, name = ss.get("own_file"), (ss.get("own_name") or "").strip()
    try:
        with st.spinner(words["own_working"], show_time=True):
            meta = own_data.import_images(name, up.getvalue(), up.name)
    except (DataError, ConfigError) as e:
        ss[RESULT] = ("error", i18n.tr_error(messages.of(e)))
        return
    ss[CHOSEN] = name
    ss[RESULT] = ("ok", words["own_done"].format(name=name, classes=len(meta["classes"]),
                                                train=i18n.number(meta["train"]), test=i18n.number(meta["test"]),
                                                skipped=i18n.number(meta["skipped"])))
    st.rerun()


def select_imported() -> None:
    """Before the dataset field is drawn: select the set imported in the last script run."""
    if CHOSEN in st.session_state:
        st.session_state["train_dataset"] = st.session_state.pop(CHOSEN)


def uploader(words) -> None:
    """The expander with the uploader, the dataset's name and the Import button."""
    ss = st.session_state
    with st.expander(words["own_title"], icon=":material/upload_file:", expanded=RESULT in ss):
        st.caption(words["own_intro"].format(upload=imported.MAX_UPLOAD_MB, images=i18n.number(imported.MAX_IMAGES),
                                             classes=imported.MAX_CLASSES, least=imported.MIN_PER_CLASS))
        if classroom.enabled() and not _classroom.who().teacher:
            st.info(words["own_teacher"])
            return
        c1, c2 = st.columns([3, 2])
        with c1:
            st.file_uploader(words["own_file"], type=["zip", "csv"], key="own_file")
        with c2:
            st.text_input(words["own_name"], key="own_name", placeholder=words["own_name_placeholder"],
                          help=words["own_name_help"])
        ready = ss.get("own_file") is not None and bool((ss.get("own_name") or "").strip())
        if st.button(words["own_import"], key="own_import", disabled=not ready, icon=":material/upload:"):
            _import(words)
        kind, text = ss.pop(RESULT, (None, None))
        if kind == "ok":
            st.success(text, icon=":material/check_circle:")
        elif kind == "error":
            st.error(text, icon=":material/error:")


def about(name: str, words) -> None:
    """A caption under the dataset field for an imported set: its classes, counts and its judge."""
    meta = imported.infos(data_root()).get(name)
    if meta is None:
        return
    acc = meta.get("judge_accuracy")
    st.caption(words["own_about"].format(classes=", ".join(meta["classes"]), train=i18n.number(meta.get("train", 0)),
                                         test=i18n.number(meta.get("test", 0)),
                                         judge=i18n.number(round(100 * (acc or 0.0))))
               + ("" if imported.judge_trusted(meta) else " " + words["own_weak"].format(
                   trusted=round(100 * imported.JUDGE_TRUSTED))))

