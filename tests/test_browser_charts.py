"""The learning-rate lesson's loss chart as a teacher projects it: Chromium at 1280×720, Live in projector
mode and Portuguese, the lesson's three runs (fake, tests/fake_runs.py), one of them diverged.

The diverged run must not flatten the others, and the legend must leave the plot at least 60% of the
chart's height. With DEEPARCH_SCREENSHOTS=<folder> the chart is saved there as
lr-lesson-loss-projector-pt-BR.png (docs/ holds the current one). Fixtures: tests/browser_util.py."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import fake_runs
from browser_util import browser, module_browser, new_page, rerun, server, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

LOSS = "Perda"
# the loss chart, drawn in projector style (24 px title) at the width of its column
CHART = f"""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .find(p => (p.querySelector('.gtitle') || {{}}).textContent === '{LOSS}')"""
SETTLED = f"""() => {{ const p = ({CHART})();
  if (!p || getComputedStyle(p.querySelector('.gtitle')).fontSize !== '24px') return false;
  const svg = p.querySelector('.main-svg');
  return p.querySelectorAll('.scatterlayer .trace').length >= 3
    && Math.abs(svg.getBoundingClientRect().width - p.getBoundingClientRect().width) < 2; }}"""
MEASURE = f"""() => {{ const p = ({CHART})();
  p.scrollIntoView({{block: 'center'}});
  const chart = p.getBoundingClientRect(), plot = p.querySelector('.draglayer .nsewdrag').getBoundingClientRect();
  return {{chart: chart.height, plot: plot.height, width: chart.width,
          legend: Array.from(p.querySelectorAll('.legend .traces')).map(t => t.textContent),
          notes: Array.from(p.querySelectorAll('.annotation-text')).map(a => a.textContent)}}; }}"""


def test_the_lr_lesson_loss_chart_reads_on_a_projector(server, browser):
    from deeparch.store import Store

    base, runs = server
    ids = fake_runs.lr_lesson(Store(runs))
    page = new_page(browser, locale="pt-BR", viewport={"width": 1280, "height": 720})
    page.goto(base + "/live?runs=" + ",".join(map(str, ids.values())))
    settle(page)
    with rerun(page):
        page.get_by_text("Modo projetor", exact=True).click()
    page.wait_for_function(SETTLED, timeout=120_000)
    got = page.evaluate(MEASURE)
    print("loss chart at 1280x720, projector, pt-BR:", got)
    assert got["plot"] >= 0.6 * got["chart"], got  # the legend leaves the plot its height
    assert got["legend"] == ["lr 0.1 (about right)", "lr 0.001 (too low)", "lr 1 (too high)",
                             "treinamento", "validação", "teste"]
    assert got["notes"] == ["↑ divergiu: 2×10⁴"]  # the blown run is marked with its peak
    ticks = [float(t.replace(",", ".")) for t in page.evaluate(
        f"() => Array.from(({CHART})().querySelectorAll('.ytick text')).map(t => t.textContent)")]
    assert max(ticks) < 5, ticks  # the healthy runs keep the scale (2.3 at the start), not 0 to 2×10⁴
    shots = os.environ.get("DEEPARCH_SCREENSHOTS")
    if shots:
        page.locator(".js-plotly-plot").filter(has=page.locator(".gtitle", has_text=LOSS)).first.screenshot(
            path=str(Path(shots) / "lr-lesson-loss-projector-pt-BR.png"))
