"""A 3×3 sweep launched from the browser trains to the end, and Compare shows its result as one figure
(a heat map of the best test accuracy over learning rate × batch size). Real workers, tiny runs.

``SWEEP_STEPS`` makes the runs longer and ``SWEEP_SCREENSHOT`` saves the page (docs/sweep-compare.png).
"""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_util import browser, server, settle  # noqa: F401 - fixtures
from deeparch.i18n import param_label
from test_browser_forms import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600)]

# the sweep figure as the browser drew it: its trace type and the values of its cells
HEAT = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const d = el._fullData && el._fullData[0];
    if (d && d.type === 'heatmap') {
      const z = [].concat(...Array.from(d.z, row => Array.from(row)));
      return {x: Array.from(d.x), y: Array.from(d.y), z: z.map(Number)};
    }
  }
  return null;
}"""


def enter(page, name: str, text: str) -> None:
    box = page.get_by_label(param_label(name), exact=True)  # "Step limit (max_steps)"
    box.fill(text)
    box.press("Enter")
    settle(page)


def selected(page, label: str) -> str:
    """The option the select box ``label`` shows (its combo box input holds it)."""
    return page.get_by_role("combobox", name=label, exact=True).input_value()


def sweep_form(page, lr: str) -> str | None:
    """Open the Sweep tab, sweep lr over ``lr`` and batch_size over its suggestion; None once the tab shows
    exactly that, else what it shows. Every step waits for the rerun it causes to end first."""
    page.get_by_role("tab", name="Sweep").click()
    settle(page)
    lr_box = page.get_by_label("Values of lr", exact=True)
    try:
        if selected(page, "Knob") != param_label("lr"):
            page.get_by_role("combobox", name="Knob", exact=True).click()
            page.get_by_role("option", name=param_label("lr"), exact=True).click()
            settle(page)
        lr_box.wait_for(timeout=10_000)
        if lr_box.input_value() != lr:
            enter(page, "Values of lr", lr)
        if selected(page, "Second knob (optional)") != param_label("batch_size"):
            page.get_by_role("combobox", name="Second knob (optional)", exact=True).click()
            page.get_by_role("option", name=param_label("batch_size"), exact=True).click()
            settle(page)
        page.get_by_label("Values of batch_size", exact=True).wait_for(timeout=10_000)
    except PlaywrightTimeout as e:
        return f"{e}".splitlines()[0]
    shown = (selected(page, "Knob"), lr_box.input_value(), selected(page, "Second knob (optional)"))
    return None if shown == (param_label("lr"), lr, param_label("batch_size")) else f"the tab shows {shown}"


def test_a_3x3_sweep_runs_to_the_end_and_compare_shows_one_figure(server, browser, tmp_path):
    from deeparch.store import Store

    base, runs = server
    steps = os.environ.get("SWEEP_STEPS", "3")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(base + "/")
    page.get_by_role("heading", name="Train").wait_for(timeout=60_000)
    settle(page, 60_000)
    for label, text in (("max_steps", steps), ("channels", "4"), ("hidden", "16")):
        enter(page, label, text)
    # each step of the form is checked once the app is idle; the form is filled once, never again until it takes
    lr = "1e-4, 1e-3, 1e-2"
    problem = sweep_form(page, lr)
    if problem is not None:
        page.screenshot(path=str(tmp_path / "sweep-form.png"), full_page=True)
        pytest.fail(f"the Sweep form did not take: {problem}; screenshot {tmp_path}/sweep-form.png")
    assert page.get_by_label("Values of batch_size", exact=True).input_value() == "32, 64, 128"  # suggested around 64
    assert page.get_by_label("Values of lr", exact=True).input_value() == lr
    page.get_by_role("button", name="Launch sweep").click()

    store = Store(runs)
    wait_for(page, lambda: len(store.list_runs()) == 9, "nine queued runs", 30)
    assert {r.sweep["id"] for r in store.list_runs()} == {store.list_runs()[0].sweep["id"]}
    wait_for(page, lambda: all(r.status == "finished" for r in store.list_runs()), "the nine runs to finish", 480)
    heat = wait_for(page, lambda: (lambda h: h if h and len([v for v in h["z"] if v == v]) == 9 else None)(
        page.evaluate(HEAT)), "a heat map with nine values", 30)
    assert heat["y"] == ["0.0001", "0.001", "0.01"] and heat["x"] == ["32", "64", "128"]
    assert all(0 <= v <= 1 for v in heat["z"])
    wait_for(page, lambda: page.get_by_text("9 of 9 runs have ended").is_visible(), "the sweep's end on Compare", 30)
    shot = os.environ.get("SWEEP_SCREENSHOT")
    if shot:
        page.wait_for_timeout(1500)
        page.screenshot(path=shot, full_page=False)
