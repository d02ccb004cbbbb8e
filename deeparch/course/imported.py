"""The image datasets a teacher imported: where they live under the data root, what their limits are, and
the registry read from their ``meta.json`` files (no torch: a page that lists datasets pays one ``stat``).

Each imported set is a folder ``DATA_ROOT/imported/NAME/`` holding ``data.pt`` (uint8 images (N, 28, 28) and
int64 labels, split like the built-in sets), ``meta.json`` (its classes, counts, source and its judge's test
accuracy) and ``judge-vV.pt`` (the quality judge trained on its training split). A folder appears only
complete: the import writes it under a dot-name and renames it into place (``deeparch.course.image_import``).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

FOLDER = "imported"
NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}\Z")  # a plain identifier: a file name and a CLI word everywhere

# the limits an import is held to (README and docs/user-guide.md state them)
MAX_UPLOAD_MB = 100      # a zip or a CSV as uploaded (server.maxUploadSize says the same to Streamlit)
MAX_EXPANDED_MB = 300    # the archive's files together, uncompressed (declared sizes, then bytes read)
MAX_FILE_MB = 10         # one file of the archive or folder, uncompressed
MAX_RATIO = 100          # uncompressed / compressed above which a file (over 1 MB) or the archive is a bomb
MAX_FILES = 70_000       # entries of an archive or files of a folder
MAX_IMAGES = 60_000      # images kept (MNIST's training set)
MAX_PIXELS = 4096 * 4096  # one image's width × height, checked before it is decoded
MIN_CLASSES = 2
MAX_CLASSES = 10         # every classifier has ten outputs and a conditional generator ten rows
MIN_PER_CLASS = 10       # images of each class: a fifth of them (at least one) go to the test split
TEST_SHARE = 0.2
JUDGE_TRUSTED = 0.8      # a judge that names fewer of its own test images right does not call samples recognisable


def folder(root: Path) -> Path:
    return Path(root) / FOLDER


def path_of(root: Path, name: str) -> Path:
    return folder(root) / name


_CACHE: dict[str, tuple[int, dict[str, dict]]] = {}


def infos(root: Path) -> dict[str, dict]:
    """Every complete imported set under ``root``, name → its meta (sorted by name). Read again only when the
    folder's entries change (an import or a removal renames a folder: its mtime moves)."""
    where = folder(root)
    try:
        stamp = where.stat().st_mtime_ns
    except OSError:
        return {}
    key = str(where.resolve())
    cached = _CACHE.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    found: dict[str, dict] = {}
    for entry in sorted(os.scandir(where), key=lambda e: e.name):
        if not NAME.match(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            meta = json.loads((Path(entry.path) / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not an imported set (or one removed as this was read)
        if isinstance(meta, dict) and isinstance(meta.get("classes"), list):
            found[entry.name] = meta
    _CACHE[key] = (stamp, found)
    return found


def judge_trusted(meta: dict) -> bool:
    """Whether this set's judge is good enough to call a sample recognisable (an unknown accuracy is not)."""
    acc = meta.get("judge_accuracy")
    return isinstance(acc, (int, float)) and acc >= JUDGE_TRUSTED
