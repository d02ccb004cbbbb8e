"""The one private Streamlit API the app uses (``pages/_compat.py``): these tests fail loudly when
Streamlit changes it, and prove the workaround still does its job (issue 9.9)."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import streamlit
from streamlit import config

from browser_util import browser, module_browser, new_page, server  # noqa: F401 - fixtures
from pages import _compat

ROOT = Path(__file__).resolve().parent.parent
CHANGED = (f"Streamlit {streamlit.__version__} changed PagesManager.uses_pages_directory, the private flag "
           "pages/_compat.py clears so that a first visit to /live still runs app.py. Check how this "
           "version decides between the pages/ folder and st.navigation, then update or remove the workaround: ")


@pytest.fixture
def flag():
    """The class-level flag, restored after the test (it is shared by every session of a process)."""
    from streamlit.runtime.pages_manager import PagesManager

    before = PagesManager.uses_pages_directory
    yield PagesManager
    PagesManager.uses_pages_directory = before


def test_pages_manager_still_has_the_flag():
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError as e:
        pytest.fail(CHANGED + f"streamlit.runtime.pages_manager.PagesManager is gone ({e})")
    assert _compat.PagesManager is PagesManager, CHANGED + "pages/_compat.py could not import it"
    assert _compat.FLAG in vars(PagesManager), CHANGED + "the class attribute is renamed or removed"


def test_script_runner_still_consults_the_flag():
    from streamlit.runtime.scriptrunner import script_runner

    source = inspect.getsource(script_runner.ScriptRunner)
    assert re.search(r"if PagesManager\.uses_pages_directory:\s*\n\s*_mpa_v1\(", source), \
        CHANGED + "the script runner no longer chooses the pages/ folder mode from it"


def test_the_app_layout_still_turns_the_flag_on(flag):
    """If Streamlit stops guessing the mode from a pages/ folder, the workaround can go."""
    flag.uses_pages_directory = None
    flag(str(ROOT / "app.py"), setup_watcher=False)
    assert flag.uses_pages_directory is True, \
        CHANGED + "a pages/ folder beside app.py no longer turns it on: pages/_compat.py may be unnecessary"


def test_st_navigation_still_clears_the_flag():
    from streamlit.commands import navigation

    assert re.search(r"PagesManager\.uses_pages_directory = False", inspect.getsource(navigation.navigation)), \
        CHANGED + "st.navigation no longer clears it"


def test_leave_pages_folder_mode_clears_the_flag(flag):
    flag.uses_pages_directory = True
    before = config.get_option("global.appTest")
    config.set_option("global.appTest", True)  # no rerun outside a script run
    try:
        _compat.leave_pages_folder_mode()
    finally:
        config.set_option("global.appTest", before)
    assert flag.uses_pages_directory is False


def test_the_private_flag_is_touched_in_one_place_only():
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("deeparch/**/*.py"), ROOT / "app.py"]
    users = sorted(str(f.relative_to(ROOT)) for f in files if _compat.FLAG in f.read_text()
                   or "PagesManager" in f.read_text())
    assert users == ["pages/_compat.py"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_first_visit_to_live_runs_the_app_navigation(server, browser):
    """A fresh server whose first request is /live still draws app.py's sidebar and navigation."""
    base, _ = server
    page = new_page(browser)
    page.goto(f"{base}/live")
    page.get_by_role("heading", name="Live").wait_for(timeout=60_000)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("deep architectures lab").wait_for(timeout=30_000)  # app.py's sidebar
    nav = sidebar.get_by_test_id("stSidebarNav")
    labels = [t.split(None, 1)[-1] for t in nav.get_by_role("link").all_inner_texts()]  # after the icon's name
    # app.py's pages, not the pages/ folder's files
    assert labels == ["Train", "Live", "Compare", "Runs", "Lessons", "Draw a digit"]
