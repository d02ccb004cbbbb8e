"""Results that leave the lab: TensorBoard's own reader sees the run's scalars, images and hyperparameters;
the GIF has one frame per stored grid; the ONNX and TorchScript files answer as the checkpoint does; predict
names a digit's class; and every bad input is one line and exit code 2."""
from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

import fake_runs
from cli_util import run_cli
from deeparch.course.archs import ARCHS, get_arch, make_config
from deeparch.course.data import load
from deeparch.engine import checkpoint, portable
from deeparch.execution import jobs
from deeparch.execution.runner import run_worker
from deeparch.read import interop
from deeparch.store import Store

SMALL = {"cnn": dict(channels=4, hidden=16), "mlp": dict(width=32, layers=2), "rnn": dict(hidden=16),
         "transformer": dict(d_model=16, nhead=2, nhid=32, nlayers=1)}
IMAGE_CLASSIFIERS = [a for a, spec in ARCHS.items() if spec.reads_drawings("image") and not a.startswith("toy")]


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One store for the module: a trained MLP (a checkpoint that reads digits), a fake GAN with sample
    grids, a fake CNN without a checkpoint."""
    root = tmp_path_factory.mktemp("runs")
    s = Store(root, url="")
    cfg = make_config("mlp", max_steps=120, batch_size=64, width=32, layers=1)  # grids at the end only: 0.5 s
    mlp = s.create_run(cfg.to_dict(), status="starting")
    assert run_worker(mlp, s, reconcile=jobs.reconcile) == "finished"
    ids = {"mlp": mlp, "gan": fake_runs.fake_run(s, "gan", steps=200), "cnn": fake_runs.fake_run(s, "cnn", steps=100)}
    yield s, ids
    s.close()


def cli(s: Store, *args):
    return run_cli("--store", str(s.root), *args, unset=("DEEPARCH_DB",))


def test_tensorboard_reader_lists_the_run_s_scalars_images_and_hyperparameters(shared, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    s, ids = shared
    rid = ids["gan"]
    scalars, images = interop.write_tensorboard(s, rid, tmp_path / "tb")
    acc = EventAccumulator(str(tmp_path / "tb"), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    series, _, rows = s.metric_series(rid)
    assert sorted(acc.Tags()["scalars"]) == sorted(series) and scalars == rows
    for key, (steps, values, _) in series.items():
        events = acc.Scalars(key)
        assert [e.step for e in events] == steps.tolist()
        np.testing.assert_allclose([e.value for e in events], values, rtol=1e-6)  # float32 in the file
    kinds = interop.grid_kinds(s, rid)
    assert "samples" in kinds and sorted(acc.Tags()["images"]) == kinds
    for kind in kinds:
        shown = acc.Images(kind)
        assert [e.step for e in shown] == s.media_steps(rid, kind)
        stored = Image.open(io.BytesIO(bytes(s.media(rid, kind, shown[-1].step)[1])))
        assert Image.open(io.BytesIO(shown[-1].encoded_image_string)).size == stored.size
    assert images == sum(len(s.media_steps(rid, k)) for k in kinds)
    content = acc.PluginTagToContent("hparams")
    start = content["_hparams_/session_start_info"]
    assert b"arch" in start and b"gan" in start and b"lr" in start


def test_the_page_s_zip_holds_the_event_folder(shared, tmp_path):
    s, ids = shared
    with zipfile.ZipFile(io.BytesIO(interop.tensorboard_zip(s, ids["mlp"]))) as z:
        names = z.namelist()
        z.extractall(tmp_path)
    assert names and all(n.startswith(f"run-{ids['mlp']}/events.out.tfevents") for n in names)
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(tmp_path / f"run-{ids['mlp']}"))
    acc.Reload()
    assert "loss" in acc.Tags()["scalars"] and acc.Tags()["images"]  # the classifier's own grids


def test_the_gif_has_one_frame_per_stored_grid_in_step_order(shared):
    s, ids = shared
    steps = s.media_steps(ids["gan"], "samples")
    assert len(steps) == 4
    gif = Image.open(io.BytesIO(interop.samples_gif(s, ids["gan"])))
    assert gif.format == "GIF" and gif.n_frames == len(steps)
    grid = Image.open(io.BytesIO(bytes(s.media(ids["gan"], "samples", steps[0])[1])))
    assert gif.size == (grid.width, grid.height + 14)  # the band with the step above each grid
    frames = []
    for i in range(gif.n_frames):
        gif.seek(i)
        frames.append(np.asarray(gif.convert("L"))[14:])
    first = np.asarray(grid.convert("L"))
    assert np.array_equal(frames[0], first)  # grey grids keep their pixels
    assert not np.array_equal(frames[0], frames[-1])


# the course's variants whose forward differs (blocks, cells, readouts, token modes): each must export too
VARIANTS = [(a, {}) for a in IMAGE_CLASSIFIERS] + [
    ("cnn", dict(block="residual", batch_norm=True)), ("cnn", dict(block="inception", downsample="stride")),
    ("rnn", dict(cell="gru", bidirectional=True, readout="attention", init_state="learned")),
    ("rnn", dict(cell="rnn", read="rows")), ("transformer", dict(tokens="patches")),
    ("transformer", dict(tokens="vit")), ("transformer", dict(causal=True))]


@pytest.mark.parametrize(("arch", "hp"), VARIANTS,
                         ids=[a + "".join(f"-{k}={v}" for k, v in hp.items()) for a, hp in VARIANTS])
def test_onnx_and_torchscript_answer_as_the_checkpoint_on_100_test_digits(arch, hp, shared, tmp_path):
    import onnxruntime as ort

    s, ids = shared
    if arch == "mlp" and not hp:
        rid = ids["mlp"]  # trained
    else:  # a checkpoint of freshly initialised weights: the exporters must keep whatever the weights say
        cfg = make_config(arch, **{**SMALL.get(arch, {}), **hp})
        rid = s.create_run(cfg.to_dict(), status="finished")
        torch.manual_seed(0)
        checkpoint.write(s.run_dir(rid) / "checkpoint.pt", {"model": get_arch(arch).build(cfg).state_dict()})
    model, _ = portable.load_model(s, rid)
    x = load("mnist-5k").x_test[:100]
    with torch.no_grad():
        want = model(x)
    session = ort.InferenceSession(portable.onnx_bytes(s, rid))
    got = session.run(None, {"image": x.numpy()})[0]
    assert (got.argmax(1) == want.argmax(1).numpy()).all()
    np.testing.assert_allclose(got, want.numpy(), atol=1e-4)
    meta = json.loads(session.get_modelmeta().custom_metadata_map["deeparch"])
    assert meta["arch"] == arch and meta["classes"] == [str(i) for i in range(10)]
    (tmp_path / "m.pt").write_bytes(portable.torchscript_bytes(s, rid))
    with warnings.catch_warnings():  # torch 2.14 calls TorchScript deprecated; it still loads and runs
        warnings.simplefilter("ignore", FutureWarning)
        scripted = torch.jit.load(str(tmp_path / "m.pt"))
    with torch.no_grad():
        torch.testing.assert_close(scripted(x), want, atol=1e-4, rtol=1e-4)


def test_predict_names_the_class_of_a_test_digit_from_either_file(shared, tmp_path):
    s, ids = shared
    rid = ids["mlp"]
    assert cli(s, "export", str(rid), "--onnx", str(tmp_path / "m.onnx"),
               "--torchscript", str(tmp_path / "m.pt")).returncode == 0
    ds = load("mnist-5k")
    model, _ = portable.load_model(s, rid)
    with torch.no_grad():
        probs = torch.softmax(model(ds.x_test[:200]), 1)
    # a test digit the checkpoint reads right with confidence: predict must say the same class
    i = next(i for i in range(200) if probs[i].argmax() == ds.y_test[i] and probs[i].max() > 0.8)
    label = str(int(ds.y_test[i]))
    grey = ((ds.x_test[i, 0] + 1) * 127.5).round().clamp(0, 255).byte().numpy()
    Image.fromarray(grey, "L").save(tmp_path / "digit.png")
    for model_file in ("m.onnx", "m.pt"):
        done = cli(s, "predict", str(tmp_path / model_file), str(tmp_path / "digit.png"))
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) == 3 and lines[0].split()[0] == label
        assert float(lines[0].split()[1].rstrip("%")) == pytest.approx(100 * float(probs[i].max()), abs=0.06)
    # the same digit as a scan: dark ink on white, twice the size
    Image.fromarray(255 - grey, "L").resize((56, 56)).save(tmp_path / "scan.png")
    done = cli(s, "predict", str(tmp_path / "m.onnx"), str(tmp_path / "scan.png"), "--top", "1")
    assert done.stdout.split()[0] == label and "inverted" in done.stderr


def test_export_writes_every_asked_file_and_says_where(shared, tmp_path):
    s, ids = shared
    done = cli(s, "export", str(ids["gan"]), "--gif", str(tmp_path / "g.gif"), "--tensorboard", str(tmp_path / "tb"),
               "--csv", str(tmp_path / "m.csv"))
    assert done.returncode == 0, done.stderr
    assert Image.open(tmp_path / "g.gif").n_frames == 4
    assert list((tmp_path / "tb" / f"run-{ids['gan']}").glob("events.out.tfevents*"))
    assert f"tensorboard --logdir {tmp_path / 'tb' / ('run-' + str(ids['gan']))}" in done.stderr
    assert "a GIF of 4 sample grids" in done.stderr and (tmp_path / "m.csv").stat().st_size


def _refused(done, *words):
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    line = done.stderr.strip()
    assert line.startswith("error: ") and all(w in line for w in words), line


def test_export_refusals_are_one_line_and_write_nothing(shared, tmp_path):
    s, ids = shared
    out = tmp_path / "out"
    out.mkdir()
    _refused(cli(s, "export", "999", "--gif", str(out / "a.gif")), "no run with id 999")
    _refused(cli(s, "export", str(ids["cnn"]), "--csv", str(out / "m.csv"), "--onnx", str(out / "m.onnx")),
             "no checkpoint yet")
    _refused(cli(s, "export", str(ids["mlp"]), "--csv", str(out / "m.csv"), "--gif", str(out / "a.gif")),
             "no stored sample grids")
    _refused(cli(s, "export", str(ids["gan"]), "--onnx", str(out / "g.onnx")), "gan is a generator",
             "only classifiers")
    tokens = s.create_run(make_config("rnn", "recall").to_dict(), status="finished")
    _refused(cli(s, "export", str(tokens), "--torchscript", str(out / "r.pt")), "reads token sequences")
    _refused(cli(s, "export", str(ids["gan"])), "say what to export")
    _refused(cli(s, "export", str(ids["gan"]), "--gif", str(tmp_path / "none" / "a.gif")), "does not exist")
    (out / "tb").write_text("")
    _refused(cli(s, "export", str(ids["gan"]), "--tensorboard", str(out / "tb")), "is a file")
    assert sorted(p.name for p in out.iterdir()) == ["tb"]  # nothing else was written
    assert cli(s, "export", str(ids["gan"]), "--tensorboard", str(tmp_path / "tb")).returncode == 0
    _refused(cli(s, "export", str(ids["gan"]), "--tensorboard", str(tmp_path / "tb")), "already holds an export")


def test_predict_refusals_are_one_line(shared, tmp_path):
    s, ids = shared
    (tmp_path / "notes.txt").write_text("not a picture")
    Image.new("L", (28, 28)).save(tmp_path / "blank.png")
    model = tmp_path / "m.onnx"
    model.write_bytes(portable.onnx_bytes(s, ids["mlp"]))
    _refused(cli(s, "predict", str(tmp_path / "none.onnx"), str(tmp_path / "blank.png")), "no such model file")
    _refused(cli(s, "predict", str(model), str(tmp_path / "none.png")), "no such image file")
    _refused(cli(s, "predict", str(model), str(tmp_path / "notes.txt")), "is not an image")
    _refused(cli(s, "predict", str(tmp_path / "notes.txt"), str(tmp_path / "blank.png")), "is not a model")
    _refused(cli(s, "predict", str(tmp_path / "blank.png"), str(tmp_path / "blank.png")), "is not a model")
    (tmp_path / "junk.onnx").write_bytes(b"not a protobuf")
    _refused(cli(s, "predict", str(tmp_path / "junk.onnx"), str(tmp_path / "blank.png")), "is not a model")
    _refused(cli(s, "predict", str(model), str(tmp_path / "blank.png"), "--top", "0"), "--top")


def test_refusals_and_answers_in_portuguese(shared, tmp_path):
    s, ids = shared
    _refused(cli(s, "--lang", "pt-BR", "export", str(ids["gan"]), "--onnx", str(tmp_path / "g.onnx")),
             "gan é um gerador")
    _refused(cli(s, "--lang", "pt-BR", "predict", str(tmp_path / "m.onnx"), "x.png"), "arquivo de modelo não encontrado")
    (tmp_path / "m.onnx").write_bytes(portable.onnx_bytes(s, ids["mlp"]))
    Image.new("L", (28, 28), 255).save(tmp_path / "white.png")
    done = cli(s, "--lang", "pt-BR", "predict", str(tmp_path / "m.onnx"), str(tmp_path / "white.png"))
    assert done.returncode == 0 and "invertido" in done.stderr
    assert all("," in line.split()[1] for line in done.stdout.splitlines())  # 12,3%: the decimal comma
