"""The Runs page offers one ticked run's files for tools outside the lab (TensorBoard zip, GIF, ONNX and
TorchScript), says in one line what a run cannot give, and each download is the file the library makes."""
from __future__ import annotations

import io
import zipfile

from PIL import Image

import fake_runs
from deeparch.course.archs import get_arch, load_config
from deeparch.engine import checkpoint
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture
from test_pages_forms import downloads, table_ids, tick  # noqa: F401 - downloads is a fixture

RUNS = "pages/runs.py"


def buttons(at) -> dict:
    """The page's download buttons by label."""
    return {b.proto.label: b for b in at.get("download_button")}


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def with_checkpoint(store, rid: int) -> None:
    cfg = load_config(store.get_run(rid).config)
    checkpoint.write(store.run_dir(rid) / "checkpoint.pt", {"model": get_arch(cfg.arch).build(cfg).state_dict()})


def test_a_finished_classifier_offers_tensorboard_onnx_and_torchscript(app_store, downloads):
    import onnx

    rid = fake_runs.fake_run(app_store, "cnn", channels=4, hidden=16)  # small: its exports take milliseconds
    with_checkpoint(app_store, rid)
    at = open_page(RUNS)
    assert "Tick one run to download" in captions(at)
    assert not {"TensorBoard (zip)", "Model (ONNX)"} & set(buttons(at))
    tick(at, [table_ids(at).index(rid)])
    found = buttons(at)
    assert {"TensorBoard (zip)", "Model (ONNX)", "Model (TorchScript)"} <= set(found)
    assert "Samples over training (GIF)" not in found  # a classifier has no sample grids
    assert f"tensorboard --logdir run-{rid}" in captions(at) and "python -m deeparch predict" in captions(at)
    data = downloads[found["TensorBoard (zip)"].proto.deferred_file_id]()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert any(n.startswith(f"run-{rid}/events.out.tfevents") for n in z.namelist())
    model = onnx.load_from_string(downloads[found["Model (ONNX)"].proto.deferred_file_id]())
    assert [i.name for i in model.graph.input] == ["image"]
    assert downloads[found["Model (TorchScript)"].proto.deferred_file_id]()[:2] == b"PK"  # a TorchScript zip archive


def test_a_generator_offers_its_gif_and_says_why_no_model(app_store, downloads):
    rid = fake_runs.fake_run(app_store, "gan", steps=150)
    at = open_page(RUNS)
    tick(at, [table_ids(at).index(rid)])
    found = buttons(at)
    assert "Samples over training (GIF)" in found and "Model (ONNX)" not in found
    gif = Image.open(io.BytesIO(downloads[found["Samples over training (GIF)"].proto.deferred_file_id]()))
    assert gif.n_frames == len(app_store.media_steps(rid, "samples")) == 3
    assert "No ONNX or TorchScript model: gan is a generator" in captions(at)


def test_a_classifier_without_a_checkpoint_says_so(app_store):
    rid = fake_runs.finished_cnn(app_store)  # metrics and grids, no checkpoint file
    at = open_page(RUNS)
    tick(at, [table_ids(at).index(rid)])
    assert "TensorBoard (zip)" in buttons(at) and "Model (ONNX)" not in buttons(at)
    assert f"run {rid} has no checkpoint yet" in captions(at)
    assert not at.exception
