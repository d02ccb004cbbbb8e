"""A real browser: one click on a lesson of the Lessons page launches its runs and opens Live, drawn.

Launching several runs used to happen before the page switch; Chromium then showed a blank Live
page ("Bad delta path" in its console). Live now opens at once and launches the runs itself.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, server, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

CHARTS_DRAWN = "() => document.querySelectorAll('.js-plotly-plot .main-svg').length"


def test_one_click_on_a_lesson_launches_its_runs_and_opens_live_drawn(server, browser):  # noqa: F811
    from deeparch.store import Store

    base, runs = server
    page = new_page(browser, viewport={"width": 1280, "height": 1400})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "delta" in m.text.lower() else None)
    page.goto(base + "/lessons")
    settle(page)
    with rerun(page, 60_000):
        page.locator(".st-key-lesson-cnn_vs_mlp button").click()
    page.wait_for_url("**/live**", timeout=60_000)
    expect(page.get_by_role("heading", name="Live")).to_be_visible()
    page.wait_for_function(f"() => ({CHARTS_DRAWN})() > 0", timeout=120_000)  # Live draws the runs' charts
    assert not errors, errors
    launched = Store(runs).list_runs()
    assert sorted(r.arch for r in launched) == ["cnn", "cnn", "mlp"]  # the course CNN, a small one, the MLP
    assert len({r.group_name for r in launched}) == 1 and launched[0].group_name.startswith("lesson:cnn_vs_mlp")
    # the runs are the page's selection
    assert page.get_by_text("CNN against a plain network (MLP) · CNN").count() > 0
