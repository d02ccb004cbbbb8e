"""Secrets stay secret: the database password never reaches a command line, a message, a log or the run
store's rows; the teacher's key never reaches a worker or Ray; Ray is handed an allow-list of settings."""
from __future__ import annotations

import os
import subprocess
import sys
import types

import psutil
import pytest
from cli_util import run_cli

from deeparch.execution import jobs, ray_executor
from deeparch.course.archs import make_config
from deeparch.store import Store, shown_url
from waiting import until

# the run on PostgreSQL below is slow (conftest marks it); the rest runs in this process

PASSWORD = "Pw-s3cret-4242"
TOKEN = "tk-Teacher-9876"

# (URL, its secret): well-formed, in the query (any case, percent-encoded), and malformed
URLS = [
    (f"postgresql://u:{PASSWORD}@db.example:5432/lab", PASSWORD),
    (f"postgresql://db.example/lab?user=u&password={PASSWORD}", PASSWORD),
    (f"postgresql://db.example/lab?password={PASSWORD}&user=u", PASSWORD),
    (f"postgresql://db.example/lab?user=u&PassWord={PASSWORD}", PASSWORD),
    (f"postgresql://db.example/lab?user=u&pass%77ord={PASSWORD}", PASSWORD),
    (f"postgresql://db.example/lab?user=u&sslpassword={PASSWORD}", PASSWORD),
    ("postgresql://u:S3cr%40t-w0rd@db.example/lab", "S3cr@t-w0rd"),
    ("postgresql://u:S3cr%40t-w0rd@db.example/lab", "S3cr%40t-w0rd"),
    ("postgresql://db.example/lab?password=S3cr%26t-w0rd", "S3cr&t-w0rd"),
    (f"postgresql://u:{PASSWORD}@@db.example/lab", PASSWORD),
    ("postgresql://u:S3c@ret-w0rd@db.example/lab", "S3c@ret-w0rd"),
    (f"postgresql://u:{PASSWORD}@db.example:notaport/lab", PASSWORD),
    ("postgresql://u:S3/cret-w0rd@db.example/lab", "S3/cret-w0rd"),
    (f"postgresql://db.example/lab?user=a@b&password={PASSWORD}", PASSWORD),
    (f"postgres://u:{PASSWORD}@[::1/lab", PASSWORD),
    (f"postgresql://u:{PASSWORD}", PASSWORD),
]


@pytest.mark.parametrize("url, secret", URLS)
def test_the_url_masker_never_returns_the_secret(url, secret):
    shown = shown_url(url)
    assert secret not in shown and "***" in shown


def test_the_masker_keeps_what_helps_find_the_server():
    assert shown_url(f"postgresql://u:{PASSWORD}@db.example:5432/lab?sslmode=require") == \
        "postgresql://u:***@db.example:5432/lab?sslmode=require"
    assert shown_url("postgresql://u@db.example/lab") == "postgresql://u@db.example/lab"
    assert shown_url(f"postgresql://db.example/lab?password={PASSWORD}&user=u") == \
        "postgresql://db.example/lab?password=***&user=u"


@pytest.mark.parametrize("url, secret", URLS)
def test_a_message_that_repeats_the_url_or_the_password_is_masked(url, secret):
    from deeparch.store import dialect

    said = f'invalid URI: "{url}"; invalid percent-encoded token: "{secret}"; password "{secret}"'
    assert secret not in dialect.redact(said, url)
    # a short password is masked where it stands alone, not inside the words around it
    assert dialect.redact('password authentication failed: "pw"', "postgresql://u:pw@h/db") == \
        'password authentication failed: "***"'


@pytest.mark.parametrize("url", [
    f"postgresql://u:{PASSWORD}@127.0.0.1:1/none",
    f"postgresql://127.0.0.1:1/none?user=u&password={PASSWORD}",
    f"postgresql://u:{PASSWORD}@127.0.0.1:notaport/none",
    f"postgresql://u:{PASSWORD}%zz@127.0.0.1:1/none",
    f"postgresql://u:{PASSWORD}@[::1/none",
    f"postgresql://127.0.0.1:1/none?password={PASSWORD}&bogus=1",
])
def test_an_unusable_database_url_is_one_line_without_its_password(url, tmp_path):
    p = run_cli("runs", env={"DEEPARCH_RUNS": str(tmp_path), "DEEPARCH_DB": url})
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, p.stderr
    assert PASSWORD not in p.stderr and "cannot be reached" in p.stderr


def test_a_failure_reason_never_carries_the_password(monkeypatch):
    from deeparch.execution.runner import failure_reason

    url = f"postgresql://u:{PASSWORD}@db.example/lab"
    monkeypatch.setenv("DEEPARCH_DB", url)
    assert PASSWORD not in failure_reason(RuntimeError(f'invalid connection string "{url}"'))


def test_the_worker_command_line_has_no_database_url(tmp_path, monkeypatch):
    """The argv and environment ``jobs`` starts a worker with (the process itself: the test below)."""
    started = {}

    class Popen:
        def __init__(self, args, env, **kw):
            started.update(args=args, env=env)
            self.pid = 4242

    monkeypatch.setenv("DEEPARCH_TEACHER_TOKEN", TOKEN)
    monkeypatch.setattr(jobs.subprocess, "Popen", Popen)
    store = Store(tmp_path / "runs", url="")
    run_id = store.create_run(make_config("cnn").to_dict())
    store.url = f"postgresql://u:{PASSWORD}@db.example/lab"  # as a PostgreSQL store would have it
    assert jobs._spawn(store, run_id) == 4242
    assert PASSWORD not in " ".join(started["args"]) and "--db" not in started["args"]
    assert started["env"]["DEEPARCH_DB"] == store.url  # handed down where only this user can read it
    assert "DEEPARCH_TEACHER_TOKEN" not in started["env"]


def test_ray_is_handed_an_allow_list_without_the_key_or_the_password(monkeypatch):
    for name, value in {"DEEPARCH_TEACHER_TOKEN": TOKEN, "DEEPARCH_DB": f"postgresql://u:{PASSWORD}@h/db",
                        "DEEPARCH_MAX_RUNS": "3", "DEEPARCH_CLASSROOM": "1", "DEEPARCH_ANYTHING_NEW": PASSWORD,
                        "DEEPARCH_RUNS": "/shared/runs", "DEEPARCH_HEARTBEAT_TIMEOUT": "30"}.items():
        monkeypatch.setenv(name, value)
    env = ray_executor._worker_env()
    assert set(env) <= set(ray_executor.WORKER_ENV) | {"DEEPARCH_EXECUTOR", "PYTHONPATH"}
    assert env["DEEPARCH_RUNS"] == "/shared/runs" and env["DEEPARCH_HEARTBEAT_TIMEOUT"] == "30"
    assert not any(PASSWORD in v or TOKEN in v for v in env.values())
    # and that list is what Ray gets (Ray writes a job's runtime environment to its logs)
    calls = []
    fake = types.SimpleNamespace(is_initialized=lambda: False, init=lambda **kw: calls.append(kw))
    monkeypatch.setitem(sys.modules, "ray", fake)
    monkeypatch.setenv("RAY_ADDRESS", "10.1.2.3:6379")  # a cluster that answers (the probe is told so)
    monkeypatch.setattr(ray_executor, "reachable", lambda address, timeout=None: True)
    ray_executor.connect()
    assert calls and calls[0]["runtime_env"] == {"env_vars": env}




@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_run_on_postgresql_leaks_neither_the_password_nor_the_teacher_key(db_url, tmp_path, monkeypatch):
    url = db_url.replace("://deeparch@", f"://deeparch:{PASSWORD}@", 1)  # the test server trusts any password
    assert PASSWORD in url
    monkeypatch.setenv("DEEPARCH_DB", url)
    monkeypatch.setenv("DEEPARCH_TEACHER_TOKEN", TOKEN)
    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    store = Store(tmp_path / "runs", url=url)
    cfg = make_config("cnn", max_steps=100_000, epochs=1000, channels=4, hidden=16, log_every=5)
    rid = jobs.launch(cfg, store=store, name="secret keeping")
    run = until(lambda: (r := store.get_run(rid)) and r.status == "running" and r.step > 0 and r, 90, "running")

    worker = psutil.Process(run.pid)
    for proc in (worker, worker.parent()):  # the training process and its supervisor
        assert PASSWORD not in " ".join(proc.cmdline()), proc.cmdline()
        assert TOKEN not in "".join(proc.environ().values())
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert PASSWORD not in ps and TOKEN not in ps

    jobs.stop(rid, store=store)
    run = until(lambda: (r := store.get_run(rid)) and r.status == "stopped" and r, 90, "stopped")
    rows = repr(store.list_runs()) + repr(store.db.execute("SELECT * FROM settings").fetchall())
    assert PASSWORD not in rows and TOKEN not in rows
    log = (store.run_dir(run) / "worker.log").read_text()
    assert PASSWORD not in log and TOKEN not in log

    # every refusal the command line gives on this store, and one that names the store's address
    env = {**os.environ}
    said = []
    for args in (["stop", "424242"], ["compress", "99999999999999999999999", "--int8"],
                 ["train", "--arch", "cnn", "--max-steps", "1", "--threads", "-1"], ["stop", str(rid)]):
        p = subprocess.run([sys.executable, "-m", "deeparch", *args], capture_output=True, text=True, env=env,
                           timeout=120)
        assert p.returncode == 2, p.stderr
        said.append(p.stdout + p.stderr)
    bad_port = {**env, "DEEPARCH_DB": url.replace("@127.0.0.1:", "@127.0.0.1:notaport", 1)}
    p = subprocess.run([sys.executable, "-m", "deeparch", "runs"], capture_output=True, text=True, env=bad_port,
                       timeout=120)
    assert p.returncode == 2 and "cannot be reached" in p.stderr
    said.append(p.stderr)
    assert not any(PASSWORD in s or TOKEN in s for s in said), said
    store.close()
