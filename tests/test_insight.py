"""Issue 12: what a classifier learned (filters, feature maps, Grad-CAM, confusion) as media."""
from __future__ import annotations

import pytest
import torch

from deeparch.course import data
from deeparch.present import insight
from deeparch.course.archs import get_arch, make_config
from deeparch.course.archs.base import MediaContext
from pngs import pixels

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


def test_grad_cam_equals_captums_layer_grad_cam():
    """Our 20 lines against the reference implementation (captum: a test dependency only)."""
    captum = pytest.importorskip("captum.attr")
    m = small_cnn(batch_norm=True).eval()
    x = torch.rand(5, 1, 28, 28) * 2 - 1
    target = torch.tensor([0, 3, 3, 7, 9])
    ours, _ = insight.grad_cam(m, x, target)
    ref = captum.LayerGradCam(m, insight.cam_layer(m)).attribute(x, target=target, relu_attributions=True)
    ref = captum.LayerAttribution.interpolate(ref, (28, 28), interpolate_mode="bilinear")[:, 0].detach()
    ref = ref / ref.flatten(1).max(1).values.clamp_min(1e-12).view(-1, 1, 1)
    assert (ours.amax((1, 2)) > 0).any() and torch.allclose(ours, ref, atol=1e-5)


def test_ink_ratio_known_values():
    x = -torch.ones(1, 1, 28, 28)
    x[0, 0, 10:18, 13:15] = 1.0                       # a stroke
    on = insight.ink_mask(x).float()
    assert on.sum() == (8 + 4) * (2 + 4)                # the 8×2 stroke grown by 2 px on every side
    assert insight.ink_ratio(torch.ones(1, 28, 28), x) == pytest.approx(1.0)
    assert insight.ink_ratio(on, x) > 100              # all heat on the (dilated) ink
    assert insight.ink_ratio(1 - on, x) == pytest.approx(0.0)


def test_conv_views_have_the_model_shapes():
    m = small_cnn()
    assert len(insight.convs(m)) == 2
    assert pixels(insight.filters_png(m, nrow=2)).shape == (2 + 2 * 5, 2 + 2 * 5)  # 4 kernels 3×3, 2 a row
    maps = insight.feature_maps(m, torch.zeros(1, 1, 28, 28))
    assert [tuple(f.shape) for f in maps] == [(4, 28, 28), (8, 28, 28)]
    assert m.training  # the hook pass leaves the model as it found it
    assert insight.cam_layer(m) is m.features[5]  # the ReLU after the last convolution (past the norm slot)


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
    out, _ = m.media(context(x, y), False)  # a grid: the classifier's views; the CNN's own ride on quality passes
    assert not {"filters", "feature_maps", "grad_cam"} & {o.kind for o in out}
    out, _ = m.media(context(x, y), True)
    kinds = {o.kind for o in out}
    assert {v.media_kind for v in get_arch("cnn").display.views} <= kinds
    conf = next(o for o in out if o.kind == "confusion").meta
    assert sum(map(sum, conf["z"])) == 16


def test_probe_digit_knob_picks_the_feature_maps_digit():
    x = torch.rand(16, 1, 28, 28) * 2 - 1
    y = torch.arange(16) % 10
    pngs = [next(o for o in small_cnn(probe_digit=i).media(context(x, y), True)[0] if o.kind == "feature_maps")
            for i in (0, 5)]
    assert pngs[0].png != pngs[1].png and pngs[1].meta == {"probe": 5, "label": 5}


def test_grad_cam_of_a_cnn_that_sees_only_ink_lights_up_only_the_ink():
    """Weights set so every unit responds to ink only (all positive, no bias: the background of -1 gives
    ReLU(negative) = 0): the map must sit on the dilated ink and nowhere else. (A trained course CNN:
    bench/bench_gradcam.py, the figure in the README.)"""
    m = small_cnn(dropout=0.0, dropout_conv=0.0)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.full_like(p, 0.01) if p.dim() > 1 else torch.zeros_like(p))
    x = data.load("mnist-5k").x_test[:4]
    cam, _ = insight.grad_cam(m, x)
    ink = insight.ink_mask(x)
    assert cam[ink].mean() > 0 and cam[~ink].max() == 0
    assert insight.ink_ratio(cam, x) > 2


def test_module_tree_counts_every_parameter_once_and_source_is_the_arch_file():
    m = small_cnn()
    rows = insight.module_tree(m)
    assert rows[0]["module"] == "(model)" and rows[0]["total"] == sum(p.numel() for p in m.parameters())
    assert sum(r["own"] for r in rows) == rows[0]["total"]
    conv = next(r for r in rows if r["module"] == "features.0")
    assert conv["type"] == "Conv2d" and conv["own"] == 4 * 1 * 3 * 3 + 4 and conv["depth"] == 2
    path, code = insight.model_source(m)
    assert path == "deeparch/course/archs/cnn.py" and code.startswith("class CNN(")


def test_every_architecture_says_how_it_differs_from_the_course_listing():
    from deeparch.course.archs import ARCHS

    assert all(spec.differs.strip() for spec in ARCHS.values())
