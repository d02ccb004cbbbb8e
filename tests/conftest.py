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




# ---- run-store backends and executors ------------------------------------------------------------------------
# Modules with BOTH_BACKENDS = True run every test that uses `store` or `db_url` on SQLite and on
# PostgreSQL (a test marked `sqlite_only` on SQLite alone). PostgreSQL is a throwaway server started
# from Debian's binaries for the session (or $DEEPARCH_TEST_PG, an admin URL of an existing one); each
# test gets a database of its own. Without the binaries or psycopg the PostgreSQL half is skipped,
# except under CI=true, where it must run.
# Pairs of (backend, executor) for tests that also take `executor`: Ray is tried against PostgreSQL,
# the combination a cluster uses (SQLite under Ray works the same on one machine).
PAIRS = [("sqlite", "local"), ("postgresql", "local"), ("postgresql", "ray")]


def pytest_generate_tests(metafunc):
    if "db_url" not in metafunc.fixturenames or not getattr(metafunc.module, "BOTH_BACKENDS", False):
        return
    marked = metafunc.definition.get_closest_marker
    if "executor" in metafunc.fixturenames:
        pairs = [p for p in PAIRS if not (marked("sqlite_only") and p[0] != "sqlite")
                 and not (marked("local_only") and p[1] != "local") and not (marked("ray_only") and p[1] != "ray")
                 and not (marked("sqlite_or_ray") and p == ("postgresql", "local"))]
        metafunc.parametrize(("db_url", "executor"), pairs, indirect=True, ids=["-".join(p) for p in pairs])
    else:
        metafunc.parametrize("db_url", ["sqlite"] if marked("sqlite_only") else ["sqlite", "postgresql"],
                             indirect=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: a test of SQLite's own file handling (not run on PostgreSQL)")
    config.addinivalue_line("markers", "local_only: a test of local worker processes (not run on Ray)")
    config.addinivalue_line("markers", "ray_only: a test of the Ray executor alone")
    config.addinivalue_line("markers", "sqlite_or_ray: run on SQLite-local and PostgreSQL-Ray only (the PostgreSQL "
                                       "store under local workers is tested by the same steps in test_jobs)")


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must test the PostgreSQL store (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server():
    """An admin URL of a PostgreSQL server for this session, or the reason there is none."""
    import pg_util

    if os.environ.get("DEEPARCH_TEST_PG"):
        yield os.environ["DEEPARCH_TEST_PG"]
        return
    try:
        import psycopg  # noqa: F401
    except ImportError:
        yield "psycopg is not installed (python3 -m pip install 'psycopg[binary]')"
        return
    server = pg_util.TempServer()
    try:
        url = server.start()
    except pg_util.Unavailable as e:
        server.stop()
        yield str(e)
        return
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def db_url(request, monkeypatch):
    """'' for SQLite, or the URL of a fresh PostgreSQL database; also set as DEEPARCH_DB for workers and CLI
    calls started by the test."""
    if getattr(request, "param", "sqlite") == "sqlite":
        monkeypatch.delenv("DEEPARCH_DB", raising=False)
        return ""
    import pg_util

    server = request.getfixturevalue("pg_server")
    if "://" not in server:
        _unavailable(server)
    url = pg_util.fresh_database(server)
    monkeypatch.setenv("DEEPARCH_DB", url)
    return url


@pytest.fixture
def store(tmp_path, monkeypatch, db_url):
    from deeparch.store import Store

    monkeypatch.setenv("DEEPARCH_RUNS", str(tmp_path / "runs"))
    s = Store(tmp_path / "runs", url=db_url)
    yield s
    s.close()


@pytest.fixture(scope="session")
def ray_cluster():
    """The address of a Ray started in this process for the session (its workers import deeparch from
    this checkout), or the reason there is none. One per session: Ray takes seconds to start."""
    try:
        import ray
    except ImportError:
        yield "ray is not installed (python3 -m pip install 'ray>=2.9')"
        return
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    ctx = ray.init(num_cpus=2, namespace="deeparch", include_dashboard=False, object_store_memory=100 << 20,
                   log_to_driver=False, logging_level="ERROR", configure_logging=False)
    try:
        yield ctx.address_info["gcs_address"]
    finally:
        ray.shutdown()


@pytest.fixture
def executor(request, monkeypatch):
    """'local' or 'ray' (DEEPARCH_EXECUTOR, with RAY_ADDRESS for CLI calls started by the test)."""
    name = getattr(request, "param", "local")
    if name == "local":
        monkeypatch.delenv("DEEPARCH_EXECUTOR", raising=False)
        return name
    address = request.getfixturevalue("ray_cluster")
    if ":" not in address:
        _unavailable(address)
    monkeypatch.setenv("DEEPARCH_EXECUTOR", "ray")
    monkeypatch.setenv("RAY_ADDRESS", address)
    return name


# ---- the fast tier ------------------------------------------------------------------------------------------
# `python -m pytest -m "not slow"` is the fast tier: unit tests, page tests under AppTest and the SQLite store,
# in about two minutes on 2 cores. Its promise is kept by construction, not by a list: everything that needs
# PostgreSQL, Ray or a browser is marked slow here, and in the fast tier a test that starts a worker process
# or a server fails, telling its author to mark it slow.
SLOW_FIXTURES = {"browser", "server", "pg", "pg_server", "ray_cluster"}


def _fast_tier(config) -> bool:
    expr = " ".join((config.getoption("-m") or "").split())
    return "not slow" in expr


# Under pytest-xdist (`-n 2`, the README's test command) the tests are spread over worker processes with
# `--dist loadgroup` (pyproject.toml): everything on Ray shares one worker, so one Ray starts per session and
# a test that counts Ray's processes sees no other test's; a browser module shares one worker, so its
# module-scoped server and Chromium start once. The slow tests are handed out first: a long one started last
# would leave the other worker idle at the end. The judge ships with the lab (deeparch/assets); the dataset
# cache is written atomically, so two workers may both build it without harm.
RAY_MODULES = {"test_ray_gone"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        names = set(getattr(item, "fixturenames", ()))
        module = item.module.__name__.rpartition(".")[2] if getattr(item, "module", None) else ""
        if SLOW_FIXTURES & names or params.get("db_url") == "postgresql" \
                or params.get("executor") == "ray" or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        if params.get("executor") == "ray" or "ray_cluster" in names or module in RAY_MODULES:
            item.add_marker(pytest.mark.xdist_group("ray"))
        elif module.startswith("test_browser"):
            item.add_marker(pytest.mark.xdist_group(module))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable: slow first, order kept


@pytest.fixture(autouse=True)
def _no_processes_in_the_fast_tier(request, monkeypatch):
    if not _fast_tier(request.config):
        return
    import subprocess

    real = subprocess.Popen.__init__

    def guarded(self, args, *a, **kw):
        words = " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)
        if any(w in words for w in ("deeparch.execution.worker", "streamlit", "chromium", "ray.scripts", "deeparch ",
                                    "-m deeparch")):
            raise RuntimeError(f"the fast tier starts no process ({words[:120]}): mark this test "
                               "@pytest.mark.slow")
        real(self, args, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "__init__", guarded)
