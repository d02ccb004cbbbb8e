"""A newcomer's first minute, in a real browser (Chromium, 1280×720): the app opens on an empty store
with a welcome and one button; the demo run it launches opens on Live, which follows its training.
A real worker trains the demo (the server's teardown stops it)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, server, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.journey, pytest.mark.timeout(300)]

# the number of points of the Loss chart's first line (-1 while there is no such chart)
LOSS_POINTS = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const title = (el.querySelector('.gtitle') || {}).textContent;
    if (title === 'Loss' && el._fullData && el._fullData[0]) return el._fullData[0].x.length || 0;
  }
  return -1;
}"""


def test_a_newcomer_launches_the_demo_from_the_first_page_and_watches_it_train(server, browser):
    from deeparch.store import Store

    base, runs = server
    page = new_page(browser, viewport={"width": 1280, "height": 720})
    page.goto(base + "/")
    settle(page)
    expect(page.get_by_role("heading", name="Welcome to deeparch")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^There are no runs yet\. Start with a short demo"))).to_be_visible()

    with rerun(page, 60_000):
        page.get_by_role("button", name="Launch a demo run").click()
    (run,) = Store(runs).list_runs()
    assert (run.name, run.arch, run.config["hp"]["max_steps"]) == ("demo: CNN, 300 steps", "cnn", 300)
    expect(page).to_have_url(re.compile(rf"/live\?runs={run.id}$"))
    expect(page.get_by_role("heading", name="Live")).to_be_visible()
    expect(page.get_by_text("demo: CNN, 300 steps").first).to_be_visible()  # the run is the page's selection
    # Live follows the training by itself: the run's step, then its loss curve
    expect(page.get_by_text(re.compile(r"step [1-9][\d,]* of 300")).first).to_be_visible(timeout=120_000)
    page.wait_for_function(f"() => ({LOSS_POINTS})() > 1", timeout=60_000)
