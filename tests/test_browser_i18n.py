"""Every page in the browser's language, and nothing fetched from outside this machine.

A Chromium context with ``locale="en-US"`` opens every page over a store holding one run of each
situation: no Portuguese sentence of the catalog may show (names such as CNN, LSTM, GAN, DDPM and
words spelled the same in both languages excepted). That no English is left on a Portuguese page is
checked by ``tests/test_pages_words.py``, over runs of every architecture and every English string of
the catalog; the journeys open pages in a pt-BR browser, which follows its language. Every request of
every page must go to this server (the favicon included). The sidebar switches the language.
Screenshots of the Portuguese pages go to docs/ when DEEPARCH_SCREENSHOTS is set.
"""
from __future__ import annotations

import contextlib
import os
import re
import string
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

import fake_runs
from browser_util import browser, module_browser, module_server, new_page, rerun, settle  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

LOCAL_HOSTS = ("127.0.0.1", "localhost")
LOCAL_SCHEMES = ("data", "blob", "about")
# what a reader sees: the page's text and Plotly's SVG text, without Material icons (drawn from ligatures:
# the icon :material/stop: is the word "stop" in the DOM)
PAGE_TEXT = """() => {
  const icons = Array.from(document.querySelectorAll('[data-testid="stIconMaterial"]'));
  icons.forEach(i => { i.dataset.was = i.style.display; i.style.display = 'none'; });
  const text = [document.body.innerText,
                ...Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)].join('\\n');
  icons.forEach(i => { i.style.display = i.dataset.was; });
  return text;
}"""
MARKUP = re.compile(r":material/[a-z_]+:|[*`]|:\w+-badge\[")


def _pairs():
    """(English, Portuguese) of every catalog string: page words, declared words, parameter labels."""
    from deeparch.catalogs import translations

    for (context, english), portuguese in translations().items():
        if not (context or "").startswith(("error:", "choice:")):
            yield english, portuguese


def fragments(text: str, other: str) -> list[str]:
    """The literal pieces of a catalog string (placeholders cut out) that would betray it on a page in
    the other language: at least four letters, and not also in its translation (MNIST, Fréchet, Dropout)."""
    out = []
    for literal, *_ in string.Formatter().parse(text):
        for piece in re.split(r"[\n()\[\]:·—–]+", MARKUP.sub(" ", literal)):
            piece = piece.strip(" .,;-/#")
            if sum(c.isalpha() for c in piece) >= 4 and piece not in other:
                out.append(piece)
    return out


def metric_keys() -> set[str]:
    """The metric keys the architectures declare (code names, as a diverged run's reason quotes them: "loss")."""
    from deeparch.course.archs import ARCHS

    return {line.key for spec in ARCHS.values() for p in spec.display.with_common().panels for line in p.lines}


def leaks(shown: str, lang: str) -> list[str]:
    """Catalog pieces of the language that is not ``lang`` found, as whole words, in ``shown``; the code
    names kept visible on purpose ("Épocas (epochs)") and words inside paths (".../runs") do not count."""
    from deeparch.catalogs import param_names

    code = param_names() | metric_keys()
    found = set()
    for english, portuguese in _pairs():
        if english == portuguese:
            continue
        wrong, right = (english, portuguese) if lang == "pt-BR" else (portuguese, english)
        for piece in fragments(wrong, right):
            if piece not in code and re.search(r"(?<![\w/.-])" + re.escape(piece) + r"(?![\w/.-])", shown):
                found.add(piece)
    return sorted(found)


def outside(url: str) -> bool:
    u = urlparse(url)
    return u.scheme not in LOCAL_SCHEMES and u.hostname not in LOCAL_HOSTS


PAGES = {  # path → (its heading in each language, charts to wait for, whether its tabs rerun the page)
    "/": ({"pt-BR": "Treinar", "en-US": "Train"}, 0, True),
    "/live?runs={ids}": ({"pt-BR": "Ao vivo", "en-US": "Live"}, 3, False),
    "/compare?runs={ids}": ({"pt-BR": "Comparar", "en-US": "Compare"}, 2, False),
    "/runs": ({"pt-BR": "Execuções", "en-US": "Runs"}, 0, False),
    "/lessons": ({"pt-BR": "Aulas", "en-US": "Lessons"}, 0, False),
    "/draw": ({"pt-BR": "Desenhe um dígito", "en-US": "Draw a digit"}, 0, False),
}


@pytest.fixture(scope="module")
def populated(module_server):
    """(base URL, ids of one run of each situation): the store every case of the module reads."""
    from deeparch.store import Store

    base, runs = module_server
    return base, ",".join(map(str, fake_runs.populate(Store(runs)).values()))


def visit(page, base: str, path: str, heading: str, charts: int, tabs_rerun: bool) -> str:
    """What the page at ``path`` shows once drawn, every tab's words included."""
    page.goto(base + path)
    settle(page)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible()
    if charts:
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .gtitle').length >= {charts}",
                               timeout=60_000)
    text = page.evaluate(PAGE_TEXT)
    tabs = page.get_by_role("tab")
    for i in range(1, tabs.count()):  # the Train page's Race tab: its words are hidden until opened
        with rerun(page) if tabs_rerun else contextlib.nullcontext():  # Train keeps its open tab on the server
            tabs.nth(i).click()
        expect(tabs.nth(i)).to_have_attribute("aria-selected", "true")
        text += "\n" + page.evaluate(PAGE_TEXT)
    return text


# English pages are read here for Portuguese words; Portuguese pages are read for English ones under
# AppTest (tests/test_pages_words.py), and the journeys open Treinar, Aulas and Ao vivo in a pt-BR browser.
# With DEEPARCH_SCREENSHOTS set, the Portuguese pages are visited too, for their screenshots.
LOCALES = ["en-US"] + (["pt-BR"] if os.environ.get("DEEPARCH_SCREENSHOTS") else [])


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_speaks_the_browsers_language_and_fetches_nothing_outside(populated, browser, locale):
    base, ids = populated
    page = new_page(browser, locale=locale, viewport={"width": 1280, "height": 900})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    shots = os.environ.get("DEEPARCH_SCREENSHOTS")
    for path, (headings, charts, tabs_rerun) in PAGES.items():
        text = visit(page, base, path.format(ids=ids), headings[locale], charts, tabs_rerun)
        if locale == "en-US":  # English left on a Portuguese page: tests/test_pages_words.py
            found = leaks(text, "en")
            assert not found, f"{path} in {locale} shows words of the other language: {found}"
        if shots and locale == "pt-BR":
            name = path.strip("/").split("?")[0] or "train"
            page.screenshot(path=str(Path(shots) / f"pt-BR-{name}.png"), full_page=False)
    icon = page.evaluate("() => Array.from(document.querySelectorAll('link[rel~=icon]')).map(l => l.href)")
    assert icon and not [u for u in icon if outside(u)], icon
    assert not [u for u in requested if outside(u)], [u for u in requested if outside(u)]


def test_the_sidebar_switches_the_language(module_server, browser):
    base, _ = module_server
    page = new_page(browser, locale="en-US", viewport={"width": 1280, "height": 800})
    page.goto(base + "/")
    settle(page)
    expect(page.get_by_role("heading", name="Train")).to_be_visible()
    page.get_by_label("Language").click()  # the selectbox, labelled in the current language
    with rerun(page):
        page.get_by_role("option", name="Português (Brasil)").click()
    expect(page.get_by_role("heading", name="Treinar")).to_be_visible()
    expect(page.get_by_text("Taxa de aprendizado (lr)").first).to_be_visible()  # the form, in Portuguese too
