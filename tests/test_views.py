"""Read-side queries of the pages (deeparch.read.views) over a store filled without training."""
from __future__ import annotations

import fake_runs
import numpy as np
import pytest

from deeparch.read import pace, series, views
from deeparch.course.archs import make_config
from pages import _words


def test_run_metrics_reads_only_new_rows(store):
    rid = store.create_run(make_config("cnn").to_dict(), status="running")
    store.log_metrics(rid, [(1, "loss", 2.0, 10.0), (1, "grad/a", 0.1, 10.0), (1, "grad/b", 1.0, 10.0)])
    rm = series.RunMetrics(rid)
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
    rm = series.read_metrics(store, rid)
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
    a = store.get_run(fake_runs.finished_cnn(store, lr=1e-3, name="same name"))
    b = store.get_run(fake_runs.finished_cnn(store, lr=1e-4, seed=3, name="same name"))
    diff = views.config_diff([a, b])
    assert sorted(diff.columns) == ["lr", "seed"]
    assert list(diff.index) == [a.id, b.id]  # one row per run, even when two share a name
    assert list(diff["lr"]) == [1e-3, 1e-4]


def test_final_metrics_and_grad_summary(store):
    run = store.get_run(fake_runs.finished_cnn(store))
    rm = series.read_metrics(store, run.id)
    fm = views.final_metrics(run, rm)
    assert fm["headline"] == 0.93 and fm["params"] == 1_625_866 and fm["run_id"] == run.id  # best test accuracy
    assert 900 <= fm["samples_per_s"] <= 1000
    assert "recognisability" not in fm  # a classifier declares no quality figures
    gan = store.get_run(fake_runs.running_gan(store))
    fg = views.final_metrics(gan, series.read_metrics(store, gan.id))
    assert fg["headline"] is not None and {"coverage", "frechet"} <= set(fg)  # headline and declared extra
    g = series.grad_summary(rm)
    assert list(g["layer"]) == fake_runs.layers(run.arch)  # the trainer's own names, input side first
    assert (g["p5"] <= g["median"]).all() and (g["median"] <= g["p95"]).all()


def test_metrics_csv_wide_format_one_row_per_run_and_step(store):
    import io

    import pandas as pd

    a = fake_runs.finished_cnn(store, steps=60, name="=HYPERLINK(\"http://x\")")
    b = fake_runs.finished_cnn(store, steps=10, name="plain")
    df = pd.read_csv(io.BytesIO(views.metrics_csv(store, [a, 999, b])))
    assert list(df.columns[:3]) == ["run_id", "run", "step"]
    assert {"loss", "train_acc", "test_acc", "grad_norm"} <= set(df.columns)
    assert list(df["run_id"]) == [a] * 60 + [b] * 10  # one row per run and step, in the order asked
    assert df.loc[df["run_id"] == a, "run"].iloc[0].startswith("'=")  # a formula is never evaluated
    loss = store.metrics(a, keys=["loss"])
    assert df.loc[df["run_id"] == a, "loss"].tolist() == loss["value"].tolist()
    assert views.metrics_csv(store, []).decode().startswith("run_id,run,step")


def test_explain_and_eta(store):
    ids = fake_runs.populate(store)
    assert "Resume" in _words.explain(store.get_run(ids["failed"]))
    assert "learning rate" in _words.explain(store.get_run(ids["diverged"]))
    assert _words.explain(store.get_run(ids["finished"])) is None
    run = store.get_run(ids["running"])  # step 150 of 600
    assert pace.eta_seconds(run, pace_s=0.1) == pytest.approx((600 - 150) * 0.1)
    assert pace.eta_seconds(run, pace_s=None) is None and pace.expects_eta(run)  # "estimating…"
    assert _words.fmt_duration(3725) == "1 h 02 min" and _words.fmt_duration(None) == "–"
    assert _words.fmt_duration(600) == "10 min" and _words.fmt_duration(605) == "10 min 05 s"


def test_x_values(store):
    run = store.get_run(fake_runs.finished_cnn(store, steps=20))
    steps, walls = np.array([1, 2]), np.array([run.started + 1, run.started + 3])
    assert list(series.x_values("samples", steps, walls, run)) == [64, 128]
    assert list(series.x_values("wall", steps, walls, run)) == [1.0, 3.0]


def test_time_budget_drives_progress_and_eta(store):
    cfg = make_config("diffusion", max_minutes=10, epochs=100, batch_size=32).to_dict()
    rid = store.create_run(cfg, status="running")
    store.update_run(rid, step=1000, total_steps=12500, started=1.0)
    run = store.get_run(rid)
    assert pace.time_budget_s(run) == 600.0
    # 300 s of a 600 s budget but only 8% of the steps: at this pace the budget ends the run at
    # step 2000 of 12500
    assert pace.progress(run, 300.0) == 0.5 and pace.budget_bound(run, 300.0)
    assert not pace.budget_bound(run, 40.0)  # 1000 steps in 40 s: all 12500 fit in 500 s
    assert pace.progress(run) == 1000 / 12500  # no training time known: the steps
    # 0.16 s a step would need 11,500 × 0.16 = 1840 s; the budget has 300 s left
    assert pace.eta_seconds(run, pace_s=0.16, trained_s=300.0) == 300.0
    assert pace.train_time(run, {"train_time": 300.0}) == 300.0 and pace.train_time(run, {}) is None
    store.merge_summary(rid, train_seconds=120.0)
    assert pace.train_time(store.get_run(rid)) == 120.0
    store.update_run(rid, status="queued")
    assert pace.eta_seconds(store.get_run(rid), 0.16, trained_s=300.0) is None  # waiting: no ETA
    steps_only = store.get_run(fake_runs.populate(store)["running"])
    assert pace.time_budget_s(steps_only) is None and not pace.budget_bound(steps_only, 100.0)
    assert pace.progress(steps_only, 1e6) == steps_only.step / steps_only.total_steps


def _eta(store, rid):
    rm = series.read_metrics(store, rid)
    run = store.get_run(rid)
    return pace.eta_seconds(run, pace.pace(*rm.series("samples_per_s")[::2]), pace.train_time(run, {}))


def test_eta_of_the_300_step_demo_that_said_41_min(store):
    """Issue 7.8: a 300-step demo whose first 5 steps took 42 s finished in 2 min 26 s, told "41 min"."""
    demo = dict(total=300, first_s=41.7, step_s=0.32, eval_s=1.5)
    rid, _ = fake_runs.paced_run(store, at_step=5, **demo)
    assert _eta(store, rid) is None                          # one record: "estimating…", not 41 min
    rid, left = fake_runs.paced_run(store, at_step=30, **demo)
    assert _eta(store, rid) == pytest.approx(left, rel=0.25)  # the measured pace, without the slow start
    rid, left = fake_runs.paced_run(store, at_step=200, **demo)
    assert _eta(store, rid) == pytest.approx(left, rel=0.25)


def test_eta_of_the_400_step_clone_that_said_10_min(store):
    """Issue 7.8: a 400-step clone told "10 min 58 s" from the worker's start-up time over its first steps."""
    clone = dict(total=400, first_s=1.0, step_s=0.1, log_every=10, startup_s=7.5)
    rid, _ = fake_runs.paced_run(store, at_step=5, **clone)   # no log record yet
    assert _eta(store, rid) is None
    rid, left = fake_runs.paced_run(store, at_step=60, **clone)
    assert _eta(store, rid) == pytest.approx(left, rel=0.25)


def test_pace_leaves_pauses_out():
    steps = np.arange(10, 310, 10)
    walls = steps * 0.1
    walls[15:] += 600.0  # paused for ten minutes halfway
    assert pace.pace(steps, walls) == pytest.approx(0.1)
    assert pace.pace(steps[:2], walls[:2]) is None


def test_fake_runs_write_the_trainers_own_layer_names_and_declared_keys(store):
    """Issue 9.11: the fake RNN logged grad/head and the fake U-Net layers the model does not have."""
    from deeparch.course.archs import get_arch, load_config
    from deeparch.engine.trainer import layer_groups

    for rid in fake_runs.populate(store).values():
        run = store.get_run(rid)
        cfg = load_config(run.config)
        keys = set(store.metric_keys(rid))
        assert {k[len("grad/"):] for k in keys if k.startswith("grad/")} == set(layer_groups(get_arch(cfg.arch).build(cfg)))
        per_step = {line.key for p in get_arch(cfg.arch).display.panels for line in p.lines if not line.markers}
        assert per_step <= keys, (run.arch, per_step - keys)


def test_test_loss_shown_is_the_one_validation_picked_never_the_lowest_on_test(store):
    rid = fake_runs.finished_cnn(store)
    store.merge_summary(rid, best_test_loss=0.10, test_loss_at_best=0.30, test_loss=0.35)
    run = store.get_run(rid)
    assert views.key_metrics(run)["test_loss"] == 0.30
    fm = views.final_metrics(run, series.read_metrics(store, rid))
    assert fm["test_loss_at_best"] == 0.30 and "best_test_loss" not in fm
    # a run without a validation split: its last evaluation's test loss, not the minimum over test
    old = fake_runs.finished_cnn(store, seed=1)
    store.merge_summary(old, best_test_loss=0.10, test_loss=0.35)
    assert views.key_metrics(store.get_run(old))["test_loss"] == 0.35


def test_what_compare_shows_first_and_how_it_names_the_figures(store):
    a = store.get_run(fake_runs.finished_cnn(store, name="a"))
    b = store.get_run(fake_runs.finished_cnn(store, name="b", lr=1e-4))
    runs = [b, a]  # newest first, as the store lists them
    assert views.default_selection(runs, 8) == [b.id, a.id]  # no race: the latest finished runs
    labels = views.declared_labels(runs, "{line} ({axis})")
    assert labels["test_acc"] == "test (accuracy)" and labels["grad_norm"]  # a shared line label gets its axis
    assert views.blowup(runs, "loss") and not views.blowup(runs, "test_acc")
    assert next(iter(views.view_choices(runs).values())).draw in views.GRID_DRAWS  # opens on a grid
    head = views.display(a.arch, a.dataset).headline
    assert views.percent_columns(runs) == {head.label}
    finals = {r.id: views.final_metrics(r, series.read_metrics(store, r.id)) for r in runs}
    row = views.final_row(a, finals[a.id], labels)
    assert list(row)[:5] == ["run_id", "arch", "status", "steps", head.label] and "headline" not in row


def test_the_best_headline_beats_another_comparable_run_only(store):
    a, b = (store.get_run(fake_runs.finished_cnn(store, name=n)) for n in "ab")
    finals = {a.id: {"headline": 0.91}, b.id: {"headline": 0.93}}
    assert views.best_headlines([a, b], finals) == {b.id}
    assert views.best_headlines([a, b], {a.id: {"headline": 0.9}, b.id: {"headline": 0.9}}) == set()  # a tie
    assert views.best_headlines([a, b], {**finals, b.id: {"headline": 0.93, "verdict": "collapsed"}}) == set()
    assert views.best_headlines([a, b], {**finals, b.id: {"headline": 0.93, "judge_version": 0}}) == set()
    assert views.best_headlines([a, b], {**finals, b.id: {"headline": float("nan")}}) == set()


def test_matching_filters_by_status_arch_and_name(store):
    ids = fake_runs.populate(store)
    runs = store.list_runs()
    assert views.matching(runs) == runs
    assert [r.id for r in views.matching(runs, statuses=["finished"])] == [ids["finished"]]
    assert views.matching(runs, archs=["no-such-arch"]) == []
    named = runs[0].name
    assert runs[0] in views.matching(runs, search=named.upper()) and views.matching(runs, search="zz-none") == []
