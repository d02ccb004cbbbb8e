"""Issue 12 via issue 9: every chart and view on Live says what to look for, from the declarations."""
from __future__ import annotations

import pytest

import fake_runs
from deeparch.read import views
from deeparch.course.archs import ARCHS
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture


@pytest.mark.parametrize("arch", list(ARCHS))
def test_every_declared_panel_and_view_has_an_explanation(arch):
    d = ARCHS[arch].display.with_common()
    assert d.panels and d.views and d.headline is not None
    for item in (*d.panels, *d.views):
        assert item.explain.strip() and item.title.strip(), (arch, item)


@pytest.mark.parametrize("arch", list(ARCHS))
def test_live_shows_each_declared_explanation_under_its_chart(app_store, arch):
    rid = fake_runs.fake_run(app_store, arch)
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert not at.error
    captions = {c.value for c in at.caption}
    d = views.display(arch, app_store.get_run(rid).dataset).with_common()  # as the run's dataset shows it
    missing = [item.title for item in (*d.panels, *d.views) if item.explain not in captions]
    assert not missing, missing
