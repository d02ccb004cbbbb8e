"""Compression of a finished classifier: pruning reaches the sparsity asked, int8 keeps the predictions,
the report is stored and printed, and what cannot be compressed is refused with a reason."""
from __future__ import annotations

import json

import pytest
import torch

from deeparch import cli
from deeparch.engine import compress
from deeparch.execution import jobs
from deeparch.course.archs import ARCHS, make_config
from deeparch.course.config import ConfigError
from deeparch.execution.runner import run_worker

SMALL = {"cnn": dict(channels=4, hidden=16), "mlp": dict(width=32, layers=2),
         "rnn": dict(hidden=16), "transformer": dict(d_model=16, nhead=2, nhid=32, nlayers=1)}
CLASSIFIERS = [a for a, spec in ARCHS.items() if spec.kind == "classifier"]


def small(arch: str) -> dict:
    """Tiny knobs for an architecture (only those it has)."""
    from deeparch.course.archs import schema

    return {k: v for k, v in SMALL.get(arch, {}).items() if k in schema(arch)}


def trained(store, arch: str = "cnn", steps: int = 30) -> int:
    """A finished run with a checkpoint (a few steps: its weights are no longer the initial ones)."""
    cfg = make_config(arch, max_steps=steps, batch_size=32, sample_every=1000, **small(arch))
    run_id = store.create_run(cfg.to_dict(), status="starting")
    assert run_worker(run_id, store, reconcile=jobs.reconcile) == "finished"
    return run_id


@pytest.mark.parametrize("arch", CLASSIFIERS)
def test_every_classifier_prunes_to_the_sparsity_asked(arch):
    model = ARCHS[arch].build(make_config(arch, **small(arch))).eval()
    for scope in compress.SCOPES:
        pruned, names = compress.prune_model(model, 0.6, scope)
        assert names
        for m, n, _ in compress.prunable(pruned):
            share = float((getattr(m, n) == 0).float().mean())
            if scope == "layer":
                assert abs(share - 0.6) <= 0.5 / getattr(m, n).numel() + 1e-6  # each tensor its own share
        total = sum(getattr(m, n).numel() for m, n, _ in compress.prunable(pruned))
        zeros = sum(int((getattr(m, n) == 0).sum()) for m, n, _ in compress.prunable(pruned))
        assert zeros / total == pytest.approx(0.6, abs=0.005)
        assert not any(hasattr(m, n + "_mask") for m, n, _ in compress.prunable(pruned))  # made permanent
    m, n, _ = compress.prunable(model)[0]
    assert float((getattr(m, n) == 0).float().mean()) < 0.01  # the original untouched
    x = torch.randn(4, 1, 28, 28)
    assert pruned(x).shape == (4, 10)


def test_global_pruning_removes_the_smallest_weights_first():
    model = ARCHS["mlp"].build(make_config("mlp", **small("mlp")))
    pruned, _ = compress.prune_model(model, 0.5, "global")
    kept = torch.cat([getattr(m, n)[getattr(m, n) != 0].abs() for m, n, _ in compress.prunable(pruned)])
    gone = torch.cat([getattr(m, n)[getattr(p, n) == 0].abs() for (m, n, _), (p, _, _) in
                      zip(compress.prunable(model), compress.prunable(pruned))])
    assert gone.max() <= kept.min()


@pytest.mark.parametrize("arch", [a for a in CLASSIFIERS if a in SMALL])
def test_int8_quantizes_linear_and_recurrent_layers_and_keeps_predictions(arch):
    model = ARCHS[arch].build(make_config(arch, **small(arch))).eval()
    q, quantized, kept = compress.quantize_model(model)
    assert quantized and all("(Linear)" in n or "(LSTM)" in n or "(GRU)" in n for n in quantized)
    x = torch.randn(200, 1, 28, 28).clamp(-1, 1)
    with torch.no_grad():
        same = (q(x).argmax(1) == model(x).argmax(1)).float().mean()
    assert same >= 0.9
    assert compress.sizes(q)[0] < compress.sizes(model)[0]


def test_report_of_a_finished_run_and_the_cli(store, capsys):
    run_id = trained(store)
    report = compress.compress(store, run_id, 0.5, True, repeats=2)
    names = [r.variant for r in report.rows]
    assert names[0] == "float32" and len(names) == 4
    base, pruned, q, both = report.rows
    assert pruned.sparsity == pytest.approx(0.5, abs=0.01) and pruned.size_gzip_bytes < base.size_gzip_bytes
    assert q.size_bytes < base.size_bytes and q.agree >= 0.9
    assert both.sparsity >= 0.45  # zeros stay zeros through quantization
    assert all(r.latency_b1_ms > 0 and r.latency_b256_ms > 0 for r in report.rows)
    assert report.quantized and report.kept_float  # the CNN's convolutions stay float32
    assert cli.main(["--store", str(store.root), "compress", str(run_id), "--int8", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "int8 (dynamic)" in out and "float32 kept: features.0 (Conv2d)" in out
    assert compress.saved(store, run_id).rows[1].variant == "int8 (dynamic)"
    table = compress.table(report)
    assert table.loc["float32", "size_ratio"] == 1.0


def test_refusals(store, capsys):
    with pytest.raises(ConfigError, match="no run 99"):
        compress.load_model(store, 99)
    cfg = make_config("cnn", max_steps=1)
    queued = store.create_run(cfg.to_dict())
    with pytest.raises(ConfigError, match="no checkpoint yet"):
        compress.load_model(store, queued)
    gen = next(a for a, s in ARCHS.items() if s.kind == "generator")
    g = store.create_run(make_config(gen).to_dict())
    with pytest.raises(ConfigError, match="compression is measured on classifiers"):
        compress.load_model(store, g)
    with pytest.raises(ConfigError, match="prune=1.5"):
        compress.prune_model(ARCHS["mlp"].build(make_config("mlp")), 1.5)
    with pytest.raises(ConfigError, match="nothing to compare"):
        compress.compress(store, queued)
    assert cli.main(["--store", str(store.root), "compress", str(queued), "--int8"]) == 2
    assert "no checkpoint yet" in capsys.readouterr().err
    assert json.loads(json.dumps(compress.Report(1, "cnn", []).to_dict()))["rows"] == []
