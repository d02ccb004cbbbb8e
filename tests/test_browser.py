"""A real browser against a real server: launch a run from the Train page, watch it on Live, stop it.

Starts ``streamlit run app.py`` on a free port with a temporary run store and drives
Debian's Chromium through Playwright. Prints the latency from a metric row's wall time
in the store to its point appearing in the page's loss chart.
"""
from __future__ import annotations

import statistics
import time

import pytest

from browser_util import browser, server  # noqa: F401 - fixtures
from deeparch.i18n import param_label

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

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


def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(param_label(label), exact=True)  # "Step limit (max_steps)"
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(400)


def test_launch_watch_and_stop_from_the_browser(server, browser):
    from deeparch.store import Store

    base, runs = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(base + "/train")
    page.get_by_role("heading", name="Train").wait_for(timeout=60_000)

    set_number(page, "max_steps", 300)
    page.get_by_text("Logging, evaluation and checkpoints").click()
    set_number(page, "log_every", 5)
    set_number(page, "eval_every", 50)  # a "test" line beside "train" in the Loss chart
    page.get_by_label("Run name (optional)").fill("browser test")
    page.get_by_label("Run name (optional)").press("Tab")
    page.get_by_role("button", name="Launch run").click()
    page.wait_for_url("**/live**", timeout=30_000)
    page.get_by_role("heading", name="Live").wait_for()

    store = Store(runs)
    (run,) = store.list_runs()
    assert run.name == "browser test" and run.config["hp"]["max_steps"] == 300

    # the loss chart gains points while the run trains
    deadline = time.monotonic() + 120
    first = None
    while time.monotonic() < deadline:
        got = page.evaluate(LOSS_POINTS)
        if got["n"] > 0 and first is None:
            first = got
        if first is not None and got["n"] > first["n"]:
            break
        page.wait_for_timeout(200)
    else:
        pytest.fail(f"the loss chart did not grow: first={first}, now={page.evaluate(LOSS_POINTS)}")

    # latency: a loss row's wall time in the store → its step appearing as the chart's last point
    latencies = []
    seen = page.evaluate(LOSS_POINTS)["last"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(latencies) < 8:
        got = page.evaluate(LOSS_POINTS)
        if got["last"] > seen:
            now = time.time()
            seen = got["last"]
            df = store.metrics(run.id, keys=["loss"])
            wall = df.loc[df["step"] == int(seen), "wall"]
            if len(wall):
                latencies.append(now - float(wall.iloc[-1]))
        page.wait_for_timeout(50)
    assert latencies, "no new point arrived in 15 s"
    median = statistics.median(latencies)
    print(f"\nlive latency (store wall time → point in the browser): median {median:.2f} s, "
          f"min {min(latencies):.2f} s, max {max(latencies):.2f} s over {len(latencies)} updates")
    assert median < 10

    # zoom the loss chart with the mouse and hide a trace from its legend: both survive refreshes
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "test" not in page.evaluate(LOSS_VIEW)["names"]:
        page.wait_for_timeout(200)
    view = page.evaluate(LOSS_VIEW)
    assert view["names"][:3] == ["train", "validation", "test"], view["names"]
    x, y, w, h = view["box"]
    page.mouse.move(x + 0.3 * w, y + 0.5 * h)
    page.mouse.down()
    page.mouse.move(x + 0.5 * w, y + 0.5 * h, steps=8)
    page.mouse.move(x + 0.7 * w, y + 0.5 * h, steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)
    assert view["legend"], "the loss chart has no legend"
    page.mouse.click(*view["legend"])
    page.wait_for_timeout(800)  # plotly waits out its double-click delay before it hides the trace
    zoomed = page.evaluate(LOSS_VIEW)
    assert not zoomed["autorange"] and zoomed["range"] != view["range"], (view, zoomed)
    assert zoomed["hidden"] == ["train"], zoomed  # that line only: "test" stays
    n0, deadline = page.evaluate(LOSS_POINTS)["n"], time.monotonic() + 30
    while time.monotonic() < deadline and page.evaluate(LOSS_POINTS)["n"] < n0 + 3:
        page.wait_for_timeout(200)
    after = page.evaluate(LOSS_VIEW)
    assert page.evaluate(LOSS_POINTS)["n"] >= n0 + 3, "the chart stopped growing after the zoom"
    assert after["mark"] == zoomed["mark"], "the chart was redrawn from scratch"
    assert after["range"] == zoomed["range"] and not after["autorange"], (zoomed, after)
    assert after["hidden"] == zoomed["hidden"], (zoomed, after)
    print(f"zoom kept over {page.evaluate(LOSS_POINTS)['n'] - n0} new points: x range "
          f"{[round(v) for v in after['range']]}, hidden {after['hidden']}")

    # stop it from the page
    page.get_by_role("button", name="Stop").first.click()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and store.get_run(run.id).status not in ("stopped", "finished"):
        time.sleep(0.3)
    final = store.get_run(run.id)
    assert final.status == "stopped", (final.status, final.reason)
    page.wait_for_timeout(2500)
    assert page.get_by_text("stopped").first.is_visible()
