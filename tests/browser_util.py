"""What the real-browser tests share: a ``streamlit run app.py`` server on a free port with its own
run store, Debian's Chromium driven through Playwright, and waits on the app's own state.

Fixtures, imported by name (``from browser_util import browser, module_browser, module_server``):

- ``server``: a fresh server over an empty store, for one test;
- ``module_server``: one server for a module's tests, which must not depend on each other's runs;
- ``browser``: the module's one Chromium (``module_browser``, imported beside it); every context a
  test opens in it is closed after the test.

Pages come from :func:`new_page` (or :func:`new_context`), which follows the app's websocket, so a
test waits on what the app does, never for a fixed time: :func:`settle` after a page load and
``with rerun(page): <action>`` around a click or a typed field wait until the server has answered
every script run the page asked for (the runs that timers ask for, such as the sidebar's counts every
2 s, do not count).
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from waiting import until

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
STREAM = "/_stcore/stream"
EXPECT_S = 30  # how long an expect(...) waits for the page to show what it asserts (Playwright's default: 5 s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop_workers(runs: Path) -> None:
    """Never leave a worker behind: stop what the test launched, delete what does not stop."""
    from deeparch.execution import jobs
    from deeparch.course.config import ConfigError
    from deeparch.store import Store

    if not (runs / "runs.db").exists():
        return
    s = Store(runs)
    for r in s.list_runs(status=("queued", "starting", "running", "paused")):
        if r.status != "queued" and not jobs.pid_alive(r.pid, r):  # a run a test wrote: no worker to wait for
            s.set_status(r.id, "stopped", "the test ended")
            continue
        try:
            jobs.stop(r.id, s)
        except ConfigError:  # it ended meanwhile (a stop request with no worker behind it is reconciled)
            continue
        try:
            jobs.wait(r.id, s, timeout=30)
        except TimeoutError:
            jobs.delete(r.id, s)


def _healthy(url: str, proc: subprocess.Popen) -> bool:
    if proc.poll() is not None:
        raise AssertionError("streamlit ended:\n" + proc.stdout.read().decode(errors="replace"))
    try:
        urllib.request.urlopen(url, timeout=1)
        return True
    except OSError:
        return False


@contextlib.contextmanager
def serving(runs: Path, env_extra: dict | None = None):
    """A ``streamlit run app.py`` server over the store ``runs`` (with ``env_extra`` in its environment):
    yields (base URL, process); its output is in ``process.output`` once it has ended."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the browser test")
    pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright (requirements-dev.txt)")
    port = free_port()
    env = {**os.environ, "DEEPARCH_RUNS": str(runs),
           "DEEPARCH_DATA": os.environ.get("DEEPARCH_DATA", str(ROOT / "data")), **(env_extra or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        until(lambda: _healthy(f"http://127.0.0.1:{port}/_stcore/health", proc), 60, "streamlit's health check", 0.2)
    except AssertionError as e:
        os.killpg(proc.pid, 9)
        pytest.fail(str(e))
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        proc.output = proc.stdout.read().decode(errors="replace")
        _stop_workers(runs)


@pytest.fixture
def server(tmp_path):
    """(base URL, run store folder) of a fresh server; the folder may be filled before the first page loads."""
    runs = tmp_path / "runs"
    with serving(runs) as (base, _):
        yield base, runs


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """(base URL, run store folder) of one server for the module's tests: each adds the runs it reads."""
    runs = tmp_path_factory.mktemp("runs") / "runs"
    with serving(runs) as (base, _):
        yield base, runs


@pytest.fixture(scope="module")
def module_browser():
    """One headless Chromium for the module's tests."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the browser test")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright")
    sync_api.expect.set_options(timeout=EXPECT_S * 1000)  # a loaded 2-core machine draws a page in seconds
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(module_browser):
    """The module's Chromium for one test: the contexts (cookies, tabs) the test opens are closed after it."""
    yield module_browser
    for context in module_browser.contexts:
        context.close()


# ---- waiting on the app -------------------------------------------------------------------------------
def _follow(page) -> None:
    """Count, from the app's websocket, the script runs the page asks for and those the server ends.

    ``page.asked`` counts the page's own requests (a BackMsg ``rerun_script`` not sent by a timer: a
    click, a committed field, a page switch, the first load). A run that starts (ForwardMsg
    ``new_session``) after the n-th request has it; when such a run ends (``script_finished``: the
    whole script, or the fragment a click was in), ``page.answered`` becomes n. A run cut short for a
    rerun (a newer request, ``st.rerun``, ``st.switch_page``) is no end: the run that replaces it
    starts later. Every request has been answered once ``answered == asked``."""
    if hasattr(page, "asked"):
        return
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def loading(request) -> None:  # a new document (goto, reload): a new session, counted afresh
        if request.is_navigation_request() and request.frame.parent_frame is None:
            page.asked, page.started, page.answered, page.socket = 0, 0, 0, None

    page.asked, page.started, page.answered, page.socket = 0, 0, 0, None
    page.fragment_asked = False
    page.on("request", loading)
    page.console_errors = []  # what the browser's console said went wrong (for a failing test's message)
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)

    def sent(payload) -> None:
        if isinstance(payload, bytes):
            msg = BackMsg.FromString(payload)
            if msg.WhichOneof("type") == "rerun_script" and not msg.rerun_script.is_auto_rerun:
                page.asked += 1
                page.fragment_asked = bool(msg.rerun_script.fragment_id)  # a click inside a fragment

    def received(payload) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg.FromString(payload)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                page.started = page.asked
            elif kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                page.answered = page.started
            elif kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY \
                    and page.fragment_asked:
                # the fragment a click was in has run (no new session for it); a timed fragment that
                # ends while the whole page is still running (the sidebar's counts, every 2 s) is no answer
                page.answered = page.asked

    def opened(ws) -> None:
        if ws.url.endswith(STREAM):
            page.socket = ws
            ws.on("framesent", sent)
            ws.on("framereceived", received)

    page.on("websocket", opened)


def new_context(browser, **kwargs):
    """A browser context (its own cookies) whose pages are followed for :func:`settle` and :func:`rerun`."""
    context = browser.new_context(**kwargs)
    context.on("page", _follow)
    return context


def new_page(browser, **kwargs):
    """A page in a context of its own (``kwargs``: viewport, locale…), followed for settle and rerun."""
    page = new_context(browser, **kwargs).new_page()
    _follow(page)
    return page


def _answered(page, since: int, timeout_ms: float, what: str) -> None:
    """Wait, event by event on the app's websocket, until the page has asked for a run after ``since``
    requests and the server has ended a run that started after its last request.

    Not stApp's idle mark: a page that refreshes a part every second or two (Live while runs train, on
    a loaded machine) is hardly ever marked idle, though its last full run has ended."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    assert hasattr(page, "asked"), "a page from browser_util.new_page / new_context is followed; this one is not"
    deadline = time.monotonic() + timeout_ms / 1000
    while not (page.asked > since and page.answered == page.asked):
        left = (deadline - time.monotonic()) * 1000
        if left <= 0:
            raise AssertionError(f"{what}: the page asked for {page.asked - since} run(s); {page.url} has "
                                 f"not ended one that started after the last in {timeout_ms / 1000:g} s")
        try:
            if page.socket is None:  # the page is still loading
                page.wait_for_event("websocket", timeout=left)
            else:
                page.socket.wait_for_event("framereceived", timeout=left)
        except PlaywrightTimeout:
            continue  # the message above


def settle(page, timeout_ms: float = 60_000) -> None:
    """After ``page.goto``: wait until the app's script has run for the page and every run it asked for
    has ended, so the next click or key lands on the page as the app drew it."""
    _answered(page, 0, timeout_ms, f"loading {page.url}")


@contextlib.contextmanager
def rerun(page, timeout_ms: float = 30_000):
    """``with rerun(page): <click, or a field typed and committed>``: on leaving the block, the action has
    asked the app for a script run and the server has ended every run asked for (a page switch included)."""
    since = page.asked
    yield
    _answered(page, since, timeout_ms, "the rerun of the action")


def enter(page, box, text: str, timeout_ms: float = 30_000) -> None:
    """Type ``text`` into the text field ``box`` and press Enter; wait for the rerun it asks for (none when
    the field already holds ``text``: the app sees no change)."""
    if box.input_value() == text:
        return
    with rerun(page, timeout_ms):
        box.fill(text)
        box.press("Enter")


def says(page, text: str, timeout_ms: float = EXPECT_S * 1000) -> None:
    """Wait until the page (sidebar included) shows ``text``; if it does not, fail with what the sidebar and
    the page show instead and what the browser's console said."""
    try:
        page.get_by_text(text).first.wait_for(timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - Playwright's timeout: say what the page shows instead
        side = page.evaluate("() => (document.querySelector('[data-testid=stSidebar]') || {}).innerText || ''")
        main = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body || {}).innerText")
        raise AssertionError(f"{page.url} does not say {text!r}; its sidebar shows {side[:600]!r}; the page shows "
                             f"{main[:300]!r}; console errors: {getattr(page, 'console_errors', [])[-5:]}") from None


def shows(page, heading: str, timeout_ms: float = EXPECT_S * 1000) -> None:
    """Wait until the page shows ``heading``; if it does not, fail with what the page shows instead and
    what the browser's console said (a blank page after a page switch is a defect to diagnose, not retry)."""
    from playwright.sync_api import expect

    try:
        expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=timeout_ms)
    except AssertionError:
        text = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body || {}).innerText")
        raise AssertionError(f"{page.url} does not show {heading!r}; it shows {text[:400]!r}; console errors: "
                             f"{getattr(page, 'console_errors', [])[-5:]}") from None
