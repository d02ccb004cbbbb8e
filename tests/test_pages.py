"""Every page under Streamlit's AppTest, on an empty store and on one with runs in every state.

No training here: rows are written straight into the store (tests/fake_runs.py) and the
worker spawn is replaced by a no-op, so a launched run stays in the store as "starting".
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit import config
import streamlit as st
from streamlit.testing.v1 import AppTest

from deeparch.execution import jobs
from deeparch.course.config import ConfigError
from deeparch.store import Store

import fake_runs  # noqa: E402 - tests/ is on sys.path under pytest's rootdir conftest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["pages/train.py", "pages/live.py", "pages/compare.py", "pages/runs.py"]  # Lessons: test_lessons.py


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)  # launched runs stay "starting"
    s = Store(tmp_path / "runs")
    yield s
    s.close()


def open_page(path: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def static_serving(on: bool):
    """Streamlit's server.enableStaticServing for the duration (the charts' in-place path needs it)."""
    before = config.get_option("server.enableStaticServing")
    config.set_option("server.enableStaticServing", on)
    try:
        yield
    finally:
        config.set_option("server.enableStaticServing", before)


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} among {[b.label for b in at.button]}"
    return found[0]


@pytest.mark.parametrize("path", PAGES)
def test_empty_store_renders_with_first_run_hint(app_store, path):
    at = open_page(path)
    assert not at.error
    assert button(at, "Launch a demo run")
    assert any("Welcome" in s.value for s in at.subheader)


@pytest.mark.parametrize("path, title", zip(PAGES, ["Train", "Live", "Compare", "Runs"]))
def test_pages_render_with_runs_in_every_state(app_store, path, title):
    ids = fake_runs.populate(app_store)  # {status: run id}, one run in each
    names = {r.id: r.name for r in app_store.list_runs()}
    at = open_page(path)
    assert [t.value for t in at.title] == [title]
    if path == "pages/train.py":  # the queue lists the active runs only
        assert list(at.dataframe[0].value["name"]) == [names[ids["running"]]]
    elif path == "pages/runs.py":  # the table lists every run with its status
        shown = at.dataframe[0].value
        assert dict(zip(shown["id"], shown["status"])) == {rid: status for status, rid in ids.items()}
    else:  # Live and Compare offer every run in their selector, by id and name
        offered = at.multiselect[0].options
        assert sorted(offered) == sorted(f"#{rid} {names[rid]}" for rid in ids.values())


def test_live_shows_failed_and_diverged_reasons_in_words(app_store):
    ids = fake_runs.populate(app_store)
    at = open_page("pages/live.py", {"handoff:pages/live.py": [ids["failed"], ids["diverged"], ids["running"]]})
    errors = " ".join(e.value for e in at.error)
    assert "worker process died" in errors and "Resume" in errors
    assert "diverged" in errors and "learning rate" in errors
    assert not any("Traceback" in e.value for e in at.error)


def test_live_charts_update_in_place_with_a_stable_key(app_store):
    """Charts are the in-place component (pages/_plot.py): one key per chart, carrying the figure
    with its uirevision and the served copy of plotly.js. (That the browser keeps the element and
    its zoom is checked in tests/test_browser_newcomer.py.)"""
    import json

    import plotly

    from pages import _plot

    ids = fake_runs.populate(app_store)
    with static_serving(True):  # as .streamlit/config.toml sets it
        at = open_page("pages/live.py", {"handoff:pages/live.py": [ids["running"]]})
    plots = at.get("bidi_component")
    assert plots and not at.get("plotly_chart")
    keys = [p.key for p in plots]
    assert len(set(keys)) == len(keys)
    data = json.loads(plots[0].proto.json)
    fig = json.loads(data["figure"])
    assert fig["layout"]["uirevision"] and fig["data"]
    served = _plot.STATIC / _plot.plotly_js_name()
    assert data["src"] == f"app/static/{served.name}"
    assert served.stat().st_size == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size


def test_charts_fall_back_to_st_plotly_chart_without_static_serving(app_store):
    ids = fake_runs.populate(app_store)
    with static_serving(False):
        at = open_page("pages/live.py", {"handoff:pages/live.py": [ids["finished"]]})
    assert at.get("plotly_chart") and not at.get("bidi_component")


def test_live_defaults_to_running_runs(app_store):
    ids = fake_runs.populate(app_store)
    at = open_page("pages/live.py")
    assert at.multiselect[0].value == [ids["running"]]


def test_compare_defaults_and_tables(app_store):
    a = fake_runs.finished_cnn(app_store, name="slow", lr=1e-4)
    b = fake_runs.finished_cnn(app_store, name="fast", lr=1e-3, seed=1)
    at = open_page("pages/compare.py")
    assert sorted(at.multiselect[0].value) == sorted([a, b])
    frames = [d.value for d in at.dataframe]
    diff = frames[1]
    assert set(diff.columns) == {"lr", "seed"}  # only the hyperparameters that differ
    assert "test accuracy at best validation" in frames[0].columns
    at.selectbox(key="compare_metric").set_value("loss").run()
    at.slider(key="compare_smooth:loss").set_value(0.9).run()
    at.segmented_control(key="compare_x").set_value("wall").run()
    assert not at.exception


def test_train_launch_creates_one_run_even_on_double_click(app_store):
    at = open_page("pages/train.py")
    at.text_input(key="hp:cnn:max_steps").set_value("20").run()
    at.text_input(key="train_name").set_value("from the page")
    button(at, "Launch run").click().run()
    assert not at.exception
    runs = app_store.list_runs()
    assert len(runs) == 1 and runs[0].name == "from the page"
    assert runs[0].config["hp"]["max_steps"] == 20
    assert runs[0].status in ("queued", "starting")
    # the click switched to Live first, which launched the run before drawing and selected it
    assert at.query_params.get("runs") in ([str(runs[0].id)], str(runs[0].id))
    assert any(f"Launched run #{runs[0].id}" in t.value for t in at.toast)
    # a second click within a few seconds (double submission) launches nothing, and says so
    at.switch_page("pages/train.py").run()
    at.text_input(key="train_name").set_value("from the page")
    button(at, "Launch run").click().run()
    assert len(app_store.list_runs()) == 1
    assert any("not launching it twice" in t.value for t in at.toast)


def test_a_launch_refused_on_the_opened_page_says_why_and_launches_nothing(app_store, monkeypatch):
    """The launch runs on Live, after the switch: a ConfigError there (not enough memory, say) becomes
    one error box naming the reason, not the page guard's "something went wrong", and no run."""
    def refuse(*args, **kwargs):
        raise ConfigError("not enough memory for this run (needs 9 GiB, 2 GiB free)")

    real_launch = jobs.launch
    monkeypatch.setattr(jobs, "launch", refuse)
    at = open_page("pages/train.py")
    at.text_input(key="hp:cnn:max_steps").set_value("20").run()
    button(at, "Launch run").click().run()
    assert not at.exception
    assert app_store.list_runs() == []
    shown = [e.value for e in at.error]
    assert any("Nothing was launched: not enough memory for this run" in e for e in shown), shown
    assert not any("Something went wrong" in e for e in shown)
    # the same click again at once, with room now: a launch that was refused is no double click
    monkeypatch.setattr(jobs, "launch", real_launch)
    at.switch_page("pages/train.py").run()
    at.text_input(key="hp:cnn:max_steps").set_value("20").run()
    button(at, "Launch run").click().run()
    assert not at.exception
    assert len(app_store.list_runs()) == 1


def test_train_invalid_settings_show_an_error_not_a_traceback(app_store):
    at = open_page("pages/train.py")
    at.selectbox(key="train_arch").set_value("transformer").run()
    at.text_input(key="hp:transformer:d_model").set_value("30").run()  # 4 heads do not divide 30
    assert not at.exception
    assert any("d_model=30 must be divisible by nhead=4" in e.value for e in at.error)
    assert button(at, "Launch run").disabled


@pytest.mark.parametrize("arch", ["cnn", "rnn", "gan", "dcgan", "cgan", "wgan_gp", "transformer", "diffusion"])
def test_train_page_shows_every_architecture(app_store, arch):
    at = open_page("pages/train.py")
    at.selectbox(key="train_arch").set_value(arch).run()
    assert not at.exception and not at.error
    assert at.metric[0].value not in ("–", "")  # parameter count


def test_race_launches_a_group(app_store):
    at = open_page("pages/train.py")
    at.radio(key="race_unit").set_value("steps").run()
    at.text_input(key="race_amount_steps").set_value("30").run()
    button(at, "Launch race").click().run()
    assert not at.exception
    runs = app_store.list_runs()
    assert sorted(r.arch for r in runs) == ["cnn", "dcgan", "rnn", "transformer"]
    assert len({r.group_name for r in runs}) == 1 and runs[0].group_name
    assert {r.config["hp"]["max_steps"] for r in runs} == {30}
    assert {r.config["hp"]["seed"] for r in runs} == {0}


def test_demo_button_launches_and_opens_live(app_store):
    at = open_page("pages/runs.py")
    button(at, "Launch a demo run").click().run()
    assert not at.exception
    runs = app_store.list_runs()
    assert len(runs) == 1 and runs[0].arch == "cnn" and runs[0].config["hp"]["max_steps"] == 300
    assert at.title[0].value == "Live"


def test_controls_change_the_run(app_store):
    ids = fake_runs.populate(app_store)
    rid = ids["running"]
    at = open_page("pages/live.py")
    button(at, "Pause").click().run()
    assert app_store.get_run(rid).control == "pause"
    app_store.set_status(rid, "paused")  # what the worker does when it sees the request
    at.run()
    button(at, "Resume").click().run()
    assert app_store.get_run(rid).control is None
    button(at, "Stop").click().run()
    assert app_store.get_run(rid).control == "stop"
    app_store.set_status(rid, "stopped", "stopped by request")  # the worker's answer
    at.run()
    assert not at.exception
    assert app_store.get_run(rid).status == "stopped"
    badges = [b for md in at.markdown for b in re.findall(r":\w+-badge\[([^\]]+)\]", md.value)]
    assert badges == ["stopped"]  # the page shows the worker's answer
    labels = {b.label for b in at.button}
    assert {"Resume", "Clone"} <= labels and not labels & {"Pause", "Stop"}


def test_clone_launches_a_copy(app_store):
    ids = fake_runs.populate(app_store)
    at = open_page("pages/live.py", {"handoff:pages/live.py": [ids["finished"]]})
    button(at, "Clone").click().run()
    assert not at.exception
    clones = [r for r in app_store.list_runs() if r.parent == ids["finished"]]
    assert len(clones) == 1 and clones[0].config == app_store.get_run(ids["finished"]).config


def test_runs_page_filters_and_deletes_with_confirmation(app_store):
    ids = fake_runs.populate(app_store)
    at = open_page("pages/runs.py")
    at.multiselect(key="runs_status").set_value(["failed"]).run()
    assert list(at.dataframe[0].value["id"]) == [ids["failed"]]
    # the table's row selection cannot be clicked in AppTest: send the ticked row as the browser does
    at.session_state["runs_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    button(at, "Delete").click().run()
    assert any("cannot be undone" in w.value for w in at.warning)
    assert app_store.get_run(ids["failed"]) is not None  # nothing deleted before the confirmation
    button(at, "Yes, delete").click().run()
    assert not at.exception
    assert app_store.get_run(ids["failed"]) is None
    assert len(app_store.list_runs()) == 3


def test_pages_survive_a_broken_store(app_store, monkeypatch):
    fake_runs.populate(app_store)
    monkeypatch.setattr(Store, "list_runs", lambda self, *a, **k: (_ for _ in ()).throw(RuntimeError("disk gone")))
    at = open_page("pages/runs.py")
    assert any("disk gone" in e.value and "Reload" in e.value for e in at.error)


def test_runs_page_shows_where_runs_train_and_the_ray_clusters_capacity(app_store, monkeypatch):
    from deeparch.execution import ray_executor

    ids = fake_runs.populate(app_store)
    app_store.update_run(ids["finished"], host="node-7", executor="ray")
    app_store.merge_summary(ids["finished"], device="cuda", precision_used="fp16")  # what precision=auto chose
    monkeypatch.setenv("DEEPARCH_EXECUTOR", "ray")
    monkeypatch.setattr(ray_executor, "ready", lambda store: False)  # no cluster here: nothing is started
    monkeypatch.setattr(ray_executor, "capacity", lambda: {"cpus": 8.0, "cpus_free": 3.0, "gpus": 1.0,
                                                           "gpus_free": 1.0, "nodes": 2})
    at = open_page("pages/runs.py")
    shown = at.dataframe[0].value
    row = shown[shown["id"] == ids["finished"]]
    assert (row["host"].item(), row["executor"].item(), row["device"].item()) == ("node-7", "Ray", "cuda · fp16")
    assert set(shown[shown["id"] != ids["finished"]]["device"]) <= {"", None}  # fake runs record no device
    assert any("3 of 8 CPUs free · 1 of 1 GPUs free · 2 node(s)" in c.value for c in at.sidebar.caption)
    monkeypatch.setattr(ray_executor, "capacity", lambda: None)  # the cluster is gone
    st.cache_data.clear()  # the page asks for the capacity at most every 5 s
    at.switch_page("pages/runs.py").run()
    assert any("cannot be reached" in w.value for w in at.sidebar.warning)
