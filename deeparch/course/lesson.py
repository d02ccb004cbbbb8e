"""What a lesson is: a set of runs a teacher launches with one click (the catalog of lessons and "break it"
scenarios is ``deeparch.course.lessons``).

A run may start from the weights of an earlier run of the same lesson (``starts_from``: its
index): it is launched at once with ``init_from`` set to that run's id and waits in the queue
until that run has ended (``Store.claim_queued``), so "pre-train, then fine-tune" is one click.
Plain data and the launch order: no torch.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from deeparch.course.archs import make_config
from deeparch.course.config import RunConfig
from deeparch.present.i18n import tr
from deeparch.present.text import SEPARATOR, fit_title

GROUP_PREFIX = "lesson:"  # a lesson's runs share the store group "lesson:<id> <stamp>"
PENDING = 1  # the init_from a fine-tune is validated with: its source's id is known only at launch


@dataclass(frozen=True)
class LessonRun:
    """One run of a lesson: what it is called in the lesson and how it is configured."""

    label: str                               # its part in the lesson: "healthy", "lr too high"…
    arch: str
    hp: Mapping = field(default_factory=dict)
    dataset: str | None = None               # None: the architecture's first dataset (mnist-5k for images)
    starts_from: int | None = None           # index of an earlier run of the lesson whose weights it starts from

    def config(self, **common) -> RunConfig:
        """Its validated configuration (``common`` settings first, e.g. a seed; its own win)."""
        pending = {"init_from": PENDING} if self.starts_from is not None else {}
        return make_config(self.arch, self.dataset, **{**common, **self.hp, **pending})


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    topic: str                               # the course section it illustrates
    goal: str                                # what the class should take away, one paragraph
    runs: tuple[LessonRun, ...]
    watch: tuple[str, ...]                   # what to watch, in order
    questions: tuple[str, ...]               # what to ask the class
    minutes: float                           # wall-clock time of the whole lesson on a 2-core laptop
    symptoms: tuple[str, ...] = ()           # break it: the diagnostic keys (deeparch.engine.diagnose) of its symptom
    broken: int | None = None                # break it: index of the broken run in ``runs``

    def configs(self, **common) -> list[RunConfig]:
        """Every run's validated configuration (raises ConfigError naming the bad setting)."""
        return [r.config(**common) for r in self.runs]

    def launch(self, configs: list[RunConfig], start: Callable[[RunConfig, str], int],
               names: list[str] | None = None) -> list[int]:
        """Start the runs in order through ``start(config, name) -> id``, pointing each ``starts_from``
        run at the id its source got; the ids, in the lesson's order."""
        ids: list[int] = []
        for i, (run, cfg) in enumerate(zip(self.runs, configs)):
            if run.starts_from is not None:
                cfg = cfg.replace(init_from=ids[run.starts_from])
            ids.append(start(cfg, names[i] if names else run.label))
        return ids

    def run_names(self) -> list[str]:
        """The names its runs get, in the current language: "<lesson title> · <run label>", the title
        shortened first where a name would be cut (``deeparch.present.text.fit_title``)."""
        labels = [tr(r.label) for r in self.runs]
        title = fit_title(tr(self.title), labels)
        return [f"{title}{SEPARATOR}{label}" for label in labels]

    def group(self, stamp: str) -> str:
        """The group the lesson's runs share in the store: ``lesson:<id> <stamp>``."""
        return f"{GROUP_PREFIX}{self.id} {stamp}"
