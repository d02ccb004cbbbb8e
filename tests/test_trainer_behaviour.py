"""Behaviour the trainer promises: generators resume where they stopped; optimizer knobs change the step."""
import pytest
import torch

from deeparch.course.archs import get_arch
from deeparch.course.archs import make_config
from deeparch.engine.trainer import Trainer
from test_trainer import Recorder  # tests/ is on sys.path under pytest

GENERATORS = {
    "gan": dict(latent_dim=8, batch_size=32),
    "diffusion": dict(T=50, channels=8, sample_steps=3, ema_decay=0.9, batch_size=16),
}


@pytest.mark.parametrize("arch", GENERATORS)
def test_a_stopped_generator_resumes_with_the_losses_of_an_uninterrupted_run(arch, tmp_path):
    ck = tmp_path / "ck.pt"
    cfg = make_config(arch, max_steps=8, sample_every=1000, quality_every=1000, warmup=3, lr_schedule="cosine",
                      **GENERATORS[arch])
    loss = get_arch(arch).loss_keys[0]
    first = Recorder(stop_at=4)
    assert Trainer(cfg, [first], checkpoint=ck).fit().status == "stopped"
    rest = Recorder()
    assert Trainer(cfg, [rest], checkpoint=ck).fit().status == "finished"
    assert first.steps(loss) == [1, 2, 3, 4] and rest.steps(loss) == [5, 6, 7, 8]
    full = Recorder()
    Trainer(cfg, [full]).fit()
    for key in {k for _, k, _ in full.rows if k in get_arch(arch).loss_keys or k == "lr"}:
        assert first.values(key) + rest.values(key) == pytest.approx(full.values(key), rel=1e-5), key


def one_step(**hp):
    """(parameters before, after, gradients left by the step) of one CNN step on a fixed batch."""
    cfg = make_config("cnn", channels=2, hidden=8, dropout=0.0, dropout_conv=0.0, lr=0.01, **hp)
    torch.manual_seed(0)
    model = get_arch("cnn").build(cfg)
    before = [p.detach().clone() for p in model.parameters()]
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(16, 1, 28, 28, generator=g) * 2 - 1, torch.randint(0, 10, (16,), generator=g)
    model.train_step(x, y, model.configure_optimizers())
    return before, [p.detach() for p in model.parameters()], [p.grad for p in model.parameters()]


def flat(ts):
    return torch.cat([t.flatten() for t in ts])


def test_sgd_steps_along_the_gradient():
    before, after, grads = one_step(optimizer="sgd", momentum=0.9)  # momentum's first step is plain SGD
    torch.testing.assert_close(flat(after) - flat(before), -0.01 * flat(grads))


def test_weight_decay_pulls_the_weights_towards_zero():
    before, after, grads = one_step(optimizer="sgd", weight_decay=0.5)
    torch.testing.assert_close(flat(after) - flat(before), -0.01 * (flat(grads) + 0.5 * flat(before)))


def test_rmsprop_and_adam_take_their_own_step_sizes():
    # first step: RMSprop moves by lr·g/√(0.01 g²) = 10·lr, Adam by lr·m̂/√v̂ = lr, per weight with a gradient
    for opt, size in (("rmsprop", 0.1), ("adam", 0.01)):
        before, after, grads = one_step(optimizer=opt, momentum=0.0)
        moved = (flat(after) - flat(before)).abs()[flat(grads).abs() > 1e-4]
        assert moved.numel() > 100
        torch.testing.assert_close(moved, torch.full_like(moved, size), rtol=0.02, atol=0)


def test_grad_clip_bounds_the_step():
    _, _, free = one_step(optimizer="sgd")
    assert flat(free).norm() > 0.01
    before, after, grads = one_step(optimizer="sgd", grad_clip=0.01)
    assert flat(grads).norm().item() == pytest.approx(0.01, rel=1e-4)  # clipped in place before the step
    torch.testing.assert_close(flat(after) - flat(before), -0.01 * flat(grads))
