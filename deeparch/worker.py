"""Process entry point for one run: ``python -m deeparch.worker RUN_ID [--store DIR]``.

Claims the run, trains it with the store logger, and finalises its status in ``finally``
— finished, stopped, diverged, or failed with the reason — then starts the next queued run.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import traceback

from deeparch.store import Store


class Terminated(Exception):
    pass


def _on_sigterm(signum, frame):
    raise Terminated("worker terminated by a signal")


def run_worker(run_id: int, store: Store) -> str:
    from deeparch import jobs

    run = store.get_run(run_id)
    if run is None:
        print(f"no run {run_id} in {store.path}", file=sys.stderr)
        return "failed"
    if not store.set_status(run_id, "running", only_if=("starting", "queued"), pid=os.getpid(),
                            heartbeat=time.time(), started=run.started or time.time()):
        print(f"run {run_id} is {store.get_run(run_id).status}; not starting it", file=sys.stderr)
        return "skipped"
    status, reason = "failed", "worker exited unexpectedly"
    try:
        import torch

        from deeparch.archs import load_config
        from deeparch.callbacks import StoreLogger
        from deeparch.trainer import Trainer

        torch.set_num_threads(int(os.environ.get("DEEPARCH_THREADS", jobs.threads_per_run())))
        cfg = load_config(run.config)
        trainer = Trainer(cfg, [StoreLogger(store, run_id)], checkpoint=store.run_dir(run_id) / "checkpoint.pt")
        result = trainer.fit()
        status, reason = result.status, result.reason
    except Terminated as e:
        status, reason = "stopped", str(e)
    except (ValueError, RuntimeError, OSError, MemoryError) as e:
        traceback.print_exc()
        status, reason = "failed", f"{type(e).__name__}: {e}".splitlines()[0][:500]
    except BaseException as e:  # noqa: BLE001 - the status must be final whatever happened
        traceback.print_exc()
        status, reason = "failed", f"{type(e).__name__}: {e}".splitlines()[0][:500]
        raise
    finally:
        store.set_status(run_id, status, reason, only_if=("running", "paused", "starting"), pid=os.getpid())
        try:
            jobs.schedule(store)
        except Exception:  # noqa: BLE001 - the next queued run is also started by any reader's reconcile()
            traceback.print_exc()
    return status


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m deeparch.worker", description="Train one run of the store.")
    p.add_argument("run_id", type=int)
    p.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    a = p.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    status = run_worker(a.run_id, Store(a.store))
    return 0 if status in ("finished", "stopped", "diverged") else 1


if __name__ == "__main__":
    sys.exit(main())
