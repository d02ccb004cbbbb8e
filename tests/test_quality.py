import math

import pytest
import torch

from deeparch import data, quality


def test_frechet_distance_known_values():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 2, generator=g)
    assert quality.frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    # a shifted copy: same covariance, means 1 apart → FD = 1 exactly
    assert quality.frechet_distance(a, a + torch.tensor([1.0, 0.0])) == pytest.approx(1.0, abs=1e-4)
    # 1-D, x against 2x: (σ - 2σ)² = σ²
    c = torch.randn(20000, 1, generator=g)
    assert quality.frechet_distance(c, 2 * c) == pytest.approx(c.double().var().item(), rel=1e-4)
    # independent samples of N(0, I) and N((3, 0), I): ≈ 9
    b = torch.randn(20000, 2, generator=g) + torch.tensor([3.0, 0.0])
    assert quality.frechet_distance(a, b) == pytest.approx(9.0, rel=0.03)


def test_judge_reference_figures_on_real_digits():
    ref = quality.reference()
    assert ref["recognisability"] > 0.85
    assert ref["coverage"] > 0.99
    judge = quality.get_judge("mnist-5k")
    d = data.load()
    assert (judge(d.x_test).argmax(1) == d.y_test).float().mean() > 0.95


def test_mode_collapse_shows_in_coverage_and_frechet():
    d = data.load()
    ones = d.x_test[d.y_test == 1][:100]
    collapsed = quality.measure(ones)
    varied = quality.measure(d.x_test[:100])
    assert collapsed["coverage"] < 0.1 < 0.9 < varied["coverage"]
    assert collapsed["class_hist"][1] >= 95
    noise = quality.measure(torch.rand(200, 1, 28, 28) * 2 - 1)
    assert noise["frechet"] > varied["frechet"]
    assert noise["recognisability"] < varied["recognisability"]
    assert math.isfinite(noise["frechet"])


def test_collapse_is_flagged_below_the_coverage_threshold():
    d = data.load()
    ones = d.x_test[d.y_test == 1][:100]
    assert quality.measure(ones)["collapsed"] == 1.0
    assert quality.measure(d.x_test[:100])["collapsed"] == 0.0


def test_judge_score_known_values():
    # every sample the same class mix: KL(p(y|x) ‖ p(y)) = 0 → 1
    assert quality.judge_score(torch.full((50, 10), 0.1)) == pytest.approx(1.0)
    assert quality.judge_score(torch.tensor([[0.7, 0.3]] * 8)) == pytest.approx(1.0)
    # each sample one class for sure, all ten equally often: KL = log 10 → 10
    assert quality.judge_score(torch.eye(10).repeat(5, 1)) == pytest.approx(10.0, rel=1e-6)
    # sure but only two classes, half and half → 2 (mode collapse caps the score)
    assert quality.judge_score(torch.eye(10)[[0, 1] * 10]) == pytest.approx(2.0, rel=1e-6)


def test_class_agreement_counts_the_requested_class():
    prob = torch.eye(10)[[0, 1, 2, 3]]
    assert quality.agreement(prob, torch.tensor([0, 1, 2, 3])) == 1.0
    assert quality.agreement(prob, torch.tensor([0, 1, 5, 5])) == 0.5
    d = data.load()
    x, y = d.x_test[:200], d.y_test[:200]
    right = quality.class_agreement(x, y)
    assert right > 0.9
    assert quality.class_agreement(x, (y + 1) % 10) < 0.1
    figures = quality.measure(x, labels=y)
    assert figures["class_agreement"] == pytest.approx(right)
    assert 1.0 <= figures["judge_is"] <= 10.0 and "class_agreement" not in quality.measure(x)
