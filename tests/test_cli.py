import json
import os
import subprocess
import sys
import time

import pytest

SMALL = ["--channels", "4", "--hidden", "16"]


def cli(*args, store, check=True):
    env = {**os.environ, "DEEPARCH_RUNS": str(store)}
    p = subprocess.run([sys.executable, "-m", "deeparch", *args], capture_output=True, text=True, env=env,
                       timeout=180)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return p


@pytest.mark.parametrize("cmd", ["", "train", "launch", "runs", "stop", "pause", "resume", "clone", "export", "archs"])
def test_help(cmd, tmp_path):
    p = cli(*([cmd] if cmd else []), "--help", store=tmp_path)
    assert "usage: python -m deeparch" in p.stdout


def test_train_runs_and_export(tmp_path):
    p = cli("train", "--arch", "cnn", "--max-steps", "6", "--log-every", "3", *SMALL, store=tmp_path)
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["status"] == "finished" and out["total_steps"] == 6 and 0 <= out["test_acc"] <= 1
    assert "6/6" in p.stderr  # the progress bar
    runs = json.loads(cli("runs", "--json", store=tmp_path).stdout)
    assert runs[0]["id"] == out["run"] and runs[0]["status"] == "finished" and runs[0]["reason"] is None
    assert {"id", "arch", "status", "reason", "pid", "metrics"} <= set(runs[0])
    assert "test_acc" in runs[0]["metrics"]
    table = cli("runs", store=tmp_path).stdout
    assert "finished" in table and "cnn" in table
    csv = tmp_path / "m.csv"
    cli("export", str(out["run"]), "--csv", str(csv), store=tmp_path)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("step,") and "loss" in lines[0] and len(lines) == 7


@pytest.mark.parametrize("args, message", [
    (["train", "--arch", "cnn", "--lr", "abc"], "error: lr='abc': must be float"),
    (["train", "--arch", "cnn", "--batch-size", "0"], "error: batch_size=0 is out of range"),
    (["train", "--arch", "gan", "--cell", "gru"], "error: unknown hyperparameter cell for gan"),
    (["launch", "--arch", "rnn", "--cell", "lstmx"], "error: cell='lstmx': must be one of lstm, gru, rnn"),
    (["stop", "42"], "error: no run with id 42"),
    (["export", "42", "--csv", "x.csv"], "error: no run with id 42"),
])
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    p = cli(*args, store=tmp_path, check=False)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [p.stderr.strip()] and p.stderr.startswith(message)


def test_launch_stop_in_background(tmp_path):
    rid = int(cli("launch", "--arch", "cnn", "--epochs", "1000", *SMALL, store=tmp_path).stdout)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = json.loads(cli("runs", "--json", store=tmp_path).stdout)[0]
        if run["status"] == "running" and run["step"] > 0:
            break
        time.sleep(0.3)
    assert run["status"] == "running" and run["pid"]
    assert "stop requested" in cli("stop", str(rid), store=tmp_path).stdout
    while time.monotonic() < deadline:
        run = json.loads(cli("runs", "--json", store=tmp_path).stdout)[0]
        if run["status"] == "stopped":
            break
        time.sleep(0.3)
    assert run["status"] == "stopped"
    p = cli("stop", str(rid), store=tmp_path, check=False)
    assert p.returncode == 2 and "is stopped" in p.stderr
