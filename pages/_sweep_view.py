"""Compare's sweep view: which sweep to show, and its final headline figure against the knobs it varied
(a line for one knob, a heat map for two); ``deeparch.execution.sweep`` reads the results.

The words are the Compare page's: ``words`` is its ``TEXT``.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from deeparch.course.archs import ARCHS, schema
from deeparch.execution import sweep
from deeparch.present import charts
from deeparch.read import views
from deeparch.store import lifecycle
from pages import _plot

SWEEP = "compare_sweep"


def sweep_picker(runs, found: dict, words: Mapping) -> str:
    """The sweep to show ("" for none): a hand-off from Train, else the session's choice, else the latest
    run's sweep; none when another page handed over runs of its own."""
    ss = st.session_state
    handoff = ss.pop(f"handoff:{SWEEP}", None)
    if handoff is not None:
        ss[SWEEP] = handoff
        ss.pop("handoff:pages/compare.py", None)  # the sweep's runs: shown by the sweep, not the run picker
    elif "handoff:pages/compare.py" in ss:
        ss[SWEEP] = ""
    elif SWEEP not in ss:
        ss[SWEEP] = ss.get(f"keep:{SWEEP}", runs[0].sweep["id"] if runs[0].sweep else "")
    options = ["", *found]
    if ss[SWEEP] not in options:
        ss[SWEEP] = ""

    def label(sid: str) -> str:
        if not sid:
            return words["sweep_none"]
        members = found[sid]
        return words["sweep_option"].format(group=members[0].group_name or sid, n=len(members))

    choice = st.selectbox(words["sweep"], options, key=SWEEP, format_func=label, help=words["sweep_help"])
    ss[f"keep:{SWEEP}"] = choice
    return choice


def sweep_figure(runs, rms, words: Mapping) -> None:
    """A sweep's final headline figure against its knobs, and how many of its runs have ended."""
    head = views.display(runs[0].arch, runs[0].dataset).headline
    if head is None:
        st.info(words["sweep_no_headline"])
        return
    result = sweep.results(runs, lambda r: views.final_metrics(r, rms[r.id])["headline"])
    knobs = result["knobs"]
    params = schema(runs[0].arch) if runs[0].arch in ARCHS else {}
    log_x = len(knobs) == 1 and getattr(params.get(knobs[0]), "log", False)
    fig = charts.sweep_figure(result, head.label, words["sweep_title"].format(
        metric=head.label, knobs=words["sweep_x"].join(knobs)), percent=head.percent, log_x=log_x,
        uirevision=f"sweep-{runs[0].sweep['id']}", height=420)
    _plot.chart(fig, "compare_sweep_figure")
    done = sum(r.status in lifecycle.FINAL for r in runs)
    st.caption(words["sweep_progress"].format(done=done, n=len(runs)))
