"""An engineer's sweep in a real browser (Chromium, 1400×1000).

The Sweep tab of Train, filled as a person fills it (the values typed and the second knob picked at
once, with no pause for the page between), queues one run per point with exactly the typed values.
Compare then shows a finished 3×3 sweep as one figure, a heat map of the best test accuracy over
learning rate × batch size, with the table of its runs. The finished sweep is written straight into the
store (tests/fake_runs.py): Compare reads it as it reads a trained one, and no test here trains.

``SWEEP_SCREENSHOT=<file>`` saves Compare's view of the sweep (docs/sweep-compare.png).
"""
from __future__ import annotations

import itertools
import os
import re

import pytest
from playwright.sync_api import expect

import fake_runs
from browser_util import browser, enter, module_browser, new_page, rerun, serving, settle  # noqa: F401 - fixtures
import deeparch.course.archs  # noqa: F401 - the Params declare the labels param_label reads
from deeparch.present.i18n import param_label

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.journey, pytest.mark.timeout(300)]

LRS, BATCHES = [1e-4, 1e-3, 1e-2], [32, 64, 128]
# the sweep figure as the browser drew it: its axes and the values of its cells (None until nine are drawn)
HEAT = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const d = el._fullData && el._fullData[0];
    if (d && d.type === 'heatmap') {
      const z = [].concat(...Array.from(d.z, row => Array.from(row))).map(Number);
      if (z.filter(v => v === v).length === 9) return {x: Array.from(d.x), y: Array.from(d.y), z};
    }
  }
  return null;
}"""


@pytest.fixture(scope="module")
def sweep_server(tmp_path_factory):
    """One server for the module; one run trains at a time, so a queued sweep starts one worker only."""
    runs = tmp_path_factory.mktemp("sweep") / "runs"
    with serving(runs, {"DEEPARCH_MAX_RUNS": "1"}) as (base, _):
        yield base, runs


def test_values_typed_and_the_second_knob_picked_at_once_queue_one_run_per_point(sweep_server, browser):
    from deeparch.execution import jobs
    from deeparch.store import Store

    base, runs = sweep_server
    store = Store(runs)
    before = {r.id for r in store.list_runs()}
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base + "/")
    settle(page)
    for name, text in (("max_steps", "3"), ("channels", "4"), ("hidden", "16")):  # tiny runs, should one start
        enter(page, page.get_by_label(param_label(name), exact=True), text)
    with rerun(page):
        page.get_by_role("tab", name="Sweep").click()
    expect(page.get_by_role("combobox", name="Knob", exact=True)).to_have_value(param_label("lr"))
    lr_box = page.get_by_label("Values of lr", exact=True)
    lr = "1e-4, 1e-3, 1e-2"
    with rerun(page):  # typed, then the second knob picked straight away: the field's own rerun is not awaited
        lr_box.fill(lr)
        page.get_by_role("combobox", name="Second knob (optional)", exact=True).click()
        page.get_by_role("option", name=param_label("batch_size"), exact=True).click()
    expect(lr_box).to_have_value(lr)
    expect(page.get_by_label("Values of batch_size", exact=True)).to_have_value("32, 64, 128")  # around 64
    expect(page.get_by_text(re.compile(r"^9 runs; up to 1 train at once"))).to_be_visible()

    with rerun(page):
        page.get_by_role("button", name="Launch sweep").click()
    expect(page.get_by_role("heading", name="Compare")).to_be_visible()
    expect(page.get_by_role("combobox", name="Sweep", exact=True)).to_have_value(re.compile(r"\(9 runs\)$"))
    queued = [r for r in store.list_runs() if r.id not in before]
    try:
        assert len(queued) == 9 and len({r.sweep["id"] for r in queued}) == 1
        assert sorted((r.config["hp"]["lr"], r.config["hp"]["batch_size"]) for r in queued) == \
            sorted(itertools.product(LRS, BATCHES))
        assert {(r.config["hp"]["max_steps"], r.config["hp"]["channels"], r.config["hp"]["hidden"])
                for r in queued} == {(3, 4, 16)}  # the One run tab's settings, as typed
    finally:  # the training is not what is tested here: the queue is emptied, the worker ended
        for r in store.list_runs(status=("queued",)):
            jobs.stop(r.id, store)
        for r in queued:
            jobs.delete(r.id, store)


def test_an_engineer_reads_a_finished_sweep_on_compare(sweep_server, browser):
    from deeparch.store import Store

    base, runs = sweep_server

    def best_acc(point):  # a lr of 1e-3 and batches of 64 do best: a peak in the middle of the grid
        i, j = LRS.index(point["lr"]), BATCHES.index(point["batch_size"])
        return round(0.9 - 0.2 * abs(i - 1) - 0.03 * abs(j - 1), 4)

    group = "sweep lr × batch_size 2026-03-02 10:00:00"
    ids = fake_runs.sweep(Store(runs), {"lr": LRS, "batch_size": BATCHES}, best_acc, group=group)
    page = new_page(browser, viewport={"width": 1400, "height": 1000})
    page.goto(base + "/compare")
    settle(page)
    # the latest sweep is shown by default, as one figure
    expect(page.get_by_role("combobox", name="Sweep", exact=True)).to_have_value(f"{group} (9 runs)")
    page.wait_for_function(HEAT)
    heat = page.evaluate(HEAT)
    assert heat["y"] == ["0.0001", "0.001", "0.01"] and heat["x"] == ["32", "64", "128"]
    expected = [best_acc({"lr": lr, "batch_size": b}) for lr in LRS for b in BATCHES]
    assert heat["z"] == pytest.approx(expected) or heat["z"] == pytest.approx([100 * v for v in expected]), heat
    expect(page.get_by_text("9 of 9 runs have ended")).to_be_visible()
    # the table of the sweep's runs: every point, by name (a table's cells are in its accessible copy)
    names = [f"lr={lr:g} batch_size={b}" for lr in LRS for b in BATCHES]
    page.wait_for_function(f"() => {names!r}.every(n => Array.from(document.querySelectorAll("
                           f"'[data-testid=stDataFrame]')).some(t => t.textContent.includes(n)))")
    assert len(ids) == 9
    shot = os.environ.get("SWEEP_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=False)
