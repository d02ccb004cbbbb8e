"""The Runs page's compression section: one ticked classifier run, Measure, the before/after table."""
from __future__ import annotations

from test_compress import trained
from test_pages import app_store, button, open_page  # noqa: F401 - fixtures by name


def test_runs_page_compresses_a_ticked_classifier(app_store):
    run_id = trained(app_store, steps=10)
    state = {"runs_table": {"selection": {"rows": [0], "columns": []}}, "runs_shown": [run_id]}
    at = open_page("pages/runs.py", state)
    at.slider(key="compress_sparsity").set_value(0.3)
    button(at, "Measure").click().run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value
    assert list(table["Version"]) == ["float32", "pruned 30% (global)", "int8 (dynamic)", "pruned 30% + int8"]
    assert abs(table["Zero weights"][1] - 0.3) < 0.01
    assert any("int8 replaced: classifier.1 (Linear)" in c.value for c in at.caption)
