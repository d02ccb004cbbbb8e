"""A run's record for tools outside the lab: TensorBoard event files (every logged metric by step, the stored
image grids at their steps, the hyperparameters) and an animated GIF of its sample grids over training.

Both read only the store; the trained model's own exports (ONNX, TorchScript) are ``deeparch.engine.portable``.
"""
from __future__ import annotations

import io
import math
import tempfile
import zipfile
from pathlib import Path

from deeparch.course.config import ConfigError
from deeparch.execution.jobs import need
from deeparch.present import i18n
from deeparch.present.messages import Message
from deeparch.store import Run, Store

PNG = b"\x89PNG"
GIF_KIND = "samples"   # the generators' fixed-noise grid: the same noise at every step, so frames compare
GIF_FRAME_MS = 400
FILES = {"tensorboard": "deeparch-run-{id}-tensorboard.zip", "gif": "deeparch-run-{id}.gif"}  # a download's name


def grid_kinds(store: Store, run_id: int) -> list[str]:
    """The media kinds of a run stored as PNG images (grids, feature maps), in name order; kinds kept only as
    data for a chart (a class histogram) are left out."""
    out = []
    for kind in sorted(store.media_kinds(run_id)):
        row = store.media(run_id, kind)
        if row is not None and bytes(row[1][:4]) == PNG:
            out.append(kind)
    return out


def _hparams(run: Run) -> dict:
    """The run's settings as TensorBoard's HParams plugin takes them (numbers, text and true/false)."""
    hp = {"arch": run.arch, "dataset": run.dataset}
    for k, v in sorted((run.config.get("hp") or {}).items()):
        hp[k] = v if isinstance(v, (bool, int, float, str)) else str(v)
    return hp


def write_tensorboard(store: Store, run_id: int, folder: str | Path) -> tuple[int, int]:
    """Write the run's TensorBoard event file into ``folder`` (made if needed); returns (scalar points,
    images) written. Scalars keep their step and wall time; NaN values (stored as NULL) are left out."""
    import numpy as np
    from PIL import Image
    from torch.utils.tensorboard import SummaryWriter
    from torch.utils.tensorboard.summary import hparams

    run = need(store, run_id)
    groups, _, _ = store.metric_series(run_id)
    n_scalars = n_images = 0
    with SummaryWriter(log_dir=str(folder)) as w:
        for key, (steps, values, walls) in groups.items():
            for s, v, t in zip(steps.tolist(), values.tolist(), walls.tolist()):
                if not math.isnan(v):
                    w.add_scalar(key, v, s, walltime=t)
                    n_scalars += 1
        for kind in grid_kinds(store, run_id):
            for step in store.media_steps(run_id, kind):
                _, png, _ = store.media(run_id, kind, step)
                img = np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"))  # (H, W, 3)
                w.add_image(kind, img, step, dataformats="HWC")
                n_images += 1
        # the hyperparameters beside the scalars, in this run (add_hparams would open a sub-run for them)
        shown = [k for k in ("test_acc", "best_test_acc", "loss", "test_loss", "recognisability", "coverage")
                 if k in groups]
        for summary in hparams(_hparams(run), {k: 0.0 for k in shown}):
            w.file_writer.add_summary(summary)
    return n_scalars, n_images


def tensorboard_zip(store: Store, run_id: int) -> bytes:
    """The run's event folder as a zip (``run-ID/events.out.tfevents…``) for a download: unzip it and run
    ``tensorboard --logdir`` on the folder it makes."""
    buf = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / f"run-{run_id}"
        write_tensorboard(store, run_id, folder)
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    z.write(path, path.relative_to(tmp).as_posix())
    return buf.getvalue()


def gif_steps(store: Store, run_id: int, kind: str = GIF_KIND) -> list[int]:
    """The steps of the run's stored grids of ``kind``: one GIF frame each."""
    return store.media_steps(run_id, kind)


def samples_gif(store: Store, run_id: int, kind: str = GIF_KIND, lang: str | None = None) -> bytes:
    """An animated GIF of the run's ``kind`` grids in step order, one frame per stored grid, its step written
    in a band above it (in ``lang``, default the current language); ConfigError for a run without such grids."""
    from PIL import Image, ImageDraw

    run = need(store, run_id)
    lang = lang or i18n.current()
    steps = gif_steps(store, run_id, kind)
    if not steps:
        raise ConfigError("gif_no_grids", id=str(run_id), arch=run.arch)
    frames = []
    for step in steps:
        _, png, _ = store.media(run_id, kind, step)
        grid = Image.open(io.BytesIO(bytes(png))).convert("L")
        frame = Image.new("L", (grid.width, grid.height + 14), 0)  # a band for the step, above the grid
        frame.paste(grid, (0, 14))
        ImageDraw.Draw(frame).text((3, 2), i18n.word(Message("gif_step", step=step), lang), fill=255)
        frames.append(frame)
    buf = io.BytesIO()
    # each frame differs (its step): Pillow merges identical consecutive frames, which would lose one per grid
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=GIF_FRAME_MS, loop=0)
    return buf.getvalue()
