"""Issue 12: what a classifier learned (filters, feature maps, Grad-CAM, confusion) as media."""
from __future__ import annotations

import pytest
import torch

from deeparch import data, images, insight
from deeparch.archs import get_arch, make_config
from deeparch.archs.base import MediaContext

CLASSES = tuple(str(i) for i in range(10))


def small_cnn(**hp):
    torch.manual_seed(0)
    return get_arch("cnn").build(make_config("cnn", channels=4, hidden=16, **hp))


def context(x, y):
    return MediaContext(x, y, CLASSES, judge=None)


def test_confusion_counts_true_rows_and_predicted_columns():
    c = insight.confusion(torch.tensor([1, 1, 0, 2]), torch.tensor([1, 0, 0, 2]), 3)
    assert c.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    meta = insight.confusion_meta(c, ("a", "b", "c"))
    assert meta["z"] == c.tolist() and meta["x"] == meta["y"] == ["a", "b", "c"]
    assert {"xlabel", "ylabel", "zlabel"} <= meta.keys()


def test_ink_ratio_known_values():
    x = -torch.ones(1, 1, 28, 28)
    x[0, 0, 10:18, 13:15] = 1.0                       # a stroke
    on = (insight.F.max_pool2d((x[:, 0] > 0).float().unsqueeze(1), 5, 1, 2)[:, 0] > 0).float()
    assert insight.ink_ratio(torch.ones(1, 28, 28), x) == pytest.approx(1.0)
    assert insight.ink_ratio(on, x) > 100              # all heat on the (dilated) ink
    assert insight.ink_ratio(1 - on, x) == pytest.approx(0.0)


def test_conv_views_have_the_model_shapes():
    m = small_cnn()
    assert len(insight.convs(m)) == 2
    assert images.from_png(insight.filters_png(m, nrow=2)).shape == (2 + 2 * 5, 2 + 2 * 5)  # 4 kernels 3×3, 2 a row
    maps = insight.feature_maps(m, torch.zeros(1, 1, 28, 28))
    assert [tuple(f.shape) for f in maps] == [(4, 28, 28), (8, 28, 28)]
    assert m.training  # the hook pass leaves the model as it found it


def test_grad_cam_is_a_normalised_map_and_leaves_no_gradients():
    m = small_cnn()
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    cam, target = insight.grad_cam(m, x)
    assert cam.shape == (3, 28, 28) and target.shape == (3,)
    assert torch.isfinite(cam).all() and cam.min() >= 0 and cam.max() <= 1
    assert all(p.grad is None for p in m.parameters())  # the trainer's per-layer norms stay the training step's
    rgb = insight.overlay(x, cam)
    assert rgb.shape == (3, 3, 28, 28) and 0 <= rgb.min() and rgb.max() <= 1


def test_cnn_media_emits_every_declared_view_after_an_evaluation():
    m = small_cnn()
    x, y = torch.rand(16, 1, 28, 28) * 2 - 1, torch.arange(16) % 10
    out, _ = m.media(context(x, y), False)
    assert "confusion" not in {o.kind for o in out}   # no evaluation yet: nothing to count
    m.evaluate(x, y)
    out, _ = m.media(context(x, y), False)
    kinds = {o.kind for o in out}
    assert {v.media_kind for v in get_arch("cnn").display.views} <= kinds
    conf = next(o for o in out if o.kind == "confusion").meta
    assert sum(map(sum, conf["z"])) == 16


def test_probe_digit_knob_picks_the_feature_maps_digit():
    x = torch.rand(16, 1, 28, 28) * 2 - 1
    y = torch.arange(16) % 10
    pngs = [next(o for o in small_cnn(probe_digit=i).media(context(x, y), False)[0] if o.kind == "feature_maps")
            for i in (0, 5)]
    assert pngs[0].png != pngs[1].png and pngs[1].meta == {"probe": 5, "label": 5}


def test_grad_cam_of_a_briefly_trained_cnn_looks_at_the_digit(monkeypatch):
    """A tiny CNN trained for 150 steps already puts more heat on the ink than off it (the course CNN
    trained 10 epochs: bench/bench_gradcam.py, the figure in the README)."""
    ds = data.load("mnist-5k")
    m = small_cnn()
    opts = m.configure_optimizers()
    g = torch.Generator().manual_seed(0)
    for _ in range(150):
        idx = torch.randint(0, len(ds.x_train), (64,), generator=g)
        m.train_step(ds.x_train[idx], ds.y_train[idx], opts)
    x = ds.x_test[:16]
    cam, _ = insight.grad_cam(m, x)
    assert insight.ink_ratio(cam, x) > 1
