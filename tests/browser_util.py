"""What the real-browser tests share: a ``streamlit run app.py`` server on a free port with its own
run store, and Debian's Chromium driven through Playwright.

Test modules import the fixtures by name (``from browser_util import server, browser``).
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

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop_workers(runs: Path) -> None:
    """Never leave a worker behind: stop what the test launched, delete what does not stop."""
    from deeparch import jobs
    from deeparch.config import ConfigError
    from deeparch.store import Store

    if not (runs / "runs.db").exists():
        return
    s = Store(runs)
    for r in s.list_runs(status=("queued", "starting", "running", "paused")):
        try:
            jobs.stop(r.id, s)
        except ConfigError:  # it ended meanwhile (a stop request with no worker behind it is reconciled)
            continue
        try:
            jobs.wait(r.id, s, timeout=30)
        except TimeoutError:
            jobs.delete(r.id, s)


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
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("streamlit did not start:\n" + proc.stdout.read().decode(errors="replace"))
            time.sleep(0.3)
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


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def settle(page, timeout_ms: int = 30_000) -> None:
    """Wait until the app's script has no rerun in flight (the frontend marks stApp while one runs or is
    asked for), so the next click or key lands on the page as that rerun left it; then a beat to draw."""
    page.wait_for_timeout(200)
    page.locator(IDLE).wait_for(state="attached", timeout=timeout_ms)
    page.wait_for_timeout(200)


@pytest.fixture
def server(tmp_path):
    """(base URL, run store folder) of a fresh server; the folder may be filled before the first page loads."""
    runs = tmp_path / "runs"
    with serving(runs) as (base, _):
        yield base, runs


@pytest.fixture
def browser():
    """A headless Chromium for one test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
