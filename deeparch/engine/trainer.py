"""The training loop. Nothing in this file knows which architecture it trains.

Steps over batches sliced from preloaded tensors, records each step's losses, and at
its cadences the per-layer gradient norms, learning rate and throughput, the test-split
evaluation, sample or probe grids, quality figures and checkpoints. Side effects
(store writes, heartbeat, pause/stop requests, progress bars) live in callbacks.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from deeparch.present.messages import TEMPLATES, Message
from deeparch.course import data as data_mod
from deeparch.engine import precision
from deeparch.course.archs import get_arch
from deeparch.course.archs._weights import freeze, unfreeze
from deeparch.engine.augment import Augment, step_generator
from deeparch.engine.checkpoint import CheckpointMismatch, foreign, load_checkpoint, load_weights, write
from deeparch.course.config import ConfigError, RunConfig
from deeparch.engine.layers import layer_groups, layer_name
from deeparch.engine.media_passes import MediaPasses
from deeparch.present import messages

__all__ = ["Trainer", "Callback", "Result", "layer_name", "layer_groups"]  # layer_*: from deeparch.engine.layers

PACE_AFTER = 5  # steps measured before the time budget's pace is trusted
# a value that grows past this multiple of its first value (or of 1) has blown up, even if
# it is still a finite float: a classifier's loss of 2e4 after starting at 2.3, say
DIVERGE_FACTOR = 1e3


class Callback:
    """Hooks the trainer calls; ``on_step`` may return "stop"."""

    def on_start(self, trainer: "Trainer") -> None: ...
    def on_metrics(self, step: int, values: dict[str, float]) -> None: ...
    def on_media(self, step: int, kind: str, png: bytes, meta: dict) -> None: ...
    def on_step(self, trainer: "Trainer") -> str | None: ...
    def on_checkpoint(self, trainer: "Trainer") -> bool | None: ...  # before each checkpoint write: flush (False: not now)
    def on_judging(self, trainer: "Trainer", active: bool) -> None: ...  # a quality pass starts / ends
    def on_end(self, trainer: "Trainer", result: "Result") -> None: ...


@dataclass
class Result:
    status: str            # finished | stopped | diverged
    step: int
    reason: str | None = None
    summary: dict = field(default_factory=dict)


class Trainer:
    def __init__(self, cfg: RunConfig, callbacks=(), checkpoint: str | os.PathLike | None = None,
                 data_root=None, device: str | None = None, identity: dict | None = None,
                 init_weights: str | os.PathLike | None = None):
        self.cfg = cfg
        self.init_weights = Path(init_weights) if init_weights else None  # transfer: another run's checkpoint
        self.identity = dict(identity or {})  # who owns the checkpoint (run_id, uid…): checked on load
        self.spec = get_arch(cfg.arch)
        self.callbacks = list(callbacks)
        self.checkpoint_path = Path(checkpoint) if checkpoint else None
        self.data_root = data_root
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.step = 0
        self.epoch = 0
        self.batch_in_epoch = 0
        self.total_steps = 0
        self.steps_per_epoch = 0
        self.model = None
        self.summary: dict = {}

    # ---- setup --------------------------------------------------------------------------------
    def setup(self) -> None:
        cfg = self.cfg
        torch.manual_seed(cfg.seed)
        self.ds = data_mod.load(cfg.dataset, self.data_root, cfg.hp)
        hp = cfg.hp  # the dataset options exist for classifiers on images only: absent, the whole splits
        sp = data_mod.split(self.ds, hp.get("val_split", 0.0), hp.get("classes", ""), hp.get("per_class", 0))
        self.x, self.y = sp.x_train.to(self.device), sp.y_train.to(self.device)
        self.x_val, self.y_val = sp.x_val.to(self.device), sp.y_val.to(self.device)
        self.x_test, self.y_test = sp.x_test.to(self.device), sp.y_test.to(self.device)
        self.augment = Augment.from_hp(hp)
        if self.augment.active and self.x.dim() != 4:
            raise ConfigError("augment_needs_images", arch=cfg.arch, dataset=cfg.dataset,
                              shape=str(tuple(self.x.shape[1:])))
        self.model = self.spec.build(cfg).to(self.device)
        self.precision = precision.plan(cfg.hp.get("precision", "fp32"), self.device)  # refused here with the reason
        self.model.scaler = self.precision.grad_scaler()
        if self.init_weights and not (self.checkpoint_path and self.checkpoint_path.exists()):
            # transfer: another run's weights (a resumed run's own checkpoint already holds them)
            load_weights(self.model, self.init_weights, self.cfg, self.device)
        try:
            self.frozen = freeze(self.model, hp.get("freeze", ""))
        except ValueError as e:
            raise ConfigError(messages.of(e)) from None
        self.opts = self.model.configure_optimizers()
        n = len(self.x)
        self.steps_per_epoch = math.ceil(n / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        if cfg.max_steps:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        spe = self.steps_per_epoch
        self.eval_every = cfg.eval_every or spe
        self.ckpt_every = cfg.checkpoint_every or spe
        self.n_params = sum(p.numel() for p in self.model.parameters())
        # parameters grouped by layer, for the per-layer gradient norms
        self.layers = layer_groups(self.model)
        if self.checkpoint_path and self.checkpoint_path.exists():
            self._load_checkpoint()
        self.summary.update(params=self.n_params, steps_per_epoch=spe, total_steps=self.total_steps)
        self.media = MediaPasses(self)  # grids and quality passes: when due, what they may cost
        self._pace_from = (self.step, self.summary.get("train_seconds", 0.0))

    def expected_steps(self, clock: float) -> int:
        """The steps this run will have done at its end: its step limit, or fewer where the
        time budget ends it first at the pace measured since this process started."""
        budget = self.cfg.max_minutes * 60
        step0, clock0 = self._pace_from
        done = self.step - step0
        if not budget or done < PACE_AFTER:
            return self.total_steps
        pace = (clock - clock0) / done  # seconds per step
        return min(self.total_steps, self.step + int(max(budget - clock, 0.0) / max(pace, 1e-9)))

    # ---- checkpoints --------------------------------------------------------------------------
    def save_checkpoint(self, final: bool = False) -> None:
        """Write the checkpoint (atomically: a failed write keeps the previous one). Callbacks flush their
        buffered rows first, so whatever a resume starts from is already stored; one that cannot (its store
        is away) defers a periodic checkpoint to the next one by returning False. The final one is always
        written."""
        if not self.checkpoint_path:
            return
        deferred = [cb.on_checkpoint(self) is False for cb in self.callbacks]
        if any(deferred) and not final:
            return
        write(self.checkpoint_path, {
            "model": self.model.state_dict(),
            "opts": [o.state_dict() for o in self.opts],
            "step": self.step, "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch,
            "rng": torch.get_rng_state(),
            # on a GPU: its random state, and fp16's gradient scale (else the resumed run starts again from 65536)
            "cuda_rng": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
            "scaler": self.model.scaler.state_dict() if self.model.scaler is not None else None,
            "summary": {k: v for k, v in self.summary.items() if isinstance(v, (int, float))},
            "identity": self.identity,
            "config": self.cfg.to_dict(),
        })

    def _load_checkpoint(self) -> None:
        blob = load_checkpoint(self.checkpoint_path, self.device)
        problem = foreign(blob, self.cfg, self.identity, self.model.state_dict())
        if problem:
            raise CheckpointMismatch(Message("checkpoint_foreign", path=str(self.checkpoint_path), problem=problem))
        self.model.load_state_dict(blob["model"])
        for o, s in zip(self.opts, blob["opts"]):
            o.load_state_dict(s)
        self.step, self.epoch, self.batch_in_epoch = blob["step"], blob["epoch"], blob["batch_in_epoch"]
        torch.set_rng_state(blob["rng"].cpu())  # map_location moved it to the run's device
        if blob.get("cuda_rng") is not None and self.device.type == "cuda":
            torch.cuda.set_rng_state(blob["cuda_rng"].cpu(), self.device)
        if blob.get("scaler") and self.model.scaler is not None:
            self.model.scaler.load_state_dict(blob["scaler"])
        self.summary.update(blob.get("summary", {}))

    # ---- measurements -------------------------------------------------------------------------
    def grad_stats(self) -> dict[str, float]:
        """The gradient norm of each layer (``grad/<layer>``) and of all together (``grad_norm``)."""
        names, norms = [], []
        for name, ps in self.layers.items():
            gs = [p.grad for p in ps if p.grad is not None]
            if gs:
                names.append(name)
                norms.append(torch.nn.utils.get_total_norm(gs))
        if not norms:
            return {}
        norms_t = torch.stack(norms)
        out = {f"grad/{n}": v for n, v in zip(names, norms_t.tolist())}
        out["grad_norm"] = torch.linalg.vector_norm(norms_t).item()
        return out

    def evaluate(self) -> dict[str, float]:
        """The model's figures on the test split and, under ``val_`` names, on the validation split."""
        ev = self.model.evaluate(self.x_test, self.y_test)
        if ev and len(self.x_val):
            ev.update({"val_" + k.removeprefix("test_"): v
                       for k, v in self.model.evaluate(self.x_val, self.y_val).items()})
        return ev

    # ---- emit ---------------------------------------------------------------------------------
    def emit_metrics(self, values: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_metrics(self.step, values)

    def emit_media(self, kind: str, png: bytes, meta: dict) -> None:
        for cb in self.callbacks:
            cb.on_media(self.step, kind, png, meta)

    # ---- the loop -----------------------------------------------------------------------------
    def fit(self) -> Result:
        """Train until the step limit, the time budget, a stop request, early stopping or a divergence;
        then the final checkpoint (none after a divergence) and ``on_end``."""
        if self.model is None:
            self.setup()
        self._begin()
        result = None
        while self.step < self.total_steps and result is None:
            self._thaw_if_due()
            order = self._epoch_order()
            while self.batch_in_epoch < self.steps_per_epoch and self.step < self.total_steps:
                result = self._step(order)
                if result:
                    break
            if self.batch_in_epoch >= self.steps_per_epoch:
                self.epoch += 1
                self.batch_in_epoch = 0
        return self._end(result or Result("finished", self.step))

    def _step(self, order: torch.Tensor) -> Result | None:
        """One batch and everything due after it; the run's result when it ends at this step."""
        values, seconds = self._train_step(order)
        result = self._diverged(values)
        if result:
            return result
        self.clock += seconds
        out_of_time = self.clock >= self.budget
        last = self.step == self.total_steps or out_of_time
        self._log(values, last)
        result = self._maybe_evaluate(last)
        self.media.after_step(self.step, self.clock, last)
        key = self.spec.loss_keys[0]
        self.summary["last_" + key] = values[key]
        self.summary["train_seconds"] = self.clock
        if self.step % self.ckpt_every == 0:
            self.save_checkpoint()
        for cb in self.callbacks:
            if cb.on_step(self) == "stop" and result is None:
                result = Result("stopped", self.step, Message("stopped_by_request"))
        if out_of_time and result is None:
            result = Result("finished", self.step, Message("time_budget", minutes=self.cfg.max_minutes))
        return result

    # ---- the hooks of one step ----------------------------------------------------------------
    def _begin(self) -> None:
        """``on_start``, then the clocks, the lr schedule and the divergence limits of this process."""
        for cb in self.callbacks:
            cb.on_start(self)
        # the training clock counts steps only: not evaluation, sampling, checkpoints or pauses
        self.clock = self.summary.get("train_seconds", 0.0)
        self.budget = self.cfg.max_minutes * 60 if self.cfg.max_minutes else math.inf
        self._samples_since, self._clock_mark = 0, self.clock  # throughput since the last logged step
        self.progress = max(self.step / self.total_steps, self.clock / self.budget)
        self._schedulers = self._lr_schedulers()  # each sets the lr of the next step: here the first
        self._limits: dict[str, float] = {}  # per value: past this it has blown up

    def _epoch_order(self) -> torch.Tensor:
        """This epoch's permutation, from (seed, epoch): a resumed run continues the same order. A model that
        needs its batches in a fixed order (contiguous streams) gives it instead."""
        fixed = self.model.batch_order(len(self.x), self.cfg.batch_size)
        if fixed is not None:
            return fixed.to(self.device)
        g = torch.Generator().manual_seed(self.cfg.seed * 1_000_003 + self.epoch)
        return torch.randperm(len(self.x), generator=g).to(self.device)

    def _train_step(self, order: torch.Tensor) -> tuple[dict[str, float], float]:
        """The model's step on the next batch of ``order`` (augmented, in the run's precision): its values
        and the seconds it took."""
        start, bs = time.perf_counter(), self.cfg.batch_size
        idx = order[self.batch_in_epoch * bs:(self.batch_in_epoch + 1) * bs]
        xb = self.augment(self.x[idx], step_generator(self.cfg.seed, self.step)) if self.augment.active \
            else self.x[idx]
        with self.precision.autocast():  # the forward pass in the run's precision (fp32: no-op)
            values = self.model.train_step(xb, self.y[idx], self.opts)
        self.step += 1
        self.batch_in_epoch += 1
        self._samples_since += len(idx)
        return values, time.perf_counter() - start

    def _diverged(self, values: dict[str, float]) -> Result | None:
        """The end of a run whose values blew up (not finite, or past DIVERGE_FACTOR times their first);
        those values are logged first."""
        for k, v in values.items():
            self._limits.setdefault(k, DIVERGE_FACTOR * max(abs(v), 1.0) if math.isfinite(v) else 0.0)
        bad = [k for k, v in values.items() if not math.isfinite(v) or abs(v) > self._limits[k]]
        if not bad:
            return None
        self.emit_metrics(values)
        v = values[bad[0]]
        key = Message(f"metric_{bad[0]}") if f"metric_{bad[0]}" in TEMPLATES else Message("metric", key=bad[0])
        return Result("diverged", self.step, Message("diverged_became", key=key, value=v, step=self.step)
                      if not math.isfinite(v) else Message("diverged_grew", key=key, value=v,
                                                           limit=self._limits[bad[0]], step=self.step))

    def _log(self, values: dict[str, float], last: bool) -> None:
        """The step's values; every ``log_every`` steps and at the last, with the gradient norms, lr,
        throughput, epoch and training clock. Then the lr of the next step."""
        if self.step % self.cfg.log_every == 0 or last:
            values.update(self.grad_stats())
            values["lr"] = self.opts[0].param_groups[0]["lr"]
            values["samples_per_s"] = self._samples_since / max(self.clock - self._clock_mark, 1e-9)
            values["epoch"] = self.step / self.steps_per_epoch
            values["train_time"] = self.clock
            self.summary["samples_per_s"] = values["samples_per_s"]
            self._samples_since, self._clock_mark = 0, self.clock
        self.emit_metrics(values)
        self.progress = max(self.step / self.total_steps, self.clock / self.budget)
        for sched in self._schedulers:
            sched.step()  # the lr of the next step

    def _maybe_evaluate(self, last: bool) -> Result | None:
        """The test (and validation) figures every ``eval_every`` steps and at the last; early stopping's end."""
        if not (self.step % self.eval_every == 0 or last):
            return None
        ev = self.evaluate()
        if not ev:
            return None
        self.emit_metrics(ev)
        impatient = self._out_of_patience(ev)  # before the new lowest loss is recorded
        self._track_best(ev)
        return Result("finished", self.step, self._early_stop_reason()) if impatient else None

    def _end(self, result: Result) -> Result:
        """The final checkpoint (none after a divergence: the last good one stays), the summary, ``on_end``."""
        self.summary["train_seconds"] = self.clock
        if result.status != "diverged":
            self.save_checkpoint(final=True)
        result.summary = dict(self.summary)
        for cb in self.callbacks:
            cb.on_end(self, result)
        return result

    def _thaw_if_due(self) -> None:
        """``unfreeze_after``: from that epoch on (a resumed run too), the frozen layers learn as well, LP-FT's
        second stage, and join the per-layer gradient norms."""
        after = self.cfg.hp.get("unfreeze_after", 0)
        if not (after and self.frozen and self.epoch >= after):
            return
        unfreeze(self.model, self.frozen)
        self.frozen = []
        self.layers = layer_groups(self.model)

    def _lr_schedulers(self) -> list:
        """Warm-up, then the schedule, as one LambdaLR per optimizer: every group's lr = its initial
        lr × factor. The factor reads ``self.progress`` (steps or training clock, whichever is further
        along its budget), so a time-bound run anneals over its minutes; none when the lr is constant."""
        if self.cfg.lr_schedule == "constant" and self.cfg.warmup <= 0:
            return []

        def factor(_: int) -> float:
            f = 0.5 * (1 + math.cos(math.pi * min(self.progress, 1.0))) if self.cfg.lr_schedule == "cosine" else 1.0
            if self.cfg.warmup > 0:
                f *= min(1.0, (self.step + 1) / self.cfg.warmup)
            return f

        return [torch.optim.lr_scheduler.LambdaLR(opt, factor) for opt in self.opts]

    def _track_best(self, ev: dict) -> None:
        """Latest evaluation figures, the best of the declared headline (by its direction) and the
        lowest of every loss. A headline that declares a selecting metric (validation accuracy) is
        chosen on it alone: at each new best of it, every figure of that evaluation is kept as
        ``<key>_at_best`` (the test accuracy there is the honest headline); test never chooses."""
        self.summary.update(ev)
        head = self.spec.shows(data_mod.DATASETS[self.cfg.dataset].kind).headline
        if head is not None and head.select:
            if head.select in ev:
                self._select_best(ev, head.select, head.higher_is_better)
            ev = {k: v for k, v in ev.items() if k != head.metric}  # no "best test accuracy": test never picks
        for k, v in ev.items():
            if head is not None and k == head.metric:
                better = max if head.higher_is_better else min
                self.summary[f"best_{k}"] = better(self.summary.get(f"best_{k}", v), v)
            elif k.endswith("loss"):
                self.summary[f"best_{k}"] = min(self.summary.get(f"best_{k}", v), v)

    def _select_best(self, ev: dict, key: str, higher: bool) -> None:
        """A new best of the selecting metric: remember it, its step and that evaluation's other figures."""
        old = self.summary.get(f"best_{key}")
        if old is None or (ev[key] > old if higher else ev[key] < old):
            self.summary[f"best_{key}"] = ev[key]
            self.summary["best_step"] = self.step
            self.summary.update({f"{k}_at_best": v for k, v in ev.items() if k != key})

    def _out_of_patience(self, ev: dict) -> bool:
        """Early stopping: true once ``patience`` evaluations in a row brought no new lowest validation
        loss (the count is in the summary, so a resumed run keeps it)."""
        patience = self.cfg.hp.get("patience", 0)
        if not patience or "val_loss" not in ev:
            return False
        if ev["val_loss"] < self.summary.get("best_val_loss", math.inf):
            self.summary["evals_since_best"] = 0
            return False
        self.summary["evals_since_best"] = self.summary.get("evals_since_best", 0) + 1
        return self.summary["evals_since_best"] >= patience

    def _early_stop_reason(self) -> str:
        return Message("stopped_early", patience=self.cfg.patience, lowest=self.summary['best_val_loss'])
