"""The conditional GAN: the DCGAN of ``dcgan`` told which digit to draw.

The label goes into both networks (the course: "both the generator and the discriminator
receive additional information, such as class labels"): one-hot next to the noise for the
generator, a learned 28×28 label map as a second input channel for the discriminator, which
so judges "is this a real 7?" rather than "is this real?". A generator that draws a fine 1
when asked for a 7 is then caught, so it learns to follow the label: ask for a 7, get a 7.
"""
from __future__ import annotations

from functools import partial

from deeparch.course.archs.base import ArchSpec
from deeparch.course.archs._gan_parts import INTERPOLATION, check_common
from deeparch.course.archs.dcgan import DCGAN, adversarial_params
from deeparch.course.archs.gan import D_OUTPUTS, G_GRAD, GAN_LOSSES
from deeparch.course.config import Param
from deeparch.present.display import generator

SPEC = ArchSpec(
    name="cgan",
    title="GAN condicional (cGAN)",
    kind="generator",
    differs="Not in the course listing: the DCGAN with the digit's label given to both networks (the course's conditional GAN), so one can ask for a 7.",
    summary=(
        "A DCGAN that is told which digit to draw. The generator gets the digit's label next to its "
        "random numbers; the discriminator gets the label next to the image and judges whether it is "
        "a real example of that digit. Drawing a good 1 when asked for a 7 is caught, so the "
        "generator learns to follow the label: ask for a 7, get a 7. The sample grid has one row "
        "per digit, and the judge checks how often the drawn digit is the one asked for."
    ),
    preset={"epochs": 1000, "max_minutes": 5.0, "batch_size": 64, "optimizer": "adam"},
    params=adversarial_params(lr_g=5e-4, lr_d=5e-4, ema_decay=0.999) + (
        Param("projection", True, "also project the label onto the discriminator's last features (projection "
              "discriminator): it asks \"is this a real 7?\" directly", bool,
              label="Projection discriminator"),
    ),
    build=partial(DCGAN, conditional=True),
    display=generator(GAN_LOSSES, D_OUTPUTS, G_GRAD, views=(INTERPOLATION,), conditional=True),
    loss_keys=("g_loss", "d_loss", "d_x", "d_g_z"),
    unused=("lr",),
    check=check_common,
)
