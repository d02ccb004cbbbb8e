import math

import pytest
import torch

from deeparch.course import data
from deeparch.engine import quality


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
    assert (judge(d.x_test)[:, :10].argmax(1) == d.y_test).float().mean() > 0.95


def test_the_shipped_judge_is_used_without_training_and_a_missing_one_is_trained_once(tmp_path, monkeypatch):
    trained = []

    def train(ds):
        trained.append(ds)
        return quality.Judge()

    monkeypatch.setattr(quality, "_train_judge", train)
    monkeypatch.setattr(quality, "_JUDGES", {})
    shipped = quality.get_judge("mnist-5k", root=tmp_path / "empty")  # nothing on this machine yet
    assert trained == [] and not (tmp_path / "empty" / f"judge-mnist-5k-v{quality.JUDGE_VERSION}.pt").exists()
    assert not shipped.training and not any(p.requires_grad for p in shipped.parameters())
    # no shipped judge: trained on first use, kept in the data root, loaded from there the next time
    monkeypatch.setattr(quality, "SHIPPED", tmp_path / "nothing-shipped")
    quality.get_judge("mnist-5k", root=tmp_path / "here")
    monkeypatch.setattr(quality, "_JUDGES", {})
    quality.get_judge("mnist-5k", root=tmp_path / "here")
    assert len(trained) == 1 and (tmp_path / "here" / f"judge-mnist-5k-v{quality.JUDGE_VERSION}.pt").exists()


def _strokes(n: int, g: torch.Generator) -> torch.Tensor:
    """n images of two to six random straight strokes, two pixels wide."""
    img = torch.full((n, 1, 28, 28), -1.0)
    t = torch.linspace(0, 1, 60)[:, None]
    for i in range(n):
        for _ in range(int(torch.randint(2, 7, (1,), generator=g))):
            p, q = torch.rand(2, 2, generator=g) * 22 + 3
            pts = (p + t * (q - p)).round().long()                           # (60, 2) pixels along the stroke
            for dy, dx in ((0, 0), (1, 0), (0, 1), (1, 1)):
                img[i, 0, (pts[:, 0] + dy).clamp(0, 27), (pts[:, 1] + dx).clamp(0, 27)] = 1.0
    return img


def _non_digit_sets(n: int = 500) -> dict[str, torch.Tensor]:
    """500 images of each kind that is no digit. The judge's "not a digit" class trains on noise, flat
    images, blotches, strokes of its own drawing, overlays and averages of training digits; shapes,
    checkerboards and inverted digits it never sees, nor the test digits of the blends."""
    g = torch.Generator().manual_seed(7)
    x = data.load().x_test
    a, b = torch.randint(0, len(x), (2, n), generator=g)
    yy, xx = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    shapes = []
    for i in range(n):  # outlines of circles and squares
        c, r = torch.rand(2, generator=g) * 12 + 8, float(torch.rand(1, generator=g) * 6 + 4)
        edge = (((yy - c[0]) ** 2 + (xx - c[1]) ** 2).sqrt() if i % 2
                else torch.maximum((yy - c[0]).abs(), (xx - c[1]).abs()))
        shapes.append(torch.where((edge - r).abs() < 1.2, 1.0, -1.0))
    checks = [torch.where((yy // k + xx // k) % 2 == 0, 1.0, -1.0) for k in torch.randint(2, 8, (n,), generator=g).tolist()]
    return {
        "gaussian noise": torch.randn(n, 1, 28, 28, generator=g).clamp(-1, 1),
        "uniform noise": torch.rand(n, 1, 28, 28, generator=g) * 2 - 1,
        "blank": torch.full((n, 1, 28, 28), -1.0),
        "mean digit": x.mean(0, keepdim=True).expand(n, 1, 28, 28),
        "blends of two test digits": (x[a] + x[b]) / 2,
        "random strokes": _strokes(n, g),
        "circles and squares": torch.stack(shapes).unsqueeze(1),
        "checkerboards": torch.stack(checks).unsqueeze(1),
        "inverted digits": -x[:n],
    }


def test_judge_says_not_a_digit():
    """Recognisability means "looks like a real digit": images that are no digit score (almost) none."""
    for name, images in _non_digit_sets().items():
        figures = quality.measure(images)
        assert figures["recognisability"] <= 0.05, (name, figures["recognisability"])
    real = quality.measure(data.load().x_test[:500])
    assert real["recognisability"] >= 0.85 and real["not_digits"] < 0.05


def test_verdict_reads_noise_and_collapse_before_recognisability():
    noise = quality.measure(torch.randn(500, 1, 28, 28, generator=torch.Generator().manual_seed(3)).clamp(-1, 1))
    assert noise["not_digits"] > 0.9 and quality.verdict(noise) == "not_digits"
    d = data.load()
    ones = quality.measure(d.x_test[d.y_test == 1][:100])
    assert quality.verdict(ones) == "collapsed" and quality.verdict(quality.measure(d.x_test[:500])) is None
    assert quality.verdict({"recognisability": 0.9, "coverage": 0.2}) == "collapsed"  # a run judged before v2


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
