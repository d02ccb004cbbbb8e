"""Side effects of training: store logging with heartbeat and control polling, a progress bar."""
from __future__ import annotations

import sys
import time

from deeparch.store import Store
from deeparch.trainer import Callback, Result, Trainer


class StoreLogger(Callback):
    """Buffers metric rows and writes them in one transaction at most every ``flush_s`` seconds.

    The same write beats the heart and stores the step; between writes it reads the
    run's control request: "pause" blocks here (heartbeating) until it is cleared,
    "stop" ends the run after this step. ``stop_event`` (set by the worker's SIGTERM
    handler) ends it the same way, so a terminated run stops with a checkpoint.
    """

    def __init__(self, store: Store, run_id: int, flush_s: float = 0.5, poll_s: float = 0.25,
                 stop_event=None):
        self.store, self.run_id = store, run_id
        self.stop_event = stop_event
        self.in_loop = False  # between on_start and on_end: a stop can be honoured at the next step
        self.flush_s, self.poll_s = flush_s, poll_s
        self.rows: list[tuple] = []
        self.rows_logged = 0  # handed to the store; tests check that the store kept every one
        self.last_flush = self.last_poll = 0.0

    def on_start(self, trainer: Trainer) -> None:
        self.in_loop = True
        self.store.update_run(self.run_id, total_steps=trainer.total_steps, step=trainer.step)
        # where it trains and in which precision: what precision=auto chose, for the runs table
        self.store.merge_summary(self.run_id, params=trainer.n_params, steps_per_epoch=trainer.steps_per_epoch,
                                 device=str(trainer.device), precision_used=trainer.precision.name)
        if trainer.model.kind == "generator":  # whose figures these will be, readable while it trains
            from deeparch.quality import JUDGE_VERSION

            self.store.merge_summary(self.run_id, judge_version=JUDGE_VERSION)
        self.store.drop_after(self.run_id, trainer.step)  # what a killed worker logged past its checkpoint
        self.flush(trainer.step)

    def on_metrics(self, step: int, values: dict[str, float]) -> None:
        wall = time.time()
        self.rows.extend((step, k, float(v), wall) for k, v in values.items())

    def on_media(self, step: int, kind: str, png: bytes, meta: dict) -> None:
        self.flush(step)  # metrics of this step first, so a page never shows a grid ahead of its curve
        self.store.log_media(self.run_id, step, kind, png, meta)

    def on_checkpoint(self, trainer: Trainer) -> None:
        self.flush(trainer.step)  # rows up to the checkpoint are stored before it exists

    def on_judging(self, trainer: Trainer, active: bool) -> None:
        """While a quality pass samples and judges (training waits), the run's summary says so: Live
        shows "judging samples…" instead of a run that seems stuck."""
        self.flush(trainer.step)
        self.store.merge_summary(self.run_id, judging=active)

    def flush(self, step: int | None = None) -> None:
        rows, self.rows = self.rows, []
        self.rows_logged += len(rows)
        self.store.log_metrics(self.run_id, rows, heartbeat=time.time(), step=step)
        self.last_flush = time.monotonic()

    def _signalled(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    def on_step(self, trainer: Trainer) -> str | None:
        if self._signalled():
            return "stop"
        now = time.monotonic()
        if now - self.last_flush >= self.flush_s:
            self.flush(trainer.step)
        if now - self.last_poll < self.poll_s:
            return None
        self.last_poll = now
        request = self.store.control(self.run_id)
        if request == "pause":
            self.flush(trainer.step)
            self.store.set_status(self.run_id, "paused", only_if=("running",))
            while request == "pause" and not self._signalled():
                time.sleep(0.2)
                self.store.log_metrics(self.run_id, [], heartbeat=time.time())
                request = self.store.control(self.run_id)
            if request != "stop":
                self.store.set_status(self.run_id, "running", only_if=("paused",))
        if request == "stop" or self._signalled():
            return "stop"
        return None

    def on_end(self, trainer: Trainer, result: Result) -> None:
        self.in_loop = False
        self.flush(trainer.step)
        self.store.merge_summary(self.run_id, **result.summary, metric_rows_logged=self.rows_logged)


def shown_keys(spec) -> tuple[str, ...]:
    """What the progress bar shows: the losses, then the declared headline's metric and the ``extra``
    figures beside it (a generator's recognisability never without its coverage)."""
    d = spec.display
    head = (d.headline.metric or d.headline.key,) if d.headline else ()
    return tuple(dict.fromkeys((*spec.loss_keys, *head, *d.extra)))


class ProgressBar(Callback):
    """A tqdm bar on stderr: steps done, rate, time left, and the latest loss and test accuracy."""

    def __init__(self, stream=sys.stderr, every_s: float = 0.5):
        self.stream, self.every_s, self.last = stream, every_s, 0.0
        self.latest: dict[str, float] = {}
        self.bar = None

    def on_start(self, trainer):
        from tqdm import tqdm

        self.bar = tqdm(total=trainer.total_steps, initial=trainer.step, file=self.stream, unit="step",
                        mininterval=self.every_s, dynamic_ncols=True)

    def on_metrics(self, step, values):
        self.latest.update(values)

    def on_step(self, trainer):
        self.bar.update(trainer.step - self.bar.n)
        now = time.monotonic()
        if now - self.last >= self.every_s:
            self.last = now
            self.bar.set_postfix(self.postfix(trainer), refresh=False)
        return None

    def on_judging(self, trainer, active):
        self.judging = active
        self.bar.set_postfix(self.postfix(trainer), refresh=True)

    judging = False

    def postfix(self, trainer) -> dict[str, str]:
        shown = {"epoch": f"{trainer.step / trainer.steps_per_epoch:.2f}"}
        if self.judging:
            shown["state"] = "judging samples…"
        for k in shown_keys(trainer.spec):
            if k in self.latest:
                shown[k] = f"{self.latest[k]:.4g}"
        return shown

    def on_end(self, trainer, result):
        self.bar.set_postfix(self.postfix(trainer), refresh=False)
        self.bar.update(trainer.step - self.bar.n)
        self.bar.close()
        self.stream.write(f"{result.status}" + (f": {result.reason}" if result.reason else "") + "\n")
