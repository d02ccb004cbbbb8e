"""Refused input on the command line is one line, exit code 2, no traceback, in the reader's language, with
a huge value cut short; and it is refused before anything is stored or queued. The commands run in the test's
process (tests/cli_util.py): a refusal that let a launch through would start a worker, which the fast tier
stops with an error."""
from __future__ import annotations

import pickle

import pytest
from cli_util import run_cli

from deeparch.execution import jobs
from deeparch.present import messages
from deeparch.course.archs import make_config
from deeparch.store import Store
from deeparch.execution.runner import run_worker

MAX_ECHO = 200  # the longest a refused value is repeated (deeparch.course.config.MAX_ECHO)
SMALL = dict(channels=4, hidden=16, batch_size=32, sample_every=1000)


class RunsCode:
    """A pickle that, if unpickled, would create ``marker``: a checkpoint must never run it."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A store with run 1, a finished classifier with its checkpoint, and run 2, a finished run whose
    checkpoint is a pickle that would run code."""
    root = tmp_path_factory.mktemp("lab") / "runs"
    store = Store(root, url="")
    cfg = make_config("cnn", max_steps=2, **SMALL)
    first = store.create_run(cfg.to_dict(), status="starting")
    assert run_worker(first, store, reconcile=jobs.reconcile) == "finished"
    second = store.create_run(cfg.to_dict(), status="finished")
    folder = store.run_dir(second)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "checkpoint.pt", "wb") as f:
        pickle.dump({"model": RunsCode(root / "RAN")}, f)
    store.close()
    return root


def cli(root, *args, env=None):
    return run_cli(*args, env={"DEEPARCH_RUNS": str(root), **(env or {})}, unset=("DEEPARCH_DB",))


def run_count(root) -> int:
    store = Store(root, url="")
    try:
        return len(store.list_runs())
    finally:
        store.close()


def one_line(p, start: str) -> str:
    assert p.returncode == 2, p.stderr[-2000:]
    assert "Traceback" not in p.stderr and p.stderr.strip().splitlines() == [p.stderr.strip()], p.stderr[-2000:]
    assert p.stderr.startswith(start), p.stderr[:500]
    return p.stderr


NINES = "9" * 400
HUGE = "x" * 100_000


@pytest.mark.parametrize("args, env, start", [
    (["compress", "99999999999999999999999", "--int8"], {}, "error: no run 99999999999999999999999"),
    (["compress", "1", "--int8", "--repeats", "0"], {}, "error: repeats=0: must be a whole number from 1 to"),
    (["compress", "1", "--int8", "--repeats", "-1"], {}, "error: repeats=-1: must be a whole number from 1 to"),
    (["compress", "1", "--int8", "--threads", "-3"], {}, "error: threads=-3: must be a whole number from 0 to"),
    (["serve", "--port", "99999"], {}, "error: --port=99999: must be a whole number from 1 to 65535"),
    (["serve", "--port", "0"], {}, "error: --port=0: must be a whole number from 1 to 65535"),
    (["launch", "--arch", "cnn", "--max-steps", "1"], {"DEEPARCH_MAX_RUNS": NINES},
     "error: DEEPARCH_MAX_RUNS='999"),
], ids=["huge-run-id", "repeats-0", "repeats-negative", "threads-negative", "port-too-big", "port-0",
        "max-runs-400-digits"])
def test_refused_input_is_one_line(lab, args, env, start):
    before = run_count(lab)
    said = one_line(cli(lab, *args, env=env), start)
    assert len(said) < 2 * MAX_ECHO + 200  # 400 nines are cut, not repeated
    assert run_count(lab) == before


def test_a_negative_thread_count_is_refused_before_a_run_is_stored(lab):
    before = run_count(lab)
    one_line(cli(lab, "train", "--arch", "cnn", "--max-steps", "1", "--threads", "-1"),
             "error: --threads=-1: must be a whole number from 0 to 1024")
    assert run_count(lab) == before


@pytest.mark.parametrize("flag", ["--optimizer", "--lr", "--classes"])
def test_a_huge_value_is_cut_in_its_refusal(lab, flag):
    said = one_line(cli(lab, "launch", "--arch", "cnn", flag, HUGE), f"error: {flag[2:]}='xxx")
    assert "…" in said and len(said) < 2 * MAX_ECHO + 200


def test_a_bad_heartbeat_timeout_is_refused_at_launch(lab):
    before = run_count(lab)
    one_line(cli(lab, "launch", "--arch", "cnn", "--max-steps", "1", env={"DEEPARCH_HEARTBEAT_TIMEOUT": "abc"}),
             "error: DEEPARCH_HEARTBEAT_TIMEOUT='abc': must be a number from 0.1 to")
    one_line(cli(lab, "launch", "--arch", "cnn", "--max-steps", "1", env={"DEEPARCH_STOP_GRACE": "-5"}),
             "error: DEEPARCH_STOP_GRACE='-5': must be a number from 0 to")
    assert run_count(lab) == before


def test_a_sweep_checks_every_point_before_queueing_any(lab):
    before = run_count(lab)
    one_line(cli(lab, "sweep", "--arch", "cnn", "--max-steps", "1", "--grid", "init_from=1,99999"),
             "error: sweep point init_from=99999: init_from=99999: there is no run 99999")
    assert run_count(lab) == before


def test_a_pickled_checkpoint_is_refused_and_nothing_in_it_runs(lab):
    said = one_line(cli(lab, "compress", "2", "--int8"), "error: ")
    assert said.rstrip().endswith("checkpoint.pt: the checkpoint is not a plain tensor file; it was refused, "
                                  "nothing in it ran")
    assert not (lab / "RAN").exists()


def test_a_run_resumed_from_a_pickled_checkpoint_fails_with_one_sentence(tmp_path):
    store = Store(tmp_path / "runs", url="")
    run_id = store.create_run(make_config("cnn", max_steps=2, **SMALL).to_dict(), status="starting")
    folder = store.run_dir(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "checkpoint.pt", "wb") as f:  # the trainer resumes from a checkpoint it finds
        pickle.dump({"model": RunsCode(tmp_path / "RAN")}, f)
    assert run_worker(run_id, store, reconcile=jobs.reconcile) == "failed"
    reason = messages.decode(store.get_run(run_id).reason)  # the English of its code and fields
    assert reason == (f"CheckpointRefused: {folder / 'checkpoint.pt'}: the checkpoint is not a plain tensor file; "
                      "it was refused, nothing in it ran")
    assert not (tmp_path / "RAN").exists()
    store.close()


@pytest.mark.parametrize("args, env, said", [
    (["serve", "--port", "99999"], {}, "error: --port=99999: deve ser um número inteiro de 1 a 65.535"),
    (["compress", "1", "--int8", "--threads", "-3"], {},
     "error: threads=-3: deve ser um número inteiro de 0 a 1.024 (0: o torch escolhe)"),
    (["launch", "--arch", "cnn"], {"DEEPARCH_HEARTBEAT_TIMEOUT": "abc"},
     "error: DEEPARCH_HEARTBEAT_TIMEOUT='abc': deve ser um número de 0,1 a 1.000.000.000"),
    (["sweep", "--arch", "cnn", "--grid", "init_from=1,99999"], {},
     "error: ponto da varredura init_from=99999: init_from=99999: não há execução 99999 neste armazém"),
    (["compress", "2", "--int8"], {}, "o checkpoint não é um arquivo simples de tensores; foi recusado, e nada nele "
                                      "foi executado"),
], ids=["port", "threads", "heartbeat", "sweep", "checkpoint"])
def test_refusals_speak_portuguese(lab, args, env, said):
    p = cli(lab, "--lang", "pt-BR", *args, env=env)
    one_line(p, "error: ")
    assert said in p.stderr, p.stderr



@pytest.mark.parametrize("cmd", ["", "train", "launch", "runs", "stop", "pause", "resume", "clone", "export", "archs",
                                 "sweep", "lesson", "compress", "serve", "data"])
def test_every_command_has_help(cmd, tmp_path):
    p = cli(tmp_path, *([cmd] if cmd else []), "--help")
    assert p.returncode == 0 and "usage: python -m deeparch" in p.stdout, p.stderr


@pytest.mark.parametrize("args, message", [
    (["train", "--arch", "cnn", "--lr", "abc"], "error: lr='abc': must be float"),
    (["train", "--arch", "cnn", "--batch-size", "0"], "error: batch_size=0 is out of range"),
    (["train", "--arch", "gan", "--cell", "gru"], "error: unknown hyperparameter cell for gan"),
    (["launch", "--arch", "rnn", "--cell", "lstmx"], "error: cell='lstmx': must be one of lstm, gru, rnn"),
    (["stop", "42"], "error: no run with id 42"),
    (["export", "42", "--csv", "x.csv"], "error: no run with id 42"),
])
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    p = cli(tmp_path, *args)
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [p.stderr.strip()] and p.stderr.startswith(message), p.stderr
