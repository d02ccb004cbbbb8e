"""Side effects of training: store logging with heartbeat and control polling, a progress bar."""
from __future__ import annotations

import sys
import time

from deeparch.store import Store, StoreUnreachable, store_grace
from deeparch.engine.trainer import Callback, Result, Trainer
from deeparch.present.messages import Message


class StoreLogger(Callback):
    """Buffers metric rows and writes them in one transaction at most every ``flush_s`` seconds.

    The same write beats the heart and stores the step; between writes it reads the
    run's control request: "pause" blocks here (heartbeating) until it is cleared,
    "stop" ends the run after this step. ``stop_event`` (set by the worker's SIGTERM
    handler) ends it the same way, so a terminated run stops with a checkpoint.

    A server store that goes away (PostgreSQL restarting) does not end the run: training goes on,
    rows and grids wait here and are written once it answers again, in order, none lost; a checkpoint
    and the run's end wait for it. Unreachable for longer than ``grace`` seconds, the run ends with
    ``StoreUnreachable`` (the worker records it as the reason once the store is back).
    """

    def __init__(self, store: Store, run_id: int, flush_s: float = 0.5, poll_s: float = 0.25,
                 stop_event=None, grace: float | None = None, log=None):
        self.store, self.run_id = store, run_id
        self.stop_event = stop_event
        self.in_loop = False  # between on_start and on_end: a stop can be honoured at the next step
        self.flush_s, self.poll_s = flush_s, poll_s
        self.grace = store_grace() if grace is None else grace
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.rows: list[tuple] = []
        self.media: list[tuple] = []  # grids logged while the store was unreachable
        self.rows_logged = 0  # handed to the store; tests check that the store kept every one
        self.last_flush = self.last_poll = 0.0
        self.lost_since: float | None = None  # when the store stopped answering (None: it answers)

    def _reached(self, write) -> bool:
        """Run ``write`` against the store; False (and the outage noted) if the server is out of reach,
        StoreUnreachable once that has lasted longer than the grace."""
        try:
            write()
        except Exception as e:  # noqa: BLE001 - only a lost server is absorbed; anything else goes up
            if not self.store.lost(e):
                raise
            now = time.monotonic()
            if self.lost_since is None:
                self.lost_since = now
                self.log(f"the run store is unreachable ({' '.join(str(e).split())[:200]}); training goes on "
                         f"and its rows wait here for up to {self.grace:g} s")
            if now - self.lost_since > self.grace:
                raise StoreUnreachable(Message("store_unreachable", grace=self.grace)) from None
            return False
        if self.lost_since is not None:
            self.log(f"the run store answers again after {time.monotonic() - self.lost_since:.1f} s; "
                     f"{self.rows_logged} rows stored in all")
            self.lost_since = None
        return True

    def _until_reached(self, write) -> None:
        """``write``, waiting for the store (a checkpoint, the run's end: they must not get ahead of it)."""
        while not self._reached(write):
            time.sleep(0.5)

    def on_start(self, trainer: Trainer) -> None:
        self.in_loop = True
        self.store.update_run(self.run_id, total_steps=trainer.total_steps, step=trainer.step)
        # where it trains and in which precision: what precision=auto chose, for the runs table
        self.store.merge_summary(self.run_id, params=trainer.n_params, steps_per_epoch=trainer.steps_per_epoch,
                                 device=str(trainer.device), precision_used=trainer.precision.name)
        if trainer.model.kind == "generator":  # whose figures these will be, readable while it trains
            from deeparch.engine.quality import JUDGE_VERSION

            self.store.merge_summary(self.run_id, judge_version=JUDGE_VERSION)
        self.store.drop_after(self.run_id, trainer.step)  # what a killed worker logged past its checkpoint
        self.flush(trainer.step)

    def on_metrics(self, step: int, values: dict[str, float]) -> None:
        wall = time.time()
        self.rows.extend((step, k, float(v), wall) for k, v in values.items())

    def on_media(self, step: int, kind: str, png: bytes, meta: dict) -> None:
        self.media.append((step, kind, png, meta))
        self.flush(step)  # metrics of this step first, so a page never shows a grid ahead of its curve

    def on_checkpoint(self, trainer: Trainer) -> bool:
        # rows up to the checkpoint are stored before it exists; while the store is away the checkpoint
        # waits for the next one (training goes on), so a resume never starts past a row the store lacks
        return self.flush(trainer.step)

    def on_judging(self, trainer: Trainer, active: bool) -> None:
        """While a quality pass samples and judges (training waits), the run's summary says so: Live
        shows "judging samples…" instead of a run that seems stuck (skipped while the store is away)."""
        if self.flush(trainer.step):
            self._reached(lambda: self.store.merge_summary(self.run_id, judging=active))

    def _write(self, step: int | None) -> None:
        """Hand every waiting row, then every waiting grid, to the store; raises if it cannot take them
        (nothing is dropped: what was not written stays waiting)."""
        if self.rows or step is not None:
            self.store.log_metrics(self.run_id, self.rows, heartbeat=time.time(), step=step)
            self.rows_logged += len(self.rows)
            self.rows = []
        while self.media:
            self.store.log_media(self.run_id, *self.media[0])
            self.media.pop(0)

    def flush(self, step: int | None = None) -> bool:
        """Write what waits; False while the store is out of reach (it stays waiting)."""
        self.last_flush = time.monotonic()
        return self._reached(lambda: self._write(step))

    def _signalled(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    def on_step(self, trainer: Trainer) -> str | None:
        if self._signalled():
            return "stop"
        now = time.monotonic()
        if now - self.last_flush >= self.flush_s and not self.flush(trainer.step):
            return None  # the store is away: no control request can be read either
        if now - self.last_poll < self.poll_s:
            return None
        self.last_poll = now
        read: list = []
        if not self._reached(lambda: read.append(self.store.control(self.run_id))):
            return None
        request = read[0]
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
        self._until_reached(lambda: self._write(trainer.step))
        self._until_reached(lambda: self.store.merge_summary(self.run_id, **result.summary,
                                                             metric_rows_logged=self.rows_logged))


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
