"""The data practices on the pages: the augmentation preview (Train) and the transfer lesson (Lessons)."""
from __future__ import annotations

from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture

TRAIN = "pages/train.py"


def test_augmentation_preview_appears_with_augmentation_only(app_store):
    at = open_page(TRAIN)
    assert not at.get("image")
    at.text_input(key="hp:cnn:aug_rotate").set_value("20").run()
    assert not at.exception
    captions = [img.caption for el in at.get("image") for img in el.proto.imgs]
    assert any("What augmentation does" in c for c in captions), captions


def test_a_lesson_launches_its_runs_with_the_fine_tune_pointed_at_its_pre_training(app_store, monkeypatch):
    from deeparch.execution import jobs

    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)
    at = open_page("pages/lessons.py")
    at.button(key="lesson:transfer").click().run()
    assert not at.exception
    runs = sorted(app_store.list_runs(), key=lambda r: r.id)
    assert len(runs) == 6  # a CNN trio, then a Transformer trio: pre-train, fine-tune, from scratch
    for (pre, fine, scratch), arch in ((runs[:3], "cnn"), (runs[3:], "transformer")):
        assert {pre.arch, fine.arch, scratch.arch} == {arch}
        assert fine.config["hp"]["init_from"] == pre.id and scratch.config["hp"]["init_from"] == 0
        assert pre.group_name == fine.group_name == runs[0].group_name
    assert runs[1].config["hp"]["freeze"] == "features" and runs[1].config["hp"]["unfreeze_after"] == 0
    # names are cut at 80 characters when stored: the long shared title gives way, each run's label stays whole
    from deeparch.course.lessons import BY_ID
    for run, planned in zip(runs, BY_ID["transfer"].runs):
        assert run.name.endswith(" · " + planned.label) and len(run.name) <= 80, run.name
    # the Transformer's fine-tune in two stages: its new head alone on the loaded encoder, then everything
    assert (runs[4].config["hp"]["freeze"], runs[4].config["hp"]["unfreeze_after"]) == ("embed,encoder", 20)
