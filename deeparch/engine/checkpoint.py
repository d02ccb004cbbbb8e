"""A run's checkpoint file: its atomic write, the read that refuses an unsafe file, why a file belongs
to another run or does not fit a model, and another run's weights loaded to start from (transfer).
What a checkpoint holds is the trainer's."""
from __future__ import annotations

import errno
import io
import os
import shutil
from pathlib import Path

import torch

from deeparch.present import messages
from deeparch.present.messages import Message
from deeparch.course.archs._weights import matching
from deeparch.course.config import ConfigError, RunConfig


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
        raise CheckpointRefused(Message("checkpoint_pickle", path=str(path))) from None
    except (RuntimeError, EOFError, zipfile.BadZipFile) as e:  # truncated, or not a torch file
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise CheckpointRefused(Message("checkpoint_unreadable", path=str(path), first=first)) from None


def write(path: Path, blob: dict) -> None:
    """Write ``blob`` atomically (tmp file, then rename); on any failure the tmp file is removed and the
    previous checkpoint stays. A full disk is CheckpointWriteError with the size needed and the room left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    torch.save(blob, buf)  # in memory first: the size needed is known if the disk is full
    payload = buf.getbuffer()
    tmp = path.with_suffix(".tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno == errno.ENOSPC:
            free = shutil.disk_usage(path.parent).free
            raise CheckpointWriteError(Message("checkpoint_disk_full", needed=len(payload) / 1e6, free=free / 1e6,
                                               folder=str(path.parent))) from e
        raise


def shape_problem(mine: dict, theirs: dict, arch: str) -> Message | None:
    """Which weights of a checkpoint do not fit this model (by name and shape), in one short line."""
    missing = sorted(mine.keys() - theirs.keys())
    extra = sorted(theirs.keys() - mine.keys())
    shapes = sorted(k for k in mine.keys() & theirs.keys() if tuple(mine[k].shape) != tuple(theirs[k].shape))
    if not (missing or extra or shapes):
        return None
    parts = [Message(code, keys=f"{', '.join(keys[:3])}{' …' if len(keys) > 3 else ''}")
             for code, keys in (("problem_lacks", missing), ("problem_unknown_weights", extra),
                                ("problem_other_shapes", shapes))
             if keys]
    return Message("problem_not_fit", arch=arch, parts=Message.joined(parts, "join_semicolon"))


def foreign(blob: dict, cfg: RunConfig, identity: dict, state: dict) -> Message | None:
    """Why ``blob`` is not the checkpoint of the run ``identity`` with ``cfg`` and model ``state``, or None.
    Checkpoints from before identities were stored carry neither identity nor config: they pass on
    matching model shapes alone."""
    theirs, mine = blob.get("identity") or {}, identity
    differ = sorted(k for k in theirs.keys() & mine.keys() if theirs[k] != mine[k])
    if differ:
        return Message("problem_other_run", theirs=", ".join(f"{k} {theirs[k]}" for k in differ),
                       mine=", ".join(f"{k} {mine[k]}" for k in differ))
    theirs_cfg = blob.get("config")
    if theirs_cfg is not None:
        if (theirs_cfg.get("arch"), theirs_cfg.get("dataset")) != (cfg.arch, cfg.dataset):
            return Message("problem_other_arch_data", arch=str(theirs_cfg.get("arch")),
                           dataset=str(theirs_cfg.get("dataset")), this=cfg.arch, this_dataset=cfg.dataset)
        hp = theirs_cfg.get("hp", {})
        changed = sorted(k for k in hp.keys() & cfg.hp.keys() if hp[k] != cfg.hp[k])
        if changed:
            return Message("problem_other_hp", changes=Message.joined(
                Message("problem_hp_change", knob=k, theirs=repr(hp[k]), mine=repr(cfg.hp[k])) for k in changed[:5]))
    return shape_problem(state, blob.get("model", {}), cfg.arch)


def load_weights(model: torch.nn.Module, path: Path, cfg: RunConfig, device=None) -> None:
    """Start ``model`` from another run's weights at ``path`` (transfer learning, ``init_from``): the same
    architecture and shapes, or CheckpointMismatch saying what differs; the layers named by ``fresh``
    keep their new initialisation. Only the weights: optimizer state and step start afresh."""
    blob = load_checkpoint(path, device)
    arch = (blob.get("config") or {}).get("arch", cfg.arch)
    problem = (Message("problem_other_arch", arch=str(arch), this=cfg.arch) if arch != cfg.arch
               else shape_problem(model.state_dict(), blob.get("model", {}), cfg.arch))
    if problem:
        raise CheckpointMismatch(Message("checkpoint_init_from", source=str(cfg.hp.get("init_from")), path=str(path),
                                         problem=problem))
    try:
        fresh = set(matching(blob["model"], cfg.hp.get("fresh", ""), "fresh"))
    except ValueError as e:
        raise ConfigError(messages.of(e)) from None
    model.load_state_dict({k: v for k, v in blob["model"].items() if k not in fresh}, strict=not fresh)
