"""Train's Sweep tab: a grid over one or two knobs of the One run tab's settings, launched as a group of
queued runs that Compare then shows against the knobs (``deeparch.execution.sweep`` does the work).

The words are the Train page's: ``words`` is its ``TEXT``.
"""
from __future__ import annotations

import time
from collections.abc import Mapping

import streamlit as st

from deeparch.course.archs import ARCHS, schema
from deeparch.course.config import ConfigError
from deeparch.execution import jobs, sweep
from deeparch.present import i18n, numbers
from deeparch.present.text import md_escape
from pages import _classroom, _controls, _selection, _store
from pages._fields import classroom_reasons, kept, launch_button, shown


def sweep_knob(arch: str, n: int, exclude: str | None, optional: bool, words: Mapping):
    """One knob of a sweep and its values: (knob or None, values, reason or None)."""
    knobs = [k for k in sweep.sweepable(arch) if k != exclude]
    options = ([""] if optional else []) + knobs
    default = "" if optional else ("lr" if "lr" in knobs else knobs[0])
    c1, c2 = st.columns([2, 3])
    with c1:
        knob = kept(st.selectbox, f"sweep_knob{n}:{arch}", {"index": options.index(default)},
                    words[f"sweep_knob{n}"], options,
                    format_func=lambda k: i18n.param_label(k) if k else words["sweep_no_knob"])
    if not knob:
        return None, [], None
    p = schema(arch)[knob]
    with c2:
        text = kept(st.text_input, f"sweep_values{n}:{arch}:{knob}", {"value": sweep.suggested(p)},
                    words["sweep_values"].format(knob=knob), help=words["sweep_values_help"].format(
                        help=i18n.tr(p.help), range=i18n.tr_error(p.describe_range()),
                        sample=f"{shown(0.001)}{numbers.list_separator()} {shown(0.01)}",
                        sep=words["list_comma" if numbers.list_separator() == "," else "list_semicolon"]))
    try:
        return knob, sweep.parse_values(p, text), None
    except ConfigError as e:
        st.error(words["field_invalid"].format(error=md_escape(i18n.tr_error(str(e)))), icon=":material/error:")
        return knob, [], str(e)


def sweep_tab(arch: str, dataset: str, base: dict, base_errors: list[str], words: Mapping) -> None:
    """A grid over one or two knobs of the One run tab's settings, launched as a group of queued runs."""
    st.caption(words["sweep_intro"].format(arch=i18n.tr(ARCHS[arch].title)))
    knob1, values1, error1 = sweep_knob(arch, 1, None, optional=False, words=words)
    knob2, values2, error2 = sweep_knob(arch, 2, knob1, optional=True, words=words)
    reasons = [*base_errors, *(e for e in (error1, error2) if e)]
    grid = {k: v for k, v in ((knob1, values1), (knob2, values2)) if k}
    planned = []
    if not reasons:
        try:
            grid = sweep.parse_grid(arch, grid)
            planned = sweep.configs(arch, dataset, {k: v for k, v in base.items() if k not in grid}, grid)
        except ConfigError as e:
            reasons.append(str(e))
    if planned:
        st.caption(words["sweep_count"].format(n=len(planned), slots=jobs.max_runs(_store.store())))
        reasons += classroom_reasons(len(planned))
    if launch_button(words["sweep_launch"], "sweep_go", ":material/grid_view:", reasons, words):
        now = time.strftime("%Y-%m-%d %H:%M:%S")
        group = words["sweep_name"].format(knobs=words["sweep_x"].join(grid), time=now)
        names = [sweep.point_name(p) for p, _ in planned]
        fixed = {k: v for k, v in base.items() if k not in grid}

        def go():  # on the Compare page, before it draws anything; a point this machine cannot train
            # (memory, precision) raises ConfigError, none is queued, and Compare says why
            ids = _controls.launch_once([c for _, c in planned], names, launch=lambda: sweep.launch(
                arch, dataset, fixed, grid, store=_store.store(), group=group, names=names,
                owner=_classroom.owner())[1])
            if ids:
                st.session_state["handoff:compare_sweep"] = _store.store().get_run(ids[0]).sweep["id"]
            return ids

        _selection.launch_then_open("pages/compare.py", go, words["double"])
