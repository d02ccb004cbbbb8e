"""The course GAN: an MLP generator and an MLP discriminator trained against each other with BCE."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from deeparch.course.archs.base import ArchSpec, GeneratorModel, grad_norm, make_optimizer
from deeparch.course.config import Param
from deeparch.present.display import Line, Panel, generator, other_images

GAN_LOSSES = Panel(
    "gan_loss", "Generator and discriminator losses", "loss",
    (Line("g_loss", "G (generator)"), Line("d_loss", "D (discriminator)", "dash")),
    explain="The two players' losses. A GAN's losses are a game, not a descent: in a healthy game neither wins "
            "for long and both wander, and G's loss rising for a while is no divergence, only D getting better "
            "for a while. D's loss near 0 for long while G's stays high means the discriminator wins: read D(x) "
            "and D(G(z)) below, and G's gradient norm.")
D_OUTPUTS = Panel(
    "gan_d", "Discriminator: D(x) on real digits, D(G(z)) on fakes", "D",
    (Line("d_x", "D(x): real"), Line("d_g_z", "D(G(z)): fake", "dash")), hlines=((0.5, "balance (0.5)"),),
    explain="How real the discriminator finds real digits, D(x), and the generator's fakes, D(G(z)). At 0.5 it "
            "cannot tell them apart: the game's balance, where a perfect generator would leave it. D(x) near 1 "
            "with D(G(z)) near 0 for long is a discriminator that wins. With the non-saturating loss the lab uses "
            "(G maximises log D(G(z))) G's gradient does not fade then (it fades with the original "
            "log(1 − D(G(z))), which the lab does not use): G keeps being pushed, but towards whatever fools this "
            "discriminator at the moment, so its samples do not settle. A lower lr_d, label smoothing or instance "
            "noise rebalances it. Both swinging wildly means the learning rates are too high.")
other_images(
    D_OUTPUTS, title="Discriminator: D(x) on real images, D(G(z)) on fakes",
    explain="How real the discriminator finds real images, D(x), and the generator's fakes, D(G(z)). At 0.5 it "
            "cannot tell them apart: the game's balance, where a perfect generator would leave it. D(x) near 1 "
            "with D(G(z)) near 0 for long is a discriminator that wins. With the non-saturating loss the lab uses "
            "(G maximises log D(G(z))) G's gradient does not fade then (it fades with the original "
            "log(1 − D(G(z))), which the lab does not use): G keeps being pushed, but towards whatever fools this "
            "discriminator at the moment, so its samples do not settle. A lower lr_d, label smoothing or instance "
            "noise rebalances it. Both swinging wildly means the learning rates are too high.")
G_GRAD = Panel(
    "g_grad", "Generator's gradient norm", "‖∇G‖", (Line("g_grad", "‖∇G‖ (generator)"),), log_y=True, detail=True,
    explain="The size of the gradient that reaches the generator through the discriminator at each of its steps "
            "(log scale). With the non-saturating loss it does not fade when the discriminator wins: it stays as "
            "large, or grows, while D(G(z)) sinks towards 0. A large gradient and no better samples means its "
            "direction keeps changing: the generator chases a discriminator that keeps moving.")


class GAN(GeneratorModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        z = cfg.latent_dim
        self.generator = nn.Sequential(
            nn.Linear(z, 256), nn.ReLU(),
            nn.Linear(256, 512), nn.ReLU(),
            nn.Linear(512, 784), nn.Tanh(),   # (B, 784) in [-1, 1]
        )
        self.discriminator = nn.Sequential(
            nn.Linear(784, 512), nn.LeakyReLU(0.2),
            nn.Linear(512, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 1),                # logit; Sigmoid + BCELoss is folded into BCE-with-logits
        )

    def generate(self, z):
        return self.generator(z).view(-1, 1, 28, 28)  # (B, 1, 28, 28)

    def discriminate(self, img):
        return self.discriminator(img.flatten(1)).squeeze(1)  # (B,) logits

    def configure_optimizers(self):
        betas = (self.cfg.beta1, 0.999)
        return [make_optimizer(self.generator.parameters(), self.cfg, self.cfg.lr_g, betas),
                make_optimizer(self.discriminator.parameters(), self.cfg, self.cfg.lr_d, betas)]

    def train_step(self, x, y, opts):
        self.train()
        opt_g, opt_d = opts
        b = x.shape[0]
        valid, fake_label = torch.ones(b, device=x.device), torch.zeros(b, device=x.device)
        if self.cfg.label_smoothing > 0:
            valid = valid * (1 - self.cfg.label_smoothing)

        # (1) Update G: maximise log D(G(z)) — the non-saturating loss of the course listing
        z = torch.randn(b, self.cfg.latent_dim, device=x.device)
        fake = self.generate(z)
        g_loss = F.binary_cross_entropy_with_logits(self.discriminate(fake), torch.ones(b, device=x.device))
        self.optimize(opt_g, g_loss, list(self.generator.parameters()))
        g_grad = grad_norm(self.generator)  # what reaches G through D: the non-saturating loss keeps it

        # (2) Update D: maximise log D(x) + log(1 - D(G(z))), on G's output detached
        real_in, fake_in = x, fake.detach()
        if self.cfg.instance_noise > 0:
            real_in = real_in + self.cfg.instance_noise * torch.randn_like(real_in)
            fake_in = fake_in + self.cfg.instance_noise * torch.randn_like(fake_in)
        d_real, d_fake = self.discriminate(real_in), self.discriminate(fake_in)
        d_loss = (F.binary_cross_entropy_with_logits(d_real, valid)
                  + F.binary_cross_entropy_with_logits(d_fake, fake_label)) / 2
        self.optimize(opt_d, d_loss, list(self.discriminator.parameters()))

        return {"g_loss": g_loss.item(), "d_loss": d_loss.item(), "g_grad": g_grad,
                "d_x": torch.sigmoid(d_real).mean().item(), "d_g_z": torch.sigmoid(d_fake).mean().item()}

    @torch.no_grad()
    def sample(self, n, seed):
        self.eval()
        z = torch.randn(n, self.cfg.latent_dim, generator=torch.Generator().manual_seed(seed))
        return self.generate(z.to(next(self.parameters()).device))


SPEC = ArchSpec(
    name="gan",
    title="GAN (listagem do curso: MLP)",
    kind="generator",
    differs=(
        "The course's MLP generator (100 → 256 → 512 → 784, Tanh) and discriminator (784 → 512 → 256 → 1, "
        "LeakyReLU 0.2) as listed. The discriminator's Sigmoid is folded into the loss (BCE with logits: the "
        "same maths, numerically safer); Adam with β1 = 0.5 as in DCGAN; label smoothing and instance noise "
        "are optional knobs."),
    summary=(
        "Two networks play a game. The generator turns 100 random numbers into an image; "
        "the discriminator looks at real digits and generated ones and guesses which are "
        "real. Each learns from the other's mistakes. D(x) is how real the discriminator "
        "finds real digits, D(G(z)) how real it finds fakes: when the game is balanced "
        "both hover around 0.5. If the generator finds one digit that fools the "
        "discriminator and draws only that, the class coverage drops: mode collapse."
    ),
    preset={"epochs": 10, "batch_size": 64, "optimizer": "adam", "lr": 2e-4},
    params=(
        Param("lr_g", 2e-4, "generator learning rate", float, 1e-7, 1e4, log=True, label="Generator learning rate"),
        Param("lr_d", 2e-4, "discriminator learning rate", float, 1e-7, 1e4, log=True,
              label="Discriminator learning rate"),
        Param("beta1", 0.5, "Adam beta1 for both networks", float, 0.0, 0.999, label="Adam beta1"),
        Param("latent_dim", 100, "size of the noise vector z", int, 1, 1024, label="Noise size"),
        Param("label_smoothing", 0.0, "real labels become 1 - this value", float, 0.0, 0.5, label="Label smoothing"),
        Param("instance_noise", 0.0, "std of noise added to the discriminator's inputs", float, 0.0, 2.0,
              label="Instance noise"),
    ),
    display=generator(GAN_LOSSES, D_OUTPUTS, G_GRAD),
    loss_keys=("g_loss", "d_loss", "d_x", "d_g_z"),
    unused=("lr",),
    build=GAN,
)
