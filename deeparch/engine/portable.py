"""A trained classifier taken out of the lab: its checkpoint as an ONNX model or a TorchScript file, each
carrying what it reads (a 28×28 grey image, the course's ``Normalize((0.5,), (0.5,))``) and its class names;
and the other way round, such a file answering an image file (``python -m deeparch predict``).

Only a classifier of images is exported: its input (one image) and output (ten class scores) say all a
program needs to use it. A generator's work leaves as its samples (GIF, TensorBoard), a token model's needs
the lab's own tokenizer. ONNX goes through PyTorch's TorchScript-based exporter (``dynamo=False``), which needs
only the ``onnx`` package (the newer exporter needs ``onnxscript`` too).
"""
from __future__ import annotations

import io
import json
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from deeparch.course.archs import ARCHS, get_arch, load_config
from deeparch.course.config import ConfigError
from deeparch.course.data import DATASETS
from deeparch.engine.checkpoint import load_checkpoint
from deeparch.present.messages import Message
from deeparch.store import Run, Store

CHECKPOINT = "checkpoint.pt"
META = "deeparch.json"          # what the file carries besides the weights (TorchScript extra file, ONNX metadata)
OPSET = 17
FILES = {"onnx": "deeparch-run-{id}.onnx", "torchscript": "deeparch-run-{id}.pt"}  # a download's name


def not_exportable(arch: str, dataset: str) -> Message | None:
    """Why runs of ``arch`` on ``dataset`` cannot leave as a model file, or None when they can."""
    spec, info = ARCHS.get(arch), DATASETS.get(dataset)
    if spec is None:
        return Message("export_unknown_arch", arch=arch)
    if info is not None and spec.reads_drawings(info.kind):
        return None
    if spec.kind == "generator":
        return Message("export_generator", arch=arch)
    return Message("export_tokens", arch=arch, dataset=dataset)  # a language model, or a classifier of tokens


def _run(store: Store, run_id: int) -> Run:
    try:
        run = store.get_run(run_id)
    except OverflowError:
        run = None
    if run is None:
        raise ConfigError("no_run_id", id=str(run_id))
    return run


def checkpoint_of(store: Store, run: Run) -> Path:
    return Path(store.run_dir(run)) / CHECKPOINT


def refusal(store: Store, run: Run) -> Message | None:
    """Why this run's model cannot be exported now (its architecture, no checkpoint yet), or None."""
    why = not_exportable(run.arch, run.dataset)
    if why is None and not checkpoint_of(store, run).exists():
        why = Message("export_no_checkpoint", id=str(run.id))
    return why


def load_model(store: Store, run_id: int) -> tuple[torch.nn.Module, Run]:
    """The run's model with its latest checkpoint, on the CPU in eval mode; ConfigError saying why not."""
    run = _run(store, run_id)
    why = refusal(store, run)
    if why is not None:
        raise ConfigError(why)
    cfg = load_config(run.config)
    model = get_arch(cfg.arch).build(cfg)
    model.load_state_dict(load_checkpoint(checkpoint_of(store, run))["model"])  # CheckpointRefused: a ConfigError
    return model.eval(), run


def meta(run: Run) -> dict:
    """What a program using the file needs to know, stored inside it."""
    return {"run": run.id, "name": run.name, "arch": run.arch, "dataset": run.dataset,
            "classes": list(DATASETS[run.dataset].classes), "input": [1, 1, 28, 28],
            "input_range": "grey 0..255 scaled to [-1, 1]: (x / 255 - 0.5) / 0.5, ink bright on dark"}


@contextmanager
def _quiet():
    """The exporters' advice (the legacy exporter's deprecation, tracing's notes on Python booleans and on
    RNN batch sizes) says nothing the reader can act on: the export is checked by its predictions instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def onnx_bytes(store: Store, run_id: int) -> bytes:
    """The run's classifier as an ONNX model: input ``image`` (N, 1, 28, 28) float32, output ``logits`` (N, C);
    the batch size is free. Its metadata ``deeparch`` holds :func:`meta` as JSON."""
    import onnx

    model, run = load_model(store, run_id)
    buf = io.BytesIO()
    try:
        with _quiet():  # grad mode on: under no_grad the Transformer takes a fused fast path ONNX has no form for
            torch.onnx.export(model, (torch.zeros(1, 1, 28, 28),), buf, dynamo=False, opset_version=OPSET,
                              input_names=["image"], output_names=["logits"],
                              dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    except Exception as e:  # an operation the exporter has no ONNX form for: said, not a traceback
        raise ConfigError("export_failed", arch=run.arch, format="ONNX", error=_first_line(e)) from None
    proto = onnx.load_from_string(buf.getvalue())
    onnx.helper.set_model_props(proto, {"deeparch": json.dumps(meta(run))})
    return proto.SerializeToString()


def torchscript_bytes(store: Store, run_id: int) -> bytes:
    """The run's classifier traced to TorchScript (``torch.jit.load`` runs it without deeparch), with
    :func:`meta` as the extra file ``deeparch.json``."""
    model, run = load_model(store, run_id)
    buf = io.BytesIO()
    try:
        with _quiet():  # as for ONNX: the plain layers, not the fused inference path
            traced = torch.jit.trace(model, torch.zeros(1, 1, 28, 28), check_trace=False)
            torch.jit.save(traced, buf, _extra_files={META: json.dumps(meta(run))})
    except Exception as e:  # tracing refused the model: said, not a traceback
        raise ConfigError("export_failed", arch=run.arch, format="TorchScript", error=_first_line(e)) from None
    return buf.getvalue()


# ---- the other way: a model file answering an image file -----------------------------------------------
class Guess(NamedTuple):
    label: str
    index: int
    prob: float


def read_image(path: str | Path) -> tuple[torch.Tensor, bool]:
    """An image file as the lab's data: (1, 1, 28, 28) float32 in [-1, 1], ink bright on dark. A 28×28
    image is taken pixel for pixel; another size is prepared as MNIST's digits were (``insight.to_mnist``).
    Dark ink on a light background (a scan, a photo) is inverted: returns whether it was."""
    from PIL import Image, UnidentifiedImageError

    from deeparch.present import insight

    path = Path(path)
    if not path.is_file():
        raise ConfigError("predict_no_image", path=str(path))
    try:
        with Image.open(path) as img:
            grey = torch.from_numpy(np.asarray(img.convert("L"), dtype=np.float32).copy())  # (H, W) 0..255
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise ConfigError("predict_not_image", path=str(path)) from None
    grey = grey / 255
    border = torch.cat([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(border.mean() > 0.5)
    if inverted:
        grey = 1 - grey
    if tuple(grey.shape) == (28, 28):
        return (grey * 2 - 1).view(1, 1, 28, 28), inverted
    return insight.to_mnist(grey), inverted


def _file_meta(text: str | None, n: int) -> list[str]:
    try:
        classes = json.loads(text or "{}").get("classes")
    except (ValueError, AttributeError):
        classes = None
    return [str(c) for c in classes] if isinstance(classes, list) and len(classes) == n else [str(i) for i in range(n)]


def predict_file(model_path: str | Path, x: torch.Tensor, top: int = 3) -> list[Guess]:
    """The ``top`` classes a model file (.onnx, or a TorchScript .pt) gives the image ``x``, most probable first."""
    path = Path(model_path)
    if not path.is_file():
        raise ConfigError("predict_no_model", path=str(path))
    if path.suffix.lower() == ".onnx":
        import onnxruntime as ort

        try:
            session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            name = session.get_inputs()[0].name
            logits = torch.from_numpy(session.run(None, {name: x.numpy()})[0])
        except Exception as e:  # onnxruntime raises its own classes for a file that is no model of this shape
            raise ConfigError("predict_bad_model", path=str(path), error=_first_line(e)) from None
        text = session.get_modelmeta().custom_metadata_map.get("deeparch")
    else:
        extra = {META: ""}
        try:
            with _quiet():
                model = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
                with torch.no_grad():
                    logits = model(x)
        except Exception as e:  # not a TorchScript archive, or one that does not read a 28×28 image
            raise ConfigError("predict_bad_model", path=str(path), error=_first_line(e)) from None
        text = extra[META]
    probs = torch.softmax(logits.float(), dim=1)[0]
    labels = _file_meta(text, len(probs))
    best = torch.argsort(probs, descending=True)[:top].tolist()
    return [Guess(labels[i], i, float(probs[i])) for i in best]


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
