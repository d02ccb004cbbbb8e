"""What the pages ask of a model without training it (deeparch.engine.models) and of the data cache
(deeparch.course.data.is_ready): weights counted, the model card, a drawing answered by a run's checkpoint."""
from __future__ import annotations

import pytest
import torch

from deeparch.present import images
from deeparch.engine import models
from deeparch.course.archs import get_arch, make_config
from deeparch.course.data import is_ready


@pytest.mark.parametrize("arch", ["cnn", "lm", "diffusion"])
def test_the_weights_are_counted_without_building_them(arch):
    cfg = make_config(arch)
    built = get_arch(arch).build(cfg)
    assert models.param_count(cfg.to_json()) == sum(p.numel() for p in built.parameters())


def test_the_model_card_lists_the_modules_and_the_code():
    cfg = make_config("cnn")
    card = models.model_card(cfg.to_json())
    assert card.tree[0]["total"] == models.param_count(cfg.to_dict()) == sum(r["own"] for r in card.tree)
    assert card.path.endswith("archs/cnn.py") and card.code.startswith("class CNN(")
    assert models.model_card({"arch": "gone", "dataset": "mnist-5k", "hp": {"x": 1}}) is None


def with_checkpoint(store, arch: str, **hp) -> int:
    """A finished run whose checkpoint holds an (untrained) model of its configuration."""
    cfg = make_config(arch, max_steps=10, **hp)
    rid = store.create_run(cfg.to_dict(), name=f"{arch} run", status="finished")
    store.run_dir(rid).mkdir(parents=True, exist_ok=True)
    torch.save({"model": get_arch(arch).build(cfg).state_dict()}, store.run_dir(rid) / models.CHECKPOINT)
    return rid


def test_a_drawing_is_answered_by_each_classifier_with_a_checkpoint(store):
    cnn, mlp = with_checkpoint(store, "cnn", channels=4, hidden=16), with_checkpoint(store, "mlp")
    store.create_run(make_config("cnn").to_dict(), status="queued")  # no checkpoint yet: not offered
    with_checkpoint(store, "lm")  # labels no drawings
    found = models.classifiers(store)
    assert sorted(found) == sorted([cnn, mlp])
    grey = [0] * (84 * 84)
    for r in range(10, 70):
        grey[r * 84 + 40: r * 84 + 44] = [255] * 4  # a "1"
    x = models.drawing(grey, 84)
    assert x.shape == (1, 1, 28, 28) and images.grid_png(x, 1)
    conv = models.predict(store, found[cnn], x)
    assert len(conv.probs) == 10 and abs(sum(conv.probs) - 1) < 1e-5 and conv.cam_png.startswith(b"\x89PNG")
    dense = models.predict(store, found[mlp], x)
    assert len(dense.probs) == 10 and dense.cam_png is None


def test_a_dataset_is_ready_when_embedded_cached_or_its_raw_files_are_in_place(tmp_path):
    assert is_ready("mnist-5k", tmp_path) and is_ready("add", tmp_path)
    assert not is_ready("mnist", tmp_path)
    (tmp_path / "MNIST" / "raw").mkdir(parents=True)
    assert is_ready("mnist", tmp_path) and not is_ready("fashion-mnist", tmp_path)
    (tmp_path / "fashion-mnist.pt").write_bytes(b"")
    assert is_ready("fashion-mnist", tmp_path)
