"""Browser-test fixtures: a real ``streamlit run app.py`` on a free port with a temporary run store,
and Debian's Chromium driven by Playwright.

``server`` yields (base URL, run store path) and leaves no worker behind; ``page`` yields a
Playwright page at 1280x720 (deviceScaleFactor 1) that records every dialog and every request
to a host other than this machine in ``page.dialogs`` and ``page.outside``.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = ("127.0.0.1", "localhost")
LOCAL_SCHEMES = ("data", "blob", "about")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the browser test")
    pytest.importorskip("playwright.sync_api", reason="the browser test needs playwright (requirements-dev.txt)")
    port = free_port()
    runs = tmp_path / "runs"
    env = {**os.environ, "DEEPARCH_RUNS": str(runs),
           "DEEPARCH_DATA": os.environ.get("DEEPARCH_DATA", str(ROOT / "data"))}
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
    yield f"http://127.0.0.1:{port}", runs
    os.killpg(proc.pid, 15)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
    from deeparch import jobs
    from deeparch.store import Store

    if (runs / "runs.db").exists():  # never leave a worker behind
        s = Store(runs)
        for r in s.list_runs(status=("queued", "starting", "running", "paused")):
            jobs.stop(r.id, s)
            try:
                jobs.wait(r.id, s, timeout=30)
            except TimeoutError:
                jobs.delete(r.id, s)


def is_local(url: str) -> bool:
    u = urlparse(url)
    return u.scheme in LOCAL_SCHEMES or u.hostname in LOCAL_HOSTS


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
        pg = context.new_page()
        pg.dialogs, pg.outside = [], []

        def on_dialog(d):
            pg.dialogs.append(d.message)
            d.dismiss()

        pg.on("dialog", on_dialog)
        pg.on("request", lambda r: None if is_local(r.url) else pg.outside.append(r.url))
        yield pg
        browser.close()
