"""Issue 12: Live draws every view each architecture declares (Chromium, one run of each architecture).

The runs are ``tests/fake_runs.py``'s (a media row in each view's own format, written in
milliseconds); the real media of the CNN's views are checked in tests/test_insight.py and
shot by ``bench/screenshots.py --views``.
"""
from __future__ import annotations

import pytest

import fake_runs
from browser_util import browser, module_browser, new_page, server, settle  # noqa: F401 - fixtures
from deeparch.course.archs import ARCHS
from deeparch.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(400)]

# what follows a view's title: an image that loaded, a drawn Plotly chart, or a table (a text view's
# completions, drawn by st.dataframe)
DRAWN = """(title) => {
  const conts = Array.from(document.querySelectorAll('[data-testid=stElementContainer]'));
  const i = conts.findIndex(c => c.innerText.trim() === title);
  if (i < 0 || i + 1 >= conts.length) return 'no title';
  const next = conts[i + 1];
  const img = next.querySelector('img');
  if (img) return img.complete && img.naturalWidth > 0 ? 'image' : 'image not loaded';
  if (next.querySelector('.js-plotly-plot .main-svg')) return 'chart';
  if (next.querySelector('[data-testid=stDataFrame]')) return 'table';
  return 'nothing: ' + next.innerText.slice(0, 80);
}"""


def test_live_draws_each_declared_view_of_every_architecture(server, browser):
    url, runs = server
    s = Store(runs)
    ids = {arch: fake_runs.fake_run(s, arch, name=f"{arch} views") for arch in ARCHS}
    s.close()
    page = new_page(browser, viewport={"width": 1440, "height": 1000})
    missing = {}
    for arch, rid in ids.items():
        page.goto(f"{url}/live?runs={rid}")
        settle(page)
        page.get_by_text(f"The model itself: {arch} views").wait_for(timeout=60_000)
        for view in ARCHS[arch].display.views:
            page.get_by_text(view.explain, exact=True).first.wait_for(timeout=60_000)
            try:
                page.wait_for_function(f"() => ({DRAWN})({view.title!r}) in {{image: 1, chart: 1, table: 1}}", timeout=30_000)
            except Exception:  # noqa: BLE001 - collect every miss, then fail once with all of them
                missing[(arch, view.kind)] = page.evaluate(DRAWN, view.title)
    assert not missing, missing
