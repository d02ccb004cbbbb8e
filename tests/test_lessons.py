"""Lessons and "break it" scenarios: every one launches valid runs with one click, and the Live page
of a lesson's runs shows its script."""
from __future__ import annotations

import pytest
from test_pages import app_store, open_page  # noqa: F401 - fixture

from deeparch.course import lessons
from deeparch.course.archs import ARCHS


@pytest.mark.parametrize("lesson", lessons.ALL, ids=lambda l: l.id)
def test_every_lesson_is_complete_and_valid(lesson):
    configs = lesson.configs()  # raises ConfigError naming the bad setting
    assert len(configs) == len(lesson.runs) >= 1
    assert all(c.arch in ARCHS for c in configs)
    assert lesson.title and lesson.goal and lesson.watch and lesson.questions and lesson.minutes > 0
    assert len({r.label for r in lesson.runs}) == len(lesson.runs), "runs of a lesson need distinct labels"


@pytest.mark.parametrize("lesson", lessons.BREAK_IT, ids=lambda l: l.id)
def test_a_break_it_pair_is_one_healthy_run_and_one_broken_with_its_symptom(lesson):
    assert len(lesson.runs) == 2 and lesson.broken in (0, 1) and lesson.symptoms
    healthy, broken = (lesson.configs()[i].hp for i in (1 - lesson.broken, lesson.broken))
    changed = {k for k in healthy if healthy[k] != broken[k]}
    assert changed, "the broken run must differ from the healthy one"


def test_ids_are_unique_and_groups_lead_back_to_the_lesson():
    assert len(lessons.BY_ID) == len(lessons.ALL)
    for lesson in lessons.ALL:
        assert lessons.lesson_of(lesson.group("2026-11-28 10:00:00")) is lesson
    assert lessons.lesson_of("race 2026-11-28") is None and lessons.lesson_of(None) is None


def test_one_click_launches_the_whole_lesson_as_one_group_and_opens_live(app_store):  # noqa: F811
    """The click switches to Live at once, which launches the runs before drawing (a launch before the
    switch left a blank page in the browser: tests/test_browser_projector.py) and selects exactly them."""
    at = open_page("pages/lessons.py")
    lesson = lessons.BY_ID["cnn_vs_mlp"]
    at.button(key=f"lesson:{lesson.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    runs = app_store.list_runs()
    assert sorted(r.arch for r in runs) == sorted(r.arch for r in lesson.runs)
    assert len({r.group_name for r in runs}) == 1 and lessons.lesson_of(runs[0].group_name) is lesson
    ids = sorted(r.id for r in runs)
    assert sorted(at.multiselect(key="live_runs").value) == ids  # Live opens on exactly these runs
    # Live shows the lesson's script beside the charts
    assert any(lesson.title in e.label for e in at.expander), [e.label for e in at.expander]
    at.run()
    assert len(app_store.list_runs()) == len(ids), "a rerun of Live does not launch the lesson again"


def test_the_lessons_page_renders_every_lesson_on_an_empty_store_and_with_runs(app_store):  # noqa: F811
    import fake_runs

    for populate in (False, True):
        if populate:
            fake_runs.populate(app_store)
        at = open_page("pages/lessons.py")
        assert not at.error and not at.exception
        assert [t.value for t in at.title] == ["Lessons"]
        keys = {b.key for b in at.button}
        assert {f"lesson:{lesson.id}" for lesson in lessons.ALL} <= keys


@pytest.mark.parametrize("lang, first", [("en", "CNN against a plain network (MLP) · CNN (course listing)"),
                                          ("pt-BR", "CNN contra uma rede simples (MLP) · CNN (listagem do curso)")])
def test_the_command_line_names_a_lessons_runs_in_its_language(lang, first, tmp_path, monkeypatch, capsys):
    """`python -m deeparch --lang pt-BR lesson …` names the runs as the Lessons page of a Portuguese reader does."""
    from deeparch import cli
    from deeparch.present import i18n
    from deeparch.execution import jobs
    from deeparch.store import Store

    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)  # queued, never trained
    i18n.set_resolver(None)
    try:
        assert cli.main(["--lang", lang, "--store", str(tmp_path / "runs"), "lesson", "cnn_vs_mlp"]) == 0
        names = [r.name for r in sorted(Store(tmp_path / "runs").list_runs(), key=lambda r: r.id)]
        assert names == lessons.BY_ID["cnn_vs_mlp"].run_names()  # the page's names, in this language
    finally:
        i18n.set_lang("en")
    assert names[0] == first and len(names) == 3
    assert names[2].endswith(" · MLP") and first in capsys.readouterr().out


def test_the_cnn_lesson_has_a_convolutional_network_smaller_than_the_mlp():
    """The lesson says the small CNN has fewer weights than the MLP: counted on the models it launches."""
    from deeparch.course.archs import get_arch

    lesson = lessons.BY_ID["cnn_vs_mlp"]
    counts = {r.label: sum(p.numel() for p in get_arch(r.arch).build(cfg).parameters())
              for r, cfg in zip(lesson.runs, lesson.configs())}
    assert counts == {"CNN (course listing)": 1_625_866, "CNN, 32 hidden units": 420_586, "MLP": 535_818}
    assert all(f"{n:,}" in lesson.goal for n in counts.values())
