import re

import pytest

from deeparch.course.archs import ARCHS, load_config, make_config, schema
from deeparch.course.config import ConfigError


def test_defaults_are_the_course_presets():
    cfg = make_config("cnn")
    assert (cfg.lr, cfg.batch_size, cfg.optimizer, cfg.epochs) == (1e-3, 64, "adam", 10)
    gan = make_config("gan")
    assert (gan.lr_g, gan.lr_d, gan.beta1) == (2e-4, 2e-4, 0.5)
    assert "lr" not in gan.hp  # the GAN has two learning rates instead


@pytest.mark.parametrize("arch", list(ARCHS))
def test_every_arch_has_a_valid_default_config(arch):
    cfg = make_config(arch)
    assert set(cfg.hp) == set(schema(arch, cfg.dataset))
    assert load_config(cfg.to_json()) == cfg


def test_values_are_coerced_from_strings():
    cfg = make_config("rnn", lr="0.01", batch_size="32", cell="GRU", bidirectional="true")
    assert (cfg.lr, cfg.batch_size, cfg.cell, cfg.bidirectional) == (0.01, 32, "gru", True)


@pytest.mark.parametrize("hp, message", [
    ({"lr": -1}, "lr=-1.0 is out of range: must be float in [1e-07, 10000]"),
    ({"batch_size": 0}, "batch_size=0 is out of range"),
    ({"batch_size": 3.5}, "batch_size=3.5: must be int"),
    ({"optimizer": "adagrad"}, "must be one of adam, sgd, rmsprop"),
    ({"lr": float("nan")}, "must be a finite number"),
    ({"learning_rate": 0.1}, "unknown hyperparameter learning_rate for cnn; valid: epochs"),
    ({"cell": "gru"}, "unknown hyperparameter cell"),
    ({"batch_norm": "maybe"}, "must be true or false"),
])
def test_bad_values_are_refused_with_the_reason(hp, message):
    with pytest.raises(ConfigError, match=None) as e:
        make_config("cnn", **hp)
    assert message in str(e.value)


def test_unknown_arch_and_dataset():
    with pytest.raises(ConfigError, match=re.escape(f"arch='lenet': must be one of {', '.join(ARCHS)}")):
        make_config("lenet")
    with pytest.raises(ConfigError, match="dataset='cifar'"):
        make_config("cnn", "cifar")


def test_cross_parameter_rules():
    with pytest.raises(ConfigError, match="d_model=30 must be divisible by nhead=4"):
        make_config("transformer", d_model=30)


def test_replace_validates():
    cfg = make_config("cnn")
    assert cfg.replace(lr=0.1).lr == 0.1
    with pytest.raises(ConfigError):
        cfg.replace(lr=0)


def test_a_stored_config_from_before_a_parameter_existed_keeps_its_old_behaviour():

    new = make_config("diffusion").to_dict()
    old = {**new, "hp": {k: v for k, v in new["hp"].items() if k != "temperature"}}
    assert load_config(new).temperature == 0.9  # today's preset
    assert load_config(old).temperature == 1.0  # sampled at 1 before the knob existed
    assert load_config(load_config(old).to_json()).temperature == 1.0
    gan = make_config("dcgan").to_dict()
    before = {**gan, "hp": {k: v for k, v in gan["hp"].items() if k != "info_weight"}}
    assert load_config(gan).info_weight == 2.0  # today's DCGAN preset
    assert load_config(before).info_weight == 1.0  # the code loss counted once before the knob existed
