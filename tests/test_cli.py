import json
import os
import subprocess
import sys

import pytest

from cli_util import run_cli
from waiting import until

pytestmark = pytest.mark.slow  # the command line, run as a process

SMALL = ["--channels", "4", "--hidden", "16"]
BOTH_BACKENDS = True  # the tests that take `db_url` run on SQLite and on PostgreSQL (DEEPARCH_DB, conftest.py)


# commands that start or are a training process run as a process of their own; the ones that read or
# steer the store run in the test's process (tests/cli_util.py: the same parser and output, without the
# seconds a new Python with torch costs)
IN_PROCESS = {"runs", "stop", "pause", "resume", "clone", "export"}


def cli(*args, store, check=True):
    if args[0] in IN_PROCESS:
        p = run_cli(*args, env={"DEEPARCH_RUNS": str(store)})
    else:
        env = {**os.environ, "DEEPARCH_RUNS": str(store)}
        p = subprocess.run([sys.executable, "-m", "deeparch", *args], capture_output=True, text=True, env=env,
                           timeout=180)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return p


def test_train_runs_and_export(tmp_path, db_url):
    p = cli("train", "--arch", "cnn", "--max-steps", "6", "--log-every", "3", *SMALL, store=tmp_path)
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["status"] == "finished" and out["total_steps"] == 6 and 0 <= out["test_acc"] <= 1
    assert "6/6" in p.stderr  # the progress bar
    from deeparch.store import Store

    summary = Store(tmp_path, url=db_url).get_run(out["run"]).summary
    assert (summary["device"], summary["precision_used"]) == ("cpu", "fp32")  # where and how it trained
    runs = json.loads(cli("runs", "--json", store=tmp_path).stdout)
    assert runs[0]["id"] == out["run"] and runs[0]["status"] == "finished" and runs[0]["reason"] is None
    assert {"id", "arch", "status", "reason", "pid", "metrics"} <= set(runs[0]) and runs[0]["device"] == "cpu · fp32"
    assert "test_acc" in runs[0]["metrics"]
    table = cli("runs", store=tmp_path).stdout
    assert "finished" in table and "cnn" in table and "cpu · fp32" in table.splitlines()[1]
    csv = tmp_path / "m.csv"
    cli("export", str(out["run"]), "--csv", str(csv), store=tmp_path)
    lines = csv.read_text().splitlines()
    assert lines[0].startswith("step,") and "loss" in lines[0] and len(lines) == 7


@pytest.mark.sqlite_or_ray  # launch and stop on PostgreSQL with local workers: test_jobs.py
def test_launch_stop_in_background(tmp_path, db_url, executor):
    rid = int(cli("launch", "--arch", "cnn", "--epochs", "1000", *SMALL, store=tmp_path).stdout)
    run = _until(tmp_path, rid, lambda r: r["status"] == "running" and r["step"] > 0)
    assert run["pid"]
    assert "stop requested" in cli("stop", str(rid), store=tmp_path).stdout
    _until(tmp_path, rid, lambda r: r["status"] == "stopped")
    p = cli("stop", str(rid), store=tmp_path, check=False)
    assert p.returncode == 2 and "is stopped" in p.stderr


@pytest.mark.parametrize("args, message", [
    (["train", "--arch", "cnn", "--batch-size", "inf"], "error: batch_size='inf': must be int"),
    (["launch", "--arch", "rnn", "--hidden", "1e400"], "error: hidden='1e400': must be int"),
    (["stop", "99999999999999999999999"], "error: no run with id 99999999999999999999999"),
    (["export", "99999999999999999999999", "--csv", "x.csv"], "error: no run with id 99999999999999999999999"),
    (["export", "1", "--csv", ""], "error: --csv needs a file name"),
    (["export", "1", "--csv", "{tmp}"], "error: --csv {tmp} is a folder"),
    (["export", "1", "--csv", "{tmp}/missing/m.csv"], "error: --csv {tmp}/missing/m.csv: the folder"),
])
def test_more_bad_input_exits_2_with_one_line(args, message, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    p = run_cli(*args, env={"DEEPARCH_RUNS": str(tmp_path)})  # refused before any process would start
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip().splitlines() == [p.stderr.strip()]
    assert p.stderr.startswith(message.replace("{tmp}", str(tmp_path)))


@pytest.mark.parametrize("value", ["abc", "1.5"])
@pytest.mark.parametrize("cmd", [["runs"], ["launch", "--arch", "cnn", "--max-steps", "1"]])
def test_bad_max_runs_is_one_line(value, cmd, tmp_path, monkeypatch):
    p = run_cli(*cmd, env={"DEEPARCH_RUNS": str(tmp_path), "DEEPARCH_MAX_RUNS": value})
    assert p.returncode == 2 and p.stderr.startswith(f"error: DEEPARCH_MAX_RUNS='{value}'")
    assert p.stderr.strip().splitlines() == [p.stderr.strip()]


def test_runs_shows_cleaned_names_and_export_escapes_formulas(tmp_path, db_url):
    from deeparch.course.archs import make_config
    from deeparch.store import Store

    s = Store(tmp_path)
    rid = s.create_run(make_config("cnn").to_dict(), name="\u202eevil\x1b[31m name", status="finished")
    s.log_metrics(rid, [(1, "=HYPERLINK(1)", 1.0, 1.0), (1, "loss", 2.0, 1.0)])
    s.close()
    assert "evil[31m name" in json.loads(cli("runs", "--json", store=tmp_path).stdout)[0]["name"]
    assert "\u202e" not in cli("runs", store=tmp_path).stdout
    out = tmp_path / "m.csv"
    cli("export", str(rid), "--csv", str(out), "--long", store=tmp_path)
    assert "'=HYPERLINK(1)" in out.read_text() and "\n=" not in out.read_text()
    cli("export", str(rid), "--csv", str(out), store=tmp_path)
    assert out.read_text().splitlines()[0] == "step,'=HYPERLINK(1),loss"
    p = cli("export", str(rid), "--csv", "/proc/m.csv", store=tmp_path, check=False)  # unwritable, even for root
    assert p.returncode == 2 and p.stderr.startswith("error: --csv /proc/m.csv: cannot write")
    assert p.stderr.strip().splitlines() == [p.stderr.strip()]


def _runs(tmp_path):
    return {r["id"]: r for r in json.loads(cli("runs", "--json", store=tmp_path).stdout)}


def _until(tmp_path, rid, pred, timeout=60):
    """Run ``rid`` once ``pred`` holds for it, read from the store in this process (a ``runs --json`` per
    poll would start a Python that imports torch three times a second, beside the worker it watches); a
    run that failed meanwhile is reported at once, with its reason."""
    from deeparch.store import Store

    store = Store(tmp_path, url=os.environ.get("DEEPARCH_DB", ""))
    seen = {}

    def matched():
        r = store.get_run(rid)
        seen["run"] = {"status": r.status, "step": r.step, "pid": r.pid, "reason": r.reason}
        if pred(seen["run"]):
            return seen["run"]
        if r.status in ("failed", "diverged"):
            raise AssertionError(f"run {rid} ended {r.status}: {r.reason}")
        return None

    try:
        return until(matched, timeout, f"run {rid}'s state", every=0.3)
    except AssertionError:
        raise AssertionError(f"run {rid} never matched: {seen.get('run')}") from None
    finally:
        store.close()


@pytest.mark.sqlite_only  # the same commands reach PostgreSQL in the tests above; this one is long
def test_pause_resume_clone_end_to_end(tmp_path, db_url):
    rid = int(cli("launch", "--arch", "cnn", "--epochs", "1000", *SMALL, store=tmp_path).stdout)
    _until(tmp_path, rid, lambda r: r["status"] == "running" and r["step"] > 0)
    assert "pause requested" in cli("pause", str(rid), store=tmp_path).stdout
    paused = _until(tmp_path, rid, lambda r: r["status"] == "paused")
    p = cli("pause", str(rid), store=tmp_path, check=False)
    assert p.returncode == 2 and "is paused" in p.stderr
    assert "resumed" in cli("resume", str(rid), store=tmp_path).stdout
    _until(tmp_path, rid, lambda r: r["status"] == "running" and r["step"] > paused["step"])
    clone = int(cli("clone", str(rid), store=tmp_path).stdout)
    assert _runs(tmp_path)[clone]["name"].endswith("(clone)")
    for r in (rid, clone):
        cli("stop", str(r), store=tmp_path)
    for r in (rid, clone):
        _until(tmp_path, r, lambda x: x["status"] == "stopped")


def test_progress_bar_shows_the_declared_headline_with_its_extra_figures():
    """A collapsed generator must never show recognisability alone: coverage (declared ``extra``) beside it."""
    import io
    from types import SimpleNamespace

    from deeparch.course.archs import ARCHS
    from deeparch.engine.callbacks import ProgressBar

    for spec in ARCHS.values():
        bar = ProgressBar(stream=io.StringIO())
        d = spec.display
        bar.latest = {k: 0.5 for k in (*spec.loss_keys, d.headline.metric, *d.extra, "unrelated")}
        shown = bar.postfix(SimpleNamespace(spec=spec, step=10, steps_per_epoch=10))
        assert set(shown) == {"epoch", *spec.loss_keys, d.headline.metric, *d.extra}, spec.name


def test_runs_table_shows_the_declared_headline(tmp_path, capsys, db_url, monkeypatch):
    import fake_runs
    from deeparch import cli as cli_mod
    from deeparch.store import Store

    store = Store(tmp_path, url=db_url)
    cnn, gan = fake_runs.finished_cnn(store), fake_runs.running_gan(store)
    monkeypatch.delenv("DEEPARCH_DB", raising=False)  # the database is named by --db alone
    assert cli_mod.main(["--store", str(tmp_path), *(["--db", db_url] if db_url else []), "runs"]) == 0
    out = capsys.readouterr().out.splitlines()
    row = {int(line.split()[0]): line for line in out[1:]}
    assert "test accuracy at best validation 0.93" in row[cnn]  # an old run: its best_test_acc
    assert "recognisability" in row[gan]


def test_an_unreachable_database_is_one_line(tmp_path):
    p = cli("--db", "postgresql://nobody:secret@127.0.0.1:1/none", "runs", store=tmp_path, check=False)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "postgresql://nobody:***@127.0.0.1:1/none" in p.stderr and "secret" not in p.stderr


def test_a_generator_headline_never_stands_alone(tmp_path, capsys, monkeypatch):
    """Noise or one digit never shows as a high recognisability on its own: coverage beside it, or what the
    samples are instead; a run measured by an older judge says so."""
    from deeparch import cli as cli_mod
    from deeparch.course.archs import make_config
    from deeparch.engine.quality import JUDGE_VERSION
    from deeparch.store import Store

    store = Store(tmp_path)
    runs = {}
    for name, summary in (
            ("good", {"recognisability": 0.82, "coverage": 0.99, "not_digits": 0.02, "judge_version": JUDGE_VERSION}),
            ("onedigit", {"recognisability": 0.91, "coverage": 0.05, "not_digits": 0.01, "judge_version": JUDGE_VERSION}),
            ("noise", {"recognisability": 0.03, "coverage": 0.7, "not_digits": 0.95, "judge_version": JUDGE_VERSION}),
            ("oldjudge", {"recognisability": 0.824, "coverage": 0.02})):  # judged before versions were recorded
        runs[name] = store.create_run(make_config("dcgan").to_dict(), name=name, status="finished")
        store.merge_summary(runs[name], **summary)
    monkeypatch.delenv("DEEPARCH_DB", raising=False)
    assert cli_mod.main(["--store", str(tmp_path), "runs"]) == 0
    row = {int(line.split()[0]): line for line in capsys.readouterr().out.splitlines()[1:]}
    assert "recognisability 0.82 · coverage 0.99" in row[runs["good"]]
    assert "mode collapse: coverage 0.05" in row[runs["onedigit"]] and "0.91" not in row[runs["onedigit"]]
    assert "no digits: 95% of the samples" in row[runs["noise"]]
    assert "mode collapse: coverage 0.02" in row[runs["oldjudge"]] and "0.824" not in row[runs["oldjudge"]]
    assert "judge v1, not comparable" in row[runs["oldjudge"]] and "judge v" not in row[runs["good"]]
