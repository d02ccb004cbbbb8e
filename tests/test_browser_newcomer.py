"""A newcomer's first minutes, in a real browser (Chromium, 1280×720): the app opens on an empty store
with a welcome and one button; the demo run it launches opens on Live, which follows its training by
itself; the newcomer zooms into the loss chart and hides a line (both survive the live refresh), then
stops the run from the page. A real worker trains the demo.

Prints the latency from a metric row's wall time in the store to its point appearing in the page's loss
chart (docs/benchmarks.md, "Live dashboard").
"""
from __future__ import annotations

import re
import statistics
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, server, settle  # noqa: F401 - fixtures
from waiting import until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.journey, pytest.mark.timeout(300)]

# the Loss chart's points: how many, and the last step (-1 while there is no such chart)
LOSS_POINTS = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = ((el.layout && el.layout.title && el.layout.title.text) || '').replace(/<[^>]+>/g, '');
    if (t === 'Loss' && el.data && el.data.length) {
      // numpy arrays travel base64-encoded; plotly.js decodes them into _fullData
      let x = el._fullData && el._fullData[0] ? el._fullData[0].x : el.data[0].x;
      if (!x || x.length === undefined) return {n: 0, last: -1};
      return {n: x.length, last: x.length ? Number(x[x.length - 1]) : -1};
    }
  }
  return {n: -1, last: -1};
}"""


# the loss chart's view: its x range and the traces hidden from the legend, and a mark that
# shows whether it is still the same <div> (a remounted chart would lose the mark)
LOSS_VIEW = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = ((el.layout && el.layout.title && el.layout.title.text) || '').replace(/<[^>]+>/g, '');
    if (t !== 'Loss') continue;
    const box = el.querySelector('.nsewdrag').getBoundingClientRect();
    const item = el.querySelector('.legend .traces .legendtoggle');
    const ibox = item ? item.getBoundingClientRect() : null;
    el.__mark = el.__mark || Math.random();
    return {range: el._fullLayout.xaxis.range.map(Number), autorange: !!el._fullLayout.xaxis.autorange,
            hidden: el._fullData.filter(d => d.visible === 'legendonly').map(d => d.name),
            names: el._fullData.map(d => d.name), mark: el.__mark,
            box: [box.x, box.y, box.width, box.height],
            legend: ibox ? [ibox.x + ibox.width / 2, ibox.y + ibox.height / 2] : null};
  }
  return null;
}"""



SCROLL_TO_LOSS = """() => {
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const t = ((el.layout && el.layout.title && el.layout.title.text) || '').replace(/<[^>]+>/g, '');
    if (t === 'Loss') el.scrollIntoView({block: 'center'});
  }
}"""


def test_a_newcomer_launches_the_demo_watches_it_train_and_stops_it(server, browser):
    from deeparch.store import Store

    base, runs = server
    store = Store(runs)
    page = new_page(browser, viewport={"width": 1280, "height": 720})
    page.goto(base + "/")
    settle(page)
    expect(page.get_by_role("heading", name="Welcome to deeparch")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^There are no runs yet\. Start with a short demo"))).to_be_visible()

    with rerun(page, 60_000):
        page.get_by_role("button", name="Launch a demo run").click()
    (run,) = store.list_runs()
    assert (run.name, run.arch, run.config["hp"]["max_steps"]) == ("demo: CNN, 300 steps", "cnn", 300)
    expect(page).to_have_url(re.compile(rf"/live\?runs={run.id}$"))
    expect(page.get_by_role("heading", name="Live")).to_be_visible()
    expect(page.get_by_text("demo: CNN, 300 steps").first).to_be_visible()  # the run is the page's selection
    # Live follows the training by itself: the run's step, then its loss curve, growing
    expect(page.get_by_text(re.compile(r"step [1-9][\d,]* of 300")).first).to_be_visible(timeout=120_000)
    page.wait_for_function(f"() => ({LOSS_POINTS})().n > 1", timeout=60_000)
    first = page.evaluate(LOSS_POINTS)
    page.wait_for_function(f"() => ({LOSS_POINTS})().n > {first['n']}", timeout=60_000)

    # latency: a loss row's wall time in the store → its step appearing as the chart's last point (each
    # new last point is caught on the animation frame that draws it; up to 8 of them, for 15 s at most)
    latencies = []
    seen = page.evaluate(LOSS_POINTS)["last"]
    deadline = time.monotonic() + 15
    while len(latencies) < 8 and time.monotonic() < deadline:
        try:
            page.wait_for_function(f"() => ({LOSS_POINTS})().last > {seen}",
                                   timeout=max(1, (deadline - time.monotonic()) * 1000))
        except PlaywrightTimeout:
            break
        now = time.time()
        seen = page.evaluate(LOSS_POINTS)["last"]
        df = store.metrics(run.id, keys=["loss"])
        wall = df.loc[df["step"] == int(seen), "wall"]
        if len(wall):
            latencies.append(now - float(wall.iloc[-1]))
    assert latencies, "no new point arrived in 15 s"
    median = statistics.median(latencies)
    print(f"\nlive latency (store wall time → point in the browser): median {median:.2f} s, "
          f"min {min(latencies):.2f} s, max {max(latencies):.2f} s over {len(latencies)} updates")
    assert median < 10

    # zoom the loss chart with the mouse and hide a trace from its legend: both survive refreshes
    page.wait_for_function(f"() => ({LOSS_VIEW})().names.includes('test')", timeout=60_000)
    page.evaluate(SCROLL_TO_LOSS)  # on a 720-pixel screen the chart may sit below the fold
    view = page.evaluate(LOSS_VIEW)
    assert view["names"][:3] == ["train", "validation", "test"], view["names"]
    x, y, w, h = view["box"]
    page.mouse.move(x + 0.3 * w, y + 0.5 * h)
    page.mouse.down()
    page.mouse.move(x + 0.5 * w, y + 0.5 * h, steps=8)
    page.mouse.move(x + 0.7 * w, y + 0.5 * h, steps=8)
    page.mouse.up()
    page.wait_for_function(f"(before) => {{ const v = ({LOSS_VIEW})(); return !v.autorange && "
                           f"JSON.stringify(v.range) !== JSON.stringify(before); }}", arg=view["range"])
    assert view["legend"], "the loss chart has no legend"
    page.mouse.click(*view["legend"])
    # plotly hides the trace once its double-click delay has passed without a second click
    page.wait_for_function(f"() => ({LOSS_VIEW})().hidden.length > 0")
    zoomed = page.evaluate(LOSS_VIEW)
    assert not zoomed["autorange"] and zoomed["range"] != view["range"], (view, zoomed)
    assert zoomed["hidden"] == ["train"], zoomed  # that line only: "test" stays
    n0 = page.evaluate(LOSS_POINTS)["n"]
    try:
        page.wait_for_function(f"() => ({LOSS_POINTS})().n >= {n0 + 3}", timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail("the chart stopped growing after the zoom")
    after = page.evaluate(LOSS_VIEW)
    assert after["mark"] == zoomed["mark"], "the chart was redrawn from scratch"
    assert after["range"] == zoomed["range"] and not after["autorange"], (zoomed, after)
    assert after["hidden"] == zoomed["hidden"], (zoomed, after)
    print(f"zoom kept over {page.evaluate(LOSS_POINTS)['n'] - n0} new points: x range "
          f"{[round(v) for v in after['range']]}, hidden {after['hidden']}")

    # stop it from the page
    page.get_by_role("button", name="Stop").first.click()
    until(lambda: store.get_run(run.id).status in ("stopped", "finished"), 60, "the run's end")
    final = store.get_run(run.id)
    assert final.status == "stopped", (final.status, final.reason)
    expect(page.get_by_text("stopped").first).to_be_visible(timeout=30_000)
