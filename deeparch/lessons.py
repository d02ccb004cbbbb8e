"""Lessons: small groups of runs, launched together, that show one idea of the course by contrast.

A lesson is data (names, architectures, settings), read by the Train page's Lessons tab, the
CLI (``python -m deeparch lesson NAME``) and the bench scripts that measure them. A run may
start from the weights of an earlier run of the same lesson (``starts_from``: its index): it
is launched at once with ``init_from`` set to that run's id and waits in the queue until that
run has ended (``Store.claim_queued``), so "pre-train, then fine-tune" is one click, with no
process waiting on another.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from deeparch.config import RunConfig


@dataclass(frozen=True)
class LessonRun:
    name: str
    arch: str
    hp: dict
    starts_from: int | None = None  # index of an earlier run of the lesson whose weights this one starts from


@dataclass(frozen=True)
class Lesson:
    title: str
    explain: str  # what to look for, in one paragraph
    runs: tuple[LessonRun, ...] = field(default=())


FEW_SHOT = {"classes": "5-9", "per_class": 20, "epochs": 20}
# the augmentation contrast: 100 labels per class, long enough to overfit without augmentation
FEW_LABELS = {"per_class": 100, "epochs": 30}
AUGMENTED = {"aug_shift": 2.0, "aug_rotate": 12.0}
VARIANTS = {"plain": {}, "batch norm": {"batch_norm": True}, "residual": {"block": "residual"},
            "inception": {"block": "inception"}, "dilated": {"dilation": 2}, "strided": {"downsample": "stride"}}

LESSONS: dict[str, Lesson] = {
    "transfer": Lesson(
        "Transfer learning: digits 0–4 help with digits 5–9",
        "A CNN learns digits 0 to 4 on all their training images. A second CNN starts from its weights "
        "(a new output layer for the new digits), keeps its convolutions frozen, and learns digits 5 to 9 "
        "from only 20 labelled images of each; a third learns the same 100 images from scratch. Compare "
        "how fast each learns and where it ends. The fine-tune waits in the queue until the pre-training "
        "has finished.",
        (LessonRun("pre-train: digits 0–4", "cnn", {"classes": "0-4", "epochs": 3}),
         LessonRun("fine-tune: 5–9, 20 labels each", "cnn", {**FEW_SHOT, "freeze": "features",
                                                                   "fresh": "classifier.4"}, starts_from=0),
         LessonRun("from scratch: 5–9, 20 labels each", "cnn", dict(FEW_SHOT))),
    ),
    "augment": Lesson(
        "Data augmentation with few labels",
        "Two CNNs learn from the same 100 labelled images per digit. One sees them as they are and soon "
        "knows them by heart (training accuracy near 100 %, test far below); the other sees each one "
        "shifted and rotated a little at every step, so it must learn the digit, not the picture. Watch "
        "the gap between the train and validation curves.",
        (LessonRun("100 per class, no augmentation", "cnn", dict(FEW_LABELS)),
         LessonRun("100 per class, shifts and rotations", "cnn", {**FEW_LABELS, **AUGMENTED})),
    ),
    "cnn-variants": Lesson(
        "CNN variants: plain, batch norm, residual, Inception, dilated, strided",
        "The course CNN and its variants on the same data, seed and budget: batch normalisation, a "
        "residual (ResNet) block, an Inception block, dilated convolutions, and a stride-2 convolution "
        "instead of max-pooling. Compare their accuracy, their speed and their number of weights.",
        tuple(LessonRun(f"cnn {name}", "cnn", {"epochs": 10, **hp}) for name, hp in VARIANTS.items()),
    ),
}


PENDING = 1  # the init_from a fine-tune is validated with: its source's id is known only at launch


def configs(lesson: Lesson, make: Callable[..., RunConfig], **common) -> list[RunConfig]:
    """Each run's validated configuration (``common`` settings, e.g. a seed, then the run's own);
    a run that starts from another gets its real ``init_from`` when launched (:func:`launch`)."""
    return [make(r.arch, **{**common, **r.hp, **({"init_from": PENDING} if r.starts_from is not None else {})})
            for r in lesson.runs]


def launch(lesson: Lesson, cfgs: list[RunConfig], start: Callable[[RunConfig, str], int]) -> list[int]:
    """Start the lesson's runs in order through ``start(config, name) -> id``, pointing each
    ``starts_from`` run at the id its source got. The ids, in the lesson's order."""
    ids: list[int] = []
    for run, cfg in zip(lesson.runs, cfgs):
        if run.starts_from is not None:
            cfg = cfg.replace(init_from=ids[run.starts_from])
        ids.append(start(cfg, run.name))
    return ids
