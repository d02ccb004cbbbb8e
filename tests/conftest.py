"""Shared fixtures: a temporary run store per test; the dataset cache shared across tests."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# datasets and the judge are cached under the repository's data/ so each is built once per machine
os.environ.setdefault("DEEPARCH_DATA", str(ROOT / "data"))
# one thread per process: the tests start workers beside themselves on 2 cores, and
# oversubscribed OpenMP threads spin-wait (measured: a GAN test 5x slower with 2 threads)
os.environ["OMP_NUM_THREADS"] = "1"
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture
def store(tmp_path, monkeypatch):
    from deeparch.store import Store

    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    s = Store(tmp_path / "runs")
    yield s
    s.close()
