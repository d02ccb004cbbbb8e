"""A Ray cluster that is gone (killed, or never started): commands answer in seconds, in one line,
and reading never starts a cluster. Its address is a port nothing listens on any more, which is what a
killed cluster leaves behind (the connection is refused), so these tests need no Ray of their own."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from deeparch.store import Store

pytestmark = pytest.mark.slow  # the command line, run as a process

pytest.importorskip("ray", reason="the Ray executor's tests need ray (requirements-dev.txt)")
ROOT = Path(__file__).resolve().parent.parent
# the most a command may take on an absent cluster beyond the same command's time with no cluster asked for
# (starting Python with torch, which a loaded machine stretches): it probes for 2 s; before the probe these
# commands waited 120 to over 300 s
ANSWER_S = 20


def dead_address() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"  # closed again: nothing listens there now


def cli(tmp_path, *args, **env):
    full = {**os.environ, "DEEPARCH_EXECUTOR": "ray", "RAY_TMPDIR": str(tmp_path / "ray-tmp"),
            "DEEPARCH_DB": "", **env}
    full.pop("RAY_ADDRESS", None)
    full.update(env)
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "deeparch", "--store", str(tmp_path / "runs"), *args], cwd=ROOT,
                       env=full, capture_output=True, text=True, timeout=120)
    return p, time.monotonic() - t0 - baseline(tmp_path)


def baseline(tmp_path) -> float:
    """Seconds the same command line takes to list an empty store with no cluster asked for, measured
    now: what the machine's load adds to every command, so only the wait on the cluster is judged."""
    env = {**os.environ, "DEEPARCH_EXECUTOR": "local", "DEEPARCH_DB": ""}
    env.pop("RAY_ADDRESS", None)
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "deeparch", "--store", str(tmp_path / "baseline"), "runs"], cwd=ROOT,
                   env=env, capture_output=True, timeout=120, check=True)
    return time.monotonic() - t0


def ray_processes() -> set[int]:
    names = ("gcs_server", "raylet")
    return {p.pid for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith(names)}


def queued_ray_run(tmp_path) -> int:
    s = Store(tmp_path / "runs", url="")
    rid = s.create_run({"arch": "cnn", "dataset": "mnist-5k", "hp": {}})
    s.close()
    return rid


def test_launch_on_a_gone_cluster_is_refused_in_one_line_and_stores_nothing(tmp_path):
    address = dead_address()
    p, took = cli(tmp_path, "launch", "--arch", "cnn", "--max-steps", "5", RAY_ADDRESS=address)
    assert took < ANSWER_S and p.returncode == 2, (took, p.returncode, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert f"RAY_ADDRESS={address} does not answer" in lines[0] and "nothing was launched" in lines[0]
    assert Store(tmp_path / "runs", url="").list_runs() == []


def test_reading_with_a_gone_cluster_answers_in_seconds(tmp_path):
    rid = queued_ray_run(tmp_path)
    p, took = cli(tmp_path, "runs", RAY_ADDRESS=dead_address())
    assert took < ANSWER_S and p.returncode == 0, (took, p.stderr)
    assert "Traceback" not in p.stderr
    assert Store(tmp_path / "runs", url="").get_run(rid).status == "queued"  # it waits for the cluster


def test_reading_never_starts_a_cluster(tmp_path):
    rid = queued_ray_run(tmp_path)
    before = ray_processes()
    p, took = cli(tmp_path, "runs")  # no RAY_ADDRESS, no Ray running here: a read must not start one
    assert took < ANSWER_S and p.returncode == 0, (took, p.stderr)
    assert ray_processes() - before == set()
    assert not (tmp_path / "ray-tmp" / "ray" / "ray_current_cluster").exists()
    assert Store(tmp_path / "runs", url="").get_run(rid).status == "queued"
