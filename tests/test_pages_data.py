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
    from deeparch import jobs

    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)
    at = open_page("pages/lessons.py")
    at.button(key="lesson:transfer").click().run()
    assert not at.exception
    pre, fine, scratch = sorted(app_store.list_runs(), key=lambda r: r.id)
    assert fine.config["hp"]["init_from"] == pre.id and scratch.config["hp"]["init_from"] == 0
    assert fine.config["hp"]["freeze"] == "features" and pre.group_name == fine.group_name
