import urllib.error

import pytest
import torch

from deeparch.course import data


def test_mnist5k_split_is_stratified_deterministic_and_disjoint():
    d = data.load("mnist-5k")
    assert d.x_train.shape == (4000, 1, 28, 28) and d.x_test.shape == (1000, 1, 28, 28)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert -1.0 <= d.x_train.min() < d.x_train.max() <= 1.0
    assert torch.bincount(d.y_test).tolist() == [100] * 10
    assert torch.bincount(d.y_train).tolist() == [400] * 10
    # shuffled: the source file is sorted by class
    assert len(set(d.y_train[:50].tolist())) > 5
    train_keys = {bytes(x.numpy().tobytes()) for x in d.x_train}
    assert not any(bytes(x.numpy().tobytes()) in train_keys for x in d.x_test)
    tr, te = data.stratified_split(torch.arange(10).repeat_interleave(5), test_per_class=1, seed=0)
    tr2, te2 = data.stratified_split(torch.arange(10).repeat_interleave(5), test_per_class=1, seed=0)
    assert torch.equal(tr, tr2) and torch.equal(te, te2) and len(te) == 10


def test_mnist5k_cache_is_written(tmp_path):
    data.load("mnist-5k", tmp_path)
    assert (tmp_path / "mnist-5k.pt").exists()


def test_torchvision_dataset_offline_fails_with_what_to_do(tmp_path, monkeypatch):
    from torchvision import datasets

    def offline(*a, **k):
        if k.get("download"):
            raise urllib.error.URLError("no network")
        raise RuntimeError("Dataset not found. You can use download=True to download it")

    monkeypatch.setattr(datasets, "FashionMNIST", offline)
    with pytest.raises(data.DataError) as e:
        data.load("fashion-mnist", tmp_path)
    msg = str(e.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in msg and "train-images-idx3-ubyte.gz" in msg
    assert "mnist-5k" in msg and "\n" not in msg


def test_unknown_dataset():
    with pytest.raises(data.DataError, match="choose one of mnist-5k"):
        data.load("cifar")
