"""A Brazilian teacher's browser (Chromium in pt-BR) types a learning rate the Brazilian way, 0,01, and
launches: the run in the store trains with lr = 0.01, and Live's slider shows Brazilian numbers. A real server, a real worker (stopped at the end by
``serving``). Fixtures: tests/browser_util.py.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, server, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]


def test_a_brazilian_decimal_typed_in_lr_is_launched_as_that_number(server, browser):
    from deeparch.store import Store

    base, runs = server
    page = new_page(browser, locale="pt-BR", viewport={"width": 1280, "height": 720})
    page.goto(base + "/")
    settle(page)
    lr = page.get_by_label("Taxa de aprendizado (lr)", exact=True)
    expect(lr).to_have_value("0,001")  # the default as a Brazilian writes it
    page.get_by_label("Limite de passos (max_steps)", exact=True).fill("20")  # a short run
    lr.fill("0,01")
    # typed and clicked in one go: the browser sends the fields' text with the click
    with rerun(page, 60_000):
        page.get_by_role("button", name="Lançar execução").click()
    expect(page).to_have_url(re.compile(r"/live"))  # a launch opens Live; a refused field stays on Treinar
    expect(page.get_by_role("heading", name="Ao vivo")).to_be_visible()
    # the smoothing slider in the reader's marks: 0 (and 0,85), where a printf format wrote 0.00
    expect(page.get_by_test_id("stSliderThumbValue").first).to_have_text("0")
    store = Store(runs)
    (run,) = store.list_runs()
    assert run.config["hp"]["lr"] == 0.01 and run.config["hp"]["max_steps"] == 20
    assert not page.get_by_text("deve ser um número").count()
