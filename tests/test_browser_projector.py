"""A teacher in front of the class (Chromium, pt-BR, 1280×720): projector mode on, one click on a
lesson launches its runs and opens Ao vivo, drawn, with the lesson's runs as its selection; the page
keeps the projector's large type while the runs train, not only once they end.

Launching several runs used to happen before the page switch; Chromium then showed a blank Live page
("Bad delta path" in its console). Ao vivo now opens at once and launches the runs itself.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, serving, settle  # noqa: F401 - fixtures
from waiting import until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.journey, pytest.mark.timeout(300)]

ROOT_FONT = "() => getComputedStyle(document.documentElement).fontSize"
PROJECTOR_PX, PLAIN_PX = "20px", "16px"
CHARTS_DRAWN = "() => document.querySelectorAll('.js-plotly-plot .main-svg').length"


def test_projector_mode_stays_on_while_a_lessons_runs_train(tmp_path, browser):  # noqa: F811
    from deeparch.store import lifecycle
    from deeparch.course.lessons import BY_ID
    from deeparch.store import Store

    runs = tmp_path / "runs"
    with serving(runs, {"DEEPARCH_MAX_RUNS": "1"}) as (base, _):
        page = new_page(browser, viewport={"width": 1280, "height": 720}, locale="pt-BR")
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "delta" in m.text.lower()
                else None)
        page.goto(base + "/lessons", timeout=90_000)
        settle(page, 90_000)
        assert page.evaluate(ROOT_FONT) == PLAIN_PX
        with rerun(page):
            page.get_by_text("Modo projetor").click()
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX
        with rerun(page, 90_000):
            page.locator(".st-key-lesson-learning_rate button").click()
        expect(page.get_by_role("heading", name="Ao vivo")).to_be_visible()
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX, "projector mode dropped on the launch's page switch"
        store = Store(runs)
        launched = store.list_runs()
        lesson = BY_ID["learning_rate"]
        assert len(launched) == len(lesson.runs) and {r.group_name for r in launched} == {launched[0].group_name}
        assert launched[0].group_name.startswith("lesson:learning_rate")
        page.wait_for_function(f"() => ({CHARTS_DRAWN})() > 0", timeout=120_000)  # Ao vivo draws the runs' charts
        assert not errors, errors
        for r in launched:  # the lesson's runs are the page's selection
            expect(page.get_by_text(r.name).first).to_be_attached()
        until(lambda: [r for r in store.list_runs(status=lifecycle.LIVE) if r.step > 0], 120, "a run training")
        # Ao vivo's live part has redrawn with a run's progress (its card's step), the page still large; the
        # lesson is still on (one run trains at a time: the first may have ended, the others wait their turn)
        expect(page.get_by_text(re.compile(r"passo [1-9]")).first).to_be_visible(timeout=60_000)
        assert store.list_runs(status=lifecycle.ACTIVE), "the lesson's runs all ended before the check"
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX, "projector mode dropped while the runs train"
        assert page.get_by_role("switch", name="Modo projetor").is_checked() or \
            page.locator("[data-testid=stCheckbox] input, [role=switch]").first.is_checked()
