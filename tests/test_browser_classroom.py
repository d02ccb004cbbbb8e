"""Classroom mode in two browser sessions: a student cannot stop or delete another student's run, the
teacher can; the teacher key never reaches the server's log or a URL. With the mode off (the
default), nothing asks for a name or a key.
"""
from __future__ import annotations

import contextlib
import threading
import time

import pytest

import fake_runs
from browser_util import browser, server, serving  # noqa: F401 - fixtures
from test_browser_forms import ROW_H, TABLE, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

TOKEN = "teacher-key-2718"


def session(browser, base: str, path: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.urls = []
    page.on("request", lambda r: page.urls.append(r.url))
    page.goto(base + path, timeout=90_000)
    page.get_by_role("heading", name="Live").wait_for(timeout=60_000)
    return page


def type_in(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(text)
    box.press("Enter")


def stop_button(page):
    return page.get_by_role("button", name="Stop", exact=True)


def tick(page, run_ids) -> None:
    """On the Runs page (reached in the app, so the session keeps its name): tick these runs' rows."""
    page.get_by_role("link", name="Runs").click()
    grid = page.locator("[data-testid=stDataFrame]")
    grid.wait_for(timeout=60_000)
    order = [r["id"] for r in wait_for(page, lambda: page.evaluate(TABLE), "the table", 60)]
    box = grid.bounding_box()
    for i, rid in enumerate(run_ids):
        page.mouse.click(box["x"] + 15, box["y"] + ROW_H * (1 + order.index(rid)) + ROW_H / 2)
        wait_for(page, lambda: page.get_by_text(f"{i + 1} selected").count(), "the tick", 60)


def refusal(page) -> str:
    alert = page.locator("[data-testid=stAlertContentError]").filter(has_text="or the teacher can")
    alert.first.wait_for(timeout=30_000)
    return alert.first.inner_text()


@contextlib.contextmanager
def beating(runs, ids):
    """Keep the fake runs' heartbeat fresh, as their (absent) workers would, so reconcile keeps them running."""
    from deeparch.store import Store

    done = threading.Event()

    def beat():
        s = Store(runs)
        while not done.wait(1.0):
            for rid in ids:
                s.update_run(rid, heartbeat=time.time())

    t = threading.Thread(target=beat, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


def test_a_student_cannot_stop_or_delete_anothers_run_and_the_teacher_can(tmp_path, browser):
    from deeparch.store import Store

    runs = tmp_path / "runs"
    store = Store(runs)
    ana_run, bruno_run = (fake_runs.running_gan(store, steps=20, total=100) for _ in range(2))
    store.update_run(ana_run, owner="ana")
    store.update_run(bruno_run, owner="bruno")
    with serving(runs, {"DEEPARCH_CLASSROOM": "1", "DEEPARCH_TEACHER_TOKEN": TOKEN}) as (base, proc), \
            beating(runs, (ana_run, bruno_run)):
        ana = session(browser, base, f"/live?runs={bruno_run}")
        assert stop_button(ana).is_disabled()  # bruno's run: no Stop for ana
        type_in(ana, "Your name", "ana")
        tick(ana, (ana_run, bruno_run))
        ana.get_by_role("button", name="Stop", exact=True).click()
        said = refusal(ana)  # her own run is not refused: the name reached the server
        assert f"Only bruno or the teacher can stop run #{bruno_run}." in said and "Only ana" not in said
        ana.get_by_role("button", name="Delete", exact=True).click()
        wait_for(ana, lambda: "delete run" in refusal(ana), "the delete refusal")
        assert f"Only bruno or the teacher can delete run #{bruno_run}." in refusal(ana)
        assert ana.get_by_role("button", name="Yes, delete").count() == 0
        assert store.get_run(bruno_run) is not None and store.get_run(bruno_run).control is None
        assert store.get_run(ana_run).control is None  # refused as a whole: nothing half-done

        own = session(browser, base, f"/live?runs={ana_run}")  # a second tab of ana: her own run
        type_in(own, "Your name", "ana")
        stop_button(own).click()  # enabled once the name has reached the server
        wait_for(own, lambda: store.get_run(ana_run).control == "stop", "ana's own stop", 60)
        urls = ana.urls + own.urls
        for page in (ana, own):  # two cores: fewer live pages refreshing at once
            page.context.close()

        teacher = session(browser, base, f"/live?runs={bruno_run}")
        type_in(teacher, "Teacher key", "wrong key")
        teacher.get_by_text("Wrong teacher key.").wait_for(timeout=30_000)
        type_in(teacher, "Teacher key", TOKEN)
        teacher.get_by_text("Teacher: can control every run.").wait_for(timeout=30_000)
        stop_button(teacher).click()
        wait_for(teacher, lambda: store.get_run(bruno_run).control == "stop", "the teacher's stop", 60)
        tick(teacher, (bruno_run,))
        teacher.get_by_role("button", name="Delete", exact=True).click()
        teacher.get_by_role("button", name="Yes, delete").click()
        wait_for(teacher, lambda: store.get_run(bruno_run) is None, "the teacher's delete", 60)
        urls += teacher.urls
    assert not [u for u in urls if TOKEN in u]
    assert TOKEN not in proc.output, "the teacher key is in the server's output"


def test_with_classroom_mode_off_nothing_asks_for_a_name_or_a_key(server, browser):
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    for path, heading in (("/", "Train"), ("/runs", "Runs"), ("/compare", "Compare"), ("/live", "Live")):
        page.goto(base + path)
        page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
        page.wait_for_timeout(1000)
        assert page.get_by_label("Your name").count() == 0, path
        assert page.get_by_label("Teacher key").count() == 0, path
        assert page.locator("input[type=password]").count() == 0, path
