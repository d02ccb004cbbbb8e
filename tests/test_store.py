import multiprocessing as mp
import sqlite3

import pytest

import race_util
from deeparch import store as store_mod
from deeparch.course.archs import make_config
from deeparch.store import Store

BOTH_BACKENDS = True  # every test with `store` or `db_url` runs on SQLite and on PostgreSQL (conftest.py)


def make_run(store, arch="cnn", **kw):
    return store.create_run(make_config(arch).to_dict(), **kw)


def test_runs_roundtrip(store):
    rid = make_run(store)
    run = store.get_run(rid)
    assert run.name == f"cnn-{rid}" and run.status == "queued" and run.config["arch"] == "cnn"
    assert store.set_status(rid, "running", only_if=("queued",), pid=123)
    assert not store.set_status(rid, "running", only_if=("queued",))
    store.merge_summary(rid, test_acc=0.5)
    store.merge_summary(rid, params=10)
    store.set_status(rid, "failed", "boom")
    run = store.get_run(rid)
    assert (run.status, run.reason, run.pid, run.summary) == ("failed", "boom", 123, {"test_acc": 0.5, "params": 10})
    assert run.ended is not None and run.control is None
    assert [r.id for r in store.list_runs(status=["failed"])] == [rid]


def test_metrics_incremental_reads(store):
    rid = make_run(store)
    store.log_metrics(rid, [(1, "loss", 2.0, 1.0), (1, "acc", 0.1, 1.0)], heartbeat=5.0, step=1)
    first = store.metrics(rid)
    assert list(first.key) == ["loss", "acc"]
    store.log_metrics(rid, [(2, "loss", 1.5, 2.0)])
    new = store.metrics(rid, after_id=int(first.id.max()))
    assert list(zip(new.step, new.key, new.value)) == [(2, "loss", 1.5)]
    assert list(store.metrics(rid, after_step=1).step) == [2]
    assert store.last_metrics(rid) == {"loss": 1.5, "acc": 0.1}
    assert store.get_run(rid).heartbeat == 5.0 and store.get_run(rid).step == 1


def test_media_latest_at_or_before_a_step(store):
    rid = make_run(store, "gan")
    for step in (10, 20, 30):
        store.log_media(rid, step, "samples", bytes([step]), {"s": step})
    assert store.media_steps(rid, "samples") == [10, 20, 30]
    assert store.media(rid, "samples")[0] == 30
    assert store.media(rid, "samples", step=25) == (20, bytes([20]), {"s": 20})
    assert store.media(rid, "samples", step=5) is None
    store.delete_run(rid)
    assert store.get_run(rid) is None and store.media_steps(rid, "samples") == []


@pytest.mark.slow  # writer processes
def test_concurrent_writers_lose_nothing(tmp_path, db_url):
    store = Store(tmp_path, url=db_url)
    ids = [make_run(store) for _ in range(4)]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=race_util.write_metrics, args=(str(tmp_path), db_url, rid, 60, 50)) for rid in ids]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert [store.count_metrics(rid) for rid in ids] == [3000] * 4


def test_store_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("DEEPARCH_DB", raising=False)  # no URL: SQLite in the folder
    s = Store()
    assert s.path == tmp_path / "elsewhere" / "runs.db" and s.path.exists()
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_names_are_cleaned_when_stored(store):
    rid = make_run(store, name="a\u202eb\x00c\n" + "x" * 500)
    name = store.get_run(rid).name
    assert name.startswith("abc x") and len(name) <= 80 and "\u202e" not in name
    store.update_run(rid, name="\u2066z\u2069")
    assert store.get_run(rid).name == "z"


def test_each_run_has_a_folder_of_its_own(store):
    a, b = make_run(store), make_run(store)
    assert store.run_dir(a).name.startswith(f"run-{a}-") and store.run_dir(a) != store.run_dir(b)
    assert store.get_run(a).uid != store.get_run(b).uid


def test_settings_are_shared_by_every_connection(store):
    assert store.setting("max_runs") is None
    store.set_setting("max_runs", "2")
    store.set_setting("max_runs", "3")
    assert Store(store.root).setting("max_runs") == "3"


def test_all_sql_lives_in_the_store():
    """Issue 9.6: views, jobs, the CLI, the pages and the app reach the database only through Store (and
    its dialect layer)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sql = re.compile(r"\.execute(many|script)?\(|\b(SELECT|UPDATE|INSERT|DELETE FROM)\s")
    files = [*root.glob("deeparch/**/*.py"), *root.glob("pages/*.py"), root / "app.py"]
    store = root / "deeparch" / "store"
    offenders = [str(f.relative_to(root)) for f in files
                 if f.parent != store and sql.search(f.read_text())]
    assert offenders == [], f"SQL outside the deeparch/store package: {offenders}"


def test_status_counts_and_run_count(store):
    assert store.run_count() == 0 and store.status_counts() == {}
    a = make_run(store)
    make_run(store)
    store.set_status(a, "running")
    assert store.run_count() == 2 and store.status_counts() == {"running": 1, "queued": 1}


def test_a_new_store_has_every_schema_version(store):
    assert store_mod.schema_version(store.db, store.dialect) == store_mod.LATEST
    rid = make_run(store)
    store.update_run(rid, host="node-1", executor="ray")
    assert (store.get_run(rid).host, store.get_run(rid).executor) == ("node-1", "ray")
    store_mod.upgrade(store.db, store.dialect)  # a second upgrade (another process) finds nothing to do
    assert store.db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == store_mod.LATEST


@pytest.mark.sqlite_only
def test_a_store_from_before_versions_is_migrated(tmp_path):
    """The first release's file (no version table, no later columns) gains every migration, keeping its runs."""
    db = sqlite3.connect(tmp_path / "runs.db")
    for statement in store_mod.split_statements(store_mod._ddl(store_mod.BASE_SCHEMA, store_mod.SQLite)):
        db.execute(statement)
    db.execute("INSERT INTO runs (name, arch, dataset, config, status, created) VALUES "
               "('old', 'cnn', 'mnist-5k', '{}', 'finished', 1.0)")
    db.commit()
    db.close()
    s = Store(tmp_path)
    assert store_mod.schema_version(s.db, s.dialect) == store_mod.LATEST
    assert {"uid", "owner", "sweep", "host", "executor", "handle"} <= store_mod.SQLite.columns(s.db, "runs")
    assert s.get_run(1).name == "old" and s.setting("max_runs") is None


def test_a_run_waits_for_the_run_it_starts_from(store):
    """claim_queued reads init_from out of the JSON config (each dialect its own way)."""
    source = make_run(store)
    cfg = make_config("cnn").to_dict()
    cfg["hp"]["init_from"] = source
    follower = store.create_run(cfg)
    store.set_status(source, "running")
    assert store.claim_queued(4) == []
    store.set_status(source, "finished")
    assert store.claim_queued(4) == [follower]


def test_nan_is_stored_as_null_on_both_backends(store):
    rid = make_run(store)
    store.log_metrics(rid, [(1, "loss", float("nan"), 1.0), (2, "loss", 1.0, 2.0)])
    series, _, n = store.metric_series(rid)
    assert n == 2 and series["loss"][1][0] != series["loss"][1][0] and series["loss"][1][1] == 1.0
    assert store.metrics(rid).value.isna().tolist() == [True, False]
