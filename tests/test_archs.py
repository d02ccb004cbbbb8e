"""One contract for every architecture in the registry: a sixth one is one new file."""
import math

import pytest
import torch

from deeparch.course import data
from deeparch.course.archs import ARCHS, default_dataset, make_config


@pytest.fixture
def batch(request):
    """32 training examples of the test's architecture's first dataset (mnist-5k, or a generated task)."""
    arch = request.node.callspec.params.get("arch", "cnn") if hasattr(request.node, "callspec") else "cnn"
    d = data.load(default_dataset(arch))
    return d.x_train[:32], d.y_train[:32]


# small sizes keep the contract tests fast; the presets are exercised by the trainer tests
SMALL = {"diffusion": {"channels": 8, "attention": False, "T": 50, "sample_steps": 5},
         **{a: {"g_width": 8, "d_width": 8, "latent_dim": 16} for a in ("dcgan", "cgan", "wgan_gp")}}


def build(arch, **hp):
    torch.manual_seed(0)
    cfg = make_config(arch, **{**SMALL.get(arch, {}), **hp})
    model = ARCHS[arch].build(cfg)
    return model, model.configure_optimizers()


@pytest.mark.parametrize("arch", list(ARCHS))
def test_one_step_gives_finite_floats_with_the_declared_keys(arch, batch):
    model, opts = build(arch)
    out = model.train_step(*batch, opts)
    assert set(ARCHS[arch].loss_keys) <= set(out)
    assert all(isinstance(v, float) and math.isfinite(v) for v in out.values())
    # gradients stay after the step, for the trainer's per-layer norms
    assert any(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("arch", list(ARCHS))
def test_visual_outputs_have_the_right_shape(arch, batch):
    model, _ = build(arch)
    if model.kind == "classifier":
        pred, conf = model.probe(batch[0][:16])
        assert pred.shape == (16,) and conf.shape == (16,)
        assert ((0 <= conf) & (conf <= 1)).all() and ((0 <= pred) & (pred < 10)).all()
        ev = model.evaluate(*batch)
        assert set(ev) == {"test_loss", "test_acc"} and 0 <= ev["test_acc"] <= 1
    elif model.kind == "language_model":
        ev = model.evaluate(*batch)
        assert set(ev) == {"test_loss", "test_acc", "test_exact"} and 0 <= ev["test_exact"] <= ev["test_acc"] + 1e-9
    else:
        imgs = model.sample(8, seed=3)
        assert imgs.shape == (8, 1, 28, 28)
        assert imgs.min() >= -1 and imgs.max() <= 1
        assert torch.equal(imgs, model.sample(8, seed=3)), "same seed must give the same grid"


@pytest.mark.parametrize("arch", [a for a, s in ARCHS.items() if s.kind == "classifier"])
def test_classifier_overfits_one_batch(arch, batch):
    model, opts = build(arch, lr=3e-3)
    x, y = batch
    for step in range(300):
        out = model.train_step(x, y, opts)
        if out["loss"] < 0.05:
            break
    assert out["loss"] < 0.05, f"{arch} did not fit 32 images in 300 steps (loss {out['loss']:.3f})"


def test_gan_generator_moves_to_one_batch(batch):
    model, opts = build("gan", lr_g=1e-3, lr_d=1e-3)
    x = batch[0][:16]
    target = x.mean(0)

    def gap():
        return (model.sample(64, seed=0).mean(0) - target).pow(2).mean().item()

    before = gap()
    for _ in range(200):
        model.train_step(x, batch[1][:16], opts)
    assert gap() < 0.5 * before


def test_diffusion_fits_one_batch(batch):
    model, opts = build("diffusion", lr=2e-3)
    losses = [model.train_step(*batch, opts)["loss"] for _ in range(120)]
    assert sum(losses[-20:]) / 20 < 0.6 * sum(losses[:5]) / 5


def test_rnn_cells_and_transformer_token_modes(batch):
    for cell in ("lstm", "gru", "rnn"):
        model, opts = build("rnn", cell=cell, layers=1, hidden=16)
        assert model(batch[0]).shape == (32, 10)
    for tokens in ("rows", "patches"):
        model, _ = build("transformer", tokens=tokens, causal=True, d_model=16, nhead=2)
        assert model(batch[0]).shape == (32, 10)


def test_mlp_is_the_flat_baseline_of_the_course():
    """784 → 512 → 256 → 10 with dropout 0.2 by default; its activation knob changes the network."""
    model, _ = build("mlp")
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(784, 512), (512, 256), (256, 10)]
    sigmoid, _ = build("mlp", activation="sigmoid", layers=3)
    assert sum(isinstance(m, torch.nn.Sigmoid) for m in sigmoid.modules()) == 3
