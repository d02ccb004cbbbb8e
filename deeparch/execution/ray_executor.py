"""The Ray executor (``DEEPARCH_EXECUTOR=ray``): each run trains as a Ray task on any node of a cluster.

Ray is imported only here, and only when a run is started, checked or ended through it. Per run,
``start`` creates a small *detached* supervisor actor (no CPU, so it is placed at once and outlives the
CLI call or page that launched it). The supervisor submits the training task with the CPUs a run asks
for (``DEEPARCH_RAY_CPUS``, default 1: the run's torch threads), so a run waits in Ray's own queue until
a node has them, and while it waits the supervisor beats its heartbeat. The task is the worker's one
"run and finalise" path (``deeparch.execution.runner.run_worker``): stop / pause / resume go through the store's
control flag exactly as with local processes. When the task's worker process or node dies, ``ray.get``
raises Ray's own error and the supervisor writes it as the run's ``failed`` reason at once. A resumed
run is a new task, on whichever node has room, from the checkpoint in the shared runs folder.

The cluster is ``$RAY_ADDRESS`` if set; otherwise a Ray already started on this machine
(``ray start --head``), and if there is none, a launch starts one here with ``ray start --head`` so
that it outlives this process. Reading never starts a cluster. Before any ``ray.init`` the cluster's
address is probed with a plain TCP connection of ``PROBE_S`` seconds (``ray.init`` on a dead address
retries for minutes): a launch on an absent cluster is refused in one line, and a read (``runs``, a
page) goes on without Ray — queued runs stay queued, running ones are judged by their heartbeat,
like a hung local worker. An absent cluster is not probed again for ``DOWN_FOR_S`` seconds.
"""
from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from deeparch.course.config import ConfigError
from deeparch.execution.limits import heartbeat_timeout
from deeparch.present import messages
from deeparch.present.messages import Message

NAMESPACE = "deeparch"
name = "ray"


class Unavailable(ConfigError):
    """Ray is not installed or its cluster cannot be reached; the message says which (a ConfigError: the
    command line prints it in one line, a page as a refusal)."""


PROBE_S = 2.0  # how long a TCP connection to the cluster's address may take before it counts as absent
DOWN_FOR_S = 10.0  # an absent cluster is not probed again sooner (a page reconciles every 2 s)
_down_until: dict[str, float] = {}


def _address() -> str | None:
    return os.environ.get("RAY_ADDRESS") or None


def _local_address() -> str | None:
    """The address of the Ray last started on this machine (``ray start`` writes it), if any."""
    folder = Path(os.environ.get("RAY_TMPDIR") or "/tmp") / "ray"
    try:
        return (folder / "ray_current_cluster").read_text().strip() or None
    except OSError:
        return None


def reachable(address: str, timeout: float = PROBE_S) -> bool:
    """Does something listen at the cluster's ``host:port`` (a ``ray://`` client address too)? Answered
    within ``timeout`` seconds; a recent 'no' is remembered for ``DOWN_FOR_S``."""
    if time.monotonic() < _down_until.get(address, 0.0):
        return False
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout):
            return True
    except (OSError, ValueError):
        _down_until[address] = time.monotonic() + DOWN_FOR_S
        return False


def connect(start: bool = False) -> None:
    """Join the cluster (idempotent). With ``start`` (a launch), start a local head when neither
    RAY_ADDRESS nor a running local Ray names one; otherwise Unavailable, within about ``PROBE_S``."""
    try:
        import ray
    except ImportError:
        raise Unavailable("ray_missing") from None
    if ray.is_initialized():
        return
    env = {"env_vars": _worker_env()}
    given = _address()
    address = given if given and given != "auto" else _local_address()
    if address and reachable(address):
        try:
            ray.init(address=address, namespace=NAMESPACE, runtime_env=env, log_to_driver=False,
                     logging_level="ERROR", configure_logging=False)
            return
        except ConnectionError as e:
            raise Unavailable("ray_cannot_join", address=str(address), error=" ".join(str(e).split())[:200]) from None
    if given and given != "auto":
        raise Unavailable("ray_no_answer", address=str(given), probe=PROBE_S)
    if not start:
        raise Unavailable("ray_none_running")
    # the head's processes get no DEEPARCH_ variable beyond the allow-list: not the database URL, not the key
    head_env = {**{k: v for k, v in os.environ.items() if not k.startswith("DEEPARCH_")}, **_worker_env()}
    p = subprocess.run([sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--disable-usage-stats",
                        "--include-dashboard=false"], capture_output=True, text=True, timeout=120, env=head_env)
    if p.returncode != 0:
        raise Unavailable("ray_cannot_start", output=(p.stderr or p.stdout).strip()[-300:])
    ray.init(address="auto", namespace=NAMESPACE, runtime_env=env, log_to_driver=False, logging_level="ERROR",
             configure_logging=False)


# the settings a Ray worker reads, and nothing else: Ray writes a job's runtime environment in plain text
# to its logs (runtime_env_agent.log), so never the teacher's key, never the database URL (the run's
# supervisor is handed the URL as an argument), never the slot limit (the store's)
WORKER_ENV = ("DEEPARCH_RUNS", "DEEPARCH_DATA", "DEEPARCH_HEARTBEAT_TIMEOUT", "DEEPARCH_STOP_GRACE",
              "DEEPARCH_RAY_CPUS")


def _worker_env() -> dict[str, str]:
    """What a Ray worker needs to be a deeparch worker: this package importable, the dataset cache, the
    timeouts, and this executor for the runs it starts when it reconciles (an allow-list: ``WORKER_ENV``)."""
    root = str(Path(__file__).resolve().parents[2])
    env = {k: os.environ[k] for k in WORKER_ENV if k in os.environ}
    env.update(DEEPARCH_EXECUTOR="ray", PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    return env


def cpus_per_run() -> int:
    from deeparch.course.config import env_number

    return env_number("DEEPARCH_RAY_CPUS", 1, kind=int, low=1)


_JOBS: dict = {}


def bind(reconcile, try_reconcile) -> None:
    """What the job system hands this executor (``deeparch.execution.jobs.executor``): its ``reconcile``, which a
    run's training task calls once the run has ended, and ``try_reconcile``, which each run's supervisor
    calls while it waits. Passed in, not imported, so jobs → executor is the only direction; Ray sends
    module-level functions to the actor by reference."""
    _JOBS.update(reconcile=reconcile, try_reconcile=try_reconcile)


def reason(error: BaseException) -> str:
    """Ray's own account of a failed task, in one line: the error class and its first sentence."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    return f"Ray: {type(error).__name__}: {lines[0] if lines else 'no detail'}"[:500]


@functools.cache
def _remote():
    """The supervisor actor class and the training task, defined once Ray is imported."""
    import ray

    @ray.remote(max_retries=0)
    def train(run_id: int, root: str, url: str, threads: int, reconcile) -> str:
        from deeparch.execution.runner import run_worker
        from deeparch.store import Store

        # a run this task's end starts (its reconcile) trains on Ray too, whatever this Ray worker inherited
        os.environ.update(DEEPARCH_THREADS=str(threads), OMP_NUM_THREADS=str(threads), DEEPARCH_EXECUTOR="ray")
        store = Store(root, url=url)
        try:
            return run_worker(run_id, store, reconcile=reconcile, threads=threads)
        finally:
            store.close()

    @ray.remote(num_cpus=0, max_restarts=0)
    class Supervisor:
        """Waits for one run's training task; reports how it ended if the task could not."""

        def __init__(self, run_id: int, root: str, url: str, cpus: int, reconcile, finish, poll: float):
            args = (run_id, root, url, cpus, reconcile, finish, poll)
            threading.Thread(target=self._watch, args=args, daemon=True, name=f"supervise-{run_id}").start()

        @staticmethod
        def _watch(run_id: int, root: str, url: str, cpus: int, reconcile, finish, poll: float) -> None:
            """``reconcile`` while the task runs (leaves a full store alone); ``finish``: the task's own, once
            the run has ended."""
            from deeparch.store.lifecycle import LIVE
            from deeparch.store import Store

            # the queued runs this supervisor's reconcile starts go to Ray, not to a process of this Ray worker
            # (which its actor's end would take down with it: 'worker process died')
            os.environ["DEEPARCH_EXECUTOR"] = "ray"
            store = Store(root, url=url)
            ref = train.options(num_cpus=cpus).remote(run_id, root, url, cpus, finish)
            try:
                while not ray.wait([ref], timeout=poll)[0]:
                    run = store.get_run(run_id)
                    if run is not None and run.status == "starting":  # still in Ray's queue: not hung
                        store.log_metrics(run_id, [], heartbeat=time.time())
                    reconcile(store)
                ray.get(ref)
            except ray.exceptions.RayError as e:  # the worker or its node died: Ray says how
                run = store.get_run(run_id)
                if run is not None and run.status in LIVE:
                    store.set_status(run_id, "failed", reason(e), only_if=LIVE,
                                     ended=run.heartbeat or time.time())
            except Exception:  # noqa: BLE001 - a store gone away: the heartbeat timeout finalises the run
                traceback.print_exc()
            finally:
                try:
                    reconcile(store)
                finally:
                    store.close()
                    ray.kill(ray.get_runtime_context().current_actor, no_restart=True)

    return Supervisor


def ready(store) -> bool:
    """True when runs can be started now; otherwise queued runs wait (the sidebar says why). Never starts
    a cluster: a launch has joined or started one before it queues (``prepare``)."""
    try:
        connect()
        return True
    except Unavailable:
        return False


def prepare(store) -> None:
    """Before a launch queues a run: join the cluster, or start a local one when none is named or
    running; Unavailable (nothing queued) when the named cluster does not answer."""
    try:
        connect(start=True)
    except Unavailable as e:
        raise Unavailable("ray_nothing_launched", error=messages.of(e)) from None


def start(store, run_id: int) -> dict:
    """Start a claimed run: its supervisor actor, named so that any process of the cluster can find it."""
    run = store.get_run(run_id)
    handle = f"deeparch-run-{run_id}-{(run.uid or '')[:8]}-{time.time_ns() % 10**9}"
    store.run_dir(run).mkdir(parents=True, exist_ok=True)
    poll = min(5.0, max(0.2, heartbeat_timeout() / 4))
    _remote().options(name=handle, namespace=NAMESPACE, lifetime="detached").remote(
        run_id, str(store.root.resolve()), store.url, cpus_per_run(), _JOBS["try_reconcile"],
        _JOBS["reconcile"], poll)
    return {"handle": handle, "pid": None}


def _actor(run, join: bool = False):
    """The run's supervisor actor, None when it is gone, or False when this process cannot tell: no Ray,
    or not joined to the cluster and not asked to (a quick CLI read does not pay for joining; the
    heartbeat timeout still judges the run)."""
    if not run.handle:
        return False
    try:
        import ray
    except ImportError:
        return False
    if not ray.is_initialized():
        if not join:
            return False
        try:
            connect()
        except Unavailable:
            return False
    try:
        return ray.get_actor(run.handle, namespace=NAMESPACE)
    except ValueError:
        return None


def check(store, run, now: float) -> bool | None:
    """Finalise a live run whose supervisor is gone with its node (True); None: judge it by its heartbeat."""
    from deeparch.store.lifecycle import LIVE

    if _actor(run) is not None:
        return None
    fresh = store.get_run(run.id)  # the supervisor may have finalised it and exited in between
    if fresh is None or fresh.status not in LIVE or fresh.handle != run.handle:
        return False
    return store.set_status(run.id, "failed", Message("ray_actor_gone").encode(), only_if=(fresh.status,),
                            ended=fresh.heartbeat or now)


def end(run, sig=None, wait_s: float = 0.0) -> None:
    """End a run's supervisor, and with it (Ray's owner fate-sharing) its training task."""
    import ray

    actor = _actor(run, join=True)
    if actor:
        ray.kill(actor, no_restart=True)
    if wait_s:
        deadline = time.monotonic() + wait_s
        while _actor(run) and time.monotonic() < deadline:
            time.sleep(0.2)


def capacity() -> dict | None:
    """CPUs and GPUs of the cluster: {"cpus_free", "cpus", "gpus_free", "gpus", "nodes"}; None if unreachable."""
    try:
        connect()
        import ray

        total, free = ray.cluster_resources(), ray.available_resources()
    except (Unavailable, ConnectionError, RuntimeError):
        return None
    return {"cpus": total.get("CPU", 0.0), "cpus_free": free.get("CPU", 0.0), "gpus": total.get("GPU", 0.0),
            "gpus_free": free.get("GPU", 0.0), "nodes": sum(1 for n in ray.nodes() if n.get("Alive"))}
