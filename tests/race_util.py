"""What a child process of a race test runs: it imports only the store and the classroom rules, so each of
the processes a race starts is up in a fraction of a second (a test module's imports bring torch)."""
from __future__ import annotations

from deeparch.execution import classroom
from deeparch.store import OwnerLimitError, Store


def create_at_once(root: str, url: str, barrier, results) -> None:
    """Wait for every racer, then create a run for the student Ana (limit 1); report its id or the refusal."""
    s = Store(root, url=url)
    barrier.wait()
    try:
        results.put(s.create_run({"arch": "cnn", "dataset": "mnist-5k"}, owner="Ana", owner_limit=1,
                                 same_owner=classroom.same_student))
    except OwnerLimitError as e:
        results.put(f"refused at {e.active}/{e.limit}")


def write_metrics(root: str, url: str, run_id: int, batches: int, per_batch: int) -> None:
    """Log ``batches`` batches of ``per_batch`` loss rows for ``run_id``, each with a heartbeat, as a worker does."""
    import time

    s = Store(root, url=url)
    for b in range(batches):
        s.log_metrics(run_id, [(b * per_batch + i, "loss", float(i), time.time()) for i in range(per_batch)],
                      heartbeat=time.time(), step=b)
    s.close()
