"""Real-browser checks of the Runs table selection and the Train form (issue 7.1, 7.2).

Only a browser shows these: the table's ticks live in the browser as row positions, and a
number field that refuses a value keeps its previous one there. Fixtures: tests/browser_util.py.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

import fake_runs
from browser_util import browser, module_browser, module_server, new_page, rerun, server, settle  # noqa: F401
import deeparch.course.archs  # noqa: F401 - the Params declare the labels param_label reads
from deeparch.present.i18n import param_label

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

# ids of the rows the table shows as ticked (its accessible copy carries aria-selected), and all ids
TABLE = """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] tr[aria-rowindex]'))
  .filter(r => r.querySelector('td')).map(r => ({id: Number(r.querySelector('td').textContent),
                                                 ticked: r.getAttribute('aria-selected') === 'true'}))"""
ROW_H = 35  # st.dataframe's row and header height in pixels


def ticked(page) -> list[int]:
    return [r["id"] for r in page.evaluate(TABLE) if r["ticked"]]


def caption(page, *needles: str) -> str:
    texts = page.locator("[data-testid=stCaptionContainer]").all_inner_texts()
    return next((t for t in texts if any(n in t for n in needles)), "")


def test_runs_delete_leaves_no_other_run_ticked(server, browser):
    from deeparch.store import Store

    base, runs = server
    store = Store(runs)
    ids = [fake_runs.finished_cnn(store, steps=60, name=f"run {c}") for c in "abcd"]
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base + "/runs")
    settle(page)
    grid = page.locator("[data-testid=stDataFrame]")
    page.wait_for_function(f"() => ({TABLE})().length === 4")
    order = [r["id"] for r in page.evaluate(TABLE)]
    assert order == ids[::-1]
    victim = ids[2]  # the second row
    box = grid.bounding_box()
    with rerun(page):  # the tick reaches the server
        page.mouse.click(box["x"] + 15, box["y"] + ROW_H * (1 + order.index(victim)) + ROW_H / 2)  # its tick box
    expect(page.get_by_text("1 selected", exact=True)).to_be_visible()
    assert ticked(page) == [victim]

    with rerun(page):
        page.get_by_role("button", name="Delete", exact=True).click()
    warning = page.locator("[data-testid=stAlertContentWarning]")
    expect(warning).to_contain_text(f"#{victim} run c")  # the confirmation names the run it deletes
    with rerun(page):
        page.get_by_role("button", name="Yes, delete").click()
    page.wait_for_function(f"() => ({TABLE})().length === 3")
    assert store.get_run(victim) is None
    assert ticked(page) == [], "after the delete another run sits ticked in the browser"
    assert caption(page, "selected", "Tick rows").startswith("Tick rows")

    # any later rerun sends the browser's ticks again: still nothing selected, nothing to export or delete
    search = page.get_by_label("Name contains")
    with rerun(page):
        search.fill("run")
        search.press("Enter")
    assert ticked(page) == []
    assert caption(page, "selected", "Tick rows").startswith("Tick rows")
    assert page.get_by_role("button", name="Delete", exact=True).is_disabled()
    assert page.get_by_role("button", name="Export metrics (CSV)").is_disabled()
    assert [r.id for r in store.list_runs()] == [ids[3], ids[1], ids[0]]


@pytest.mark.parametrize("field,typed,reason", [("lr", "1e9", "is out of range"),
                                                ("batch_size", "0", "is out of range")])
def test_train_bad_value_typed_then_launch_clicked_launches_nothing(module_server, browser, field, typed, reason):
    from deeparch.store import Store

    base, runs = module_server  # nothing is launched here: the store stays empty for every case
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base + "/")  # Train is the default page: its address is the root
    settle(page)
    box = page.get_by_label(param_label(field), exact=True)  # "Step limit (max_steps)"
    with rerun(page):  # the field's text and the click reach the server together: every run they ask for ends
        box.fill(typed)  # no Enter, no Tab: straight to the button
        page.get_by_role("button", name="Launch run").click()
    assert Store(runs).list_runs() == [], "a run was launched with values the form does not show"
    shown = page.get_by_text(f"{field}=", exact=False).filter(has_text=reason).first
    assert shown.is_visible()  # the reason is on the page, not in a hover icon
    assert page.get_by_role("button", name="Launch run").is_disabled()
    assert box.input_value() == typed  # the form still shows what was typed


def test_runs_after_an_action_nothing_stays_ticked_and_one_click_ticks_the_next_run(server, browser):
    """After Stop the stopped run stayed ticked in the browser, a click on it did not untick it, and the
    next Delete asked to delete it too. Now an action clears the ticks: one click starts the next selection."""
    from deeparch.store import Store

    base, runs = server
    store = Store(runs)
    a, b = fake_runs.running_gan(store), fake_runs.running_gan(store)
    fake_runs.finished_cnn(store, steps=60, name="done")
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base + "/runs")
    settle(page)
    grid = page.locator("[data-testid=stDataFrame]")
    page.wait_for_function(f"() => ({TABLE})().length === 3")
    order = [r["id"] for r in page.evaluate(TABLE)]
    box = grid.bounding_box()

    def click_tick(run_id: int) -> None:
        with rerun(page):
            page.mouse.click(box["x"] + 15, box["y"] + ROW_H * (1 + order.index(run_id)) + ROW_H / 2)

    def wait_ticked(ids: list[int], caption_text: str) -> None:
        page.wait_for_function(f"() => JSON.stringify(({TABLE})().filter(r => r.ticked).map(r => r.id)) === "
                               f"'{sorted(ids, key=order.index)}'.replace(/ /g, '')", timeout=20_000)
        expect(page.get_by_text(caption_text, exact=True)).to_be_visible(timeout=20_000)

    click_tick(a)
    wait_ticked([a], "1 selected")
    with rerun(page):
        page.get_by_role("button", name="Stop", exact=True).click()
    wait_ticked([], "Tick rows in the table to act on them.")
    assert store.get_run(a).control == "stop" and store.get_run(b).control is None

    click_tick(b)  # one click: b alone is ticked
    wait_ticked([b], "1 selected")
    with rerun(page):
        page.get_by_role("button", name="Delete", exact=True).click()
    warning = page.locator("[data-testid=stAlertContentWarning]")
    expect(warning).to_contain_text(f"#{b} gan-{b}")
    assert f"#{a} " not in warning.inner_text()  # the stopped run is not deleted along
