"""Importing a teacher's own images as a dataset of the lab, with the judge that scores generators on it.

``import_images`` reads and checks the source (``deeparch.course.image_import``), trains the set's judge on
its training split (``quality.train_imported_judge``: seconds on a CPU) and writes data, judge and meta
under ``DATA_ROOT/imported/NAME`` in one rename. The Train page and ``python -m deeparch data`` call it.
"""
from __future__ import annotations

import os
from pathlib import Path

from deeparch.course import data, image_import, imported
from deeparch.engine import quality


def import_images(name: str, source: Path | bytes, filename: str = "", root: str | os.PathLike | None = None) -> dict:
    """Import ``source`` (a folder, a .zip or a .csv path; or an upload's bytes with its ``filename``) as the
    dataset ``name``; returns its meta (classes, counts, files left out, the judge's test accuracy)."""
    r = data.data_root(root)
    image_import.check_name(name, r)  # before reading anything
    got = image_import.read_source(source, filename)
    shown = filename or (Path(source).name if not isinstance(source, bytes) else "")
    blob, meta = image_import.prepare(name, got, shown)
    ds = data.Dataset(name, data._to_float(blob["x_train"]), blob["y_train"], data._to_float(blob["x_test"]),
                      blob["y_test"], tuple(meta["classes"]))
    judge, acc = quality.train_imported_judge(ds)
    meta.update(judge_accuracy=round(acc, 4), judge_version=quality.JUDGE_VERSION,
                judge_trusted=acc >= imported.JUDGE_TRUSTED)
    image_import.write(name, r, blob, meta, {f"judge-v{quality.JUDGE_VERSION}.pt": judge.state_dict()})
    return meta


def remove(name: str, root: str | os.PathLike | None = None) -> None:
    image_import.remove(name, data.data_root(root))


def listed(root: str | os.PathLike | None = None) -> dict[str, dict]:
    """The imported sets under the data root: name → meta."""
    return imported.infos(data.data_root(root))
