"""The Sweep tab of Train (a 3×3 grid over the One run tab's settings, a bad value refused naming its
knob) and Compare's sweep figure: a heat map of the final headline over the two knobs."""
from __future__ import annotations

import json

from test_pages import app_store, button, open_page, static_serving  # noqa: F401 - fixtures by name


def sweep_form(at, values1: str, values2: str):
    at.text_input(key="hp:cnn:max_steps").set_value("3")
    at.text_input(key="hp:cnn:channels").set_value("4")
    at.text_input(key="hp:cnn:hidden").set_value("16")
    at.run()
    at.text_input(key="sweep_values1:cnn:lr").set_value(values1)
    at.selectbox(key="sweep_knob2:cnn").set_value("batch_size").run()
    at.text_input(key="sweep_values2:cnn:batch_size").set_value(values2).run()
    return at


def test_a_bad_sweep_value_is_refused_naming_its_knob(app_store):
    at = sweep_form(open_page("pages/train.py"), "1e-4, 1e-3, 1e-2", "32, 0, 128")
    assert any("sweep batch_size: batch_size=0 is out of range" in e.value.replace("\\", "") for e in at.error)
    assert button(at, "Launch sweep").disabled
    assert app_store.list_runs() == []


def test_a_3x3_sweep_launches_nine_runs_and_compare_draws_its_heat_map(app_store):
    at = sweep_form(open_page("pages/train.py"), "1e-4, 1e-3, 1e-2", "32, 64, 128")
    assert any("9 runs" in c.value for c in at.caption)
    button(at, "Launch sweep").click().run()
    assert not at.exception, [e.value for e in at.exception]
    runs = app_store.list_runs()
    assert len(runs) == 9 and len({r.sweep["id"] for r in runs}) == 1
    assert all(r.config["hp"]["max_steps"] == 3 and r.config["hp"]["channels"] == 4 for r in runs)
    # the runs end (written here, as their workers would): best accuracy grows with lr and batch size
    for r in runs:
        hp = r.config["hp"]
        app_store.update_run(r.id, status="finished", summary={"best_test_acc": hp["lr"] * 10 + hp["batch_size"] / 1e4})
    with static_serving(True):
        at = open_page("pages/compare.py")
    assert at.selectbox(key="compare_sweep").value == runs[0].sweep["id"]  # the latest sweep, by default
    figs = {p.key: json.loads(json.loads(p.proto.json)["figure"]) for p in at.get("bidi_component")}
    heat = figs["compare_sweep_figure"]["data"][0]
    assert heat["type"] == "heatmap"
    assert heat["y"] == ["0.0001", "0.001", "0.01"] and heat["x"] == ["32", "64", "128"]
    assert heat["z"][2][2] == max(max(row) for row in heat["z"])  # lr 1e-2, batch 128
    assert any("9 of 9 runs have ended" in c.value for c in at.caption)
    assert any("no metrics yet" in i.value for i in at.info)  # the runs' curves follow (none written here)
