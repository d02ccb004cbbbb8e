"""A teacher in front of the class (Chromium, pt-BR, 1280×720): projector mode on, one click on a
lesson, and Ao vivo keeps the projector's large type while the runs train, not only once they end.
"""
from __future__ import annotations

import re

import pytest

from browser_util import browser, serving, settle  # noqa: F401 - fixtures
from test_browser_forms import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

ROOT_FONT = "() => getComputedStyle(document.documentElement).fontSize"
PROJECTOR_PX, PLAIN_PX = "20px", "16px"


def test_projector_mode_stays_on_while_a_lessons_runs_train(tmp_path, browser):  # noqa: F811
    from deeparch import lifecycle
    from deeparch.store import Store

    runs = tmp_path / "runs"
    with serving(runs, {"DEEPARCH_MAX_RUNS": "1"}) as (base, _):
        page = browser.new_context(viewport={"width": 1280, "height": 720}, locale="pt-BR").new_page()
        page.goto(base + "/lessons", timeout=90_000)
        settle(page, 90_000)
        assert page.evaluate(ROOT_FONT) == PLAIN_PX
        page.get_by_text("Modo projetor").click()
        settle(page)
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX
        page.locator(".st-key-lesson-learning_rate button").click()
        page.get_by_role("heading", name="Ao vivo").wait_for(timeout=60_000)
        settle(page, 90_000)
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX, "projector mode dropped on the launch's page switch"
        store = Store(runs)
        training = wait_for(page, lambda: [r for r in store.list_runs(status=lifecycle.LIVE) if r.step > 0],
                            "a run training", 120)[0]
        # Ao vivo's live part has redrawn with the run's progress (its card's step), the page still large
        shown = re.compile(r"passo [1-9]")
        wait_for(page, lambda: page.get_by_text(shown).count() > 0, "the run's step on Ao vivo", 60)
        assert store.get_run(training.id).status in lifecycle.ACTIVE, "the run ended before the check"
        assert page.evaluate(ROOT_FONT) == PROJECTOR_PX, "projector mode dropped while the runs train"
        assert page.get_by_role("switch", name="Modo projetor").is_checked() or \
            page.locator("[data-testid=stCheckbox] input, [role=switch]").first.is_checked()
