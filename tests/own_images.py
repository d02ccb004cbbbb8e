"""Small image sets for the import tests: PNGs of real digits from mnist-5k's test split, as files, a zip
or a CSV (what a teacher would upload)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

from deeparch.course import data


def digits(classes=(3, 5, 8), per_class: int = 30) -> dict[str, list[np.ndarray]]:
    """``per_class`` test digits of each class as (28, 28) uint8 arrays, by class name."""
    d = data.load("mnist-5k")
    out = {}
    for c in classes:
        idx = (d.y_test == c).nonzero().squeeze(1)[:per_class]
        out[str(c)] = [((d.x_test[i, 0] + 1) * 127.5).round().byte().numpy() for i in idx]
    return out


def png(arr: np.ndarray) -> bytes:
    b = io.BytesIO()
    Image.fromarray(arr).save(b, "PNG")
    return b.getvalue()


def flat_pngs(classes: int, per_class: int, prefix: str = "") -> dict[str, bytes]:
    """Archive member name → a small PNG, ``classes`` folders of ``per_class`` images each."""
    return {f"{prefix}c{k}/{i}.png": png(np.full((12, 20), (k * 20 + i) % 256, np.uint8))
            for k in range(classes) for i in range(per_class)}


def zip_of(members: dict[str, bytes], path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, raw in members.items():
            z.writestr(name, raw)
    return path


def digit_members(classes=(3, 5, 8), per_class: int = 30, top: str = "digits/") -> dict[str, bytes]:
    return {f"{top}{c}/{i}.png": png(a) for c, imgs in digits(classes, per_class).items() for i, a in enumerate(imgs)}


def csv_text(rows: list[tuple[str, list[int]]], header: bool = True) -> bytes:
    lines = ["label," + ",".join(f"pixel{i}" for i in range(784))] if header else []
    lines += [",".join([label, *map(str, px)]) for label, px in rows]
    return ("\n".join(lines) + "\n").encode()
