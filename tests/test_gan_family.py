"""The DCGAN family (dcgan, cgan, wgan_gp): the math each variant claims, its knobs and its views."""
import math

import pytest
import torch

from deeparch.course import data
from deeparch.present import images
from deeparch.course.archs import ARCHS, make_config
from deeparch.course.archs.base import MediaContext
from deeparch.course.archs.dcgan import GROUP_SAMPLES, gradient_penalty, initialize, slerp, translate
from deeparch.course.config import ConfigError
from pngs import pixels

FAMILY = ("dcgan", "cgan", "wgan_gp")
SMALL = {"g_width": 8, "d_width": 8, "latent_dim": 16}


@pytest.fixture(scope="module")
def batch():
    d = data.load("mnist-5k")
    return d.x_train[:32], d.y_train[:32]


def build(arch, **hp):
    torch.manual_seed(0)
    model = ARCHS[arch].build(make_config(arch, **{**SMALL, **hp}))
    return model, model.configure_optimizers()


def test_gradient_penalty_of_a_linear_critic_is_known():
    """f(x) = w·x has ∇ₓf = w everywhere, so the penalty is λ(‖w‖ - 1)² whatever the points."""
    w = torch.zeros(1, 1, 28, 28)
    w[0, 0, 0, :3] = torch.tensor([2.0, 1.0, 2.0])  # ‖w‖ = 3

    def critic(x):
        return (x * w).flatten(1).sum(1)

    real, fake = torch.randn(16, 1, 28, 28), torch.randn(16, 1, 28, 28)
    gp, norm = gradient_penalty(critic, real, fake, lam=10.0)
    assert norm.item() == pytest.approx(3.0)
    assert gp.item() == pytest.approx(10.0 * (3.0 - 1.0) ** 2)
    assert gradient_penalty(lambda x: (x * w / 3).flatten(1).sum(1), real, fake, 10.0)[0].item() == pytest.approx(0, abs=1e-9)


def test_gradient_penalty_trains_the_critic_towards_unit_slope():
    """The penalty is differentiable in the critic's weights: descending it moves ‖w‖ to 1."""
    w = torch.full((1, 1, 28, 28), 0.5, requires_grad=True)  # ‖w‖ = 14
    opt = torch.optim.SGD([w], lr=0.05)
    real, fake = torch.randn(8, 1, 28, 28), torch.randn(8, 1, 28, 28)
    for _ in range(200):
        gp, norm = gradient_penalty(lambda x: (x * w).flatten(1).sum(1), real, fake, 1.0)
        opt.zero_grad()
        gp.backward()
        opt.step()
    assert abs(norm.item() - 1) < 0.05


@pytest.mark.parametrize("arch", FAMILY)
def test_each_variant_steps_with_finite_declared_keys_and_its_views(arch, batch):
    model, opts = build(arch)
    out = model.train_step(*batch, opts)
    assert set(ARCHS[arch].loss_keys) <= set(out) and "g_loss" in out
    assert all(math.isfinite(v) for v in out.values())
    strip = model.interpolation(seed=3)
    assert strip.shape == (40, 1, 28, 28) and torch.equal(strip, model.interpolation(seed=3))
    declared = {v.media_kind for v in ARCHS[arch].display.views}
    assert {"samples", "quality", "interpolation"} <= declared


def test_wgan_gp_updates_the_generator_every_n_critic_steps(batch):
    model, opts = build("wgan_gp", n_critic=3)
    g0 = [p.detach().clone() for p in model.generator.parameters()]
    outs = [model.train_step(*batch, opts) for _ in range(4)]
    assert ["g_loss" in o for o in outs] == [True, False, False, True]
    assert all({"critic_loss", "wasserstein", "gp", "critic_grad"} <= set(o) for o in outs)
    assert all("d_x" not in o for o in outs)  # a critic gives scores, not probabilities
    assert any(not torch.equal(a, b) for a, b in zip(g0, model.generator.parameters()))


def test_generator_step_leaves_the_discriminator_trainable_and_g_steps_work(batch):
    """The generator step freezes D (its gradients stay those of its own step), then thaws it."""
    model, opts = build("dcgan")
    model.train_step(*batch, opts)
    assert all(p.requires_grad for p in model.discriminator.parameters())
    torch.manual_seed(1)
    x, y = batch
    model2, opts2 = build("dcgan", g_steps=2)
    out = model2.train_step(x, y, opts2)
    assert math.isfinite(out["g_loss"])


def test_conditional_generator_follows_its_label():
    model, _ = build("cgan")
    assert model.conditional and not build("dcgan")[0].conditional
    n = 6
    threes = model.sample(n, seed=5, labels=torch.full((n,), 3))
    sevens = model.sample(n, seed=5, labels=torch.full((n,), 7))
    assert not torch.allclose(threes, sevens), "the same noise with another label must draw something else"
    assert torch.equal(threes, model.sample(n, seed=5, labels=torch.full((n,), 3)))
    # the discriminator reads the label too
    img = threes[:1]
    assert model.discriminator(img, torch.tensor([3])).item() != model.discriminator(img, torch.tensor([7])).item()


def test_conditional_media_grid_has_a_row_per_class_and_agreement():
    model, _ = build("cgan")
    asked = []

    def judge(imgs, labels=None):
        asked.append(labels)
        return {"recognisability": 0.0, "class_hist": [0] * 10, "class_agreement": 0.1}

    d = data.load("mnist-5k")
    ctx = MediaContext(d.x_test[:4], d.y_test[:4], tuple(d.classes), judge, quality_count=60)
    media, figures = model.media(ctx, with_quality=True)
    assert asked[0].tolist() == [i // 10 % 10 for i in range(60)]  # rows of ten, one class a row, balanced
    assert figures["class_agreement"] == 0.1
    assert {m.kind for m in media} == {"quality", "samples", "interpolation"}
    assert model.grid_labels(100).view(10, 10)[:, 0].tolist() == list(range(10))


def test_ema_draws_the_samples_and_trails_the_generator(batch):
    model, opts = build("dcgan", ema_decay=0.99)
    for _ in range(3):
        model.train_step(*batch, opts)
    live = dict(model.generator.named_parameters())
    avg = dict(model.ema.module.named_buffers())
    assert all(k in avg for k in live)
    assert any(not torch.equal(avg[k], p) for k, p in live.items())
    assert not any(True for _ in model.ema.parameters()), "the average is no parameter: not trained, not counted"
    plain, _ = build("dcgan", ema_decay=0.0)
    assert plain.ema is None


def test_knobs_change_the_model():
    he, _ = build("dcgan", init="he")
    dc, _ = build("dcgan", init="dcgan")
    std = lambda m: m.discriminator.body[0].weight.std().item()  # noqa: E731
    assert std(dc) == pytest.approx(0.02, rel=0.2) and std(he) > 2 * std(dc)
    layer, _ = build("dcgan", d_norm="layer")
    assert any(isinstance(m, torch.nn.GroupNorm) for m in layer.discriminator.modules())
    projected, _ = build("cgan", projection=True)
    assert projected.discriminator.project is not None and build("cgan", projection=False)[0].discriminator.project is None
    feats = projected.discriminator.body(torch.zeros(1, 2, 28, 28))  # (1, F): the projection adds <e_y, h>
    assert feats.shape[1] == projected.discriminator.project.weight.shape[1]
    cold = build("dcgan", temperature=0.0, clusters=0)[0].sample(4, seed=1)
    assert torch.allclose(cold[0], cold[3]), "temperature 0: every sample from z = 0"
    assert not torch.allclose(*build("dcgan")[0].sample(2, seed=1))


def test_translate_moves_each_digit_by_whole_pixels_and_passes_gradients():
    """DiffAugment's translation: every image is a copy of itself shifted by at most ``shift`` pixels per
    axis (one pixel lit stays one pixel lit, no blur), background flows in, and gradients reach the input."""
    img = torch.full((64, 1, 9, 9), -1.0)
    img[:, 0, 4, 4] = 1.0
    torch.manual_seed(0)
    moved = translate(img.clone().requires_grad_(True), 2)
    lit = (moved[:, 0] == 1.0).nonzero()[:, 1:]                       # (64, 2) row, col of the lit pixel
    assert len(lit) == 64 and ((moved == 1.0) | (moved == -1.0)).all()
    assert (lit - 4).abs().max() <= 2 and len({tuple(p) for p in lit.tolist()}) > 5
    x = img.clone().requires_grad_(True)
    translate(x, 2).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert torch.equal(translate(img, 0), img)


def test_d_augment_shifts_what_the_discriminator_sees(batch):
    """With d_augment the discriminator judges shifted digits (its scores change), without it the same."""
    plain, _ = build("dcgan", d_augment=0, clusters=0)
    shifted, _ = build("dcgan", d_augment=3, clusters=0)
    x = batch[0]
    torch.manual_seed(1)
    assert torch.equal(plain.judge(x, None)[0], plain.discriminator(x, None))
    assert not torch.allclose(shifted.judge(x, None)[0], shifted.discriminator(x, None))


def test_info_codes_feed_the_generator_and_the_discriminator_guesses_them(batch):
    """InfoGAN: G gets a one-hot code next to z, D a head guessing the code, and the information loss
    (cross-entropy of that guess, ln K for a blind guess) is part of both players' losses."""
    info, opts = build("dcgan", info_codes=4, clusters=0, d_augment=0)
    plain, _ = build("dcgan", clusters=0)
    assert info.generator.project.in_features == plain.generator.project.in_features + 4
    assert info.discriminator.guess_code.out_features == 4 and plain.discriminator.guess_code is None
    codes = torch.arange(8) % 4
    fakes = info.generator(info.noise(8, "cpu"), codes)
    _, loss = info.judge(fakes, None, codes)
    _, guess = info.discriminator(fakes, None, with_code=True)    # (8, 4) logits
    assert guess.shape == (8, 4)
    assert loss.item() == pytest.approx(-guess.log_softmax(1)[torch.arange(8), codes].mean().item(), rel=1e-5)
    assert loss.item() == pytest.approx(math.log(4), rel=0.3)   # small random weights: a nearly blind guess
    assert plain.judge(fakes, None)[1] == 0.0
    g0 = info.discriminator.guess_code.weight.detach().clone()
    out = info.train_step(*batch, opts)
    assert out["info_loss"] > 0 and "info_loss" not in plain.train_step(*batch, plain.configure_optimizers())
    assert not torch.equal(g0, info.discriminator.guess_code.weight), "D's step trains the guess"
    torch.manual_seed(3)
    same = info.sample(6, seed=2)
    assert torch.equal(same, info.sample(6, seed=2)), "the codes come from the sampling seed"
    z = info.noise(1, "cpu").repeat(2, 1)
    two = info.generator(z, torch.tensor([0, 1]))
    assert not torch.allclose(two[0], two[1]), "the code changes the digit drawn from the same z"


def test_online_kmeans_finds_the_groups_of_the_real_digits_without_labels():
    """Self-conditioning's clusters: on two kinds of images (dark ones, and ones with a bright top half), the
    first batch seeds the centroids (k-means++), each batch moves them towards the mean of their members
    (sequential k-means), and every image lands in its kind's cluster; the counts say how many each took."""
    model, _ = build("dcgan", clusters=2)
    dark = torch.full((16, 1, 28, 28), -1.0) + 0.1 * torch.rand(16, 1, 28, 28)
    top = dark.clone()
    top[:, :, :14] = 0.8
    x = torch.cat([dark, top])[torch.randperm(32)]
    kind = (x[:, 0, :14].mean((1, 2)) > 0).long()                       # 1 = bright top half
    for _ in range(3):
        got = model.assign(x)
        model.steps += 1
    assert got.tolist() == (kind if got[kind == 1][0] == 1 else 1 - kind).tolist(), "one cluster per kind"
    means = torch.nn.functional.avg_pool2d(x, 2).flatten(1)
    for c in (0, 1):
        assert torch.allclose(model.centroids[c], means[got == c].mean(0), atol=1e-4), "a centroid is its members' mean"
    assert model.cluster_counts.tolist() == [48.0, 48.0]
    assert {"centroids", "cluster_counts"} <= set(model.state_dict()), "a checkpoint carries the clusters"
    with torch.autocast("cpu", dtype=torch.bfloat16):  # mixed precision: the means stay exact
        model.assign(x)
    for c in (0, 1):
        assert torch.allclose(model.centroids[c], means[got == c].mean(0), atol=1e-5)


def test_self_conditioning_tells_both_networks_the_cluster(batch):
    """With clusters, G gets the cluster one-hot next to z and D a label map and a projection of it (as the
    cGAN with digits), a training step is finite, and sampling draws clusters as often as real digits fell
    in them: a cluster no real digit joined is never drawn."""
    model, opts = build("dcgan", clusters=5)
    assert model.generator.classes == 5 and model.discriminator.label_map.num_embeddings == 5
    assert model.discriminator.project is not None and model.discriminator.guess_code is None
    out = model.train_step(*batch, opts)
    assert set(ARCHS["dcgan"].loss_keys) <= set(out) and all(math.isfinite(v) for v in out.values())
    assert "info_loss" not in out and model.cluster_counts.sum().item() == len(batch[0])
    z = model.noise(1, "cpu").repeat(2, 1)
    two = model.generator(z, torch.tensor([0, 3]))
    assert not torch.allclose(two[0], two[1]), "the cluster changes what the same noise draws"
    img = two[:1].detach()
    assert model.discriminator(img, torch.tensor([0])).item() != model.discriminator(img, torch.tensor([3])).item()
    asked = []
    real = model.generator.forward
    model.ema.module.forward = lambda z, labels: asked.append(labels) or real(z, labels)
    model.cluster_counts.copy_(torch.tensor([0.0, 30.0, 0.0, 10.0, 0.0]))
    model.sample(400, seed=1)
    share = torch.bincount(asked[0], minlength=5) / 400
    assert share[[0, 2, 4]].sum() == 0 and 0.65 < share[1] < 0.85, share
    model.centroids.copy_(torch.rand(5, 196) * 2 - 1)
    imgs = model.groups(seed=1)
    assert imgs.shape == ((1 + GROUP_SAMPLES) * 5, 1, 28, 28)
    big = torch.nn.functional.interpolate(model.centroids.view(5, 1, 14, 14), scale_factor=2)
    assert torch.equal(imgs[0], big[1]) and torch.equal(imgs[1], big[3]), "the biggest groups' averages first"


def test_groups_view_is_drawn_for_clusters_and_codes_only():
    d = data.load("mnist-5k")
    ctx = MediaContext(d.x_test[:4], d.y_test[:4], tuple(d.classes), lambda imgs, labels=None: {})
    for hp, rows in (({"clusters": 3}, 1 + GROUP_SAMPLES), ({"clusters": 0, "info_codes": 4}, GROUP_SAMPLES)):
        media, _ = build("dcgan", **hp)[0].media(ctx, with_quality=False)
        got = {m.kind: m for m in media}["groups"]
        k = hp["clusters"] or hp["info_codes"]
        # k columns; with clusters, the row of averages above the samples
        assert pixels(got.png).shape == pixels(images.grid_png(torch.zeros(rows * k, 1, 28, 28), k)).shape
    media, _ = build("dcgan", clusters=0)[0].media(ctx, with_quality=False)
    assert "groups" not in {m.kind for m in media}


def test_info_weight_scales_the_code_loss_in_both_players(batch):
    """info_weight multiplies the information loss each player lowers: at 0 the code no longer trains
    D's guessing head (Adam's step of a zero gradient is zero), and the logged info_loss stays the plain
    cross-entropy whatever the weight, so runs with different weights read alike."""
    logged = {}
    for w in (0.0, 1.0, 3.0):
        model, opts = build("dcgan", info_codes=4, clusters=0, d_augment=0, info_weight=w)
        q0 = model.discriminator.guess_code.weight.detach().clone()
        torch.manual_seed(5)
        logged[w] = model.train_step(*batch, opts)["info_loss"]
        moved = not torch.equal(q0, model.discriminator.guess_code.weight)
        assert moved == (w > 0), f"info_weight={w}: the guessing head {'did not move' if w else 'moved'}"
    assert logged[0.0] == pytest.approx(logged[1.0], rel=1e-6) == pytest.approx(logged[3.0], rel=1e-6)
    assert 1.0 < logged[1.0] < 2.0   # ≈ ln 4: a blind guess at the first step, unweighted


def test_bad_combinations_are_refused_with_the_reason():
    with pytest.raises(ConfigError, match="label_smoothing=0.1 needs loss=bce"):
        make_config("dcgan", loss="hinge", label_smoothing=0.1)
    with pytest.raises(ConfigError, match="g_steps > 1 needs separate_batches"):
        make_config("dcgan", g_steps=2, separate_batches=False)
    with pytest.raises(ConfigError, match="d_norm=batch is refused with the gradient penalty"):
        make_config("wgan_gp", d_norm="batch")
    with pytest.raises(ConfigError, match="unknown hyperparameter gp_lambda for dcgan"):
        make_config("dcgan", gp_lambda=10)
    with pytest.raises(ConfigError, match="clusters=20 and info_codes=10 both tell the generator a group"):
        make_config("dcgan", info_codes=10)
    with pytest.raises(ConfigError, match="clusters=40 needs batch_size >= 40"):
        make_config("dcgan", clusters=40, batch_size=32)
    with pytest.raises(ConfigError, match="unknown hyperparameter clusters for cgan"):
        make_config("cgan", clusters=20)
    with pytest.raises(ConfigError, match="unknown hyperparameter info_codes for cgan"):
        make_config("cgan", info_codes=10)
    with pytest.raises(ConfigError, match="unknown hyperparameter n_critic for cgan"):
        make_config("cgan", n_critic=5)
    with pytest.raises(ConfigError, match="must be one of bce, hinge"):
        make_config("dcgan", loss="wgan-gp")


def test_slerp_keeps_the_ends_and_the_norm():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(3, 64, generator=g), torch.randn(3, 64, generator=g)
    path = slerp(a, b, torch.linspace(0, 1, 5))
    assert path.shape == (3, 5, 64)
    assert torch.allclose(path[:, 0], a, atol=1e-5) and torch.allclose(path[:, -1], b, atol=1e-5)
    # between two vectors of equal norm, the great circle keeps that norm
    b = b / b.norm(dim=1, keepdim=True) * a.norm(dim=1, keepdim=True)
    mid = slerp(a, b, torch.tensor([0.5]))[:, 0]
    assert torch.allclose(mid.norm(dim=1), a.norm(dim=1), rtol=1e-4)


def test_course_listing_stays_the_course_s():
    """The course's MLP GAN is its own architecture, untouched: Linear 100→256→512→784 and back."""
    model = ARCHS["gan"].build(make_config("gan"))
    shapes = [(m.in_features, m.out_features) for m in model.generator if isinstance(m, torch.nn.Linear)]
    assert shapes == [(100, 256), (256, 512), (512, 784)]
    assert ARCHS["dcgan"].race_default and not ARCHS["gan"].race_default


def test_initialization_schemes():
    lin = torch.nn.Sequential(torch.nn.Linear(400, 400))
    initialize(lin, "glorot")
    assert lin[0].weight.std().item() == pytest.approx(math.sqrt(2 / 800), rel=0.05)
    initialize(lin, "he")
    assert lin[0].weight.std().item() == pytest.approx(math.sqrt(2 / (1 + 0.2 ** 2) / 400), rel=0.05)


def test_trainer_records_the_conditional_figures_and_views():
    """Through the trainer: the judge is asked for balanced classes, class agreement and the judge score
    are recorded, the grid and the interpolation strip are stored; the EMA is not counted as weights."""
    from deeparch.engine.trainer import Callback, Trainer

    class Rec(Callback):
        rows, media = {}, []

        def on_metrics(self, step, values):
            self.rows.update(values)

        def on_media(self, step, kind, png, meta):
            self.media.append(kind)

    rec = Rec()
    cfg = make_config("cgan", **SMALL, max_steps=2, sample_every=2, quality_every=2, max_minutes=0)
    trainer = Trainer(cfg, [rec])
    result = trainer.fit()
    assert result.status == "finished"
    assert 0 <= rec.rows["class_agreement"] <= 1 and 1 <= rec.rows["judge_is"] <= 10
    assert {"quality", "samples", "interpolation"} <= set(rec.media)
    assert trainer.n_params == sum(p.numel() for p in trainer.model.generator.parameters()) + \
        sum(p.numel() for p in trainer.model.discriminator.parameters())
