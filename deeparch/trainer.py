"""The training loop. Nothing in this file knows which architecture it trains.

Steps over batches sliced from preloaded tensors, records each step's losses, and at
its cadences the per-layer gradient norms, learning rate and throughput, the test-split
evaluation, sample or probe grids, quality figures and checkpoints. Side effects
(store writes, heartbeat, pause/stop requests, progress bars) live in callbacks.
"""
from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from deeparch import data as data_mod
from deeparch import images
from deeparch.archs import get_arch
from deeparch.config import RunConfig

PROBE_COUNT = 16      # fixed test digits shown with their predicted label
SAMPLE_COUNT = 64     # images in a generator's fixed-noise grid
QUALITY_COUNT = 500   # samples judged for the quality figures
SAMPLE_SEED = 1234    # the fixed noise of the sample grid
# a value that grows past this multiple of its first value (or of 1) has blown up, even if
# it is still a finite float: a classifier's loss of 2e4 after starting at 2.3, say
DIVERGE_FACTOR = 1e3


class Callback:
    """Hooks the trainer calls; ``on_step`` may return "stop"."""

    def on_start(self, trainer: "Trainer") -> None: ...
    def on_metrics(self, step: int, values: dict[str, float]) -> None: ...
    def on_media(self, step: int, kind: str, png: bytes, meta: dict) -> None: ...
    def on_step(self, trainer: "Trainer") -> str | None: ...
    def on_end(self, trainer: "Trainer", result: "Result") -> None: ...


@dataclass
class Result:
    status: str            # finished | stopped | diverged
    step: int
    reason: str | None = None
    summary: dict = field(default_factory=dict)


def _layer_name(param_name: str) -> str:
    """'rnn.weight_ih_l1' → 'rnn.l1'; 'features.0.weight' → 'features.0' (the module path)."""
    module, _, leaf = param_name.rpartition(".")
    m = re.search(r"_l(\d+)(_reverse)?$", leaf)
    if m:
        return f"{module}.l{m.group(1)}{'r' if m.group(2) else ''}".lstrip(".")
    return module or leaf


class Trainer:
    def __init__(self, cfg: RunConfig, callbacks=(), checkpoint: str | os.PathLike | None = None,
                 data_root=None, device: str | None = None, identity: dict | None = None):
        self.cfg = cfg
        self.identity = identity  # {"run_id", "uid"} of the run the checkpoint belongs to
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
        self.ds = data_mod.load(cfg.dataset, self.data_root)
        self.x, self.y = self.ds.x_train.to(self.device), self.ds.y_train.to(self.device)
        self.x_test, self.y_test = self.ds.x_test.to(self.device), self.ds.y_test.to(self.device)
        self.model = self.spec.build(cfg).to(self.device)
        self.opts = self.model.configure_optimizers()
        n = len(self.x)
        self.steps_per_epoch = math.ceil(n / cfg.batch_size)
        self.total_steps = cfg.epochs * self.steps_per_epoch
        if cfg.max_steps:
            self.total_steps = min(self.total_steps, cfg.max_steps)
        spe = self.steps_per_epoch
        self.eval_every = cfg.eval_every or spe
        self.sample_every = cfg.sample_every or spe
        self.quality_every = cfg.quality_every or self.sample_every
        self.ckpt_every = cfg.checkpoint_every or spe
        self.n_params = sum(p.numel() for p in self.model.parameters())
        # parameters grouped by layer, for the per-layer gradient norms
        groups: dict[str, list] = {}
        for name, p in self.model.named_parameters():
            if p.requires_grad:
                groups.setdefault(_layer_name(name), []).append(p)
        self.layers = groups
        if self.checkpoint_path and self.checkpoint_path.exists():
            self._load_checkpoint()
        self.summary.update(params=self.n_params, steps_per_epoch=spe, total_steps=self.total_steps)

    # ---- checkpoints --------------------------------------------------------------------------
    def save_checkpoint(self) -> None:
        if not self.checkpoint_path:
            return
        self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        blob = {
            "model": self.model.state_dict(),
            "opts": [o.state_dict() for o in self.opts],
            "step": self.step, "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch,
            "rng": torch.get_rng_state(),
            "summary": {k: v for k, v in self.summary.items() if isinstance(v, (int, float))},
        }
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save(blob, tmp)
        os.replace(tmp, self.checkpoint_path)

    def _load_checkpoint(self) -> None:
        blob = torch.load(self.checkpoint_path, weights_only=True, map_location=self.device)
        self.model.load_state_dict(blob["model"])
        for o, s in zip(self.opts, blob["opts"]):
            o.load_state_dict(s)
        self.step, self.epoch, self.batch_in_epoch = blob["step"], blob["epoch"], blob["batch_in_epoch"]
        torch.set_rng_state(blob["rng"])
        self.summary.update(blob.get("summary", {}))

    # ---- measurements -------------------------------------------------------------------------
    def grad_stats(self) -> dict[str, float]:
        names, norms = [], []
        for name, ps in self.layers.items():
            gs = [p.grad for p in ps if p.grad is not None]
            if gs:
                names.append(name)
                norms.append(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(gs))))
        if not norms:
            return {}
        norms_t = torch.stack(norms)
        out = {f"grad/{n}": v for n, v in zip(names, norms_t.tolist())}
        out["grad_norm"] = torch.linalg.vector_norm(norms_t).item()
        return out

    def evaluate(self) -> dict[str, float]:
        return self.model.evaluate(self.x_test, self.y_test)

    def visuals(self, with_quality: bool) -> None:
        if self.model.kind == "classifier":
            xs, ys = self.x_test[:PROBE_COUNT], self.y_test[:PROBE_COUNT]
            pred, conf = self.model.probe(xs)
            meta = {"labels": ys.tolist(), "pred": pred.tolist(), "conf": [round(c, 4) for c in conf.tolist()],
                    "classes": list(self.ds.classes)}
            self._emit_media("probe", images.grid_png(xs, 4), meta)
            return
        if with_quality:
            # the grid's fixed noise is the first SAMPLE_COUNT of the quality batch: one sampling pass
            imgs = self.model.sample(QUALITY_COUNT, SAMPLE_SEED)
            q = self._quality(imgs)
            meta = {"class_hist": q.pop("class_hist"), "classes": list(self.ds.classes)}
            self._emit_metrics(q)
            self.summary.update(q)
            self._emit_media("quality", images.grid_png(imgs[:100], 10), meta)
            imgs = imgs[:SAMPLE_COUNT]
        else:
            imgs = self.model.sample(SAMPLE_COUNT, SAMPLE_SEED)
        self._emit_media("samples", images.grid_png(imgs, 8), {})

    def _quality(self, imgs) -> dict:
        from deeparch import quality

        return quality.measure(imgs, self.cfg.dataset, self.data_root)

    # ---- emit ---------------------------------------------------------------------------------
    def _emit_metrics(self, values: dict[str, float]) -> None:
        for cb in self.callbacks:
            cb.on_metrics(self.step, values)

    def _emit_media(self, kind: str, png: bytes, meta: dict) -> None:
        for cb in self.callbacks:
            cb.on_media(self.step, kind, png, meta)

    # ---- the loop -----------------------------------------------------------------------------
    def fit(self) -> Result:
        if self.model is None:
            self.setup()
        cfg, model, opts = self.cfg, self.model, self.opts
        for cb in self.callbacks:
            cb.on_start(self)
        result = None
        bs, n = cfg.batch_size, len(self.x)
        # the training clock counts steps only: not evaluation, sampling, checkpoints or pauses
        clock = self.summary.get("train_seconds", 0.0)
        budget = cfg.max_minutes * 60 if cfg.max_minutes else math.inf
        samples_since, clock_mark = 0, clock
        scheduled = cfg.lr_schedule != "constant" or cfg.warmup > 0
        for opt in opts:
            for group in opt.param_groups:
                group.setdefault("initial_lr", group["lr"])
        last_loss_key = self.spec.loss_keys[0]
        limits: dict[str, float] = {}
        while self.step < self.total_steps and result is None:
            # a permutation per epoch from (seed, epoch): a resumed run continues the same order
            g = torch.Generator().manual_seed(cfg.seed * 1_000_003 + self.epoch)
            perm = torch.randperm(n, generator=g).to(self.device)
            while self.batch_in_epoch < self.steps_per_epoch and self.step < self.total_steps:
                t_step = time.perf_counter()
                if scheduled:
                    self._set_lr(max(self.step / self.total_steps, clock / budget))
                idx = perm[self.batch_in_epoch * bs:(self.batch_in_epoch + 1) * bs]
                values = model.train_step(self.x[idx], self.y[idx], opts)
                self.step += 1
                self.batch_in_epoch += 1
                samples_since += len(idx)
                for k, v in values.items():
                    limits.setdefault(k, DIVERGE_FACTOR * max(abs(v), 1.0) if math.isfinite(v) else 0.0)
                bad = [k for k, v in values.items() if not math.isfinite(v) or abs(v) > limits[k]]
                if bad:
                    self._emit_metrics(values)
                    v = values[bad[0]]
                    what = f"became {v}" if not math.isfinite(v) else f"grew to {v:.3g} (limit {limits[bad[0]]:.3g})"
                    result = Result("diverged", self.step, f"{bad[0]} {what} at step {self.step}: "
                                    "training diverged (learning rate too high?)")
                    break
                clock += time.perf_counter() - t_step
                out_of_time = clock >= budget
                last = self.step == self.total_steps or out_of_time
                if self.step % cfg.log_every == 0 or last:
                    values.update(self.grad_stats())
                    values["lr"] = opts[0].param_groups[0]["lr"]
                    values["samples_per_s"] = samples_since / max(clock - clock_mark, 1e-9)
                    values["epoch"] = self.step / self.steps_per_epoch
                    values["train_time"] = clock
                    self.summary["samples_per_s"] = values["samples_per_s"]
                    samples_since, clock_mark = 0, clock
                self._emit_metrics(values)
                if self.step % self.eval_every == 0 or last:
                    ev = self.evaluate()
                    if ev:
                        self._emit_metrics(ev)
                        self._track_best(ev)
                if self.step % self.sample_every == 0 or last or self.step % self.quality_every == 0:
                    self.visuals(with_quality=self.step % self.quality_every == 0 or last)
                self.summary["last_" + last_loss_key] = values[last_loss_key]
                self.summary["train_seconds"] = clock
                if self.step % self.ckpt_every == 0:
                    self.save_checkpoint()
                for cb in self.callbacks:
                    if cb.on_step(self) == "stop":
                        result = Result("stopped", self.step, "stopped by request")
                if out_of_time and result is None:
                    result = Result("finished", self.step, f"time budget of {cfg.max_minutes:g} min reached")
                if result:
                    break
            if self.batch_in_epoch >= self.steps_per_epoch:
                self.epoch += 1
                self.batch_in_epoch = 0
        if result is None:
            result = Result("finished", self.step)
        self.summary["train_seconds"] = clock
        if result.status != "diverged":
            self.save_checkpoint()
        result.summary = dict(self.summary)
        for cb in self.callbacks:
            cb.on_end(self, result)
        return result

    def _set_lr(self, progress: float) -> None:
        """Warm-up, then the schedule: every group's lr = its initial lr × factor(progress in [0, 1])."""
        factor = 1.0
        if self.cfg.lr_schedule == "cosine":
            factor = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
        if self.cfg.warmup > 0:
            factor *= min(1.0, (self.step + 1) / self.cfg.warmup)
        for opt in self.opts:
            for group in opt.param_groups:
                group["lr"] = group["initial_lr"] * factor

    def _track_best(self, ev: dict) -> None:
        for k, v in ev.items():
            self.summary[k] = v
        if "test_acc" in ev:
            self.summary["best_test_acc"] = max(self.summary.get("best_test_acc", 0.0), ev["test_acc"])
        if "test_loss" in ev:
            self.summary["best_test_loss"] = min(self.summary.get("best_test_loss", float("inf")), ev["test_loss"])


def train(cfg: RunConfig, callbacks=(), **kw) -> Result:
    return Trainer(cfg, callbacks, **kw).fit()
