"""DDPM: schedule values, ancestral step, sampling determinism, EMA in checkpoints, learning;
class conditioning with classifier-free guidance, the course's listing, the teaching views."""
import io
import math

import pytest
import torch
import torch.nn.functional as F

from deeparch.course.archs import load_config, make_config
from deeparch.course.archs._ddpm import LOG_BETA_MAX
from deeparch.course.archs.diffusion import SCHEDULES, SPEC, CourseDenoiser, DDPMSchedule, Diffusion, UNet
from deeparch.course.config import ConfigError


def small_cfg(**hp):
    """A tiny unconditional model (the conditional tests ask for ``conditional=True``)."""
    base = dict(T=100, channels=8, sample_steps=5, ema_decay=0.99, warmup=0, conditional=False, guidance=1.0)
    return make_config("diffusion", **{**base, **hp})


def test_linear_schedule_known_values():
    s = DDPMSchedule(1000, "linear")
    assert s.betas.shape == (1000,)
    assert s.betas[0].item() == pytest.approx(1e-4)
    assert s.betas[-1].item() == pytest.approx(0.02)
    ab = s.alphas_cumprod
    assert ((ab > 0) & (ab < 1)).all()
    assert (ab[1:] < ab[:-1]).all()
    assert ab[-1].item() < 1e-3  # x_T is (almost) pure noise


@pytest.mark.parametrize("kind", SCHEDULES)
@pytest.mark.parametrize("T", [50, 1000])
def test_schedules_monotone_and_end_in_noise(kind, T):
    ab = DDPMSchedule(T, kind).alphas_cumprod
    assert ((ab > 0) & (ab < 1)).all() and (ab[1:] < ab[:-1]).all()
    assert ab[-1].item() < 0.01


def test_cosine_starts_near_one_and_bad_kind_refused():
    assert DDPMSchedule(1000, "cosine").alphas_cumprod[0].item() == pytest.approx(1.0, abs=1e-3)
    with pytest.raises(ValueError):
        DDPMSchedule(100, "sigmoid")


def test_add_noise_formula():
    s = DDPMSchedule(1000, "linear")
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.rand(4, 1, 28, 28, generator=g) * 2 - 1, torch.randn(4, 1, 28, 28, generator=g)
    t = torch.tensor([0, 10, 500, 999])
    xt = s.add_noise(x0, eps, t)
    for i, ti in enumerate(t.tolist()):
        ab = s.alphas_cumprod[ti].item()
        torch.testing.assert_close(xt[i], math.sqrt(ab) * x0[i] + math.sqrt(1 - ab) * eps[i])


def test_step_with_true_noise_recovers_x0_at_the_end():
    s = DDPMSchedule(100, "linear")
    x0 = torch.rand(2, 1, 28, 28) * 2 - 1
    eps = torch.randn_like(x0)
    t = torch.tensor([0, 0])
    # from t=0 to "before 0" the step returns the posterior mean = the x0 estimate, which is exact
    torch.testing.assert_close(s.step(eps, 0, s.add_noise(x0, eps, t)), x0, atol=1e-4, rtol=0)


@pytest.mark.parametrize("variance", ["beta_tilde", "beta"])
def test_step_shapes_finite_and_respaced(variance):
    s = DDPMSchedule(1000, "cosine")
    ts = s.timesteps(10)
    assert ts[0] == 999 and ts[-1] == 0 and len(ts) == 10 and ts == sorted(ts, reverse=True)
    assert s.timesteps(0) == list(range(999, -1, -1))
    g = torch.Generator().manual_seed(0)
    x = torch.randn(3, 1, 28, 28, generator=g)
    for i, t in enumerate(ts):
        prev = ts[i + 1] if i + 1 < len(ts) else -1
        x = s.step(torch.randn(x.shape, generator=g), t, x, g, prev_t=prev, variance=variance)
        assert x.shape == (3, 1, 28, 28) and torch.isfinite(x).all()
    assert x.abs().max() <= 1.0 + 1e-5  # the last step is the clipped x0 estimate


@pytest.mark.parametrize("patch", [1, 2])
@pytest.mark.parametrize("blocks", [1, 2])
def test_unet_shapes(patch, blocks):
    net = UNet(8, patch=patch, blocks=blocks)
    out = net(torch.randn(2, 1, 28, 28), torch.tensor([0, 99]))
    assert out.shape == (2, 1, 28, 28)


def test_unet_pixel_unshuffle_runs_at_14_and_7():
    net = UNet(8, patch=2)
    assert net.conv_in.in_channels == 4 and net.conv_out.out_channels == 4
    seen = []
    hooks = [b.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape[-2:]))) for b in net.down]
    hooks.append(net.mid1.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape[-2:]))))
    net(torch.randn(1, 1, 28, 28), torch.tensor([3]))
    assert seen == [(14, 14), (7, 7), (7, 7)]
    # folding and unfolding are exact inverses: pixel (2i+a, 2j+b) ↔ channel 2a+b at (i, j)
    x = torch.randn(1, 1, 28, 28)
    torch.testing.assert_close(net.unfold(net.fold(x)), x)
    assert net.fold(x)[0, 3, 5, 6] == x[0, 0, 11, 13]
    with pytest.raises(ValueError):
        UNet(8, patch=3)


@pytest.mark.parametrize("gamma", [1.0, 0.0])
def test_min_snr_weights_each_image_by_min_snr_gamma_over_snr(gamma):
    torch.manual_seed(0)
    m = Diffusion(small_cfg(min_snr=gamma))
    x = torch.rand(8, 1, 28, 28) * 2 - 1
    # what train_step draws, drawn again from the same seed: a step per image, then the noise
    torch.manual_seed(1)
    t = torch.randint(0, m.schedule.T, (8,))
    noise = torch.randn(x.shape)
    with torch.no_grad():
        m.train()
        err = (m.net(m.schedule.add_noise(x, noise, t), t) - noise).pow(2).mean(dim=(1, 2, 3))  # (B,)
    snr = (m.schedule.alphas_cumprod[t] / (1 - m.schedule.alphas_cumprod[t])).float()
    weight = snr.clamp(max=gamma) / snr if gamma > 0 else torch.ones_like(snr)
    assert weight.min() < 0.5 or gamma == 0  # the weighting matters for this batch's steps
    torch.manual_seed(1)
    loss = m.train_step(x, torch.zeros(8, dtype=torch.long), m.configure_optimizers())["loss"]
    assert loss == pytest.approx((err * weight).mean().item(), rel=1e-5)
    assert gamma == 0 or loss != pytest.approx(err.mean().item(), rel=1e-2)


def test_spec_params_have_help_and_ranges():
    assert SPEC.kind == "generator" and SPEC.build is Diffusion and SPEC.summary
    for p in SPEC.params:
        assert p.help and (p.choices is not None or p.type is bool or (p.min is not None and p.max is not None))
    cfg = make_config("diffusion")  # the preset validates
    assert cfg.schedule in SCHEDULES and cfg.conditional and cfg.guidance > 1


def trained_small(steps: int = 3) -> Diffusion:
    """A small model after a few steps on a fixed random batch."""
    torch.manual_seed(0)
    m = Diffusion(small_cfg())
    opts = m.configure_optimizers()
    x = torch.rand(8, 1, 28, 28) * 2 - 1
    for _ in range(steps):
        m.train_step(x, torch.zeros(8, dtype=torch.long), opts)
    return m


def test_sample_shape_range_and_seeded():
    m = trained_small()
    state = torch.get_rng_state()
    a, b, c = m.sample(4, seed=7), m.sample(4, seed=7), m.sample(4, seed=8)
    assert torch.equal(torch.get_rng_state(), state)  # sampling leaves the global RNG alone
    assert a.shape == (4, 1, 28, 28) and a.min() >= -1 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_ema_in_state_dict_and_round_trip():
    m = trained_small()
    sd = m.state_dict()
    ema_keys = [k for k in sd if k.startswith("ema.")]
    assert ema_keys and len(ema_keys) == len([k for k in sd if k.startswith("net.")])
    # the EMA moved away from the initial weights but is not the live weights
    assert not torch.equal(sd["ema.conv_out.weight"], torch.zeros_like(sd["ema.conv_out.weight"]))
    assert not torch.equal(sd["ema.conv_in.weight"], sd["net.conv_in.weight"])
    # the EMA is not trained by the optimizer and is not counted as parameters
    assert not any(n.startswith("ema.") for n, _ in m.named_parameters())
    buf = io.BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    m2 = Diffusion(small_cfg())
    m2.load_state_dict(torch.load(buf, weights_only=True))
    assert torch.equal(m.sample(3, 1), m2.sample(3, 1))
    assert int(m2.steps) == 3


def test_ema_off():
    m = Diffusion(small_cfg(ema_decay=0.0))
    assert m.ema is None and not any(k.startswith("ema.") for k in m.state_dict())
    assert m.sample(2, 0).shape == (2, 1, 28, 28)


def test_loss_decreases_on_a_fixed_batch():
    torch.manual_seed(0)
    m = Diffusion(small_cfg(channels=8, lr=3e-3))
    opts = m.configure_optimizers()
    g = torch.Generator().manual_seed(1)
    x = torch.rand(8, 1, 28, 28, generator=g) * 2 - 1
    t, eps = torch.randint(0, 100, (8,), generator=g), torch.randn(8, 1, 28, 28, generator=g)

    def fixed_loss():
        with torch.no_grad():
            return F.mse_loss(m.net(m.schedule.add_noise(x, eps, t), t), eps).item()

    before = fixed_loss()
    losses = [m.train_step(x, torch.zeros(8, dtype=torch.long), opts)["loss"] for _ in range(50)]
    assert all(math.isfinite(v) for v in losses)
    assert fixed_loss() < 0.7 * before


def test_ddim_step_with_true_noise_lands_on_the_forward_process():
    s = DDPMSchedule(250, "linear")
    g = torch.Generator().manual_seed(0)
    x0, eps = torch.rand(2, 1, 28, 28, generator=g) * 2 - 1, torch.randn(2, 1, 28, 28, generator=g)
    xt = s.add_noise(x0, eps, torch.tensor([100, 100]))
    # with the true noise, DDIM's deterministic step gives exactly x_prev of the same x0 and ε
    torch.testing.assert_close(s.step(eps, 100, xt, prev_t=50, sampler="ddim"),
                               s.add_noise(x0, eps, torch.tensor([50, 50])), atol=1e-5, rtol=0)
    torch.testing.assert_close(s.step(eps, 0, s.add_noise(x0, eps, torch.tensor([0, 0])), prev_t=-1, sampler="ddim"),
                               x0, atol=1e-4, rtol=0)
    m = Diffusion(small_cfg(sampler="ddim"))
    a, b = m.sample(2, seed=1), m.sample(2, seed=1)
    assert torch.equal(a, b) and a.shape == (2, 1, 28, 28)


def test_temperature_scales_only_the_fresh_noise_of_each_step():
    s = DDPMSchedule(250, "linear")
    g = torch.Generator().manual_seed(0)
    xt, eps = torch.randn(3, 1, 28, 28, generator=g), torch.randn(3, 1, 28, 28, generator=g)

    def step(tau):
        return s.step(eps, 120, xt, torch.Generator().manual_seed(7), prev_t=80, temperature=tau)

    mean = step(0.0)  # temperature 0: the posterior mean, no noise at all
    torch.testing.assert_close(mean, s.step(eps, 120, xt, torch.Generator().manual_seed(99), prev_t=80,
                                            temperature=0.0))
    torch.testing.assert_close(step(0.5) - mean, 0.5 * (step(1.0) - mean), atol=1e-6, rtol=1e-5)
    assert (step(1.0) - mean).std() > 0.1
    m = Diffusion(small_cfg(temperature=0.7))
    assert m.sample(2, seed=3).shape == (2, 1, 28, 28)


# --------------------------------------------------------------------------- logarithmic schedule
@pytest.mark.parametrize("T", [50, 250, 1000])
def test_log_schedule_is_geometric_in_beta(T):
    s = DDPMSchedule(T, "log")
    scale = 1000 / T
    t = torch.arange(T, dtype=torch.float64)
    expected = scale * 1e-4 * (LOG_BETA_MAX / 1e-4) ** (t / (T - 1))  # β_t = β_0 (β_max/β_0)^{t/(T-1)}
    torch.testing.assert_close(s.betas, expected.clamp(max=0.999))
    free = s.betas[s.betas < 0.999]  # (a short chain's last β would reach 1: clipped like every schedule's)
    ratios = free[1:] / free[:-1]  # evenly spaced in log β: a constant ratio between steps
    torch.testing.assert_close(ratios, torch.full_like(ratios, ratios[0].item()))
    # it keeps the digit longer than linear, and still ends in noise
    assert s.alphas_cumprod[T // 2] > DDPMSchedule(T, "linear").alphas_cumprod[T // 2]


# --------------------------------------------------------------------------- conditioning and guidance
def trained_conditional(steps: int = 3, **hp) -> Diffusion:
    """A small conditional model after a few steps (its output layer is no longer the zero init)."""
    torch.manual_seed(0)
    m = Diffusion(small_cfg(conditional=True, guidance=3.0, **hp))
    opts = m.configure_optimizers()
    x, y = torch.rand(8, 1, 28, 28) * 2 - 1, torch.arange(8)
    for _ in range(steps):
        assert math.isfinite(m.train_step(x, y, opts)["loss"])
    return m


def test_conditional_net_respects_the_label():
    m = trained_conditional()
    assert m.conditional and m.net.label_emb.num_embeddings == 11  # ten digits and "no label"
    x, t = torch.randn(1, 1, 28, 28).expand(3, -1, -1, -1), torch.tensor([50, 50, 50])
    with torch.no_grad():
        out = m.net(x, t, torch.tensor([3, 7, 10]))
    assert not torch.allclose(out[0], out[1]) and not torch.allclose(out[0], out[2])
    a, b = m.sample(2, seed=5, labels=torch.tensor([3, 3])), m.sample(2, seed=5, labels=torch.tensor([7, 7]))
    assert not torch.equal(a, b)  # same noise, other digit asked for: another image
    assert torch.equal(a, m.sample(2, seed=5, labels=torch.tensor([3, 3])))


@pytest.mark.parametrize("scale", [0.0, 1.0, 3.0])
def test_guidance_mixes_conditional_and_unconditional_guesses(scale):
    m = trained_conditional()
    x, t, y = torch.randn(4, 1, 28, 28), torch.tensor([10, 40, 70, 99]), torch.tensor([0, 3, 7, 9])
    with torch.no_grad():
        eps_c, eps_u = m.net(x, t, y), m.net(x, t, torch.full_like(y, 10))
        guided = m.guided_eps(m.net, x, t, y, scale)
    torch.testing.assert_close(guided, eps_u + scale * (eps_c - eps_u), atol=1e-5, rtol=1e-4)
    if scale == 0:  # guidance 0 is exactly the unconditional prediction
        torch.testing.assert_close(guided, eps_u, atol=1e-6, rtol=0)


def test_label_dropout_follows_p_uncond():
    y = torch.arange(10).repeat(100)  # (1000,)
    for p, share in ((0.0, 0.0), (1.0, 1.0), (0.3, 0.3)):
        m = Diffusion(small_cfg(conditional=True, guidance=2.0, p_uncond=p))
        torch.manual_seed(0)
        seen = m._train_labels(y)
        null = seen == 10
        assert null.double().mean().item() == pytest.approx(share, abs=0.05)
        assert torch.equal(seen[~null], y[~null])  # kept labels are the true ones
    assert Diffusion(small_cfg())._train_labels(y) is None  # an unconditional net gets no label


def test_unconditional_model_refuses_labels_and_conditional_defaults_to_the_digits_in_turn():
    with pytest.raises(ValueError, match="unconditional"):
        Diffusion(small_cfg()).sample(2, 0, labels=torch.tensor([1, 2]))
    m = trained_conditional()
    assert m.default_labels(12).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    torch.testing.assert_close(m.sample(3, 4), m.sample(3, 4, labels=torch.tensor([0, 1, 2])))


@pytest.mark.parametrize("hp, reason", [
    (dict(model="course", conditional=True, guidance=3.0), "model=unet"),
    (dict(conditional=False, guidance=3.0), "conditional=true"),
    (dict(conditional=False), "guidance"),  # the preset's guidance without conditioning
])
def test_bad_combinations_are_refused_with_a_reason(hp, reason):
    with pytest.raises(ConfigError, match=reason):
        make_config("diffusion", **hp)


def test_runs_stored_before_conditioning_stay_unconditional():
    old = make_config("diffusion", conditional=False, guidance=1.0).to_dict()
    for key in ("conditional", "guidance", "p_uncond", "model"):
        old["hp"].pop(key)
    cfg = load_config(old)
    assert not cfg.conditional and cfg.guidance == 1.0 and cfg.model == "unet"


# --------------------------------------------------------------------------- the course's listing
def test_course_listing_is_three_convolutions_scaled_by_t():
    net = CourseDenoiser(4, T=100)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [(1, 4, (3, 3)), (4, 8, (3, 3)),
                                                                              (8, 1, (3, 3))]
    x = torch.randn(1, 1, 28, 28).expand(3, -1, -1, -1)
    out = net(x, torch.tensor([0, 25, 50]))
    assert torch.equal(out[0], torch.zeros_like(out[0]))  # its only knowledge of t: a scale
    torch.testing.assert_close(out[2], 2 * out[1])


def test_course_variant_builds_trains_and_samples():
    torch.manual_seed(0)
    m = Diffusion(small_cfg(model="course"))
    assert isinstance(m.net, CourseDenoiser) and not m.conditional
    assert sum(p.numel() for p in m.parameters()) < sum(p.numel() for p in Diffusion(small_cfg()).parameters())
    loss = m.train_step(torch.rand(4, 1, 28, 28) * 2 - 1, torch.zeros(4, dtype=torch.long), m.configure_optimizers())
    assert math.isfinite(loss["loss"])
    assert m.sample(2, 0).shape == (2, 1, 28, 28)


# --------------------------------------------------------------------------- views
def media_of(m: Diffusion, probes: int = 2):
    from deeparch.course.archs.base import MediaContext

    ctx = MediaContext(torch.rand(probes, 1, 28, 28) * 2 - 1, torch.tensor([7, 2]), tuple("0123456789"),
                       judge=None, sample_count=4)
    found, _ = m.media(ctx, with_quality=False)
    return {f.kind: f for f in found}


@pytest.mark.parametrize("conditional", [False, True])
def test_views_schedule_forward_and_reverse(conditional):
    from deeparch.present import images
    from deeparch.course.archs._diffusion_views import FRAMES
    from pngs import pixels

    m = trained_conditional() if conditional else trained_small()
    got = media_of(m)
    assert {v.kind for v in SPEC.display.views} <= set(got) | {"quality", "class_hist"}
    meta = got["schedule"].meta  # the agreement's draw="curves" contract
    assert [s["label"][:3] for s in meta["series"]] == ["β_t", "ᾱ_t"] and meta["xlabel"] and meta["ylabel"]
    assert meta["series"][1]["y"] == pytest.approx(m.schedule.alphas_cumprod.tolist(), abs=1e-6)
    assert len(meta["series"][0]["x"]) == m.schedule.T and meta["log_y"] is False
    fwd = got["forward"]
    assert pixels(fwd.png).shape == (30 + 2, (len(fwd.meta["t"]) + 1) * 30 + 2)
    assert fwd.meta["t"][0] == 0 and fwd.meta["t"][-1] == m.schedule.T - 1 and fwd.meta["label"] == 7
    rev = got["reverse"]
    frames = min(FRAMES, m.cfg.sample_steps)
    rows = 2 * (10 if conditional else 1)  # x_t above x̂_0, once per digit for a conditional model
    assert pixels(rev.png).shape == (rows * 30 + 2, frames * 30 + 2)
    assert rev.meta["t"] == sorted(rev.meta["t"], reverse=True) and len(rev.meta["t"]) == frames
    assert rev.meta["labels"] == (list(range(10)) if conditional else None)
    assert all(v.explain for v in SPEC.display.views)
    if not conditional:  # the strip's last x̂_0 (t = 0) is the sample drawn from the same noise
        strip, alone = pixels(rev.png), images.grid(m.sample(1, seed=1234))  # MediaContext's seed
        c = (frames - 1) * 30
        assert (strip[32:60, c + 2:c + 30] == alone[2:30, 2:30].numpy()).all()


def test_ddim_eta_one_is_the_ancestral_step_and_eta_needs_ddim():
    s = DDPMSchedule(250, "cosine")
    g = torch.Generator().manual_seed(0)
    xt, eps = torch.randn(3, 1, 28, 28, generator=g), torch.randn(3, 1, 28, 28, generator=g)

    def step(**kw):
        return s.step(eps, 120, xt, torch.Generator().manual_seed(7), prev_t=80, **kw)

    torch.testing.assert_close(step(sampler="ddim", eta=1.0), step(), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(step(sampler="ddim", eta=0.0), step(sampler="ddim"))
    half = step(sampler="ddim", eta=0.5)
    assert not torch.allclose(half, step(sampler="ddim")) and not torch.allclose(half, step())
    with pytest.raises(ConfigError, match="sampler=ddim"):
        make_config("diffusion", eta=0.5)
    assert make_config("diffusion", sampler="ddim", eta=0.5).eta == 0.5


def test_media_on_a_short_budget_take_fewer_sampling_steps():
    """Past its media deadline a diffusion model still draws its samples and views, with MIN_MEDIA_STEPS
    respaced steps instead of sample_steps (the figures say how many); with time to spare, all of them."""
    import time

    from deeparch.course.archs.base import MediaContext
    from deeparch.course.archs.diffusion import MIN_MEDIA_STEPS

    torch.manual_seed(0)
    m = Diffusion(small_cfg(sample_steps=40))
    seen = []
    m._denoise = lambda x, labels, g, sample_steps=None, on_step=None, f=m._denoise: (
        seen.append(len(m.schedule.timesteps(m.sample_steps_now if sample_steps is None else sample_steps)))
        or f(x, labels, g, sample_steps, on_step))

    def judge(imgs, labels=None):
        return {"recognisability": 0.0, "class_hist": [0] * 10}

    for deadline, steps in ((time.perf_counter(), MIN_MEDIA_STEPS), (float("inf"), 40)):
        seen.clear()
        ctx = MediaContext(torch.rand(2, 1, 28, 28) * 2 - 1, torch.tensor([7, 2]), tuple("0123456789"), judge,
                           sample_count=4, quality_count=100, deadline=deadline)
        found, figures = m.media(ctx, with_quality=True)
        assert figures["quality_sample_steps"] == steps and set(seen) == {steps}
        assert {"quality", "samples", "reverse"} <= {f.kind for f in found}
    assert m.sample_steps_now == 40  # sampling outside media keeps its steps
