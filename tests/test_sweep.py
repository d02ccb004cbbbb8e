"""Sweeps: grid parsing and validation (a bad value is refused naming the knob), one queued run per
point carrying its sweep, the result laid out by the grid, and old stores that gain the column."""
from __future__ import annotations

import json
import sqlite3

import pytest
import torch

from deeparch import cli
from deeparch.execution import jobs, sweep
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from deeparch.store import Store
from test_faults import OLD_RUNS


def test_grid_parsing_converts_each_value_with_its_knob():
    grid = sweep.parse_grid("cnn", ["lr=1e-4, 1e-3,1e-2", "batch-size=32,64,128"])
    assert grid == {"lr": [1e-4, 1e-3, 1e-2], "batch_size": [32, 64, 128]}
    assert sweep.parse_grid("cnn", {"optimizer": "adam,sgd"}) == {"optimizer": ["adam", "sgd"]}
    assert sweep.parse_grid("cnn", {"batch_norm": ["true", "false"]}) == {"batch_norm": [True, False]}
    assert [p["lr"] for p in sweep.points(grid)][:3] == [1e-4, 1e-4, 1e-4]  # the first knob varies slowest
    assert len(sweep.points(grid)) == 9


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_suggested_values_sit_around_the_default_and_read_back(lang):
    from deeparch.course.archs import schema

    sch = schema("cnn")
    assert sweep.suggested(sch["lr"], "en") == "0.0001, 0.001, 0.01"  # a decade either side of a log knob
    assert sweep.suggested(sch["lr"], "pt-BR") == "0,0001; 0,001; 0,01"
    assert sweep.suggested(sch["optimizer"], lang).split(sweep_sep(lang)) == list(sch["optimizer"].choices)
    for name in ("lr", "batch_size", "optimizer", "batch_norm", "seed"):
        p = sch[name]
        text = sweep.suggested(p, lang)
        values = sweep.parse_values(p, text, lang) if len(text.split(sweep_sep(lang))) > 1 else [p.coerce(text, lang)]
        assert p.default in values or p.type is bool, (name, text)


def sweep_sep(lang: str) -> str:
    return "; " if lang == "pt-BR" else ", "


@pytest.mark.parametrize("items,needle", [
    (["lr=1e-4,abc"], "sweep lr: lr='abc': must be float"),
    (["lr=1e-4,1e9"], "sweep lr: lr=1000000000.0 is out of range"),
    (["batch_size=32,64.5"], "sweep batch_size: batch_size='64.5': must be int"),
    (["optimizer=adam,lbfgs"], "sweep optimizer: optimizer='lbfgs': must be one of adam, sgd, rmsprop"),
    (["lr=1e-3"], "sweep lr: give at least 2 values"),
    (["lr=1e-3,1e-3"], "sweep lr: 0.001 is given twice"),
    (["lrr=1,2"], "sweep lrr: not a knob of cnn"),
    (["log_every=1,2"], "sweep log_every: not a knob of cnn"),
    (["lr"], "write KNOB=V1,V2"),
    (["lr=1e-4,1e-3", "seed=1,2", "epochs=1,2"], "at most 2 knobs"),
    (["lr=1e-4,1e-3", "lr=1e-2,1e-1"], "sweep lr: given twice"),
    ([], "a sweep needs a knob"),
    (["lr=" + ",".join(f"{i}e-4" for i in range(1, 8)), "seed=" + ",".join(map(str, range(8)))], "56 runs"),
])
def test_bad_grids_are_refused_naming_the_knob(items, needle):
    with pytest.raises(ConfigError, match=needle.replace("(", r"\(").replace(".", r"\.")):
        sweep.parse_grid("cnn", items)


def test_a_refused_point_launches_nothing(store):
    # the transformer's heads must divide its embedding: one bad point refuses the whole sweep up front
    grid = sweep.parse_grid("transformer", ["nhead=2,3"])
    with pytest.raises(ConfigError, match="sweep point nhead=3"):
        sweep.launch("transformer", "mnist-5k", {"d_model": 16}, grid, store=store)
    assert store.list_runs() == []
    grid = sweep.parse_grid("mlp", ["precision=fp32,fp16"])  # fp16 needs CUDA: refused up front on a CPU
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="sweep point precision=fp16: precision=fp16 needs a CUDA GPU"):
            sweep.launch("mlp", "mnist-5k", {"max_steps": 2}, grid, store=store)
        assert store.list_runs() == []


def test_launch_queues_one_run_per_point_with_its_sweep(store, monkeypatch, capsys):
    monkeypatch.setattr(jobs, "_spawn", lambda s, run_id: None)
    rc = cli.main(["--store", str(store.root), "sweep", "--arch", "mlp", "--max-steps", "3", "--width", "16",
                   "--grid", "lr=1e-3,1e-2", "--grid", "batch_size=16,32"])
    assert rc == 0
    ids = [int(i) for i in capsys.readouterr().out.split()]
    runs = store.list_runs(ids=ids)
    assert len(runs) == 4 and len({r.sweep["id"] for r in runs}) == 1
    assert runs[0].sweep["knobs"] == ["lr", "batch_size"] and runs[0].group_name.startswith("sweep ")
    assert {(r.config["hp"]["lr"], r.config["hp"]["batch_size"]) for r in runs} == \
        {(1e-3, 16), (1e-3, 32), (1e-2, 16), (1e-2, 32)}
    assert all(r.config["hp"]["max_steps"] == 3 and r.config["hp"]["width"] == 16 for r in runs)
    assert {r.name for r in runs} >= {"lr=0.001 batch_size=16"}
    found = sweep.sweeps(store.list_runs())
    assert list(found) == [runs[0].sweep["id"]]
    res = sweep.results(found[runs[0].sweep["id"]], lambda r: r.config["hp"]["lr"] * r.config["hp"]["batch_size"])
    assert res["z"] == [[1e-3 * 16, 1e-3 * 32], [1e-2 * 16, 1e-2 * 32]]  # first knob down, second across
    assert cli.main(["--store", str(store.root), "sweep", "--arch", "mlp", "--lr", "1e-3",
                     "--grid", "lr=1e-3,1e-2"]) == 2
    assert "also swept" in capsys.readouterr().err


def test_one_knob_results_follow_the_grid_order(store, monkeypatch):
    monkeypatch.setattr(jobs, "_spawn", lambda s, run_id: None)
    sid, ids = sweep.launch("mlp", "mnist-5k", {"max_steps": 2}, {"lr": [1e-2, 1e-4, 1e-3]}, store=store)
    res = sweep.results(store.list_runs(ids=ids), lambda r: r.id)
    assert res["values"]["lr"] == [1e-2, 1e-4, 1e-3] and res["z"] == ids


def test_an_old_store_keeps_its_runs_and_gains_sweeps(tmp_path):
    root = tmp_path / "old"
    root.mkdir()
    db = sqlite3.connect(root / "runs.db")
    db.executescript(OLD_RUNS)  # the first release's schema: no uid, control_at or sweep
    db.execute("INSERT INTO runs (name, arch, dataset, config, status, created, summary) VALUES (?,?,?,?,?,?,?)",
               ("old run", "cnn", "mnist-5k", json.dumps(make_config("cnn").to_dict()), "finished", 1.0,
                '{"best_test_acc": 0.97}'))
    db.commit()
    db.close()
    ro = Store(root, readonly=True)  # read as it is, before any migration: no sweep column yet
    assert ro.get_run(1).sweep is None and ro.get_run(1).name == "old run"
    ro.close()
    s = Store(root)
    old = s.get_run(1)
    assert old.name == "old run" and old.summary == {"best_test_acc": 0.97} and old.sweep is None
    new = s.create_run(make_config("cnn").to_dict(), sweep={"id": "ab", "knobs": ["lr"], "values": {"lr": [1]}})
    assert s.get_run(new).sweep["id"] == "ab"
    assert sweep.sweeps(s.list_runs()) == {"ab": [s.get_run(new)]}


def test_sweep_figure_one_knob_is_a_line_two_a_heat_map_with_gaps():
    import math

    from deeparch.present import charts

    line = charts.sweep_figure({"knobs": ["lr"], "values": {"lr": [1e-4, 1e-3, 1e-2]}, "z": [0.5, None, 0.9]},
                               "best test accuracy", percent=True, log_x=True)
    assert line.data[0].type == "scatter" and line.layout.xaxis.type == "log"
    assert math.isnan(line.data[0].y[1]) and list(line.data[0].text) == ["50.0%", "", "90.0%"]
    cats = charts.sweep_figure({"knobs": ["optimizer"], "values": {"optimizer": ["adam", "sgd"]}, "z": [0.5, 0.6]},
                               "best test accuracy")
    assert cats.layout.xaxis.type == "category"
    heat = charts.sweep_figure({"knobs": ["lr", "seed"], "values": {"lr": [1e-3, 1e-2], "seed": [0, 1]},
                                "z": [[0.1, None], [0.3, 0.4]]}, "best test accuracy", percent=True)
    assert heat.data[0].type == "heatmap" and list(heat.data[0].y) == ["0.001", "0.01"]
    assert math.isnan(heat.data[0].z[0][1])
