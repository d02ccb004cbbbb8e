"""The memory check refuses configurations that cannot fit, accepts the presets, and is honest."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deeparch.execution import jobs, memory
from deeparch.course.archs import ARCHS
from deeparch.course.config import ConfigError
from deeparch.course.archs import make_config

ROOT = Path(__file__).resolve().parent.parent
ISSUE_MACHINE = 10e9  # the machine whose worker was OOM-killed at step 0 had 10 GB
TOO_BIG = [("diffusion", dict(channels=256, blocks=4, patch=1, batch_size=4096)),
           ("cnn", dict(channels=256, hidden=4096, batch_size=4096))]


@pytest.mark.parametrize("arch,hp", TOO_BIG)
def test_configurations_that_cannot_fit_are_refused_with_the_estimate(arch, hp):
    reason = memory.check(make_config(arch, **hp), free=ISSUE_MACHINE)
    assert reason and "10.0 GB is available" in reason
    needed = float(re.search(r"needs about ([\d.]+) GB", reason).group(1))
    assert needed > 10


def test_every_preset_fits_in_the_memory_available_here():
    for arch in ARCHS:
        assert memory.check(make_config(arch)) is None, arch


def test_launch_refuses_before_creating_the_run(store, monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: ISSUE_MACHINE)
    with pytest.raises(ConfigError, match="needs about"):
        jobs.launch(make_config(*TOO_BIG[0][:1], **TOO_BIG[0][1]), store=store)
    assert store.list_runs() == []


def test_cli_train_refuses_with_one_line(tmp_path):
    from cli_util import run_cli  # the command line in this process: refused before any training starts

    p = run_cli("train", "--arch", "diffusion", "--channels", "256", "--blocks", "4", "--patch", "1",
                "--batch-size", "4096", env={"DEEPARCH_RUNS": str(tmp_path / "runs")})
    assert p.returncode == 2 and "needs about" in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [p.stderr.strip()]


MEASURE = """
import resource, torch
torch.set_num_threads(1)
from deeparch.course.archs import make_config
from deeparch.engine.trainer import Trainer
Trainer(make_config("cnn", channels=32, hidden=256, batch_size=1024, max_steps=3, eval_every=1000)).fit()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


@pytest.mark.slow  # trains to measure the real peak
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_the_estimate_is_within_2x_of_the_real_peak():
    cfg = make_config("cnn", channels=32, hidden=256, batch_size=1024, max_steps=3, eval_every=1000)
    est = memory.estimate(cfg)["total"]
    p = subprocess.run([sys.executable, "-c", MEASURE], env={**os.environ, "PYTHONPATH": str(ROOT)},
                       capture_output=True, text=True, timeout=300)
    peak = float(p.stdout.split()[-1])
    assert est / 2 <= peak <= est * 2, (est, peak)
