"""Live's model view: a run's module tree with parameter counts, its class's code and how it differs from the
course listing (``deeparch.engine.models.model_card``: built once per configuration on the meta device, never
trained). The words are the Live page's: ``words`` is its ``TEXT``.
"""
from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from deeparch.engine import models
from deeparch.present import i18n
from deeparch.present.text import md_escape
from deeparch.read import views


@st.cache_data(show_spinner=False, max_entries=32)
def model_card(config_json: str):
    """The model a run's configuration builds, as ``deeparch.engine.models.model_card`` describes it (built once per
    configuration, never trained); None for an architecture this version no longer has."""
    return models.model_card(config_json)


def model_itself(run, words: Mapping) -> None:
    """The run's module tree with parameter counts, its class's code and how it differs from the course."""
    with st.expander(words["model"].format(name=md_escape(run.name)), icon=":material/account_tree:"):
        found = views.spec(run.arch)
        card = model_card(json.dumps(run.config, sort_keys=True)) if found else None
        if card is None:
            st.caption(words["model_none"])
            return
        tree, path, code = card
        differs = views.differs(run.arch, run.dataset)
        if differs:
            st.markdown(words["model_differs"].format(text=md_escape(i18n.tr(differs))))
        st.caption(words["model_tree"])
        table = pd.DataFrame(tree)
        table["module"] = ["\u2003" * d + m for d, m in zip(table["depth"], table["module"])]  # indent by depth
        st.dataframe(table[list(words["model_cols"])].rename(columns=words["model_cols"]), hide_index=True,
                     width="stretch", height=min(420, 38 + 35 * len(table)))
        st.caption(words["model_code"].format(path=path))
        st.code(code, language="python")
