"""The training loop. Nothing in this file knows which architecture it trains.

Steps over batches sliced from preloaded tensors, records each step's losses, and at
its cadences the per-layer gradient norms, learning rate and throughput, the test-split
evaluation, sample or probe grids, quality figures and checkpoints. Side effects
(store writes, heartbeat, pause/stop requests, progress bars) live in callbacks.
"""
from __future__ import annotations

import errno
import io
import math
import os
import re
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from deeparch import data as data_mod
from deeparch import precision
from deeparch.archs import get_arch
from deeparch.archs.base import QUALITY_CHUNK, MediaContext, freeze, matching, unfreeze
from deeparch.augment import Augment, step_generator
from deeparch.config import ConfigError, RunConfig

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


class CheckpointMismatch(ValueError):
    """A checkpoint written by another run or configuration: refused, never loaded."""


class CheckpointWriteError(OSError):
    """A checkpoint could not be written (the earlier one is kept); the message says why."""


class CheckpointRefused(ConfigError):
    """A checkpoint file that is not a plain tensor file (a pickle that names code to run) or not a
    checkpoint at all: refused unread, in one sentence instead of PyTorch's page of advice."""


def load_checkpoint(path, map_location="cpu") -> dict:
    """A checkpoint's contents, read with ``weights_only`` (tensors and plain containers, nothing that
    runs); CheckpointRefused for a file that holds more, or that is no checkpoint at all."""
    import pickle
    import warnings
    import zipfile

    try:
        with warnings.catch_warnings():  # a foreign pickle also earns a warning about its protocol
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(path, weights_only=True, map_location=map_location)
    except pickle.UnpicklingError:
        raise CheckpointRefused(f"{path}: the checkpoint is not a plain tensor file; it was refused, nothing in it "
                                "ran") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile) as e:  # truncated, or not a torch file
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise CheckpointRefused(f"{path}: the file cannot be read as a checkpoint ({first})") from None


@dataclass
class Result:
    status: str            # finished | stopped | diverged
    step: int
    reason: str | None = None
    summary: dict = field(default_factory=dict)


def _shape_problem(mine: dict, theirs: dict, arch: str) -> str | None:
    """Which weights of a checkpoint do not fit this model (by name and shape), in one short line."""
    missing = sorted(mine.keys() - theirs.keys())
    extra = sorted(theirs.keys() - mine.keys())
    shapes = sorted(k for k in mine.keys() & theirs.keys() if tuple(mine[k].shape) != tuple(theirs[k].shape))
    if not (missing or extra or shapes):
        return None
    parts = [f"{what} {', '.join(keys[:3])}{' …' if len(keys) > 3 else ''}"
             for what, keys in (("lacks", missing), ("has unknown weights", extra), ("has other shapes for", shapes))
             if keys]
    return f"does not fit this {arch} model: it " + "; ".join(parts)


def layer_name(param_name: str) -> str:
    """'rnn.weight_ih_l1' → 'rnn.l1'; 'features.0.weight' → 'features.0' (the module path)."""
    module, _, leaf = param_name.rpartition(".")
    m = re.search(r"_l(\d+)(_reverse)?$", leaf)
    if m:
        return f"{module}.l{m.group(1)}{'r' if m.group(2) else ''}".lstrip(".")
    return module or leaf


def layer_groups(model: torch.nn.Module) -> dict[str, list]:
    """The model's trainable parameters grouped by layer (:func:`layer_name`), input side first:
    the rows of the per-layer gradient norms (``grad/<layer>``)."""
    groups: dict[str, list] = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault(layer_name(name), []).append(p)
    return groups


class Cadence:
    """When the next grid (or quality figure) is due: every ``every`` steps, or, with ``every`` 0,
    adapted to the run's expected length so that short and long runs alike show several."""

    def __init__(self, every: int, trainer: "Trainer", least: int, most: int, first_s: float = math.inf):
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
            raise ConfigError(f"augmentation moves images; {cfg.arch} on {cfg.dataset} trains on inputs of "
                              f"shape {tuple(self.x.shape[1:])}")
        self.model = self.spec.build(cfg).to(self.device)
        self.precision = precision.plan(cfg.hp.get("precision", "fp32"), self.device)  # refused here with the reason
        self.model.scaler = self.precision.grad_scaler()
        if self.init_weights and not (self.checkpoint_path and self.checkpoint_path.exists()):
            self._load_init_weights()  # a resumed run's own checkpoint already holds them
        try:
            self.frozen = freeze(self.model, hp.get("freeze", ""))
        except ValueError as e:
            raise ConfigError(str(e)) from None
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
        self.media_context = MediaContext(self.x_test[:PROBE_COUNT], self.y_test[:PROBE_COUNT],
                                          tuple(self.ds.classes), self._judge, SAMPLE_COUNT, QUALITY_COUNT,
                                          SAMPLE_SEED)
        self.samples = Cadence(cfg.sample_every, self, GRIDS, MAX_GRIDS, FIRST_GRID_S)
        self.qualities = Cadence(cfg.quality_every, self, QUALITIES, QUALITIES)
        self._pass_s: dict[str, float] = {}  # seconds of the latest grid pass and quality pass (per chunk)
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
        """Write the checkpoint atomically (tmp file, then rename); on any failure the tmp file is
        removed and the previous checkpoint stays. Callbacks flush their buffered rows first, so
        whatever a resume starts from is already stored; one that cannot (its store is away) defers a
        periodic checkpoint to the next one by returning False. The final one is always written."""
        if not self.checkpoint_path:
            return
        deferred = [cb.on_checkpoint(self) is False for cb in self.callbacks]
        if any(deferred) and not final:
            return
        self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        blob = {
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
        }
        buf = io.BytesIO()
        torch.save(blob, buf)  # in memory first: the size needed is known if the disk is full
        payload = buf.getbuffer()
        tmp = self.checkpoint_path.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.checkpoint_path)
        except BaseException as e:
            tmp.unlink(missing_ok=True)
            if isinstance(e, OSError) and e.errno == errno.ENOSPC:
                free = shutil.disk_usage(self.checkpoint_path.parent).free
                raise CheckpointWriteError(
                    f"disk full while writing the checkpoint ({len(payload) / 1e6:.1f} MB needed, "
                    f"{free / 1e6:.1f} MB free in {self.checkpoint_path.parent}); the previous checkpoint is kept"
                ) from e
            raise

    def _load_checkpoint(self) -> None:
        blob = load_checkpoint(self.checkpoint_path, self.device)
        problem = self._foreign(blob)
        if problem:
            raise CheckpointMismatch(
                f"{self.checkpoint_path} {problem}; it was not loaded. Delete that file, or give this "
                "run a folder of its own, to start it from step 0.")
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

    def _load_init_weights(self) -> None:
        """Start from another run's weights (transfer learning): the same architecture and shapes, or
        CheckpointMismatch saying what differs. Only the model: optimizer state and step start afresh."""
        blob = load_checkpoint(self.init_weights, self.device)
        arch = (blob.get("config") or {}).get("arch", self.cfg.arch)
        problem = (f"belongs to a {arch} run, not to this {self.cfg.arch} run" if arch != self.cfg.arch
                   else _shape_problem(self.model.state_dict(), blob.get("model", {}), self.cfg.arch))
        if problem:
            raise CheckpointMismatch(f"init_from={self.cfg.hp.get('init_from')}: {self.init_weights} {problem}; "
                                     "start from a run of the same architecture and shapes")
        try:
            fresh = set(matching(blob["model"], self.cfg.hp.get("fresh", ""), "fresh"))
        except ValueError as e:
            raise ConfigError(str(e)) from None
        self.model.load_state_dict({k: v for k, v in blob["model"].items() if k not in fresh}, strict=not fresh)

    def _foreign(self, blob: dict) -> str | None:
        """Why ``blob`` is not this run's checkpoint, or None. Checkpoints from before identities
        were stored carry neither identity nor config: they pass on matching model shapes alone."""
        theirs, mine = blob.get("identity") or {}, self.identity
        differ = sorted(k for k in theirs.keys() & mine.keys() if theirs[k] != mine[k])
        if differ:
            return (f"belongs to another run ({', '.join(f'{k} {theirs[k]}' for k in differ)}), "
                    f"not to this one ({', '.join(f'{k} {mine[k]}' for k in differ)})")
        cfg = blob.get("config")
        if cfg is not None:
            if (cfg.get("arch"), cfg.get("dataset")) != (self.cfg.arch, self.cfg.dataset):
                return (f"belongs to a {cfg.get('arch')} run on {cfg.get('dataset')}, "
                        f"not to this {self.cfg.arch} run on {self.cfg.dataset}")
            hp = cfg.get("hp", {})
            changed = sorted(k for k in hp.keys() & self.cfg.hp.keys() if hp[k] != self.cfg.hp[k])
            if changed:
                return ("was written with other hyperparameters ("
                        + ", ".join(f"{k} {hp[k]!r}, here {self.cfg.hp[k]!r}" for k in changed[:5]) + ")")
        return _shape_problem(self.model.state_dict(), blob.get("model", {}), self.cfg.arch)

    # ---- measurements -------------------------------------------------------------------------
    def grad_stats(self) -> dict[str, float]:
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

    def media_seconds(self) -> float:
        """Seconds this run has spent on samples, views and quality passes so far."""
        return self.summary.get("sample_seconds", 0.0) + self.summary.get("quality_seconds", 0.0)

    def media_left(self, clock: float) -> float:
        """Seconds of sampling and judging that ``clock`` seconds of training have earned and that are
        not yet spent: media at most MEDIA_SHARE of training plus media (or MEDIA_FLOOR_S in all)."""
        return max(clock * MEDIA_SHARE / (1 - MEDIA_SHARE), MEDIA_FLOOR_S) - self.media_seconds()

    def affordable(self, quality: bool, clock: float) -> bool:
        """Whether a grid (or a quality pass's first chunk) fits what is left of the media budget, by the
        time the latest such pass took; the first of each kind is always tried."""
        cost = self._pass_s.get("quality" if quality else "grid")
        return cost is None or cost <= self.media_left(clock)

    def visuals(self, with_quality: bool, clock: float | None = None) -> None:
        """Ask the model for the media of the views its architecture declares (and any figures,
        such as the quality of a generator's samples, measured while drawing them) by a deadline: the
        media budget left at ``clock`` (a quality pass then draws fewer samples, a diffusion model fewer
        steps). A quality pass's time is counted under ``quality_seconds``, a grid's under ``sample_seconds``."""
        start = time.perf_counter()
        judged = with_quality and self.model.kind == "generator"  # a classifier's "quality" is its probe grid
        if judged:
            for cb in self.callbacks:
                cb.on_judging(self, True)
        left = self.media_left(self.summary.get("train_seconds", 0.0) if clock is None else clock)
        ctx = replace(self.media_context, deadline=start + max(left, 0.0))
        try:
            found, figures = self.model.media(ctx, with_quality)
        finally:
            spent = time.perf_counter() - start
            key = "quality_seconds" if judged else "sample_seconds"
            self.summary[key] = self.summary.get(key, 0.0) + spent
            if judged:
                for cb in self.callbacks:
                    cb.on_judging(self, False)
        if judged:  # the cost of one chunk: what the next pass must have left to start
            chunks = (figures or {}).get("quality_samples", QUALITY_COUNT) / QUALITY_CHUNK
            self._pass_s["quality"] = spent / max(chunks, 1.0)
        else:
            self._pass_s["grid"] = spent
        if figures:
            if "recognisability" in figures:
                from deeparch.quality import JUDGE_VERSION

                self.summary["judge_version"] = JUDGE_VERSION
            self._emit_metrics(figures)
            self.summary.update(figures)
        for m in found:
            self._emit_media(m.kind, m.png, m.meta)

    def _judge(self, imgs, labels=None) -> dict:
        from deeparch import quality

        return quality.measure(imgs, self.cfg.dataset, self.data_root, labels=labels)

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
        self.progress = max(self.step / self.total_steps, clock / budget)
        schedulers = self._lr_schedulers()  # each sets the lr of the next step: here the first
        last_loss_key = self.spec.loss_keys[0]
        limits: dict[str, float] = {}
        while self.step < self.total_steps and result is None:
            self._thaw_if_due()
            # a permutation per epoch from (seed, epoch): a resumed run continues the same order
            g = torch.Generator().manual_seed(cfg.seed * 1_000_003 + self.epoch)
            perm = torch.randperm(n, generator=g).to(self.device)
            while self.batch_in_epoch < self.steps_per_epoch and self.step < self.total_steps:
                t_step = time.perf_counter()
                idx = perm[self.batch_in_epoch * bs:(self.batch_in_epoch + 1) * bs]
                xb = self.augment(self.x[idx], step_generator(cfg.seed, self.step)) if self.augment.active \
                    else self.x[idx]
                with self.precision.autocast():  # the forward pass in the run's precision (fp32: no-op)
                    values = model.train_step(xb, self.y[idx], opts)
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
                self.progress = max(self.step / self.total_steps, clock / budget)
                for sched in schedulers:
                    sched.step()  # the lr of the next step
                if self.step % self.eval_every == 0 or last:
                    ev = self.evaluate()
                    if ev:
                        self._emit_metrics(ev)
                        impatient = self._out_of_patience(ev)  # before the new lowest loss is recorded
                        self._track_best(ev)
                        if impatient:
                            result = Result("finished", self.step, self._early_stop_reason())
                grid = self.samples.due(self.step, clock)
                # automatic quality figures ride on a grid's step; explicit ones come at their own
                quality = last or (self.qualities.due(self.step, clock) and (grid or self.qualities.every > 0))
                if quality and not last and not self.affordable(True, clock):
                    quality = False  # put off until training has earned the time it takes
                if grid and not quality and not last and not self.affordable(False, clock):
                    grid = False
                if grid or quality:
                    self.visuals(with_quality=quality, clock=clock)
                    self.samples.mark(self.step)
                    if quality:
                        self.qualities.mark(self.step)
                self.summary["last_" + last_loss_key] = values[last_loss_key]
                self.summary["train_seconds"] = clock
                if self.step % self.ckpt_every == 0:
                    self.save_checkpoint()
                for cb in self.callbacks:
                    if cb.on_step(self) == "stop" and result is None:
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
        return (f"stopped early: validation loss did not improve for {self.cfg.patience} evaluations "
                f"(lowest {self.summary['best_val_loss']:.4f})")
