"""The Runs page's compression panel: prune / quantize one ticked finished classifier
(``deeparch.engine.compress``) and show the before/after table.

The words are the Runs page's: ``words`` is its ``TEXT``.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from deeparch.course.config import ConfigError
from deeparch.engine import compress
from deeparch.present.text import md_escape
from pages import _classroom, _prefs


def compress_table(report, words: Mapping):
    """The report as the page shows it: one row per version, sizes in MB, columns in words."""
    df = compress.table(report).reset_index()
    df["size_mb"], df["gzip_mb"] = df["size_bytes"] / 1e6, df["size_gzip_bytes"] / 1e6
    cols = words["compress_cols"]
    return df[list(cols)].rename(columns=cols)


def compression(s, ids: list[int], words: Mapping) -> None:
    """Prune / quantize one ticked classifier run and show the before/after table (the last one measured
    stays in the run's folder)."""
    runs = [r for r in (s.get_run(i) for i in ids[:1]) if r is not None]
    run = runs[0] if len(ids) == 1 and runs else None
    if run is None or not compress.compressible(run.arch, run.dataset):
        st.caption(words["compress_pick"])
        return
    with st.expander(words["compress"].format(name=md_escape(run.name)), icon=":material/compress:"):
        st.caption(words["compress_intro"])
        c1, c2, c3 = st.columns([3, 3, 2], vertical_alignment="bottom")
        sparsity = c1.slider(words["compress_sparsity"], 0.0, 0.95, 0.5, 0.05, key="compress_sparsity",
                             help=words["compress_sparsity_help"], format=_prefs.number_format())
        scope = c2.selectbox(words["compress_scope"], compress.SCOPES, key="compress_scope",
                             format_func=lambda k: words["compress_scopes"][k])
        int8 = c3.checkbox(words["compress_int8"], value=True, key="compress_int8")
        refused = _classroom.refusal(run, "compress")  # it costs the class's CPU: the owner's or the teacher's call
        if refused:
            st.caption(refused)
        if st.button(words["compress_go"], icon=":material/speed:", key="compress_go",
                     disabled=not (sparsity or int8) or bool(refused)):
            try:
                with st.spinner(words["compress_busy"]):
                    compress.save(s, compress.compress(s, run.id, sparsity, int8, scope, repeats=20))
            except (ConfigError, OSError, RuntimeError) as e:
                st.error(words["compress_failed"].format(error=md_escape(str(e))), icon=":material/error:")
        if not (sparsity or int8):
            st.caption(words["compress_nothing"])
        report = compress.saved(s, run.id)
        if report is None:
            return
        st.dataframe(compress_table(report, words), hide_index=True, width="stretch", column_config={
            words["compress_cols"][k]: st.column_config.NumberColumn(format="percent")
            for k in ("sparsity", "test_acc", "agree")} | {
            words["compress_cols"][k]: st.column_config.NumberColumn(format=_prefs.number_format("%.2f"))
            for k in ("size_mb", "gzip_mb", "latency_b1_ms", "latency_b256_ms")})
        if report.quantized:
            none = words["compress_none"]
            st.caption(words["compress_quantized"].format(names=", ".join(report.quantized) or none,
                                                         kept=", ".join(report.kept_float) or none))
        st.caption(words["compress_timing"].format(repeats=report.repeats, threads=report.threads))
