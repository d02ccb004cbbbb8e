"""A run's media passes: the sample or probe grids of the views its architecture declares and the
quality figures (a generator's samples judged), when each is due and how much of the run's time they
may take. The trainer calls ``MediaPasses.after_step``; the model draws (``ArchModel.media``)."""
from __future__ import annotations

import math
import time
from dataclasses import replace

from deeparch.course.archs.base import QUALITY_CHUNK, MediaContext

PROBE_COUNT = 16      # fixed test digits shown with their predicted label
SAMPLE_COUNT = 64     # images in a generator's fixed-noise grid
QUALITY_COUNT = 500   # samples judged for the quality figures
SAMPLE_SEED = 1234    # the fixed noise of the sample grid
# automatic cadences (sample_every / quality_every = 0): the first grid within FIRST_GRID_S seconds of
# training, then one per epoch as long as that gives between GRIDS grids over the run's expected
# length (short runs: more often) and MAX_GRIDS (long runs: less often; a diffusion grid costs seconds);
# quality figures (500 samples) QUALITIES times over the run, and always at its end
FIRST_GRID_S = 30.0
GRIDS, MAX_GRIDS = 6, 12
QUALITIES = 3
# sampling and judging (grids, views, quality passes, the final one included) take at most this share of
# a run's time: a pass is put off while the time it would take is not yet earned by training, and a quality
# pass draws fewer samples (chunks of 100) when time runs short. Every run may spend MEDIA_FLOOR_S,
# so a short run still ends with a small judged pass.
MEDIA_SHARE = 0.25
MEDIA_FLOOR_S = 10.0


class Cadence:
    """When the next grid (or quality figure) is due: every ``every`` steps, or, with ``every`` 0,
    adapted to the run's expected length so that short and long runs alike show several."""

    def __init__(self, every: int, trainer, least: int, most: int, first_s: float = math.inf):
        self.every, self.trainer, self.first_s = every, trainer, first_s
        self.least, self.most = least, most  # how many over the run
        self.last = trainer.step or None  # None: nothing shown yet in this run

    def interval(self, clock: float) -> int:
        expected = self.trainer.expected_steps(clock)
        return max(1, expected // self.most, min(self.trainer.steps_per_epoch, expected // self.least))

    def due(self, step: int, clock: float) -> bool:
        if self.every:
            return step % self.every == 0
        if self.last is None and clock >= self.first_s:
            return True
        return step - (self.last or 0) >= self.interval(clock)

    def mark(self, step: int) -> None:
        self.last = step


class MediaPasses:
    """The grids and quality passes of one ``deeparch.engine.trainer.Trainer`` (not imported: it imports this):
    their cadences, their time budget and the pass itself. Their seconds are counted in the trainer's
    summary (``sample_seconds``, ``quality_seconds``)."""

    def __init__(self, trainer):
        self.trainer = trainer
        cfg = trainer.cfg
        self.context = MediaContext(trainer.x_test[:PROBE_COUNT], trainer.y_test[:PROBE_COUNT],
                                    tuple(trainer.ds.classes), self._judge, SAMPLE_COUNT, QUALITY_COUNT, SAMPLE_SEED)
        self.samples = Cadence(cfg.sample_every, trainer, GRIDS, MAX_GRIDS, FIRST_GRID_S)
        self.qualities = Cadence(cfg.quality_every, trainer, QUALITIES, QUALITIES)
        self.pass_s: dict[str, float] = {}  # seconds of the latest grid pass and quality pass (per chunk)

    def after_step(self, step: int, clock: float, last: bool) -> None:
        """A grid (and a quality pass) when due and affordable; the last step always has both."""
        grid = self.samples.due(step, clock)
        # automatic quality figures ride on a grid's step; explicit ones come at their own
        quality = last or (self.qualities.due(step, clock) and (grid or self.qualities.every > 0))
        if quality and not last and not self.affordable(True, clock):
            quality = False  # put off until training has earned the time it takes
        if grid and not quality and not last and not self.affordable(False, clock):
            grid = False
        if grid or quality:
            self.draw(with_quality=quality, clock=clock)
            self.samples.mark(step)
            if quality:
                self.qualities.mark(step)

    def seconds(self) -> float:
        """Seconds this run has spent on samples, views and quality passes so far."""
        summary = self.trainer.summary
        return summary.get("sample_seconds", 0.0) + summary.get("quality_seconds", 0.0)

    def left(self, clock: float) -> float:
        """Seconds of sampling and judging that ``clock`` seconds of training have earned and that are
        not yet spent: media at most MEDIA_SHARE of training plus media (or MEDIA_FLOOR_S in all)."""
        return max(clock * MEDIA_SHARE / (1 - MEDIA_SHARE), MEDIA_FLOOR_S) - self.seconds()

    def affordable(self, quality: bool, clock: float) -> bool:
        """Whether a grid (or a quality pass's first chunk) fits what is left of the media budget, by the
        time the latest such pass took; the first of each kind is always tried."""
        cost = self.pass_s.get("quality" if quality else "grid")
        return cost is None or cost <= self.left(clock)

    def draw(self, with_quality: bool, clock: float | None = None) -> None:
        """Ask the model for the media of the views its architecture declares (and any figures,
        such as the quality of a generator's samples, measured while drawing them) by a deadline: the
        media budget left at ``clock`` (a quality pass then draws fewer samples, a diffusion model fewer
        steps). A quality pass's time is counted under ``quality_seconds``, a grid's under ``sample_seconds``."""
        t = self.trainer
        start = time.perf_counter()
        judged = with_quality and t.model.kind == "generator"  # a classifier's "quality" is its probe grid
        if judged:
            for cb in t.callbacks:
                cb.on_judging(t, True)
        left = self.left(t.summary.get("train_seconds", 0.0) if clock is None else clock)
        ctx = replace(self.context, deadline=start + max(left, 0.0))
        try:
            found, figures = t.model.media(ctx, with_quality)
        finally:
            spent = time.perf_counter() - start
            key = "quality_seconds" if judged else "sample_seconds"
            t.summary[key] = t.summary.get(key, 0.0) + spent
            if judged:
                for cb in t.callbacks:
                    cb.on_judging(t, False)
        if judged:  # the cost of one chunk: what the next pass must have left to start
            chunks = (figures or {}).get("quality_samples", QUALITY_COUNT) / QUALITY_CHUNK
            self.pass_s["quality"] = spent / max(chunks, 1.0)
        else:
            self.pass_s["grid"] = spent
        if figures:
            if "recognisability" in figures:
                from deeparch.engine.quality import JUDGE_VERSION

                t.summary["judge_version"] = JUDGE_VERSION
            t.emit_metrics(figures)
            t.summary.update(figures)
        for m in found:
            t.emit_media(m.kind, m.png, m.meta)

    def _judge(self, imgs, labels=None) -> dict:
        from deeparch.engine import quality

        return quality.measure(imgs, self.trainer.cfg.dataset, self.trainer.data_root, labels=labels)
