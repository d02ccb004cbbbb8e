"""Read-side queries of the pages (deeparch.views) over a store filled without training."""
from __future__ import annotations

import fake_runs
import numpy as np

from deeparch import views
from deeparch.archs import make_config


def test_run_metrics_reads_only_new_rows(store):
    rid = store.create_run(make_config("cnn").to_dict(), status="running")
    store.log_metrics(rid, [(1, "loss", 2.0, 10.0), (1, "grad/a", 0.1, 10.0), (1, "grad/b", 1.0, 10.0)])
    rm = views.RunMetrics(rid)
    assert rm.update(store) == 3
    first = rm.last_id
    assert rm.update(store) == 0 and rm.last_id == first
    store.log_metrics(rid, [(2, "loss", 1.5, 11.0), (2, "grad/a", 0.2, 11.0)])
    assert rm.update(store) == 2
    s, v, w = rm.series("loss")
    assert list(s) == [1, 2] and list(v) == [2.0, 1.5] and list(w) == [10.0, 11.0]
    assert rm.keys == ["loss", "grad/a", "grad/b"] and rm.layers == ["a", "b"]
    steps, layers, norms = rm.grad_matrix()
    assert list(steps) == [1, 2] and layers == ["a", "b"]
    assert norms[0].tolist() == [0.1, 0.2] and norms[1, 0] == 1.0 and np.isnan(norms[1, 1])


def test_run_metrics_resumed_run_keeps_last_value_per_step(store):
    rid = store.create_run(make_config("cnn").to_dict())
    store.log_metrics(rid, [(s, "loss", float(s), 0.0) for s in range(1, 6)])
    store.log_metrics(rid, [(s, "loss", -float(s), 1.0) for s in range(4, 8)])  # resumed from step 3
    rm = views.read_metrics(store, rid)
    s, v, _ = rm.series("loss")
    assert list(s) == [1, 2, 3, 4, 5, 6, 7]
    assert list(v) == [1, 2, 3, -4, -5, -6, -7]


def test_runs_frame_and_counts(store):
    ids = fake_runs.populate(store)
    df = views.runs_frame(store)
    assert len(df) == 4
    row = df.set_index("id").loc[ids["finished"]]
    assert row["test_acc"] == 0.93 and row["progress"] == 1.0 and row["params"] == 1_625_866
    running = df.set_index("id").loc[ids["running"]]
    assert running["loss"] is not None  # from the latest rows while training
    assert views.status_counts(store) == {"finished": 1, "running": 1, "failed": 1, "diverged": 1}


def test_config_diff_only_lists_what_differs(store):
    a = store.get_run(fake_runs.finished_cnn(store, lr=1e-3))
    b = store.get_run(fake_runs.finished_cnn(store, lr=1e-4, seed=3))
    diff = views.config_diff([a, b])
    assert sorted(diff.columns) == ["lr", "seed"]
    assert list(diff["lr"]) == [1e-3, 1e-4]


def test_final_metrics_and_grad_summary(store):
    run = store.get_run(fake_runs.finished_cnn(store))
    rm = views.read_metrics(store, run.id)
    fm = views.final_metrics(run, rm)
    assert fm["best test accuracy"] == 0.93 and fm["parameters"] == 1_625_866
    assert 900 <= fm["samples/s (median)"] <= 1000
    g = views.grad_summary(rm)
    assert list(g["layer"]) == list(fake_runs.CNN_LAYERS)
    assert (g["p5"] <= g["median"]).all() and (g["median"] <= g["p95"]).all()


def test_metrics_csv_long_format(store):
    rid = fake_runs.finished_cnn(store, steps=20)
    text = views.metrics_csv(store, [rid, 999]).decode()
    lines = text.splitlines()
    assert lines[0] == "run_id,run,step,key,value,wall"
    assert len(lines) - 1 == store.count_metrics(rid)
    assert views.metrics_csv(store, []).decode().startswith("run_id,")


def test_explain_and_eta(store):
    ids = fake_runs.populate(store)
    assert "Resume" in views.explain(store.get_run(ids["failed"]))
    assert "learning rate" in views.explain(store.get_run(ids["diverged"]))
    assert views.explain(store.get_run(ids["finished"])) is None
    run = store.get_run(ids["running"])  # step 150 of 600, batch 64
    assert views.eta_seconds(run, samples_per_s=640.0) == (600 - 150) * 64 / 640.0
    assert views.fmt_duration(3725) == "1 h 02 min" and views.fmt_duration(None) == "–"
    assert views.fmt_duration(600) == "10 min" and views.fmt_duration(605) == "10 min 05 s"


def test_x_values(store):
    run = store.get_run(fake_runs.finished_cnn(store, steps=20))
    steps, walls = np.array([1, 2]), np.array([run.started + 1, run.started + 3])
    assert list(views.x_values("samples", steps, walls, run)) == [64, 128]
    assert list(views.x_values("wall", steps, walls, run)) == [1.0, 3.0]


def test_time_budget_drives_progress_and_eta(store):
    cfg = make_config("diffusion", max_minutes=10, epochs=100, batch_size=32).to_dict()
    rid = store.create_run(cfg, status="running")
    store.update_run(rid, step=1000, total_steps=12500, started=1.0)
    run = store.get_run(rid)
    assert views.time_budget_s(run) == 600.0
    # 300 s of a 600 s budget but only 8% of the steps: at this pace the budget ends the run at
    # step 2000 of 12500
    assert views.progress(run, 300.0) == 0.5 and views.budget_bound(run, 300.0)
    assert not views.budget_bound(run, 40.0)  # 1000 steps in 40 s: all 12500 fit in 500 s
    assert views.progress(run) == 1000 / 12500  # no training time known: the steps
    # 200 samples/s would need 11,500 × 32 / 200 = 1840 s of steps; the budget has 300 s left
    assert views.eta_seconds(run, samples_per_s=200.0, trained_s=300.0) == 300.0
    assert views.train_time(run, {"train_time": 300.0}) == 300.0 and views.train_time(run, {}) is None
    store.merge_summary(rid, train_seconds=120.0)
    assert views.train_time(store.get_run(rid)) == 120.0
    store.update_run(rid, status="queued")
    assert views.eta_seconds(store.get_run(rid), trained_s=300.0) is None  # waiting: no ETA
    steps_only = store.get_run(fake_runs.populate(store)["running"])
    assert views.time_budget_s(steps_only) is None and not views.budget_bound(steps_only, 100.0)
    assert views.progress(steps_only, 1e6) == steps_only.step / steps_only.total_steps
