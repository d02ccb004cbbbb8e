"""Train offers a teacher's own images: the uploader, and an imported set in the dataset field with what it holds."""
from __future__ import annotations

import pytest

from deeparch.course import image_import
from own_images import flat_pngs, zip_of
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture

TRAIN = "pages/train.py"


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    r = tmp_path / "data"
    monkeypatch.setenv("DEEPARCH_DATA", str(r))
    return r


def imported_set(root, name="mine", judge_accuracy=0.95):
    """An imported set as the import writes it (its judge left out: the pages read only its meta)."""
    got = image_import.read_source(zip_of(flat_pngs(2, 10), root.parent / f"{name}.zip"))
    blob, meta = image_import.prepare(name, got, f"{name}.zip")
    meta["judge_accuracy"] = judge_accuracy
    image_import.write(name, root, blob, meta, {})


def test_train_offers_the_uploader_and_lists_an_imported_set(app_store, data_root):
    imported_set(data_root)
    at = open_page(TRAIN)
    assert any(e.label == "Your own images" for e in at.expander)
    assert any("784 pixel values" in c.value for c in at.caption)
    assert at.text_input(key="own_name") and at.button(key="own_import").disabled  # nothing uploaded yet
    field = at.selectbox(key="train_dataset")
    assert field.options[-1] == "mine (your images)" and field.options[0].startswith("MNIST 5k")
    field.set_value("mine").run()
    assert not at.exception
    about = [c.value for c in at.caption if c.value.startswith("Your images")]
    assert about and "c0, c1" in about[0] and "16 training / 4 test" in about[0] and "95%" in about[0]
    assert not any("too weak" in c.value for c in at.caption)


def test_a_weak_judge_is_said_under_the_dataset_field(app_store, data_root):
    imported_set(data_root, judge_accuracy=0.5)
    at = open_page(TRAIN, {"train_dataset": "mine"})
    assert any("50%" in c.value and "too weak" in c.value for c in at.caption)


def test_in_classroom_mode_a_student_does_not_import(app_store, data_root, monkeypatch):
    monkeypatch.setenv("DEEPARCH_CLASSROOM", "1")
    at = open_page(TRAIN)
    assert any("the teacher imports" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "own_import"]
