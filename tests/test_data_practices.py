"""Issue 10, items 1–4: validation split, dataset options, augmentation, early stopping, L1,
activation and initialisation, the CNN variants, transfer learning and the lessons."""
import pytest
import torch

from deeparch.course import data, lessons
from deeparch.course.archs import ARCHS, make_config
from deeparch.course.archs._weights import freeze
from deeparch.course.archs.base import init_weights, l1_penalty
from deeparch.engine.augment import Augment, preview, step_generator
from deeparch.course.config import ConfigError, parse_classes
from deeparch.engine.checkpoint import CheckpointMismatch
from deeparch.engine.trainer import Trainer

TINY = dict(channels=4, hidden=8, batch_size=16, log_every=1)


@pytest.fixture(scope="module")
def ds():
    return data.load("mnist-5k")


def key_set(x):
    return {bytes(row.numpy().tobytes()) for row in x}


# ---- split and dataset options -------------------------------------------------------------------
def test_validation_split_is_stratified_deterministic_and_disjoint(ds):
    a, b = data.split(ds, 0.1), data.split(ds, 0.1)
    assert torch.equal(a.y_val, b.y_val) and torch.equal(a.x_train, b.x_train)
    assert torch.bincount(a.y_val).tolist() == [40] * 10 and len(a.x_train) == 3600
    train, val, test = key_set(a.x_train), key_set(a.x_val), key_set(a.x_test)
    assert not (train & val) and not (val & test) and not (train & test)
    assert len(data.split(ds, 0.0).x_val) == 0


def test_classes_and_per_class_restrict_train_and_test(ds):
    sp = data.split(ds, 0.1, "5,6,7,8,9", 20)
    assert torch.bincount(sp.y_train, minlength=10).tolist() == [0] * 5 + [20] * 5
    assert set(sp.y_val.tolist()) == set(sp.y_test.tolist()) == {5, 6, 7, 8, 9}
    assert len(sp.x_val) == 200  # validation keeps its share of the whole pool of those classes


def test_classes_knob_reads_ranges_and_refuses_nonsense():
    assert parse_classes("5-9") == "5,6,7,8,9" and parse_classes(" 0, 2,4 ") == "0,2,4" and parse_classes("") == ""
    assert make_config("cnn", classes="9-5 ".replace("9-5", "5-9")).classes == "5,6,7,8,9"
    for bad, why in (("3", "at least two"), ("5-12", "0 to 9"), ("a-b", "cannot read")):
        with pytest.raises(ConfigError, match=why):
            make_config("cnn", classes=bad)


def test_cross_parameter_refusals_and_generators_have_no_data_knobs():
    with pytest.raises(ConfigError, match="val_split"):
        make_config("cnn", patience=3, val_split=0)
    with pytest.raises(ConfigError, match="not a layer name"):
        make_config("cnn", freeze="features;rm")
    with pytest.raises(ConfigError, match="unknown hyperparameter"):
        make_config("gan", val_split=0.1)
    with pytest.raises(ConfigError, match="out of range"):
        make_config("mlp", aug_rotate=90)


# ---- augmentation --------------------------------------------------------------------------------
@pytest.mark.parametrize("knob", [dict(shift=3), dict(rotate=20), dict(elastic=2), dict(erase=1.0)])
def test_each_augmentation_changes_the_batch_deterministically(ds, knob):
    x = ds.x_train[:8]
    aug = Augment(**knob)
    out = aug(x, step_generator(0, 5))
    assert out.shape == x.shape and torch.isfinite(out).all() and out.min() >= -1 - 1e-5
    assert not torch.allclose(out, x, atol=1e-3)
    assert torch.equal(out, aug(x, step_generator(0, 5)))
    assert not torch.equal(out, aug(x, step_generator(0, 6)))


def test_no_augmentation_by_default_and_background_stays_background(ds):
    x = ds.x_train[:4]
    assert Augment.from_hp(make_config("cnn").hp).active is False
    blank = -torch.ones(2, 1, 28, 28)
    assert torch.allclose(Augment(shift=4, rotate=30)(blank, step_generator(0, 0)), blank, atol=1e-5)
    grid = preview(x, Augment(shift=2), copies=3)
    assert grid.shape == (16, 1, 28, 28) and torch.equal(grid[0], x[0]) and torch.equal(grid[4], x[1])


def test_augmentation_is_applied_in_training_steps_only(monkeypatch):
    cfg = make_config("cnn", **TINY, max_steps=2, aug_shift=3, eval_every=2)
    t = Trainer(cfg, device="cpu")
    t.setup()
    seen = []
    monkeypatch.setattr(t.model, "train_step", lambda x, y, opts: seen.append(x.clone()) or {"loss": 1.0})
    x_before = t.x.clone()
    t.fit()
    assert len(seen) == 2 and torch.equal(t.x, x_before)  # the stored images are untouched
    assert not any(key_set(s) <= key_set(t.x) for s in seen)  # what the step saw was moved


# ---- best on validation, early stopping -----------------------------------------------------------
def scripted(monkeypatch, trainer, evals):
    it = iter(evals)
    monkeypatch.setattr(trainer, "evaluate", lambda: dict(next(it)))


def test_best_is_chosen_on_validation_and_test_only_reported(monkeypatch):
    t = Trainer(make_config("cnn", **TINY, max_steps=6, eval_every=2), device="cpu")
    t.setup()
    scripted(monkeypatch, t, [{"val_acc": 0.5, "val_loss": 1, "test_acc": 0.9, "test_loss": 1},
                              {"val_acc": 0.8, "val_loss": 1, "test_acc": 0.6, "test_loss": 1},
                              {"val_acc": 0.7, "val_loss": 1, "test_acc": 0.95, "test_loss": 1}])
    s = t.fit().summary
    assert (s["best_val_acc"], s["test_acc_at_best"], s["best_step"]) == (0.8, 0.6, 4)
    assert "best_test_acc" not in s  # the highest test accuracy is never a "best"


def test_early_stopping_stops_after_patience_evaluations_without_a_lower_val_loss(monkeypatch):
    t = Trainer(make_config("cnn", **TINY, max_steps=40, eval_every=2, patience=2), device="cpu")
    t.setup()
    losses = [1.0, 0.8, 0.9, 0.7, 0.75, 0.8] + [1.0] * 20  # a new lowest at step 8 resets the count
    scripted(monkeypatch, t, [{"val_loss": v, "val_acc": 0.5, "test_acc": 0.5} for v in losses])
    r = t.fit()
    assert r.status == "finished" and r.step == 12 and r.reason.startswith("stopped early")


def test_validation_figures_are_logged_by_a_real_run():
    t = Trainer(make_config("mlp", width=8, layers=1, max_steps=3, val_split=0.2), device="cpu")
    s = t.fit().summary
    assert {"val_acc", "val_loss", "test_acc_at_best", "best_val_acc"} <= set(s) and len(t.x_val) == 800


# ---- L1, activation, initialisation --------------------------------------------------------------
def test_l1_penalty_value_and_effect(ds):
    lin = torch.nn.Linear(2, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[1.0, -2.0], [0.5, 0.0]]))
    assert l1_penalty(lin.parameters(), 0.1).item() == pytest.approx(0.35)  # biases excluded
    x, y = ds.x_train[:16], ds.y_train[:16]
    weights = []
    for l1 in (0.0, 0.01):
        torch.manual_seed(0)
        m = ARCHS["mlp"].build(make_config("mlp", width=16, layers=1, l1=l1, dropout=0))
        m.train_step(x, y, m.configure_optimizers())
        weights.append(m.net[1].weight.detach().clone())
    assert not torch.allclose(*weights)


@pytest.mark.parametrize("arch", ["cnn", "mlp"])
def test_activation_and_init_change_the_model(arch, ds):
    hp = TINY if arch == "cnn" else dict(width=16, layers=1)
    outs = {}
    for key, extra in {"relu": {}, "tanh": {"activation": "tanh"}, "he": {"init": "he"}}.items():
        torch.manual_seed(0)
        m = ARCHS[arch].build(make_config(arch, **hp, **extra)).eval()
        outs[key] = m(ds.x_train[:4])
    assert not torch.allclose(outs["relu"], outs["tanh"]) and not torch.allclose(outs["relu"], outs["he"])


def test_init_schemes_have_their_known_scale():
    for scheme, std in (("he", (2 / 400) ** 0.5), ("glorot", (2 / (400 + 300)) ** 0.5)):
        torch.manual_seed(0)
        lin = torch.nn.Sequential(torch.nn.Linear(400, 300))
        init_weights(lin, scheme, "relu" if scheme == "he" else "linear")
        assert lin[0].weight.std().item() == pytest.approx(std, rel=0.05) and not lin[0].bias.any()


# ---- CNN variants --------------------------------------------------------------------------------
@pytest.mark.parametrize("knob", [dict(block="residual"), dict(block="inception"), dict(dilation=2),
                                  dict(downsample="stride"), dict(batch_norm=True)])
def test_each_cnn_variant_builds_and_computes_something_else(knob, ds):
    x = ds.x_train[:4]
    torch.manual_seed(0)
    plain = ARCHS["cnn"].build(make_config("cnn", **TINY)).eval()
    torch.manual_seed(0)
    variant = ARCHS["cnn"].build(make_config("cnn", **TINY, **knob)).eval()
    out = variant(x)
    assert out.shape == (4, 10) and torch.isfinite(out).all()
    assert not torch.allclose(out, plain(x))


def test_inception_refuses_channels_it_cannot_split():
    with pytest.raises(ConfigError, match="channels must be even"):
        make_config("cnn", block="inception", channels=5)


# ---- transfer learning ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pretrained(tmp_path_factory):
    path = tmp_path_factory.mktemp("pre") / "checkpoint.pt"
    Trainer(make_config("cnn", **TINY, max_steps=3, classes="0-4"), checkpoint=path, device="cpu").fit()
    return path


def test_transfer_loads_the_weights_and_freezing_keeps_them(pretrained):
    source = torch.load(pretrained, weights_only=True)["model"]
    t = Trainer(make_config("cnn", **TINY, max_steps=3, classes="5-9", per_class=5, freeze="features"),
                init_weights=pretrained, device="cpu")
    t.setup()
    assert all(torch.equal(v, source[k]) for k, v in t.model.state_dict().items())
    t.fit()
    after = t.model.state_dict()
    assert all(torch.equal(after[k], source[k]) for k in source if k.startswith("features."))
    assert not torch.equal(after["classifier.1.weight"], source["classifier.1.weight"])


def test_frozen_batch_norm_keeps_its_statistics_and_the_rest_still_learns(tmp_path):
    """A frozen feature extractor with batch norm changed anyway: in training mode its layers normalised
    by each new batch and moved their running mean and variance towards the new digits."""
    pre = tmp_path / "pre.pt"
    Trainer(make_config("cnn", **TINY, batch_norm=True, max_steps=3, classes="0-4"), checkpoint=pre,
            device="cpu").fit()
    source = torch.load(pre, weights_only=True)["model"]
    norms = [k for k in source if k.startswith("features.") and "running_mean" in k]
    assert norms  # the course CNN with batch_norm has it in its features
    frozen = Trainer(make_config("cnn", **TINY, batch_norm=True, max_steps=3, classes="5-9", freeze="features"),
                     init_weights=pre, device="cpu")
    frozen.fit()
    after = frozen.model.state_dict()
    assert all(torch.equal(after[k], source[k]) for k in source if k.startswith("features."))
    assert not torch.equal(after["classifier.1.weight"], source["classifier.1.weight"])
    frozen.model.train()  # training mode everywhere but in the frozen batch norm layers
    bns = [m for m in frozen.model.features.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and not any(m.training for m in bns) and frozen.model.classifier.training
    # not frozen: the same fine-tune moves them (what the frozen run would have done before)
    free = Trainer(make_config("cnn", **TINY, batch_norm=True, max_steps=3, classes="5-9"), init_weights=pre,
                   device="cpu")
    free.fit()
    assert not all(torch.equal(free.model.state_dict()[k], source[k]) for k in norms)


def test_unfreeze_after_trains_the_new_layer_alone_first_then_everything(pretrained):
    """LP-FT: the frozen layers keep the loaded weights for ``unfreeze_after`` epochs, then learn too."""
    source = torch.load(pretrained, weights_only=True)["model"]
    t = Trainer(make_config("cnn", **TINY, epochs=4, classes="5-9", per_class=5, freeze="features",
                            unfreeze_after=2), init_weights=pretrained, device="cpu")
    seen, thaw = [], t._thaw_if_due

    def spy():  # at the start of each epoch: still as loaded? still frozen?
        w = t.model.features[0].weight
        seen.append((t.epoch, torch.equal(w, source["features.0.weight"]), w.requires_grad))
        thaw()
    t._thaw_if_due = spy
    t.fit()
    assert seen == [(0, True, False), (1, True, False), (2, True, False), (3, False, True)]
    assert not torch.equal(t.model.state_dict()["features.0.weight"], source["features.0.weight"])
    assert any(name.startswith("features") for name in t.layers)  # their gradient norms are charted again
    with pytest.raises(ConfigError, match="set freeze"):
        make_config("cnn", unfreeze_after=2)
    with pytest.raises(ConfigError, match="not below epochs=10"):
        make_config("cnn", freeze="features", unfreeze_after=10, epochs=10)


def test_transfer_refuses_other_shapes_and_unknown_layer_names(pretrained):
    with pytest.raises(CheckpointMismatch, match="other shapes"):
        Trainer(make_config("cnn", **{**TINY, "hidden": 9}), init_weights=pretrained, device="cpu").setup()
    with pytest.raises(ConfigError, match="matches no layer"):
        Trainer(make_config("cnn", **TINY, freeze="feature"), device="cpu").setup()


def test_fresh_layers_are_not_loaded_and_need_a_source(pretrained):
    source = torch.load(pretrained, weights_only=True)["model"]
    torch.manual_seed(0)
    t = Trainer(make_config("cnn", **TINY, init_from=1, fresh="classifier.4"), init_weights=pretrained,
                device="cpu")
    t.setup()
    mine = t.model.state_dict()
    assert torch.equal(mine["features.0.weight"], source["features.0.weight"])
    assert not torch.equal(mine["classifier.4.weight"], source["classifier.4.weight"])
    with pytest.raises(ConfigError, match="set init_from"):
        make_config("cnn", fresh="classifier.4")
    with pytest.raises(ConfigError, match="matches no layer"):
        Trainer(make_config("cnn", **TINY, init_from=1, fresh="head"), init_weights=pretrained, device="cpu").setup()


def test_freeze_matches_whole_module_names():
    m = torch.nn.Module()
    m.features, m.featuresx = torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)
    assert freeze(m, "features") == ["features.weight", "features.bias"] and m.featuresx.weight.requires_grad


def test_launch_refuses_a_missing_foreign_or_failed_source_and_queues_behind_an_active_one(store, monkeypatch):
    from deeparch.execution import jobs

    monkeypatch.setattr(jobs, "_spawn", lambda s, run_id: None)
    with pytest.raises(ConfigError, match="no run 99"):
        jobs.launch(make_config("cnn", init_from=99), store=store)
    mlp = store.create_run(make_config("mlp").to_dict(), status="finished")
    with pytest.raises(ConfigError, match="is a mlp run"):
        jobs.launch(make_config("cnn", init_from=mlp), store=store)
    failed = store.create_run(make_config("cnn").to_dict(), status="failed")
    with pytest.raises(ConfigError, match="is failed"):
        jobs.launch(make_config("cnn", init_from=failed), store=store)
    source = jobs.launch(make_config("cnn"), store=store)
    waiting = jobs.launch(make_config("cnn", init_from=source), store=store)
    assert store.get_run(waiting).status == "queued"  # the source holds the slot or waits: this one waits too
    store.set_status(source, "running")
    store.set_status(source, "finished")
    jobs.reconcile(store)
    assert store.get_run(waiting).status == "starting"


def test_lessons_validate_and_chain_their_runs():
    for lesson in lessons.ALL:
        cfgs = lesson.configs(max_steps=5)
        started = []
        ids = lesson.launch(cfgs, lambda cfg, name: started.append(cfg) or 100 + len(started))
        assert len(ids) == len(lesson.runs)
        for run, cfg in zip(lesson.runs, started):
            assert cfg.hp.get("init_from", 0) == (0 if run.starts_from is None else ids[run.starts_from])


def test_cli_train_refuses_a_source_that_has_not_ended(tmp_path, capsys):
    from deeparch import cli
    from deeparch.store import Store

    store = Store(tmp_path)
    running = store.create_run(make_config("cnn").to_dict(), status="running")
    store.close()
    assert cli.main(["--store", str(tmp_path), "train", "--arch", "cnn", "--init-from", str(running)]) == 2
    assert f"run {running} is running" in capsys.readouterr().err
