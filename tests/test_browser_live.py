"""The Live page (and every page, for hostile run names) in a real browser.

- Run names are data: runs named with an iframe-srcdoc script, a Markdown image, a right-to-left
  override and web or mail addresses are shown on every page (Train, Live, Compare, Runs, Lessons);
  no dialog opens, nothing is fetched from outside this machine, no text in the page is reversed, and
  no address becomes a link out of the lab (Streamlit's Markdown links bare addresses even when
  escaped).
- A shown run that trains again (resumed from elsewhere: another tab, the CLI) gets the live
  refresh by itself (issue 7.3).
"""
from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

import fake_runs
from browser_util import browser, module_browser, module_server, new_page, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

HOSTILE = {
    "script": '<iframe srcdoc="<script>parent.alert(parent.document.title)</script>"></iframe>',
    "image": "![](http://example.invalid/x.png)",
    "bidi": "abc\u202edef",
}
ADDRESSES = ("see https://example.com", "[x](https://evil.example)", "www.example.org or ana@example.net")
# every link on the page that leads to one of the names' addresses
LINKS = """() => Array.from(document.querySelectorAll('a')).map(a => a.href)
  .filter(h => /example\\.(com|org|net)|evil\\.example/.test(h))"""

# every text the page shows, Plotly's SVG text included, and the iframes it holds
PAGE_TEXT = """() => ({
  text: document.body.innerText,
  svg: Array.from(document.querySelectorAll('svg text')).map(t => t.textContent),
  iframes: Array.from(document.querySelectorAll('iframe')).map(f => f.getAttribute('srcdoc') || f.src),
  images: Array.from(document.querySelectorAll('img')).map(i => i.src),
})"""


LOCAL_HOSTS = ("127.0.0.1", "localhost")
LOCAL_SCHEMES = ("data", "blob", "about")


@pytest.fixture
def page(browser):
    """A 1280x720 page that records every dialog (``page.dialogs``) and every request to a host other
    than this machine (``page.outside``)."""
    pg = new_page(browser, viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    pg.dialogs, pg.outside = [], []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    def on_request(r):
        u = urlparse(r.url)
        if u.scheme not in LOCAL_SCHEMES and u.hostname not in LOCAL_HOSTS:
            pg.outside.append(r.url)

    pg.on("dialog", on_dialog)
    pg.on("request", on_request)
    return pg


def wait_for_charts(page, n: int = 1, timeout_s: float = 60) -> None:
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .legend, .js-plotly-plot .gtitle')"
                           f".length >= {n}", timeout=timeout_s * 1000)


# every image has loaded (or failed: an outside address is then in page.outside), every chart has drawn its SVG
LOADED = """() => Array.from(document.querySelectorAll('img')).every(i => i.complete)
  && Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p.querySelector('.main-svg'))"""


def test_hostile_run_names_are_shown_as_text_on_every_page(module_server, page):
    from deeparch.course.lessons import BY_ID
    from deeparch.store import Store

    base, runs = module_server
    store = Store(runs)
    ids = []
    for seed, name in enumerate(HOSTILE.values()):
        rid = fake_runs.finished_cnn(store, steps=100, name="x", seed=seed)
        store.update_run(rid, name=name)  # raw, as a store written before names were cleaned holds it
        ids.append(rid)
    ids += [fake_runs.finished_cnn(store, steps=60, name=n) for n in ADDRESSES]
    store.update_run(ids[-1], group_name=BY_ID["learning_rate"].group("2026-01-01 10:00"))  # a lesson's run
    q = ",".join(map(str, ids))
    for path, title, charts in (("/train", "Train", 0), (f"/live?runs={q}", "Live", 3),
                                (f"/compare?runs={q}", "Compare", 2), ("/runs", "Runs", 0),
                                ("/lessons", "Lessons", 0)):
        page.goto(base + path)
        settle(page)
        expect(page.get_by_role("heading", name=title)).to_be_visible()
        if charts:
            wait_for_charts(page, charts)
        page.wait_for_load_state("networkidle")  # every element, and anything a name could smuggle in, loaded
        page.wait_for_function(LOADED)
        got = page.evaluate(PAGE_TEXT)
        assert not page.dialogs, (path, page.dialogs)
        assert not page.outside, (path, page.outside)
        assert not [f for f in got["iframes"] if "script" in (f or "")], (path, got["iframes"])
        assert not [i for i in got["images"] if "example.invalid" in i], (path, got["images"])
        if path == "/runs":  # a table's cells are in its accessible copy, which is hidden: its textContent
            page.wait_for_function(f"() => {list(ADDRESSES)!r}.every(n => ((document.querySelector("
                                   "'[data-testid=stDataFrame]') || {}).textContent || '')"
                                   ".replace(/\\u2060/g, '').includes(n))", timeout=60_000)
        assert page.evaluate(LINKS) == [], path
        texts = [got["text"], *got["svg"]]
        assert not [t for t in texts if "\u202e" in t], path  # nothing reversed
        if charts:  # the names are there, as text: in the headers, chips, captions and legends
            assert HOSTILE["script"] in got["text"] and HOSTILE["image"] in got["text"], path
            assert any("abcdef" in t for t in got["svg"]), (path, got["svg"])
            assert any("<iframe" in t for t in got["svg"]), path
            shown = got["text"].replace("\u2060", "")
            assert all(n in shown for n in ADDRESSES), path


def test_a_stopped_run_that_trains_again_is_followed_without_a_click(module_server, page):
    """Issue 7.3: Live stayed on "stopped, step 126" while the resumed run trained on (step 366 on the CLI)."""
    from deeparch.store import Store

    base, runs = module_server
    store = Store(runs)
    rid = fake_runs.running_gan(store, steps=126, total=2000)
    store.set_status(rid, "stopped", "stopped by request")
    page.goto(f"{base}/live?runs={rid}")
    settle(page)  # the page has drawn the stopped run: nothing shown is active, the live refresh is off
    expect(page.get_by_text("step 126 of 2,000")).to_be_visible()

    # resumed from outside the page: the run trains again (rows, heartbeat, step), as a worker would; the
    # page must show it advancing, step after step, with nothing clicked
    store.update_run(rid, status="running", ended=None, reason=None)
    for step in (371, 376, 381):
        now = time.time()
        store.log_metrics(rid, [(step, k, 0.7, now) for k in ("g_loss", "d_loss", "d_x", "d_g_z")],
                          heartbeat=now, step=step)
        expect(page.get_by_text(f"step {step:,} of 2,000")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("running").first).to_be_visible()


# the Live charts' state in the page, in page order: a short hash of the newest figure handed to each chart,
# whether that is the figure it has drawn, how many times it was drawn, and whether it is below the window
CHARTS = """() => Array.from(document.querySelectorAll('div.deeparch-plot')).map(el => {
  const hash = (s) => { let h = 0; for (let i = 0; i < (s || '').length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
  const newest = el.__deeparchLatest ? el.__deeparchLatest.figure : null;
  return {newest: hash(newest), drawn: newest !== null && newest === el.__deeparchDrawn,
          updates: Number(el.dataset.updates || 0), below: el.getBoundingClientRect().top >= window.innerHeight};
})"""


def test_a_chart_out_of_sight_is_redrawn_only_once_it_is_seen(module_server, browser):
    """Watching costs what is seen: a refresh hands every chart its new figure, but only the charts in sight
    are drawn; one scrolled out of sight draws the newest figure when it comes back into sight."""
    from deeparch.store import Store

    base, runs = module_server
    store = Store(runs)
    rid = fake_runs.running_gan(store, steps=100, total=5000)
    page = new_page(browser, viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    page.goto(f"{base}/live?runs={rid}")
    settle(page)
    page.wait_for_function(f"() => ({CHARTS})().filter(c => c.below && c.drawn).length >= 2")
    before = page.evaluate(CHARTS)

    now = time.time()
    keys = ["g_loss", "d_loss", "d_x", "d_g_z", "grad_norm", "lr", "samples_per_s",
            *(f"grad/{layer}" for layer in fake_runs.layers("gan"))]
    store.log_metrics(rid, [(110, k, 0.7, now) for k in keys], heartbeat=now, step=110)
    # the refreshes hand the new point to every chart, in sight and out of it (the lower panels every few s)
    first_below = next(i for i, c in enumerate(before) if c["below"])
    page.wait_for_function(f"() => ({CHARTS})().some((c, i) => i >= {first_below} && c.newest !== "
                           f"{[c['newest'] for c in before]}[i])")
    after = page.evaluate(CHARTS)
    moved = [i for i, (b, a) in enumerate(zip(before, after)) if a["newest"] != b["newest"] and b["below"]]
    assert moved, after
    i = moved[0]
    assert not after[i]["drawn"] and after[i]["updates"] == before[i]["updates"], (before[i], after[i])
    in_sight = [j for j, (b, a) in enumerate(zip(before, after)) if not b["below"] and a["newest"] != b["newest"]]
    if in_sight:  # a chart in sight that got the point draws it at once
        page.wait_for_function(f"() => ({CHARTS})()[{in_sight[0]}].drawn")

    page.locator("div.deeparch-plot").nth(i).scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({CHARTS})()[{i}].drawn")
    assert page.evaluate(CHARTS)[i]["updates"] == before[i]["updates"] + 1
    store.set_status(rid, "stopped", "the test ended")
