"""Run names are plain text in the browser: an address in a name never becomes a link out of the lab on
Live, Compare, Runs or Lessons (Streamlit's Markdown links bare addresses even when escaped).
Fixtures: tests/browser_util.py."""
from __future__ import annotations

import pytest

import fake_runs
from browser_util import browser, module_browser, new_page, server, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

NAMES = ("see https://example.com", "[x](https://evil.example)", "www.example.org or ana@example.net")
# every link on the page that leads to one of the names' addresses
LINKS = """() => Array.from(document.querySelectorAll('a')).map(a => a.href)
  .filter(h => /example\\.(com|org|net)|evil\\.example/.test(h))"""


def test_names_with_addresses_are_text_on_every_page(server, browser):
    from deeparch.lessons import BY_ID
    from deeparch.store import Store

    base, runs = server
    store = Store(runs)
    ids = [fake_runs.finished_cnn(store, steps=60, name=n) for n in NAMES]
    store.update_run(ids[0], group_name=BY_ID["learning_rate"].group("2026-01-01 10:00"))  # a lesson's run
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    shown = ",".join(map(str, ids))
    for path, where in ((f"/live?runs={shown}", "body"), (f"/compare?runs={shown}", "body"),
                        ("/runs", "[data-testid=stDataFrame]"), ("/lessons", "body")):
        page.goto(base + path)
        settle(page)
        if path != "/lessons":  # the names are drawn (Lessons names no run, only the runs of a lesson training)
            # (a table's cells are in its accessible copy, which is hidden: its textContent, not innerText)
            page.wait_for_function(f"() => {list(NAMES)!r}.every(n => ((document.querySelector('{where}') || {{}})"
                                   f".{'innerText' if where == 'body' else 'textContent'} || '')"
                                   ".replace(/\\u2060/g, '').includes(n))", timeout=60_000)
        assert page.evaluate(LINKS) == [], path
