"""WGAN-GP: the DCGAN of ``dcgan`` trained with the Wasserstein loss and a gradient penalty.

The discriminator becomes a *critic* that gives scores, not probabilities: it raises its
score of real digits and lowers that of fakes, and D(x) - D(G(z)) estimates the Wasserstein
(earth mover's) distance between real and generated digits, which keeps giving the generator
a useful gradient even when the critic wins (the vanishing gradient the course warns about
for BCE). The estimate only holds for a 1-Lipschitz critic, enforced softly by the gradient
penalty λ(‖∇ₓD(x̂)‖ - 1)² on random points between real and fake digits (Gulrajani et al.,
2017). The penalty is per sample, so the critic has no batch norm (it would tie each
sample's score to the others'): layer norm instead. The critic takes n_critic steps, each on
its own minibatch of real digits, for each generator step.
"""
from __future__ import annotations

from functools import partial

from deeparch.course.archs.base import ArchSpec
from deeparch.course.archs._gan_parts import INTERPOLATION
from deeparch.course.archs.dcgan import DCGAN, params
from deeparch.course.config import Param
from deeparch.present.display import Line, Panel, generator, other_images
from deeparch.present.messages import Message

WGAN_LOSSES = Panel(
    "wgan_loss", "Critic and generator losses", "loss",
    (Line("critic_loss", "critic: D(G(z)) − D(x) + penalty"), Line("g_loss", "G: −D(G(z))", "dash")),
    explain="The critic's loss is minus its Wasserstein estimate plus the penalty; the generator's is minus "
            "the critic's score of its fakes. Unlike BCE losses these have no fixed balance level: the "
            "generator's loss drifts with the critic's scale. Watch the Wasserstein estimate instead.")
WASSERSTEIN = Panel(
    "wasserstein", "Wasserstein estimate: D(x) − D(G(z))", "distance",
    (Line("wasserstein", "D(x) − D(G(z))"),), hlines=((0.0, "0: fakes scored like real digits"),),
    explain="How much higher the critic scores real digits than fakes: an estimate of the distance between "
            "real and generated digits. It jumps up early, then falls as the generator improves, and, unlike "
            "a BCE loss, it follows sample quality. A steady climb means the critic is running away "
            "(raise gp_lambda or lower lr_d); wild swings mean too high a learning rate.")
other_images(
    WASSERSTEIN, hlines=((0.0, "0: fakes scored like real images"),),
    explain="How much higher the critic scores real images than fakes: an estimate of the distance between "
            "real and generated images. It jumps up early, then falls as the generator improves, and, unlike "
            "a BCE loss, it follows sample quality. A steady climb means the critic is running away "
            "(raise gp_lambda or lower lr_d); wild swings mean too high a learning rate.")
PENALTY = Panel(
    "gradient_penalty", "Gradient penalty and the critic's gradient norm", "value",
    (Line("gp", "penalty λ(‖∇D‖ − 1)²"), Line("critic_grad", "‖∇ₓD(x̂)‖", "dash")),
    hlines=((1.0, "‖∇D‖ = 1: Lipschitz"),),
    explain="The penalty keeps the critic's gradient with respect to its input near 1 on points between real "
            "and fake digits (the 1-Lipschitz condition the Wasserstein estimate needs). A healthy run keeps "
            "the norm near 1 and the penalty small; a norm far above 1 means the critic is too steep and the "
            "estimate cannot be trusted.")
other_images(
    PENALTY,
    explain="The penalty keeps the critic's gradient with respect to its input near 1 on points between real "
            "and fake images (the 1-Lipschitz condition the Wasserstein estimate needs). A healthy run keeps "
            "the norm near 1 and the penalty small; a norm far above 1 means the critic is too steep and the "
            "estimate cannot be trusted.")

def check(hp: dict) -> str | None:
    if hp["d_norm"] == "batch":
        return Message("gp_batch_norm")
    return None


SPEC = ArchSpec(
    name="wgan_gp",
    title="WGAN-GP (Wasserstein com penalidade de gradiente)",
    kind="generator",
    differs='Not in the course listing: the DCGAN trained with the Wasserstein loss and the gradient penalty the course names; the discriminator becomes a critic without a sigmoid.',
    summary=(
        "The DCGAN with the Wasserstein loss. The discriminator becomes a critic that scores digits "
        "instead of calling them real or fake, and the gap between its scores of real digits and of "
        "fakes estimates how far apart the two are; the generator shrinks that gap. The critic takes "
        "several steps (n_critic) for each generator step, and a gradient penalty keeps it smooth, "
        "which the estimate needs. Its curves tell more than BCE's: the estimate falls as the "
        "samples get better, and the generator keeps learning even when the critic is ahead."
    ),
    preset={"epochs": 1000, "max_minutes": 5.0, "batch_size": 64, "optimizer": "adam"},
    params=params(lr_g=2e-4, lr_d=2e-4, beta1=0.5, beta2=0.9, d_norm="layer", ema_decay=0.999) + (
        Param("n_critic", 5, "critic steps, each on its own minibatch, per generator step", int, 1, 20,
              label="Critic steps"),
        Param("gp_lambda", 10.0, "weight λ of the gradient penalty (WGAN-GP: 10)", float, 0.0, 1000.0,
              label="Gradient penalty weight"),
    ),
    build=partial(DCGAN, loss="wgan-gp"),
    display=generator(WGAN_LOSSES, WASSERSTEIN, PENALTY, views=(INTERPOLATION,)),
    loss_keys=("critic_loss", "wasserstein", "gp"),
    unused=("lr",),
    check=check,
)
