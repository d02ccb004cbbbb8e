"""One preflight: a launch validates its configuration once and builds its model once (on the meta
device) before the worker builds it to train; the Train page's check is the launch's."""
from dataclasses import replace

import pytest

import deeparch.course.archs as archs
from deeparch.execution import jobs, memory, preflight, sweep
from deeparch.engine import models
from deeparch.course.archs import ARCHS, make_config
from deeparch.course.config import ConfigError

TINY = dict(channels=4, hidden=16, seed=7)  # small, quick to build


@pytest.fixture
def counted(monkeypatch):
    """The cnn's builds and every validation counted, nothing remembered from earlier tests, and a worker
    that is never started (its command line kept, and the builds counted by then)."""
    seen = {"build": 0, "validate": 0, "workers": [], "built_before_worker": []}
    spec, validate = ARCHS["cnn"], archs.validate

    def build(cfg):
        seen["build"] += 1
        return spec.build(cfg)

    def counting_validate(*a, **kw):
        seen["validate"] += 1
        return validate(*a, **kw)

    class Popen:
        def __init__(self, args, **kw):
            seen["workers"].append(args)
            seen["built_before_worker"].append(seen["build"])
            self.pid = 4242

    monkeypatch.setitem(ARCHS, "cnn", replace(spec, build=build))
    monkeypatch.setattr(archs, "validate", counting_validate)
    monkeypatch.setattr(preflight, "_cache", {})
    memory._estimate.cache_clear()
    monkeypatch.setattr(jobs.subprocess, "Popen", Popen)
    return seen


def test_a_launch_builds_the_model_once_before_the_worker(store, executor, counted):
    cfg = make_config("cnn", **TINY)
    counted["validate"] = 0
    run_id = jobs.launch(cfg, store=store)
    assert counted["workers"] and str(run_id) in counted["workers"][0]  # the worker was started …
    assert counted["built_before_worker"] == [1]  # … after one build, on the meta device
    assert counted["validate"] == 0  # a RunConfig is already valid


def test_a_launch_of_a_stored_config_validates_it_once(store, executor, counted):
    stored = make_config("cnn", **TINY).to_dict()
    counted["validate"] = 0
    jobs.launch(stored, store=store)
    assert counted["validate"] == 1 and counted["build"] == 1


def test_what_the_train_page_checked_is_not_built_again_at_launch(store, executor, counted):
    checked = preflight.preflight(make_config("cnn", **TINY).to_json())  # the page, while the form is edited
    assert checked.params == models.param_count(checked.config.to_json())
    assert checked.card == models.model_card(checked.config.to_json())
    assert checked.memory == memory.estimate(checked.config)
    counted["build"] = 0
    jobs.launch(checked.config, store=store)
    assert counted["build"] == 0 and counted["workers"]


def test_a_sweep_builds_each_point_once(store, executor, counted):
    _, ids = sweep.launch("cnn", "mnist-5k", TINY, {"hidden": [16, 24]}, store=store)
    assert len(ids) == 2 and counted["build"] == 2


def test_a_refusal_names_the_reason_and_stores_nothing(store, monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: 1e9)
    with pytest.raises(ConfigError, match="needs about .* but only 1.0 GB is available"):
        preflight.require(make_config("cnn", channels=256, hidden=4096, batch_size=4096), store)
    with pytest.raises(ConfigError, match="init_from=99: there is no run 99"):
        preflight.require(make_config("cnn", init_from=99, **TINY), store, started=False)
    assert store.list_runs() == []


def test_the_train_page_checks_once_and_its_launch_builds_nothing_more(tmp_path, monkeypatch, counted):
    from test_pages import button, open_page

    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    at = open_page("pages/train.py")
    counted["build"] = 0
    at.text_input(key="hp:cnn:max_steps").set_value("23").run()  # a configuration not checked before
    assert counted["build"] == 1  # weights, memory and precision from one preflight
    button(at, "Launch run").click().run()
    assert not at.exception and counted["workers"]
    assert counted["built_before_worker"] == [1]  # the launch found it checked (Live then draws its card)
