"""A teacher's own images: hostile and bad sources refused with one line and nothing written; folder, zip and
CSV imports round-trip; an imported set is a dataset like the others, with a judge of its own."""
from __future__ import annotations

import os
import stat
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from deeparch.course import data, image_import, imported
from deeparch.engine import own_data, quality
from own_images import csv_text, digit_members, digits, flat_pngs, png, zip_of


@pytest.fixture
def root(tmp_path, monkeypatch):
    """An empty data root, the process's own ($DEEPARCH_DATA), with mnist-5k cached in it; judges train briefly."""
    r = tmp_path / "data"
    r.mkdir()
    if (data.data_root() / "mnist-5k.pt").exists():  # the digits the sets are made of, without rebuilding them
        (r / "mnist-5k.pt").symlink_to(data.data_root() / "mnist-5k.pt")
    monkeypatch.setenv("DEEPARCH_DATA", str(r))
    monkeypatch.setattr(quality, "IMPORTED_STEPS", (4, 4))
    return r


def tree(p: Path) -> set[str]:
    return {str(q.relative_to(p)) for q in p.rglob("*")}


def refused(tmp_path, root, source, code, filename="", name="mine"):
    """Import ``source``; assert the refusal's code, its one line, and that nothing was written anywhere."""
    before = tree(tmp_path)
    with pytest.raises(data.DataError) as e:
        own_data.import_images(name, source, filename, root=root)
    msg = e.value.args[0]
    assert getattr(msg, "code", None) == code, msg
    assert "\n" not in str(msg) and str(msg)
    assert tree(tmp_path) == before  # nothing outside the data root, nothing half-written inside it
    assert name in data.BUILTIN or name not in data.DATASETS
    return msg


# ---- hostile archives -------------------------------------------------------------------------------------
GOOD = flat_pngs(2, 10)


@pytest.mark.parametrize("member", ["../x.png", "c0/../../x.png", "/etc/x.png", "C:/x.png", "c0\\..\\..\\x.png"])
def test_a_path_that_leaves_the_folder_is_refused(tmp_path, root, member):
    z = zip_of({**GOOD, member: png(np.zeros((28, 28), np.uint8))}, tmp_path / "a.zip")
    refused(tmp_path, root, z, "data_archive_path")
    assert not (tmp_path / "x.png").exists() and not Path("/etc/x.png").exists()


def test_a_symbolic_link_in_the_archive_is_refused(tmp_path, root):
    z = zip_of(GOOD, tmp_path / "a.zip")
    with zipfile.ZipFile(z, "a") as zf:
        link = zipfile.ZipInfo("c0/evil.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    refused(tmp_path, root, z, "data_archive_link")


def test_a_symbolic_link_in_a_folder_is_refused(tmp_path, root):
    src = tmp_path / "src"
    for member, raw in GOOD.items():
        (src / member).parent.mkdir(parents=True, exist_ok=True)
        (src / member).write_bytes(raw)
    (src / "c0" / "evil.png").symlink_to("/etc/passwd")
    refused(tmp_path, root, src, "data_archive_link")


def test_an_archive_that_expands_past_the_limit_is_refused_before_reading(tmp_path, root, monkeypatch):
    monkeypatch.setattr(imported, "MAX_EXPANDED_MB", 2)
    z = zip_of({**GOOD, **{f"c0/big{i}.png": bytes(900_000) for i in range(3)}}, tmp_path / "a.zip")
    reads = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: reads.append(a) or pytest.fail("read"))
    refused(tmp_path, root, z, "data_archive_expands")
    assert not reads  # declared sizes are checked before any entry is read


def test_a_file_too_large_is_refused(tmp_path, root, monkeypatch):
    monkeypatch.setattr(imported, "MAX_FILE_MB", 1)
    z = zip_of({**GOOD, "c0/big.png": os.urandom(1_100_000)}, tmp_path / "a.zip")
    refused(tmp_path, root, z, "data_file_large")


def test_a_compression_bomb_is_refused(tmp_path, root):
    z = zip_of({**GOOD, "c0/bomb.png": bytes(5 << 20)}, tmp_path / "a.zip")  # 5 MB of zeros: about 1000 to 1
    refused(tmp_path, root, z, "data_archive_bomb")


def test_an_archive_of_many_small_bombs_is_refused(tmp_path, root):
    z = zip_of({**GOOD, **{f"c0/b{i}.png": bytes(900_000) for i in range(4)}}, tmp_path / "a.zip")
    refused(tmp_path, root, z, "data_archive_bomb_all")


def test_too_many_files_are_refused(tmp_path, root, monkeypatch):
    monkeypatch.setattr(imported, "MAX_FILES", 15)
    refused(tmp_path, root, zip_of(GOOD, tmp_path / "a.zip"), "data_archive_files")


def test_an_entry_twice_is_refused(tmp_path, root):
    z = zip_of(GOOD, tmp_path / "a.zip")
    with warnings.catch_warnings(), zipfile.ZipFile(z, "a") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate: that is the point
        zf.writestr("c0/0.png", GOOD["c0/0.png"])
    refused(tmp_path, root, z, "data_archive_twice")


def test_what_is_no_zip_is_refused(tmp_path, root):
    (tmp_path / "a.zip").write_bytes(b"PK\x03\x04 not really")
    refused(tmp_path, root, tmp_path / "a.zip", "data_archive_bad")


def test_an_upload_too_large_is_refused(tmp_path, root, monkeypatch):
    monkeypatch.setattr(imported, "MAX_UPLOAD_MB", 0)
    refused(tmp_path, root, b"PK..", "data_upload_large", filename="a.zip")


def test_an_image_with_too_many_pixels_is_refused_before_decoding(tmp_path, root, monkeypatch):
    monkeypatch.setattr(imported, "MAX_PIXELS", 100)
    refused(tmp_path, root, zip_of(GOOD, tmp_path / "a.zip"), "data_image_large")


def test_files_that_are_no_images_are_left_out_or_refused_when_nothing_is_left(tmp_path, root):
    z = zip_of({f"c{k}/{i}.png": b"not an image" for k in range(2) for i in range(10)}, tmp_path / "a.zip")
    msg = refused(tmp_path, root, z, "data_no_images")
    assert msg.fields["skipped"] == 20


@pytest.mark.parametrize("classes, per_class, code", [(11, 10, "data_classes_many"), (1, 20, "data_classes_few")])
def test_class_counts_out_of_bounds_are_refused(tmp_path, root, classes, per_class, code):
    refused(tmp_path, root, zip_of(flat_pngs(classes, per_class), tmp_path / "a.zip"), code)


def test_a_class_with_too_few_images_is_refused(tmp_path, root):
    z = zip_of({**flat_pngs(2, 10), **{f"small/{i}.png": png(np.zeros((9, 9), np.uint8)) for i in range(4)}},
               tmp_path / "a.zip")
    msg = refused(tmp_path, root, z, "data_class_small")
    assert msg.fields["name"] == "small" and msg.fields["count"] == 4


@pytest.mark.parametrize("name, code", [("Mine", "data_name_bad"), ("../up", "data_name_bad"), ("", "data_name_bad"),
                                        ("mnist", "data_name_taken"), ("recall", "data_name_taken")])
def test_a_name_that_is_no_plain_identifier_or_is_taken_is_refused(tmp_path, root, name, code):
    refused(tmp_path, root, zip_of(GOOD, tmp_path / "a.zip"), code, name=name)


@pytest.mark.parametrize("rows, code", [
    ([("0", [0] * 783)], "data_csv_columns"),
    ([("0", [0] * 784), ("1", [0] * 785)], "data_csv_columns"),
    ([("0", [0] * 783 + [256])], "data_csv_value"),
    ([("0", [-1] + [0] * 783)], "data_csv_value"),
    ([], "data_csv_empty"),
])
def test_a_csv_of_the_wrong_layout_is_refused(tmp_path, root, rows, code):
    (tmp_path / "a.csv").write_bytes(csv_text(rows))
    refused(tmp_path, root, tmp_path / "a.csv", code)


def test_a_source_of_another_kind_is_refused(tmp_path, root):
    (tmp_path / "a.txt").write_text("hello")
    refused(tmp_path, root, tmp_path / "a.txt", "data_source_kind")


def test_a_name_taken_meanwhile_leaves_nothing_half_written(tmp_path, root, monkeypatch):
    (root / "imported" / "mine").mkdir(parents=True)
    (root / "imported" / "mine" / "keep").write_text("another import's")
    monkeypatch.setattr(image_import, "check_name", lambda name, r: None)  # as if it was taken after the check
    with pytest.raises(data.DataError) as e:
        own_data.import_images("mine", zip_of(GOOD, tmp_path / "a.zip"), root=root)
    assert e.value.args[0].code == "data_name_taken"
    assert sorted(os.listdir(root / "imported")) == ["mine"] and os.listdir(root / "imported" / "mine") == ["keep"]


# ---- round trips ------------------------------------------------------------------------------------------
def check_set(name: str, classes: list[str], per_class: int):
    ds = data.load(name)
    n = per_class * len(classes)
    test = round(per_class * imported.TEST_SHARE)
    assert ds.classes == tuple(classes)
    assert ds.x_train.shape == (n - test * len(classes), 1, 28, 28) and ds.x_test.shape == (test * len(classes), 1, 28, 28)
    assert ds.x_train.dtype == torch.float32 and -1.0 <= ds.x_train.min() and ds.x_train.max() <= 1.0
    assert torch.bincount(ds.y_test, minlength=len(classes)).tolist() == [test] * len(classes)
    train = {x.numpy().tobytes() for x in ds.x_train}
    assert not any(x.numpy().tobytes() in train for x in ds.x_test)
    return ds


def test_a_zip_of_digits_round_trips(tmp_path, root):
    members = digit_members(per_class=20)
    members["digits/readme.txt"] = b"three digits"
    members["digits/3/notes.txt"] = b"not an image"
    members["__MACOSX/digits/3/._0.png"] = b"resource fork"
    meta = own_data.import_images("tres", zip_of(members, tmp_path / "d.zip"), root=root)
    assert meta["classes"] == ["3", "5", "8"] and meta["skipped"] == 2 and meta["layout"] == "zip"
    ds = check_set("tres", ["3", "5", "8"], 20)
    # the images are the digits, as they were (28×28 in, 28×28 out)
    real = {torch.from_numpy(a).float().div(127.5).sub(1).numpy().tobytes() for a in digits(per_class=20)["5"]}
    assert all(x.numpy().tobytes() in real for x, y in zip(ds.x_test, ds.y_test) if y == 1)
    assert sorted(os.listdir(root / "imported")) == ["tres"]  # no staging folder left
    assert sorted(os.listdir(root / "imported" / "tres")) == ["data.pt", "judge-v2.pt", "meta.json"]


def test_a_folder_of_photos_of_any_size_round_trips_padded_to_a_square(tmp_path, root):
    from PIL import Image

    for cls, shade in (("gatos", 40), ("cachorros", 200)):
        (tmp_path / "fotos" / cls).mkdir(parents=True)
        for i in range(10):
            Image.new("RGB", (60 + i, 30), (shade + i,) * 3).save(tmp_path / "fotos" / cls / f"{i}.jpg")
    meta = own_data.import_images("pets", tmp_path / "fotos", root=root)
    assert meta["layout"] == "folder"
    ds = check_set("pets", ["cachorros", "gatos"], 10)
    # padded with the edge's own colour: a flat photo stays flat, nothing of it cut off
    x = ds.x_train[ds.y_train == 1]
    assert (x.amax((1, 2, 3)) - x.amin((1, 2, 3))).max() < 0.05


def test_a_csv_in_kaggle_layout_round_trips(tmp_path, root):
    rows = [(label, list(a.reshape(-1))) for label, imgs in digits((0, 7), 10).items() for a in imgs]
    (tmp_path / "train.csv").write_bytes(csv_text(rows))
    meta = own_data.import_images("kaggle", tmp_path / "train.csv", root=root)
    assert meta["layout"] == "csv" and meta["classes"] == ["0", "7"]
    ds = check_set("kaggle", ["0", "7"], 10)
    first = torch.from_numpy(np.array(rows[0][1], np.uint8).reshape(28, 28)).float().div(127.5).sub(1)
    assert any(torch.equal(first, x[0]) for x in torch.cat([ds.x_train, ds.x_test]))


def test_an_imported_set_is_a_dataset_of_every_image_model_and_loads_by_name_in_a_fresh_call(tmp_path, root):
    from deeparch.course.archs import ARCHS, make_config

    own_data.import_images("tres", zip_of(digit_members(per_class=10), tmp_path / "d.zip"), root=root)
    assert "tres" in data.DATASETS and list(data.DATASETS)[-1] == "tres"
    assert data.DATASETS["tres"].classes == ("3", "5", "8") and data.is_ready("tres")
    image_archs = [a for a, spec in ARCHS.items() if "image" in spec.inputs and not a.startswith("toy")]
    assert {"cnn", "mlp", "rnn", "transformer", "gan", "dcgan", "cgan", "wgan_gp", "diffusion"} <= set(image_archs)
    for arch in image_archs:
        assert make_config(arch, "tres").dataset == "tres"
    # a worker starts with empty caches and finds the set by its name under $DEEPARCH_DATA
    data._MEMO.clear()
    imported._CACHE.clear()
    assert data.load("tres").x_train.shape[1:] == (1, 28, 28)
    own_data.remove("tres")
    assert "tres" not in data.DATASETS and os.listdir(root / "imported") == []
    with pytest.raises(data.DataError) as e:
        data.load("tres")
    assert e.value.args[0].code == "data_unknown"


def test_the_judge_of_an_imported_set_judges_that_set_and_a_weak_one_calls_nothing_recognisable(tmp_path, root,
                                                                                                  monkeypatch):
    monkeypatch.setattr(quality, "IMPORTED_STEPS", (40, 40))
    meta = own_data.import_images("tres", zip_of(digit_members(per_class=20), tmp_path / "d.zip"), root=root)
    judge = quality.get_judge("tres")
    assert judge.classes == 3 and judge.head.out_features == 4  # three classes and "none of them"
    ds = data.load("tres")
    assert meta["judge_accuracy"] == round(quality.accuracy(judge, ds), 4)
    figures = quality.measure(ds.x_test.repeat(4, 1, 1, 1), "tres")
    assert len(figures["class_hist"]) == 3 and figures["judge_accuracy"] == meta["judge_accuracy"]
    assert ("recognisability" in figures) == (meta["judge_accuracy"] >= imported.JUDGE_TRUSTED)
    # a judge below the bar: no recognisability, no "not digits"; coverage and the distance stay
    path = root / "imported" / "tres" / "meta.json"
    path.write_text(path.read_text().replace(f'"judge_accuracy": {meta["judge_accuracy"]}', '"judge_accuracy": 0.5'))
    imported._CACHE.clear()
    weak = quality.measure(ds.x_test.repeat(4, 1, 1, 1), "tres")
    assert "recognisability" not in weak and "not_digits" not in weak and weak["judge_accuracy"] == 0.5
    assert {"coverage", "frechet", "judge_is"} <= set(weak)


def test_a_generator_s_quality_view_carries_its_judge_s_accuracy_and_its_figures_do_not(root):
    from deeparch.course.archs.base import GeneratorModel, MediaContext

    class Flat(GeneratorModel):
        def sample(self, n, seed, labels=None):
            return torch.zeros(n, 1, 28, 28)

    model = Flat.__new__(Flat)
    torch.nn.Module.__init__(model)
    ctx = MediaContext(torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long), ("a", "b", "c"),
                       lambda imgs, labels=None: {"coverage": 0.0, "class_hist": [len(imgs), 0, 0], "judge_accuracy": 0.5},
                       sample_count=8, quality_count=20)
    found, figures = model.media(ctx, with_quality=True)
    quality_view = next(m for m in found if m.kind == "quality")
    assert quality_view.meta["judge_accuracy"] == 0.5 and quality_view.meta["classes"] == ["a", "b", "c"]
    assert "judge_accuracy" not in figures and figures["coverage"] == 0.0


def test_the_command_line_imports_lists_and_removes_and_refuses_with_one_line(tmp_path, root, capsys):
    from deeparch import cli

    z = zip_of(GOOD, tmp_path / "a.zip")
    assert cli.main(["data", "import", "mine", str(z)]) == 0
    assert '"classes": ["c0", "c1"]' in capsys.readouterr().out
    assert cli.main(["data", "list"]) == 0
    assert capsys.readouterr().out.startswith("mine\t2 classes (c0, c1)")
    assert cli.main(["data", "import", "mine", str(z)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "error: a dataset named mine exists already: choose another name, or remove that one first"
    assert cli.main(["--lang", "pt-BR", "data", "import", "evil", str(zip_of({**GOOD, "../x.png": b"x"}, tmp_path / "e.zip"))]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == \
        "error: recusado: o arquivo contém ../x.png, um caminho que sai da pasta"
    assert cli.main(["data", "remove", "mine"]) == 0 and "mine" not in data.DATASETS
    assert cli.main(["data", "remove", "mine"]) == 2
