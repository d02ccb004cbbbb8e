"""On the Live page, a run on an image set that is not MNIST's digits is worded by classes and images: the
diagnosis of its samples and the caption of its test images (MNIST's runs keep their words)."""
from __future__ import annotations

import time

import fake_runs
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture

from deeparch.course.archs import make_config


def run_on(store, arch: str, dataset: str) -> int:
    """A finished run of ``arch`` on ``dataset`` with its declared curves and views (fake_runs' writers)."""
    cfg = make_config(arch, dataset, max_steps=100, log_every=10)
    rid = store.create_run(cfg.to_dict(), status="running", total_steps=100)
    t0 = time.time() - 30
    store.update_run(rid, started=t0)
    fake_runs.write_curves(store, rid, arch, 100, t0=t0)
    fake_runs.write_media(store, rid, arch, range(50, 101, 50))
    store.set_status(rid, "finished")
    return rid


def test_live_diagnoses_samples_of_another_image_set_by_its_classes(app_store):
    runs = {d: run_on(app_store, "gan", d) for d in ("fashion-mnist", "mnist-5k")}
    for rid in runs.values():  # the judge puts most of the latest samples in no class
        app_store.log_metrics(rid, [(101, "not_digits", 0.9, 0.0)])
    at = open_page("pages/live.py", {"handoff:pages/live.py": [runs["fashion-mnist"]]})
    said = [w.value for w in at.warning]
    assert any("do not look like the set's images" in w for w in said) and not any("digit" in w for w in said)
    at = open_page("pages/live.py", {"handoff:pages/live.py": [runs["mnist-5k"]]})
    assert any("do not look like digits" in w.value for w in at.warning)


def test_live_captions_the_test_images_of_another_set(app_store):
    rid = run_on(app_store, "cnn", "fashion-mnist")
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    captions = [c.value for c in at.caption]
    assert any("test images right" in c for c in captions) and not any("test digits right" in c for c in captions)


def test_tables_word_a_generator_drawing_nothing_by_its_dataset():
    from deeparch.course import data
    from pages import _words

    def cell(dataset):
        return _words.quality_cell("80.0%", "not_digits", 0.9, 0.7, None, data.shows_digits(dataset))
    assert cell("fashion-mnist") == "no class: 70% of the samples"
    assert cell("mnist-5k") == "no digits: 70% of the samples"
    assert data.shows_digits("sunspots") and data.shows_digits("a-removed-set")  # not an image set of other classes


def test_live_says_how_a_forecaster_differs_from_the_listing(app_store):
    rid = fake_runs.series_run(app_store, "transformer")
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    differs = [m.value for m in at.markdown if "differs from the course listing" in m.value]
    assert differs and "forecasting a time series" in differs[0] and "classifies digits" not in differs[0]
