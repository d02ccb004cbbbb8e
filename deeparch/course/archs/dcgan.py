"""The GAN family beyond the course's MLP listing: DCGAN, and the model behind the conditional
GAN (``cgan``) and WGAN-GP (``wgan_gp``) architectures, which declare their own presets and views.

What changes from the course listing (``gan``), and why:

- *convolutions* (DCGAN, Radford et al., 2016): the generator grows the noise into a 7×7 map
  and doubles it twice with transposed convolutions (7 → 14 → 28); the discriminator halves
  the digit twice with strided convolutions. Filters reused over the picture learn strokes
  once, where the MLP learns every pixel on its own. Batch norm in both (not on the
  discriminator's input layer nor the generator's output), ReLU in G, LeakyReLU(0.2) in D;
- *initialization*: DCGAN's N(0, 0.02), or the course's He (Kaiming) or Glorot (Xavier);
- *separate minibatches* (the course's "minibatches separados"): the discriminator judges a
  batch of real digits and a batch of fakes in two passes (batch norm never mixes them), and
  the generator's step draws its own fresh noise instead of reusing the fakes D just saw;
- *losses*: the course's BCE (non-saturating for G), the hinge loss, or the Wasserstein loss
  with gradient penalty (``wgan_gp``: a critic without batch norm, n_critic critic steps per
  generator step, penalty λ(‖∇ₓD(x̂)‖ - 1)² on points between real and fake digits);
- *conditioning* (``cgan``): the digit's label goes into both networks, one-hot next to the
  noise for G, a learned 28×28 label map as a second input channel for D;
- *differentiable augmentation* (``d_augment``, DiffAugment, Zhao et al., 2020): every digit D sees,
  real or fake, in its own step and in G's, is first shifted by a few whole pixels. With only
  4,000 real digits, D otherwise learns them by heart and its verdicts stop teaching G shapes;
  shifting fakes too (differentiably) means G is never rewarded for drawing shifted digits;
- *an InfoGAN code* (``info_codes``, Chen et al., 2016): a random category c joins the noise, and a
  small head on D's features learns to guess c from the image, a cross-entropy both players
  lower. One smooth generator must otherwise morph one digit into the next somewhere in its
  noise space, and the samples there are blends no one can read; with the code each value
  takes a kind of digit of its own (unsupervised: no label is used), so fewer blends are drawn.
  The shifts make the code show in the digit's shape, not in pixel-exact marks;
- *self-conditioning on clusters* (``clusters``, after Liu et al., 2020, "Diverse Image Generation via
  Self-Conditioned GANs"): the real digits are grouped by their pixels alone (k-means on 14×14
  thumbnails, updated online from the batches; no label is read), and both networks are told each
  digit's group, as the conditional GAN is told the digit: G draws a fake *of a group*, D asks "is this a
  real member of that group?" (a label map and a projection, as in ``cgan``), and samples draw the groups
  as often as the real digits fall in them. One generator no longer has to spread one smooth noise space
  over ten digits (the blends between them are what the judge cannot read): each group is a narrower
  target, and D checks each one. It replaces the InfoGAN code, whose values find their digits by chance;
- *an EMA of the generator's weights* draws the samples (the average of the last few hundred
  steps: GAN weights circle around a good point, the average sits nearer to it), and a
  sampling temperature scales the noise z (the truncation trick: below 1, cleaner digits,
  less variety).

This file holds the model (its two players' losses, its training step, its sampling) and the knobs; the
networks, the helpers, the views and the check the three architectures share are in ``_gan_parts``.
"""
from __future__ import annotations


import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.present import images
from deeparch.course.archs._gan_parts import (GROUPS, INTERPOLATION, ConvDiscriminator, ConvGenerator, _kmeanspp,
                                               check_common, gradient_penalty, initialize, slerp, translate)
from deeparch.course.archs._weights import WeightAverage
from deeparch.course.archs.base import ArchSpec, GeneratorModel, Media, grad_norm, make_optimizer
from deeparch.course.archs.gan import D_OUTPUTS, G_GRAD, GAN_LOSSES
from deeparch.course.config import Param
from deeparch.present.display import generator

LOSSES = ("bce", "hinge")      # dcgan and cgan; the Wasserstein loss is the wgan_gp architecture
NORMS = ("batch", "layer", "none")
INITS = ("dcgan", "he", "glorot")
CLASSES = 10
INTERPOLATION_ROWS, INTERPOLATION_STEPS = 4, 10
GROUP_SAMPLES = 4   # samples under each cluster's (or code's) average in the groups view


class DCGAN(GeneratorModel):
    """Generator and discriminator (or critic) of the DCGAN family; ``loss`` and ``conditional`` come from
    the architecture that builds it (``dcgan``, ``cgan``, ``wgan_gp``)."""

    def __init__(self, cfg, loss: str | None = None, conditional: bool = False):
        super().__init__(cfg)
        self.loss = loss or cfg.loss
        self.conditional = conditional
        self.clusters = 0 if conditional else cfg.hp.get("clusters", 0)
        self.codes = 0 if conditional or self.clusters else cfg.hp.get("info_codes", 0)
        classes = CLASSES if conditional else self.clusters
        self.generator = ConvGenerator(cfg.latent_dim, cfg.g_width, classes or self.codes)
        self.discriminator = ConvDiscriminator(cfg.d_width, cfg.d_norm, classes,
                                               cfg.hp.get("projection", False) or bool(self.clusters), self.codes)
        if self.clusters:  # online k-means of the real digits (14×14 pixels): centroids and how many each took
            self.register_buffer("centroids", torch.zeros(self.clusters, 14 * 14))
            self.register_buffer("cluster_counts", torch.zeros(self.clusters))
        initialize(self.generator, cfg.init)
        initialize(self.discriminator, cfg.init)
        self.ema = WeightAverage(self.generator, cfg.ema_decay) if cfg.ema_decay > 0 else None
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def configure_optimizers(self):
        betas = (self.cfg.beta1, self.cfg.beta2)
        return [make_optimizer(self.generator.parameters(), self.cfg, self.cfg.lr_g, betas),
                make_optimizer(self.discriminator.parameters(), self.cfg, self.cfg.lr_d, betas)]

    # ---- the two players -----------------------------------------------------------------------
    def noise(self, n: int, device, generator: torch.Generator | None = None) -> torch.Tensor:
        return torch.randn(n, self.cfg.latent_dim, generator=generator).to(device)  # (n, Z)

    def code(self, n: int, device, generator: torch.Generator | None = None) -> torch.Tensor | None:
        """InfoGAN's categorical code c (n,), uniform over ``info_codes`` values, given to G next to z; None without."""
        return torch.randint(0, self.codes, (n,), generator=generator).to(device) if self.codes else None

    def fakes(self, n: int, labels, device) -> tuple[torch.Tensor, torch.Tensor | None]:
        """n fakes (n, 1, 28, 28) of the requested ``labels`` (cgan) or of random codes (InfoGAN), and the codes."""
        codes = self.code(n, device)
        return self.generator(self.noise(n, device), labels if codes is None else codes), codes

    def judge(self, img, labels, codes=None):
        """D's scores (B,) of ``img``, each image shifted first when ``d_augment`` is on (training only:
        real and fake alike, in D's step and in G's, so G is never rewarded for shifted digits). With the
        fakes' InfoGAN ``codes``, also the information loss: how badly D's Q head guesses each code from
        its image (cross-entropy); both players lower it, so each code comes to draw a distinct kind of digit."""
        img = translate(img, self.cfg.hp.get("d_augment", 0))
        if codes is None:
            return self.discriminator(img, labels), 0.0
        score, guess = self.discriminator(img, labels, with_code=True)
        return score, F.cross_entropy(guess, codes)

    def d_loss(self, d_real, d_fake) -> torch.Tensor:
        if self.loss == "hinge":
            return F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()
        if self.loss == "wgan-gp":
            return d_fake.mean() - d_real.mean()  # the critic maximises D(x) - D(G(z))
        real_target = torch.full_like(d_real, 1.0 - self.cfg.label_smoothing)
        return (F.binary_cross_entropy_with_logits(d_real, real_target)
                + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))) / 2  # the course's

    def g_loss(self, d_fake) -> torch.Tensor:
        if self.loss == "bce":  # non-saturating: maximise log D(G(z)), as the course listing
            return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
        return -d_fake.mean()   # hinge and Wasserstein: raise the critic's score of the fakes

    # ---- one step --------------------------------------------------------------------------------
    def train_step(self, x, y, opts):
        self.train()
        opt_g, opt_d = opts
        b, dev = x.shape[0], x.device
        labels = y if self.conditional else self.assign(x) if self.clusters else None
        out: dict[str, float] = {}

        # (1) Update D on a batch of real digits and a batch of fakes, in separate passes (batch norm
        # never mixes them). With separate_batches the fakes need no graph: G's step draws its own.
        with torch.set_grad_enabled(not self.cfg.separate_batches):
            fake, codes = self.fakes(b, labels, dev)                          # (B, 1, 28, 28)
        (d_real, _), (d_fake, info) = self.judge(x, labels), self.judge(fake.detach(), labels, codes)
        d_loss = self.d_loss(d_real, d_fake)
        if self.loss == "wgan-gp":
            gp, gp_norm = gradient_penalty(self.discriminator, x, fake, self.cfg.gp_lambda, labels)
            out.update(wasserstein=(d_real.mean() - d_fake.mean()).item(), gp=gp.item(),
                       critic_grad=gp_norm.item())
            d_loss = d_loss + gp
        self.optimize(opt_d, d_loss + self.info_weight * info, list(self.discriminator.parameters()))
        out["critic_loss" if self.loss == "wgan-gp" else "d_loss"] = d_loss.item()
        if codes is not None:  # the game's losses stay readable as the course's; the code's apart
            out["info_loss"] = info.item()
        if self.loss != "wgan-gp":  # how real D finds each batch (hinge: the sigmoid of its score)
            out.update(d_x=torch.sigmoid(d_real).mean().item(), d_g_z=torch.sigmoid(d_fake).mean().item())

        # (2) Update G, g_steps times (WGAN-GP: once every n_critic steps), D frozen so its gradients
        # stay those of its own step
        if int(self.steps) % self.n_critic == 0:
            self.discriminator.requires_grad_(False)
            for _ in range(self.g_steps):
                gen, gen_codes = self.fakes(b, labels, dev) if self.cfg.separate_batches else (fake, codes)
                d_gen, info = self.judge(gen, labels, gen_codes)
                g_loss = self.g_loss(d_gen)
                self.optimize(opt_g, g_loss + self.info_weight * info, list(self.generator.parameters()))
            self.discriminator.requires_grad_(True)
            out["g_loss"] = g_loss.item()
            out["g_grad"] = grad_norm(self.generator)  # what reaches G through D (the last of its g_steps)
            if self.ema is not None:
                self.ema.update(self.generator)
        self.steps += 1
        return out

    @torch.no_grad()
    def assign(self, x: torch.Tensor) -> torch.Tensor:
        """Each real digit's cluster (B,), nearest centroid of its 14×14 pixels; the centroids follow the
        batch (sequential k-means: each moves by 1/its count towards its members, so each is the running mean
        of its members). The first batch seeds them (k-means++). The sums are index additions, which autocast
        leaves in float32: the means stay exact whatever the training precision."""
        f = F.avg_pool2d(x.float(), 2).flatten(1)                                     # (B, 196) thumbnails
        if int(self.steps) == 0 and not self.cluster_counts.any():
            self.centroids.copy_(_kmeanspp(f, self.clusters))
        a = torch.cdist(f, self.centroids).argmin(1)                                  # (B,)
        n = torch.zeros_like(self.cluster_counts).index_add_(0, a, torch.ones_like(f[:, 0]))  # (K,)
        sums = torch.zeros_like(self.centroids).index_add_(0, a, f)                   # (K, 196)
        self.cluster_counts += n
        self.centroids += (sums - n[:, None] * self.centroids) / self.cluster_counts.clamp(min=1)[:, None]
        return a                                                                      # (unseen clusters: + 0)

    @property
    def n_critic(self) -> int:
        """Critic steps per generator step (WGAN-GP's knob; 1 for the others)."""
        return self.cfg.hp.get("n_critic", 1)

    @property
    def info_weight(self) -> float:
        """How much InfoGAN's code-guessing loss counts beside the game's (both players)."""
        return self.cfg.hp.get("info_weight", 1.0)

    @property
    def g_steps(self) -> int:
        """Generator steps per discriminator step (1 for WGAN-GP, which balances with n_critic)."""
        return self.cfg.hp.get("g_steps", 1)

    # ---- sampling --------------------------------------------------------------------------------
    def sampler(self) -> nn.Module:
        return self.ema if self.ema is not None else self.generator

    @torch.no_grad()
    def sample(self, n, seed, labels=None):
        self.eval()
        g = torch.Generator().manual_seed(seed)
        dev = self.steps.device
        z = self.noise(n, dev, g) * self.cfg.temperature
        if self.conditional and labels is None:
            labels = torch.randint(0, CLASSES, (n,), generator=g)
        if self.clusters:  # clusters as often as real digits fell in them
            labels = torch.multinomial(self.cluster_counts.cpu() + 1e-6, n, replacement=True, generator=g)
        if self.codes:
            labels = self.code(n, dev, g)
        return self.sampler()(z, None if labels is None else labels.to(dev))

    @torch.no_grad()
    def interpolation(self, seed: int) -> torch.Tensor:
        """Rows of images along great circles between pairs of fixed noise vectors: (R·S, 1, 28, 28).
        A conditional model keeps one digit per row (0, 2, 4, 6), InfoGAN one code per row, so only the style moves."""
        self.eval()
        g = torch.Generator().manual_seed(seed + 1)
        dev = self.steps.device
        ends = self.noise(2 * INTERPOLATION_ROWS, dev, g) * self.cfg.temperature
        t = torch.linspace(0, 1, INTERPOLATION_STEPS, device=dev)
        z = slerp(ends[:INTERPOLATION_ROWS], ends[INTERPOLATION_ROWS:], t).flatten(0, 1)  # (R·S, Z)
        labels = None
        if self.clusters:  # the most populous clusters, one a row
            rows = self.cluster_counts.argsort(descending=True)[torch.arange(INTERPOLATION_ROWS) % self.clusters]
            labels = rows.repeat_interleave(INTERPOLATION_STEPS)
        elif self.conditional or self.codes:
            rows = (2 * torch.arange(INTERPOLATION_ROWS, device=dev)) % (self.codes or CLASSES)
            labels = rows.repeat_interleave(INTERPOLATION_STEPS)
        return self.sampler()(z, labels)

    @torch.no_grad()
    def groups(self, seed: int) -> torch.Tensor | None:
        """What each cluster (or InfoGAN code) draws, a column each: with clusters, the biggest first, the
        top row the cluster's centroid (the average of its real digits, enlarged: blurry, so it reads apart),
        then GROUP_SAMPLES rows of samples of that group from fixed noise: (R·K, 1, 28, 28); None without
        clusters and codes."""
        k = self.clusters or self.codes
        if not k:
            return None
        self.eval()
        g = torch.Generator().manual_seed(seed + 2)
        dev = self.steps.device
        z = self.noise(GROUP_SAMPLES * k, dev, g) * self.cfg.temperature                # (S·K, Z)
        order, top = torch.arange(k, device=dev), []
        if self.clusters:
            order = self.cluster_counts.argsort(descending=True)
            top = [F.interpolate(self.centroids[order].view(k, 1, 14, 14), scale_factor=2).clamp(-1, 1)]  # (K, 1, 28, 28)
        drawn = self.sampler()(z, order.repeat(GROUP_SAMPLES))                              # (S·K, 1, 28, 28)
        return torch.cat(top + [drawn])

    def media(self, ctx, with_quality):
        found, figures = super().media(ctx, with_quality)
        strip = images.grid_png(self.interpolation(ctx.seed), INTERPOLATION_STEPS)
        found = found + [Media("interpolation", strip, {})]
        cols = self.groups(ctx.seed)
        if cols is not None:
            found.append(Media("groups", images.grid_png(cols, self.clusters or self.codes), {}))
        return found, figures


# --------------------------------------------------------------------------- declarations
def params(**defaults) -> tuple[Param, ...]:
    """The knobs the three architectures share, with each one's own defaults."""
    d = {"lr_g": 2e-4, "lr_d": 2e-4, "beta1": 0.5, "beta2": 0.999, "g_width": 32, "d_width": 32,
         "d_norm": "batch", "init": "dcgan", "ema_decay": 0.0, "temperature": 1.0, **defaults}
    return (
        Param("lr_g", d["lr_g"], "generator learning rate", float, 1e-7, 1.0, log=True,
              label="Generator learning rate"),
        Param("lr_d", d["lr_d"], "discriminator (critic) learning rate", float, 1e-7, 1.0, log=True,
              label="Discriminator learning rate"),
        Param("beta1", d["beta1"], "Adam beta1 for both networks (DCGAN: 0.5)", float, 0.0, 0.999,
              label="Adam beta1"),
        Param("beta2", d["beta2"], "Adam beta2 for both networks", float, 0.0, 0.9999, label="Adam beta2"),
        Param("latent_dim", 100, "size of the noise vector z", int, 1, 1024, label="Noise size"),
        Param("g_width", d["g_width"], "generator channels at 14×14 (×2 at 7×7)", int, 4, 512,
              label="Generator width"),
        Param("d_width", d["d_width"], "discriminator channels at 14×14 (×2 at 7×7)", int, 4, 512,
              label="Discriminator width"),
        Param("d_norm", d["d_norm"], "normalisation in the discriminator's second layer: batch norm "
              "(DCGAN), layer norm (per sample) or none", str, choices=NORMS,
              label="Discriminator normalisation",
              choice_labels={"batch": "Batch normalisation", "layer": "Layer normalisation", "none": "None"}),
        Param("init", d["init"], "weight initialization: DCGAN's N(0, 0.02), He (Kaiming) or Glorot (Xavier)",
              str, choices=INITS,
              label="Weight initialisation",
              choice_labels={
                  "default": "PyTorch's default", "he": "He (Kaiming)", "glorot": "Glorot (Xavier)",
                  "dcgan": "DCGAN's N(0, 0.02)",
              }),
        Param("separate_batches", True, "the generator's step draws its own fresh noise (separate "
              "minibatches) instead of reusing the fakes the discriminator just judged", bool,
              label="Separate minibatches"),
        Param("ema_decay", d["ema_decay"], "decay of the generator's weight average used for sampling "
              "(0 = sample with the latest weights); it ramps up as (1+n)/(10+n) after n steps until it reaches "
              "this value: 0.999 only after about 9,000 steps, so in a 5-minute run 0.999 and 0.9995 sample alike",
              float, 0.0, 0.99999,
              label="EMA decay"),
        Param("temperature", d["temperature"], "scale of the noise z when sampling (the truncation trick: "
              "1 = as in training; lower = less varied digits, often cleaner: the DCGAN preset samples at 0.7)",
              float, 0.0, 2.0, legacy=1.0,
              label="Sampling temperature"),  # runs stored before the knob existed sampled at 1
    )


def adversarial_params(**defaults) -> tuple[Param, ...]:
    """The family's knobs plus those of the BCE / hinge game (dcgan and cgan)."""
    d = {"g_steps": 1, "loss": "bce", "d_augment": 0, **defaults}
    own = {k: v for k, v in defaults.items() if k not in ("g_steps", "loss", "d_augment")}
    return params(**own) + (
        Param("loss", d["loss"], "the game's loss: the course's binary cross-entropy or the hinge loss",
              str, choices=LOSSES,
              label="Game loss",
              choice_labels={"bce": "Binary cross-entropy, as in the course", "hinge": "Hinge"}),
        Param("g_steps", d["g_steps"], "generator steps per discriminator step (to rebalance a "
              "discriminator that wins)", int, 1, 5,
              label="Generator steps"),
        Param("label_smoothing", 0.0, "real labels become 1 - this value (BCE only)", float, 0.0, 0.5,
              label="Label smoothing"),
        Param("d_augment", d["d_augment"], "pixels: every digit the discriminator sees, real or fake, is first "
              "shifted by up to this many (differentiable augmentation: D cannot learn 4,000 digits by heart)",
              int, 0, 8,
              label="Discriminator augmentation"),
    )


SPEC = ArchSpec(
    name="dcgan",
    title="DCGAN (GAN convolucional, recomendada)",
    kind="generator",
    differs="The course lists only the MLP GAN; this is the DCGAN recipe it names: transposed convolutions in the generator, strided convolutions with batch norm in the discriminator, Adam with beta1 0.5, plus separate minibatches and an average of the generator's weights for sampling; the preset adds self-conditioning (both networks are told which of 20 groups of look-alike real digits, found without labels, a digit belongs to) and shifts what the discriminator sees (differentiable augmentation).",
    summary=(
        "The course's GAN with convolutions (DCGAN): the generator grows 100 random numbers into a "
        "7×7 map and doubles it twice with transposed convolutions into a 28×28 digit; the "
        "discriminator shrinks a digit with strided convolutions and says real or fake. Batch norm "
        "keeps both games' signals in range. Filters reused all over the picture learn a stroke "
        "once, so it draws digits in minutes where the course's MLP GAN draws noise. Each step "
        "the discriminator judges a batch of real digits and a batch of fakes, then the generator "
        "learns from a fresh batch of noise (separate minibatches). The samples come from an "
        "average of the generator's recent weights (EMA), steadier than the latest ones. Two "
        "additions: the discriminator sees every digit shifted by up to 2 pixels, so it cannot learn "
        "the 4,000 real ones by heart; and self-conditioning: the real digits are sorted into 20 "
        "groups of look-alikes by their pixels alone (no labels), and both networks are told the "
        "group, as a conditional GAN is told the digit. Each group is a narrower target than all ten "
        "digits at once, so the generator draws fewer blends of two digits."
    ),
    # Measured with `python -m deeparch train --arch dcgan --threads 2 --quality-every 1000 --seed S`, each run
    # alone on 2 cores (README): this preset (20 clusters, sampled at temperature 0.7) ended at recognisability
    # 0.852 / 0.868 / 0.862 at seeds 0 / 1 / 2 (coverage 0.992 / 0.993 / 0.992, judge Fréchet 16 / 13 / 18,
    # 5,967-6,152 steps; 0.80 / 0.76 / 0.76 at temperature 1). The previous preset, an InfoGAN code of 10
    # values instead (info_weight 2), ended at 0.724 / 0.582 / 0.782 (coverage 0.990 / 0.911 / 0.919,
    # Fréchet 90-100): its code values found their digits by chance.
    preset={"epochs": 1000, "max_minutes": 5.0, "batch_size": 64, "optimizer": "adam"},
    params=adversarial_params(lr_g=5e-4, lr_d=5e-4, ema_decay=0.999, d_augment=2, temperature=0.7) + (
        Param("info_codes", 0, "InfoGAN: a random category with this many values joins the noise, and the "
              "discriminator learns to tell from the image which one was drawn: each value comes to draw its own "
              "kind of digit instead of blends (0 = off; set clusters=0 first)", int, 0, 20,
              label="InfoGAN codes"),
        Param("clusters", 20, "self-conditioning: the real digits are grouped into this many clusters by their "
              "pixels (k-means, no labels), and both networks are told the cluster, as a conditional GAN is told "
              "the digit; samples draw clusters as often as real digits fall in them (0 = off; not with info_codes)",
              int, 0, 64, legacy=0,
              label="Self-conditioning clusters"),  # runs stored before the knob existed had no clusters
        Param("info_weight", 2.0, "weight of InfoGAN's code-guessing loss in both players' losses", float, 0.0, 10.0,
              legacy=1.0,
              label="InfoGAN code weight"),  # runs stored before the knob existed weighed it 1
    ),
    build=DCGAN,
    display=generator(GAN_LOSSES, D_OUTPUTS, G_GRAD, views=(GROUPS, INTERPOLATION)),
    loss_keys=("g_loss", "d_loss", "d_x", "d_g_z"),
    unused=("lr",),
    check=check_common,
    race_default=True,
)
