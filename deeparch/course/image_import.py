"""A teacher's own images read, checked and converted to the lab's form, then written under the data root.

Sources: a folder with one sub-folder per class (``gatos/a.png``, ``cachorros/b.jpg``; one enclosing folder is
looked through), the same folder as a zip, or a CSV in the Kaggle-MNIST layout (a label, then 784 pixel values
0–255, a header line optional). Every image becomes 28×28 grey in [0, 255] (stored as uint8, loaded in
[-1, 1] like the built-in sets): padded to a square with the colour of its own edge (nothing is cut off,
the aspect is kept), then resized. A fifth of each class goes to the test split (``data.stratified_split``).

Nothing is extracted to disk: an archive's entries are checked first (paths that leave the folder, symbolic
links, declared sizes, compression ratios), then read one at a time into memory with a cap and decoded by
Pillow (a few formats only, pixel count checked before decoding). Whatever is refused is refused with one
line (a ``DataError`` with a message code) before anything is written; the set is written under a dot-name
and renamed into place, so a reader sees it whole or not at all.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from deeparch.course import imported as lim
from deeparch.course.data import BUILTIN, DataError, stratified_split
from deeparch.present.messages import Message

MB = 1 << 20
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")  # what Pillow may decode here (no EPS: it runs Ghostscript)
IGNORED = ("__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini")
PIXELS = 784


def refuse(code: str, **fields) -> DataError:
    return DataError(Message(code, **fields))


def check_name(name: str, root: Path) -> None:
    """A new dataset's name: a plain identifier that no built-in or imported set has."""
    if not isinstance(name, str) or not lim.NAME.match(name):
        raise refuse("data_name_bad", name=repr(name))
    if name in BUILTIN or lim.path_of(root, name).exists():
        raise refuse("data_name_taken", name=name)


@dataclass
class Read:
    """Images read from a source: (N, 28, 28) uint8, each one's class name, and the files left out."""

    x: np.ndarray
    labels: list[str]
    skipped: int
    layout: str  # "folder", "zip" or "csv"


# ---- one image --------------------------------------------------------------------------------------------
def to_grey28(raw: bytes, member: str) -> np.ndarray | None:
    """The image in ``raw`` as (28, 28) uint8 grey, padded to a square with its edge colour; None when it is
    no image of an accepted format (or a broken one). One larger than ``MAX_PIXELS`` is refused."""
    from PIL import Image, UnidentifiedImageError

    bad = (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)
    try:
        im = Image.open(io.BytesIO(raw), formats=FORMATS)
        w, h = im.size
        if w * h > lim.MAX_PIXELS:
            raise refuse("data_image_large", member=member, width=w, height=h, limit=lim.MAX_PIXELS)
        im.draft("L", (112, 112))  # a large JPEG decoded at a fraction of its size
        g = im.convert("L")
    except bad:
        return None
    arr = np.asarray(g, dtype=np.uint8)
    if arr.ndim != 2 or arr.size == 0:
        return None
    edge = int(np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]]).mean().round())
    side = max(g.size)
    square = Image.new("L", (side, side), edge)
    square.paste(g, ((side - g.size[0]) // 2, (side - g.size[1]) // 2))
    return np.asarray(square.resize((28, 28), Image.Resampling.LANCZOS), dtype=np.uint8)


# ---- where each file belongs ------------------------------------------------------------------------------
def safe_parts(name: str) -> tuple[str, ...]:
    """An archive entry's path as its parts, refused when it leaves the folder (absolute, a drive, ``..``)."""
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"[A-Za-z]:", n):
        raise refuse("data_archive_path", member=name)
    parts = tuple(p for p in n.split("/") if p not in ("", "."))
    if ".." in parts:
        raise refuse("data_archive_path", member=name)
    return parts


def _ignored(parts: tuple[str, ...]) -> bool:
    return any(p in IGNORED or p.startswith(".") for p in parts)


def _classes_of(paths: list[tuple[str, ...]]) -> list[str | None]:
    """Each file's class: its first folder, after one folder that encloses everything (None: no class folder)."""
    if paths and all(len(p) >= 2 for p in paths) and any(len(p) >= 3 for p in paths) and len({p[0] for p in paths}) == 1:
        paths = [p[1:] for p in paths]
    return [p[0] if len(p) >= 2 else None for p in paths]


def _collect(entries: list[tuple[tuple[str, ...], object]], read, layout: str) -> Read:
    """Decode the files of ``entries`` ((parts, handle); ``read(handle)`` gives its bytes) into images."""
    entries = [(p, h) for p, h in entries if not _ignored(p)]
    classes = _classes_of([p for p, _ in entries])
    images, labels, skipped = [], [], 0
    for (parts, handle), cls in zip(entries, classes):
        img = to_grey28(read(handle, "/".join(parts)), "/".join(parts)) if cls is not None else None
        if img is None:
            skipped += 1
            continue
        if len(images) >= lim.MAX_IMAGES:
            raise refuse("data_images_many", limit=lim.MAX_IMAGES)
        images.append(img)
        labels.append(cls)
    x = np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
    return Read(x, labels, skipped, layout)


# ---- sources ----------------------------------------------------------------------------------------------
def read_zip(source: Path | bytes) -> Read:
    """The images of a zip archive, checked entry by entry before any is read."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise refuse("data_archive_bad", error=type(e).__name__) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.MAX_FILES:
            raise refuse("data_archive_files", limit=lim.MAX_FILES)
        seen, files, declared, packed = set(), [], 0, 0
        for i in infos:
            parts = safe_parts(i.filename)
            if stat.S_ISLNK(i.external_attr >> 16):
                raise refuse("data_archive_link", member=i.filename)
            if i.is_dir() or not parts:
                continue
            if parts in seen:
                raise refuse("data_archive_twice", member=i.filename)
            seen.add(parts)
            if i.file_size > lim.MAX_FILE_MB * MB:
                raise refuse("data_file_large", member=i.filename, size=_mb(i.file_size), limit=lim.MAX_FILE_MB)
            if i.file_size > MB and i.file_size > lim.MAX_RATIO * max(i.compress_size, 1):
                raise refuse("data_archive_bomb", member=i.filename, ratio=i.file_size // max(i.compress_size, 1),
                             limit=lim.MAX_RATIO)
            declared += i.file_size
            packed += i.compress_size
            files.append((parts, i))
        if declared > lim.MAX_EXPANDED_MB * MB:
            raise refuse("data_archive_expands", size=_mb(declared), limit=lim.MAX_EXPANDED_MB)
        if declared > MB and declared > lim.MAX_RATIO * max(packed, 1):
            raise refuse("data_archive_bomb_all", ratio=declared // max(packed, 1), limit=lim.MAX_RATIO)

        def read(info: zipfile.ZipInfo, member: str) -> bytes:
            cap = min(info.file_size, lim.MAX_FILE_MB * MB)
            try:
                with zf.open(info) as f:
                    raw = f.read(cap + 1)  # never more than declared (+1 to catch an entry that lies)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError, NotImplementedError) as e:
                raise refuse("data_archive_bad", error=f"{member}: {type(e).__name__}") from None
            if len(raw) > cap:
                raise refuse("data_archive_lies", member=member)
            return raw

        return _collect(files, read, "zip")


def read_folder(top: Path) -> Read:
    """The images of a folder (one sub-folder per class); a symbolic link anywhere in it is refused."""
    files, total = [], 0
    for here, dirs, names in os.walk(top, followlinks=False):
        for n in sorted(dirs) + sorted(names):
            p = Path(here) / n
            if p.is_symlink():
                raise refuse("data_archive_link", member=str(p.relative_to(top)))
        dirs.sort()
        for n in sorted(names):
            p = Path(here) / n
            if not p.is_file():
                continue
            size = p.stat().st_size
            if size > lim.MAX_FILE_MB * MB:
                raise refuse("data_file_large", member=str(p.relative_to(top)), size=_mb(size), limit=lim.MAX_FILE_MB)
            total += size
            if total > lim.MAX_EXPANDED_MB * MB:
                raise refuse("data_archive_expands", size=_mb(total), limit=lim.MAX_EXPANDED_MB)
            files.append((p.relative_to(top).parts, p))
            if len(files) > lim.MAX_FILES:
                raise refuse("data_archive_files", limit=lim.MAX_FILES)

    def read(p: Path, member: str) -> bytes:
        with open(p, "rb") as f:
            return f.read(lim.MAX_FILE_MB * MB + 1)

    return _collect(files, read, "folder")


def read_csv(source: Path | bytes) -> Read:
    """A label and 784 pixel values 0–255 per line (Kaggle's MNIST layout); a first line of names is a header."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = io.StringIO(raw.decode("utf-8-sig", errors="replace"), newline="")
    rows, labels = [], []
    for line, row in enumerate(csv.reader(text), start=1):
        if not row or all(not v.strip() for v in row):
            continue
        if len(row) != PIXELS + 1:
            raise refuse("data_csv_columns", line=line, count=len(row), expected=PIXELS + 1)
        cells = [v.strip() for v in row[1:]]
        if line == 1 and not all(v.isdigit() for v in cells):
            continue  # the header: label, pixel0, …
        for col, v in enumerate(cells, start=2):
            if not v.isdigit() or int(v) > 255:
                raise refuse("data_csv_value", line=line, column=col, value=repr(v[:20]))
        if len(rows) >= lim.MAX_IMAGES:
            raise refuse("data_images_many", limit=lim.MAX_IMAGES)
        rows.append(np.array(cells, dtype=np.int64).astype(np.uint8))
        labels.append(row[0].strip() or "?")
    if not rows:
        raise refuse("data_csv_empty")
    return Read(np.stack(rows).reshape(-1, 28, 28), labels, 0, "csv")


def read_source(source: Path | bytes, filename: str = "") -> Read:
    """Read a folder, a .zip or a .csv (a path, or an upload's bytes and its file name)."""
    if isinstance(source, bytes):
        if len(source) > lim.MAX_UPLOAD_MB * MB:
            raise refuse("data_upload_large", size=_mb(len(source)), limit=lim.MAX_UPLOAD_MB)
        kind = Path(filename).suffix.lower()
    else:
        source = Path(source)
        if source.is_dir():
            return read_folder(source)
        if not source.is_file():
            raise refuse("data_source_kind", source=str(source))
        if source.stat().st_size > lim.MAX_UPLOAD_MB * MB:
            raise refuse("data_upload_large", size=_mb(source.stat().st_size), limit=lim.MAX_UPLOAD_MB)
        kind = source.suffix.lower()
    if kind == ".zip":
        return read_zip(source)
    if kind == ".csv":
        return read_csv(source)
    raise refuse("data_source_kind", source=filename or str(source))


# ---- checked and split ------------------------------------------------------------------------------------
def _order(names) -> list[str]:
    """Class names in order: by number when every name is one (a digit set keeps 0…9), else alphabetically."""
    names = sorted(set(names))
    return sorted(names, key=int) if all(n.isdigit() for n in names) else names


def prepare(name: str, got: Read, source_name: str) -> tuple[dict, dict]:
    """The blob to save (uint8 images and int64 labels, split) and its meta, once the counts are checked."""
    if not got.labels:
        raise refuse("data_no_images", source=source_name, skipped=got.skipped)
    classes = _order(got.labels)
    if len(classes) < lim.MIN_CLASSES:
        raise refuse("data_classes_few", count=len(classes), minimum=lim.MIN_CLASSES)
    if len(classes) > lim.MAX_CLASSES:
        raise refuse("data_classes_many", count=len(classes), limit=lim.MAX_CLASSES)
    for c in classes:
        if len(c) > 40 or not c.isprintable():
            raise refuse("data_class_name", name=repr(c[:40]))
    index = {c: i for i, c in enumerate(classes)}
    y = torch.tensor([index[c] for c in got.labels], dtype=torch.long)
    counts = torch.bincount(y, minlength=len(classes)).tolist()
    small = min(range(len(classes)), key=lambda i: counts[i])
    if counts[small] < lim.MIN_PER_CLASS:
        raise refuse("data_class_small", name=classes[small], count=counts[small], minimum=lim.MIN_PER_CLASS)
    x = torch.from_numpy(got.x.copy())  # (N, 28, 28) uint8
    tr, te = stratified_split(y, lim.TEST_SHARE, seed=0)
    blob = {"x_train": x[tr], "y_train": y[tr], "x_test": x[te], "y_test": y[te]}
    meta = {"name": name, "classes": classes, "train": len(tr), "test": len(te), "per_class": counts,
            "skipped": got.skipped, "layout": got.layout, "source": source_name[-200:],
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + f"-{os.getpid()}-{time.monotonic_ns()}"}
    return blob, meta


def write(name: str, root: Path, blob: dict, meta: dict, extra: dict[str, object]) -> Path:
    """Write the set under a dot-name in the data root's imported folder, then rename it into place; on any
    failure nothing of it is left."""
    where = lim.folder(root)
    where.mkdir(parents=True, exist_ok=True)
    final = where / name
    stage = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=where))
    try:
        os.chmod(stage, 0o755)
        torch.save(blob, stage / "data.pt")
        for file, obj in extra.items():
            torch.save(obj, stage / file)
        (stage / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        if final.exists():
            raise refuse("data_name_taken", name=name)
        try:
            os.rename(stage, final)  # atomic; refused if another import took the name meanwhile
        except OSError:
            raise refuse("data_name_taken", name=name) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return final


def remove(name: str, root: Path) -> None:
    """Remove an imported set (renamed aside first, so no reader sees half of it)."""
    if name not in lim.infos(root) or not lim.NAME.match(name):
        raise refuse("data_not_imported", name=repr(name), names=", ".join(lim.infos(root)) or "–")
    aside = lim.folder(root) / f".{name}.removing-{os.getpid()}"
    os.rename(lim.path_of(root, name), aside)
    shutil.rmtree(aside, ignore_errors=True)


def _mb(n: int) -> float:
    return round(n / MB, 1)
