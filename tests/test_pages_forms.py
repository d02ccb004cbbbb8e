"""Runs, Train and Compare under AppTest: selection by run id, form values as typed, honest comparisons.

The table's row selection cannot be clicked in AppTest; setting the widget's state stands
in for the browser sending row positions (tests/test_browser_forms.py clicks the real one).
"""
from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

import fake_runs
from test_pages import app_store, button, open_page, static_serving  # noqa: F401 - app_store is a fixture

RUNS = "pages/runs.py"


def tick(at, rows: list[int]) -> None:
    """What the browser sends when rows are ticked: their positions in the table it shows."""
    at.session_state["runs_table"] = {"selection": {"rows": rows, "columns": []}}
    at.run()


def table_ids(at) -> list[int]:
    return [int(i) for i in at.dataframe[0].value["id"]]


def pushed_rows(at) -> list[int] | None:
    """The rows the page told the browser to tick on this run (None: it left the browser's ticks alone)."""
    state = at.dataframe[0].proto.selection_state
    return json.loads(state)["selection"]["rows"] if state else None


def selected_caption(at) -> str:
    return next(c.value for c in at.caption if "selected" in c.value or "Tick rows" in c.value)


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """The data callables of download buttons by file id (Streamlit calls them only on a click)."""
    made: dict = {}
    add = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        file_id = add(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def export_csv(at, downloads: dict) -> pd.DataFrame:
    """What the Export button downloads if clicked now."""
    data = downloads[at.get("download_button")[0].proto.deferred_file_id]()
    return pd.read_csv(io.BytesIO(data))


# ---- Runs: selection follows run ids (issue 7.1) ----------------------------------------------------
def test_runs_selection_follows_the_run_when_a_new_run_arrives(app_store, downloads):
    ids = fake_runs.populate(app_store)
    at = open_page(RUNS)
    order = table_ids(at)
    tick(at, [order.index(ids["failed"])])
    assert selected_caption(at) == "1 selected"
    newer = fake_runs.finished_cnn(app_store, name="arrived from the CLI")  # shifts every row down by one
    at.run()
    new_order = table_ids(at)
    assert new_order[0] == newer
    assert pushed_rows(at) == [new_order.index(ids["failed"])]  # the tick moves with its run
    df = export_csv(at, downloads)
    assert set(df["run_id"]) == {ids["failed"]}


def test_runs_delete_names_the_runs_then_clears_the_selection(app_store):
    ids = fake_runs.populate(app_store)
    app_store.update_run(ids["failed"], name="**bold** ![img](http://example.com/x.png)")
    at = open_page(RUNS)
    order = table_ids(at)
    tick(at, [order.index(ids["failed"])])
    button(at, "Delete").click().run()
    warning = next(w.value for w in at.warning if "cannot be undone" in w.value)
    assert f"#{ids['failed']}" in warning
    assert "\\*\\*bold\\*\\* \\!\\[img\\]" in warning  # the name as text, not as Markdown
    assert app_store.get_run(ids["failed"]) is not None
    button(at, "Yes, delete").click().run()
    assert not at.exception
    assert app_store.get_run(ids["failed"]) is None
    assert pushed_rows(at) == []  # the browser is told to untick: no other run inherits the row
    assert selected_caption(at) == "Tick rows in the table to act on them."
    assert all(b.disabled for b in at.button if b.key in ("runs_delete", "runs_stop"))
    at.run()  # the browser still reports nothing ticked: nothing is selected afterwards either
    assert selected_caption(at) == "Tick rows in the table to act on them."
    assert len(app_store.list_runs()) == 3


def test_runs_pending_delete_is_dropped_when_the_ticks_change(app_store):
    ids = fake_runs.populate(app_store)
    at = open_page(RUNS)
    order = table_ids(at)
    tick(at, [order.index(ids["failed"])])
    button(at, "Delete").click().run()
    assert any("cannot be undone" in w.value for w in at.warning)
    tick(at, [order.index(ids["finished"])])
    assert not any("cannot be undone" in w.value for w in at.warning)
    assert app_store.get_run(ids["failed"]) is not None


def tick_ids(at, ids: list[int]) -> None:
    order = table_ids(at)
    tick(at, sorted(order.index(i) for i in ids))


def enabled(at, key: str) -> bool:
    return not next(b for b in at.button if b.key == key).disabled


def nothing_ticked(at, told: bool = True) -> bool:
    """The page acts on no run and (``told``) told the browser to untick every row."""
    return (pushed_rows(at) == [] or not told) and selected_caption(at) == "Tick rows in the table to act on them."


def test_runs_pause_resume_stop_clone_as_the_lifecycle_allows_then_nothing_stays_ticked(app_store):
    ids = fake_runs.populate(app_store)
    running, finished, failed = ids["running"], ids["finished"], ids["failed"]
    at = open_page(RUNS)
    tick_ids(at, [running, finished])
    assert [enabled(at, f"runs_{a}") for a in ("pause", "resume", "stop", "clone")] == [True, False, True, True]
    button(at, "Pause").click().run()
    assert not at.exception
    assert app_store.get_run(running).control == "pause" and app_store.get_run(finished).control is None
    assert [t.value for t in at.toast] == ["Pause requested for 1 run(s)."]
    assert nothing_ticked(at)
    at.run()  # the browser reports its (now empty) ticks again: still nothing to act on
    assert nothing_ticked(at, told=False)

    app_store.set_status(running, "paused")  # what the worker does with the request
    at.run()
    tick_ids(at, [running, failed])
    assert [enabled(at, f"runs_{a}") for a in ("pause", "resume", "stop")] == [False, True, True]
    button(at, "Resume").click().run()
    assert app_store.get_run(running).control is None and app_store.get_run(failed).status in ("queued", "starting")
    assert [t.value for t in at.toast] == ["Resumed 2 run(s)."] and nothing_ticked(at)

    tick_ids(at, [failed])
    button(at, "Stop").click().run()
    assert app_store.get_run(failed).control == "stop" and nothing_ticked(at)  # the worker ends it after its step

    tick_ids(at, [finished])
    assert [enabled(at, f"runs_{a}") for a in ("pause", "resume", "stop")] == [False, False, False]
    button(at, "Clone").click().run()
    clones = [r for r in app_store.list_runs() if r.parent == finished]
    assert len(clones) == 1 and clones[0].config == app_store.get_run(finished).config
    assert nothing_ticked(at)

    # the next action applies to the runs ticked for it only: a delete names exactly those
    tick_ids(at, [ids["diverged"]])
    button(at, "Delete").click().run()
    warning = next(w.value for w in at.warning if "cannot be undone" in w.value)
    assert f"#{ids['diverged']}" in warning and warning.count("\n- #") == 1, warning
    button(at, "Yes, delete").click().run()
    assert app_store.get_run(ids["diverged"]) is None and app_store.get_run(finished) is not None
    assert nothing_ticked(at)


def test_runs_controls_keep_the_classroom_rules(app_store, monkeypatch):
    from deeparch.execution import classroom
    from pages import _classroom

    monkeypatch.setenv(classroom.ENV_ON, "1")
    monkeypatch.setenv(classroom.ENV_LIMIT, "1")
    # who this session is (the sidebar's name field, which AppTest does not draw after a page switch)
    student = {"name": "bruno"}
    monkeypatch.setattr(_classroom, "who", lambda: classroom.Who(student=student["name"]))
    ids = fake_runs.populate(app_store)
    app_store.update_run(ids["running"], owner="ana")
    at = open_page(RUNS)
    tick_ids(at, [ids["running"]])
    button(at, "Pause").click().run()
    assert any("Only ana or the teacher can pause" in e.value for e in at.error)
    assert app_store.get_run(ids["running"]).control is None
    tick_ids(at, [ids["finished"], ids["failed"]])  # two copies: more than bruno's limit of one
    clone = next(b for b in at.button if b.key == "runs_clone")
    assert clone.disabled and "limit per student is 1" in clone.help
    student["name"] = "ana"
    at.run()
    tick_ids(at, [ids["running"]])
    button(at, "Pause").click().run()
    assert app_store.get_run(ids["running"]).control == "pause"


def test_runs_export_is_exactly_the_ticked_runs_in_the_wide_format(app_store, downloads):
    ids = fake_runs.populate(app_store)
    at = open_page(RUNS)
    order = table_ids(at)
    tick(at, sorted([order.index(ids["finished"]), order.index(ids["diverged"])]))
    df = export_csv(at, downloads)
    assert set(df["run_id"]) == {ids["finished"], ids["diverged"]}
    assert list(df.columns[:3]) == ["run_id", "run", "step"] and "loss" in df.columns
    assert at.dataframe[0].proto.placeholder == "–"  # a run without a number reads "–", not "None"


# ---- Train: what is launched is what the form shows (issue 7.2, 7.10) -------------------------------
TRAIN = "pages/train.py"


@pytest.mark.parametrize("field,typed,reason", [
    ("lr", "1e9", "lr=1000000000.0 is out of range"),
    ("batch_size", "0", "batch_size=0 is out of range"),
    ("batch_size", "abc", "batch_size='abc': must be int"),
])
def test_train_invalid_field_launches_nothing_and_says_why_under_it(app_store, field, typed, reason):
    at = open_page(TRAIN)
    # typed and clicked in one go: the browser sends the field's text with the click
    at.text_input(key=f"hp:cnn:{field}").set_value(typed)
    button(at, "Launch run").click().run()
    assert not at.exception
    assert app_store.list_runs() == []
    errors = [e.value for e in at.error]
    assert any(reason in e.replace("\\", "") for e in errors), errors
    assert any("Launch is off" in e for e in errors)  # the reasons are listed by the button
    at.run()
    assert button(at, "Launch run").disabled  # and Launch stays off while the field is wrong
    assert any(reason in e.replace("\\", "") for e in (e.value for e in at.error))


def test_train_launches_exactly_the_typed_values(app_store):
    at = open_page(TRAIN)
    for field, typed in {"lr": "0.0005", "batch_size": "32", "max_steps": "40", "dropout": "0.1"}.items():
        at.text_input(key=f"hp:cnn:{field}").set_value(typed)
    button(at, "Launch run").click().run()
    (run,) = app_store.list_runs()
    hp = run.config["hp"]
    assert (hp["lr"], hp["batch_size"], hp["max_steps"], hp["dropout"]) == (0.0005, 32, 40, 0.1)


def test_train_form_keeps_what_was_typed_across_pages_and_resets_to_course_defaults(app_store):
    at = open_page(TRAIN)
    at.text_input(key="hp:cnn:lr").set_value("0.02")
    at.text_input(key="train_name").set_value("my run")
    at.radio(key="race_unit").set_value("steps").run()
    at.text_input(key="race_amount_steps").set_value("77")
    at.text_input(key="race_seed").set_value("5")
    at.multiselect(key="race_archs").set_value(["cnn", "gan"]).run()
    at.switch_page("pages/runs.py").run()
    at.switch_page(TRAIN).run()
    assert at.text_input(key="hp:cnn:lr").value == "0.02"
    assert at.text_input(key="train_name").value == "my run"
    assert at.radio(key="race_unit").value == "steps"
    assert at.text_input(key="race_amount_steps").value == "77"
    assert at.text_input(key="race_seed").value == "5"
    assert at.multiselect(key="race_archs").value == ["cnn", "gan"]
    button(at, "Reset to the course defaults").click().run()
    assert at.text_input(key="hp:cnn:lr").value == "0.001"
    at.switch_page("pages/runs.py").run()
    at.switch_page(TRAIN).run()
    assert at.text_input(key="hp:cnn:lr").value == "0.001"  # the reset is kept too


def test_train_welcome_box_fits_the_train_page(app_store):
    at = open_page(TRAIN)
    body = " ".join(m.value for m in at.markdown)
    assert "Welcome" in " ".join(s.value for s in at.subheader)
    assert "on the **Train** page" not in body and "below" in body
    assert "about a minute" not in body and "300 steps" in body


def test_race_runs_get_short_names_and_keep_their_group(app_store):
    at = open_page(TRAIN)
    at.radio(key="race_unit").set_value("steps").run()
    at.text_input(key="race_amount_steps").set_value("30")
    button(at, "Launch race").click().run()
    runs = app_store.list_runs()
    (group,) = {r.group_name for r in runs}
    assert group.startswith("race 20")  # the group keeps its full date and time
    for r in runs:
        assert r.name.startswith(f"{r.arch} · race ") and len(r.name) <= len(r.arch) + 14, r.name
        assert group not in r.name


def test_race_invalid_amount_launches_nothing(app_store):
    at = open_page(TRAIN)
    at.radio(key="race_unit").set_value("steps").run()
    at.text_input(key="race_amount_steps").set_value("0")
    button(at, "Launch race").click().run()
    assert app_store.list_runs() == []
    assert any("max_steps=0 is out of range" in e.value.replace("\\", "") for e in at.error)


# ---- Compare: nothing hidden, nothing bent (issue 7.9) ---------------------------------------------
COMPARE = "pages/compare.py"


@pytest.fixture
def plain_charts():
    """Charts as st.plotly_chart, whose figure AppTest can read (not the in-place component)."""
    with static_serving(False):
        yield


def compare(ids: list[int]):
    return open_page(COMPARE, {"handoff:pages/compare.py": ids})


def figure(at) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def values(x) -> list[float]:
    """A trace's values as sent: a list, or Plotly's base64 typed array."""
    if isinstance(x, dict):
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"])).astype(float).tolist()
    return [float(v) for v in x if v is not None]


def test_compare_names_the_runs_without_the_metric(app_store, plain_charts):
    cnn = fake_runs.finished_cnn(app_store, name="digits")
    gan = fake_runs.running_gan(app_store)
    at = compare([cnn, gan])
    assert at.selectbox(key="compare_metric").value == "test_acc"
    captions = " ".join(c.value for c in at.caption)
    assert f"no test accuracy recorded: \\#{gan} gan\\-{gan}" in captions
    assert f"{cnn} digits" not in captions


def test_compare_metric_names_are_words(app_store, plain_charts):
    at = compare([fake_runs.finished_cnn(app_store), fake_runs.running_gan(app_store)])
    options = at.selectbox(key="compare_metric").options
    # labels from the declarations: a shared line label ("train", "test") qualified by its panel's axis
    assert {"test accuracy", "D(G(z)): fake", "D(x): real", "G (generator)", "train loss"} <= set(options)
    assert not {"test_acc", "d_g_z", "g_loss"} & set(options)
    assert figure(at)["layout"]["yaxis"]["title"]["text"] == "test accuracy"


def test_compare_sparse_series_are_not_smoothed_and_the_last_value_is_marked(app_store, plain_charts):
    a = fake_runs.finished_cnn(app_store, name="a")
    b = fake_runs.finished_cnn(app_store, name="b", lr=1e-4, seed=1)
    at = compare([a, b])
    assert at.slider(key="compare_smooth:test_acc").value == 0  # 6 evaluations: raw
    ends = [t for t in figure(at)["data"] if t.get("mode") == "markers+text"]
    last = app_store.metrics(a, keys=["test_acc"])["value"].iloc[-1]
    assert len(ends) == 2 and ends[0]["text"] == [f"{last:.4g}"]
    at.selectbox(key="compare_metric").set_value("loss").run()
    assert at.slider(key="compare_smooth:loss").value == 0.6  # 300 points: smoothed, raw kept faint
    fig = figure(at)
    assert [t.get("opacity") for t in fig["data"] if t.get("legendgroup") == f"#{a} a"][0] == 0.3
    assert len([t for t in fig["data"] if t.get("mode") == "markers+text"]) == 2  # the ends stay marked


def test_compare_loss_of_a_diverged_run_leaves_the_top_marked_on_a_projector(app_store, plain_charts):
    ids = fake_runs.lr_lesson(app_store)
    at = open_page(COMPARE, {"handoff:pages/compare.py": list(ids.values()), "pref_projector": True,
                             "kept_projector": True})
    at.selectbox(key="compare_metric").set_value("loss").run()
    at.slider(key="compare_smooth:loss").set_value(0.0)
    # the sidebar's toggle and its kept choice (AppTest draws no sidebar after a switch)
    at.session_state["pref_projector"] = at.session_state["kept_projector"] = True
    at.run()
    fig = figure(at)
    lo, hi = fig["layout"]["yaxis"]["range"]
    assert hi < 3  # the healthy runs' losses (from 2.3) keep the height
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["↑ diverged: 2×10⁴"]
    ends = {t["legendgroup"]: t for t in fig["data"] if t.get("mode") == "markers+text"}
    assert len(ends) == 2 and not any(g.endswith("(too high)") for g in ends)  # no end value above the chart
    legend = fig["layout"]["legend"]
    assert legend["orientation"] == "v" and legend["x"] >= 1  # beside the plot, which keeps its height
    last = max(max(values(t["x"])) for t in fig["data"] if t.get("x"))
    assert fig["layout"]["xaxis"]["range"][1] > last  # room inside the plot for the last values' labels


def test_compare_summary_line_per_run_with_the_best_marked_and_no_none(app_store, plain_charts):
    a = fake_runs.finished_cnn(app_store, name="a")
    b = fake_runs.finished_cnn(app_store, name="b", lr=1e-4, seed=1)
    gan = fake_runs.running_gan(app_store)
    app_store.merge_summary(b, best_test_acc=0.99)  # b's declared headline is higher
    at = compare([a, b, gan])
    text = " ".join(m.value for m in at.markdown)
    line_a = next(line for line in text.split("\n") if f"\\#{a} a" in line)
    line_b = next(line for line in text.split("\n") if f"\\#{b} b" in line)
    assert "test accuracy at best validation 99.0% ★ best" in line_b and "★" not in line_a
    assert "★" not in text.replace(line_b, "")  # one best; a tie with every other run is no best
    assert "1,625,866 parameters" in line_a and "55 s of training" in line_a
    assert any(f"gan\\-{gan}" in line and "recognisability" in line for line in text.split("\n"))
    for df in at.dataframe:
        assert df.proto.placeholder == "–"  # a missing number reads "–", not "None"
    assert "None" not in text


def test_train_refuses_a_configuration_that_cannot_fit_in_memory_before_launch(app_store, monkeypatch):
    """Issue 8.7 on the page: the estimate is shown as a reason and Launch stays off."""
    from deeparch.execution import memory

    monkeypatch.setattr(memory, "available", lambda: 1e9)  # a 1 GB machine
    at = open_page(TRAIN)
    at.text_input(key="hp:cnn:batch_size").set_value("4096")
    at.text_input(key="hp:cnn:hidden").set_value("4096")
    button(at, "Launch run").click().run()
    assert not at.exception
    assert app_store.list_runs() == []
    errors = [e.value.replace("\\", "") for e in at.error]
    assert any("GB of memory" in e and "1.0 GB is available" in e for e in errors), errors
    assert button(at, "Launch run").disabled


def test_compare_never_ranks_noise_one_digit_or_an_older_judge_above_a_real_generator(app_store, plain_charts):
    """A run of one digit scores 0.95 recognisable, one judged by an older judge 0.90: neither is "best" over
    the real generator's 0.80 (nothing comparable is left to beat), and each says what it is instead."""
    from deeparch.course.archs import make_config
    from deeparch.engine.quality import JUDGE_VERSION

    ids = {}
    for name, summary in (
            ("real", {"recognisability": 0.80, "coverage": 0.98, "not_digits": 0.03, "judge_version": JUDGE_VERSION}),
            ("onedigit", {"recognisability": 0.95, "coverage": 0.04, "not_digits": 0.01,
                          "judge_version": JUDGE_VERSION}),
            ("old", {"recognisability": 0.90, "coverage": 0.97})):
        ids[name] = app_store.create_run(make_config("dcgan").to_dict(), name=name, status="finished")
        fake_runs.write_curves(app_store, ids[name], "dcgan", 20)
        app_store.merge_summary(ids[name], train_seconds=60.0, params=1000, **summary)
    at = compare(list(ids.values()))
    lines = " ".join(m.value for m in at.markdown).split("\n")
    line = {k: next(x for x in lines if f"\\#{i} {k}" in x) for k, i in ids.items()}
    assert "recognisability 80.0% · coverage 0.98" in line["real"]
    assert "mode collapse: coverage 0.04" in line["onedigit"] and "95.0%" not in line["onedigit"]
    assert "judge v1, not comparable" in line["old"]
    assert "★" not in " ".join(line.values())
