"""A class in classroom mode, as it happens: students in their own browsers (Chromium, pt-BR,
1280×720) type their names and launch from Treinar and from a lesson; another browser typing a
student's name cannot take it over; the teacher can stop anyone's run; F5 keeps a student's name;
two tabs of one student cloning at once never pass the per-student limit. With the mode off,
nothing asks for a name or a key.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_util import browser, module_browser, new_page, rerun, says, server, serving, settle, shows  # noqa: F401
from waiting import until

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

TOKEN = "teacher-key-2718"
LIMIT = 3
ENV = {"DEEPARCH_CLASSROOM": "1", "DEEPARCH_TEACHER_TOKEN": TOKEN, "DEEPARCH_STUDENT_MAX_RUNS": str(LIMIT),
       # one run trains at a time: the others wait in the queue, so they stay the student's active runs
       "DEEPARCH_MAX_RUNS": "1"}
LESSON = "vanishing"  # two runs


def open_browser(browser, base: str, path: str = "/"):
    """A new browser of the class (its own cookies), in Portuguese at a projector's 1280×720."""
    page = new_page(browser, viewport={"width": 1280, "height": 720}, locale="pt-BR")
    page.urls = []
    page.on("request", lambda r: page.urls.append(r.url))
    page.goto(base + path, timeout=90_000)
    settle(page, 90_000)
    return page


def enter(page, label: str, text: str) -> None:
    box = page.get_by_role("textbox", name=label)
    with rerun(page):
        box.fill(text)
        box.press("Enter")


def sign_in(page, name: str) -> None:
    enter(page, "Seu nome", name)
    page.get_by_text(f"Você é {name}.").wait_for(timeout=30_000)


def owned(store, name: str, active_only: bool = False) -> list:
    from deeparch.store import lifecycle

    return [r for r in store.list_runs(status=lifecycle.ACTIVE if active_only else None) if r.owner == name]


def launch_from_train(page, store, name: str, epochs: str | None = None) -> int:
    before = {r.id for r in owned(store, name)}
    with rerun(page, 60_000):
        page.get_by_role("link", name="Treinar").click()
    if epochs is not None:
        enter(page, "Épocas", epochs)
    with rerun(page, 60_000):
        page.get_by_role("button", name="Lançar execução").click()
    shows(page, "Ao vivo")
    new = until(lambda: [r.id for r in owned(store, name) if r.id not in before], 60, f"{name}'s run")
    assert len(new) == 1
    return new[0]


def launch_lesson(page, store, name: str) -> list[int]:
    before = {r.id for r in owned(store, name)}
    with rerun(page, 60_000):
        page.get_by_role("link", name="Aulas").click()
    with rerun(page, 60_000):
        page.locator(f".st-key-lesson-{LESSON} button").click()
    shows(page, "Ao vivo")
    return until(lambda: (ids := [r.id for r in owned(store, name) if r.id not in before]) and len(ids) == 2
                 and ids, 60, f"{name}'s lesson runs")


def stop_button(page):
    return page.get_by_role("button", name="Parar", exact=True)


@pytest.mark.journey
def test_a_class_launches_keeps_its_names_and_the_teacher_controls_every_run(tmp_path, browser):
    from deeparch.store import Store

    runs = tmp_path / "runs"
    store = Store(runs)
    with serving(runs, ENV) as (base, proc):
        ana = open_browser(browser, base)
        sign_in(ana, "ana")
        # her first run trains until it is stopped, so every run after it waits in the queue (one trains at a
        # time): each run the test controls is still active when it is controlled, however slow the machine
        ana_train = launch_from_train(ana, store, "ana", epochs="1000")
        ana_lesson = launch_lesson(ana, store, "ana")

        bruno = open_browser(browser, base, "/lessons")
        sign_in(bruno, "bruno")
        launch_lesson(bruno, store, "bruno")
        launch_from_train(bruno, store, "bruno")
        assert {r.owner for r in store.list_runs()} == {"ana", "bruno"}
        assert len(owned(store, "ana")) == 3 and len(owned(store, "bruno")) == 3
        bruno.context.close()

        # another browser types ana's name (and a Cyrillic look-alike): refused, and her run stays hers
        eve = open_browser(browser, base, f"/live?runs={ana_train}")
        for fake in ("ana", "\u0430na"):
            enter(eve, "Seu nome", fake)
            says(eve, "já está em uso nesta turma")
            assert eve.get_by_text("Você é").count() == 0
        assert stop_button(eve).is_disabled()
        eve.context.close()

        # F5: ana is still ana, and her own run can be stopped by her
        ana.goto(f"{base}/live?runs={ana_lesson[0]}")
        settle(ana, 90_000)
        ana.get_by_text("Você é ana.").wait_for(timeout=30_000)
        assert ana.get_by_role("textbox", name="Seu nome").count() == 0
        stop_button(ana).click()
        until(lambda: store.get_run(ana_lesson[0]).control == "stop"
              or store.get_run(ana_lesson[0]).status == "stopped", 60, "ana's own stop")

        # the teacher stops ana's run from Treinar
        teacher = open_browser(browser, base, f"/live?runs={ana_train}")
        enter(teacher, "Chave do professor", "chave errada")
        teacher.get_by_text("Chave do professor incorreta.").wait_for(timeout=30_000)
        enter(teacher, "Chave do professor", TOKEN)
        teacher.get_by_text("Professor: pode controlar todas as execuções.").wait_for(timeout=30_000)
        stop_button(teacher).click()
        until(lambda: store.get_run(ana_train).control == "stop"
              or store.get_run(ana_train).status == "stopped", 60, "the teacher's stop")
        urls = ana.urls + teacher.urls
        teacher.context.close()

        # two tabs of ana click Clonar at the same moment, one free place left: never past her limit
        until(lambda: len(owned(store, "ana", active_only=True)) < LIMIT, 60, "a free place for ana")
        tabs = [ana, ana.context.new_page()]
        tabs[1].goto(f"{base}/live?runs={ana_lesson[1]}")
        tabs[0].goto(f"{base}/live?runs={ana_lesson[1]}")
        clones = []
        for tab in tabs:
            settle(tab, 90_000)
            clones.append(tab.get_by_role("button", name="Clonar", exact=True))
            clones[-1].wait_for(timeout=30_000)
            assert clones[-1].is_enabled()
        with rerun(tabs[0], 90_000), rerun(tabs[1], 90_000):
            for button in clones:  # both clicks are sent before either rerun has answered
                button.click(no_wait_after=True)
        active = owned(store, "ana", active_only=True)
        assert len(active) <= LIMIT, [(r.id, r.status) for r in active]
        # at least the one free place was used (a run of hers that ended meanwhile may free a second)
        assert 1 <= len([r for r in owned(store, "ana") if r.parent == ana_lesson[1]]) <= 2
    assert not [u for u in urls if TOKEN in u]
    assert TOKEN not in proc.output, "the teacher key is in the server's output"


def test_with_classroom_mode_off_nothing_asks_for_a_name_or_a_key(server, browser):  # noqa: F811
    base, _ = server
    page = new_page(browser, viewport={"width": 1280, "height": 800})
    for path, heading in (("/", "Train"), ("/runs", "Runs"), ("/compare", "Compare"), ("/live", "Live")):
        page.goto(base + path)
        settle(page)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert page.get_by_label("Your name").count() == 0, path
        assert page.get_by_label("Teacher key").count() == 0, path
        assert page.locator("input[type=password]").count() == 0, path
