"""The commands that take results out of the lab: ``export`` (a run's metrics as CSV, its TensorBoard event
files, a GIF of its samples, its model as ONNX or TorchScript) and ``predict`` (such a model file answering an
image file); ``deeparch.cli`` parses their arguments and calls them.

Every target is checked, and every refusal said, before anything is written.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from deeparch.cli_runs import _store
from deeparch.course.config import ConfigError, check_count
from deeparch.present import i18n
from deeparch.present.messages import Message
from deeparch.present.text import csv_cell


def _writable(flag: str, path: str, target: Path) -> None:
    if not os.access(target.parent, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ConfigError("out_denied", flag=flag, path=path)


def file_target(flag: str, path: str) -> Path:
    """An output file, or ConfigError saying why it cannot be one (before any work is done)."""
    if not path.strip():
        raise ConfigError("out_no_name", flag=flag)
    target = Path(path)
    if target.is_dir():
        raise ConfigError("out_folder", flag=flag, path=path)
    if not target.parent.is_dir():
        raise ConfigError("out_no_folder", flag=flag, path=path, folder=str(target.parent))
    _writable(flag, path, target)
    return target


def folder_target(flag: str, path: str, run_id: int) -> Path:
    """The folder a run's event files go in (``PATH/run-ID``, PATH made if its parent exists); refused when
    PATH is a file or ``run-ID`` already holds files (an earlier export is never mixed with a new one)."""
    if not path.strip():
        raise ConfigError("out_no_name", flag=flag)
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise ConfigError("out_is_file", flag=flag, path=path)
    if not root.exists() and not root.parent.is_dir():
        raise ConfigError("out_no_folder", flag=flag, path=path, folder=str(root.parent))
    target = root / f"run-{run_id}"
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ConfigError("tb_exists", flag=flag, path=str(target), id=str(run_id))
    if not os.access(root if root.exists() else root.parent, os.W_OK):
        raise ConfigError("out_denied", flag=flag, path=path)
    return target


def _write(flag: str, path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as e:
        raise ConfigError("out_unwritable", flag=flag, path=path, error=str(e.strerror or e)) from None


def _said(code: str, run_id: int, path, **fields) -> None:
    print(i18n.tr_error(Message(code, id=str(run_id), path=str(path), **fields)), file=sys.stderr)


def _csv(store, args) -> None:
    from pandas.api.types import is_numeric_dtype

    df = store.metrics(args.run)
    if args.long:
        out = df.drop(columns=["id"])
    else:
        out = df.pivot_table(index="step", columns="key", values="value", aggfunc="last").reset_index()
        out.columns.name = None
    # metric keys are text: no header or cell may be read as a spreadsheet formula
    out = out.rename(columns=csv_cell)
    for col in out.columns:
        if not is_numeric_dtype(out[col]):
            out[col] = out[col].map(csv_cell)
    try:
        out.to_csv(args.csv, index=False)
    except OSError as e:
        raise ConfigError("out_unwritable", flag="--csv", path=args.csv, error=str(e.strerror or e)) from None
    _said("exported_csv", args.run, args.csv, rows=len(df))


def cmd_export(args) -> int:
    from deeparch.execution import jobs
    from deeparch.read import interop

    files = {flag: getattr(args, flag) for flag in ("csv", "gif", "onnx", "torchscript")}
    if all(v is None for v in files.values()) and args.tensorboard is None:
        raise ConfigError("export_nothing")
    for flag, path in files.items():
        if path is not None:
            file_target(f"--{flag}", path)
    events = folder_target("--tensorboard", args.tensorboard, args.run) if args.tensorboard is not None else None
    store = _store(args, readonly=True)
    run = jobs.need(store, args.run)
    if args.gif is not None and not interop.gif_steps(store, run.id):
        raise ConfigError("gif_no_grids", id=str(run.id), arch=run.arch)
    if args.onnx is not None or args.torchscript is not None:
        from deeparch.engine import portable

        why = portable.refusal(store, run)
        if why is not None:
            raise ConfigError(why)
    if args.csv is not None:
        _csv(store, args)
    if events is not None:
        scalars, images = interop.write_tensorboard(store, run.id, events)
        _said("exported_tensorboard", run.id, events, scalars=scalars, images=images)
    if args.gif is not None:
        _write("--gif", args.gif, interop.samples_gif(store, run.id))
        _said("exported_gif", run.id, args.gif, frames=len(interop.gif_steps(store, run.id)))
    for flag, make in (("onnx", "onnx_bytes"), ("torchscript", "torchscript_bytes")):
        if getattr(args, flag) is not None:
            _write(f"--{flag}", getattr(args, flag), getattr(portable, make)(store, run.id))
            _said("exported_model", run.id, getattr(args, flag), format="ONNX" if flag == "onnx" else "TorchScript")
    return 0


def cmd_predict(args) -> int:
    """Print the classes a model file gives an image, most probable first."""
    from deeparch.engine import portable

    if not Path(args.model).is_file():
        raise ConfigError("predict_no_model", path=args.model)
    check_count("--top", args.top, 1, 1000)
    x, inverted = portable.read_image(args.image)
    if inverted:
        print(i18n.tr_error(Message("predict_inverted")), file=sys.stderr)
    for guess in portable.predict_file(args.model, x, args.top):
        print(i18n.tr_error(Message("predict_row", label=guess.label, prob=guess.prob)))
    return 0
