"""The CUDA path, checked on a machine with a GPU: device choice, mixed precision, resume, workers.

For every architecture and every precision this machine can run (fp32, bf16, fp16, auto), a short
run of the trainer on the default device: its weights and data must live there, its losses stay
finite, and ``auto`` must pick fp16 on CUDA. Then an fp16 run is stopped at a checkpoint and resumed:
the gradient scaler's scale must come back with it, and the resumed run must end where an unbroken
one does. Then one background worker (``python -m deeparch launch``) trains on the GPU to the end.
Last, a pace check: steps per second of the course CNN and the DCGAN on the GPU against the CPU,
in the same process.

    python bench/gpu_check.py [--steps 60] [--out DIR]

Prints one line per check, then the pace figures; exits 1 if any check failed (--out DIR also writes
them to DIR/gpu_check.json). On a machine without CUDA it runs the CPU half (fp32 and, where the CPU
supports it, bf16), so the script can be tried before device time is spent on it.
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from deeparch.engine import precision  # noqa: E402
from deeparch.course.archs import ARCHS, make_config  # noqa: E402
from deeparch.course.config import ConfigError  # noqa: E402
from deeparch.engine.trainer import Callback, Trainer  # noqa: E402

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


class Losses(Callback):
    """Every logged loss-like value."""

    def __init__(self):
        self.values: list[float] = []

    def on_metrics(self, step, values):  # noqa: ARG002
        self.values += [float(v) for k, v in values.items() if "loss" in k and isinstance(v, (int, float))]


class StopAt(Callback):
    """Stops the run at ``step`` (the trainer checkpoints a stopped run), as a user's stop would."""

    def __init__(self, step: int):
        self.step = step

    def on_step(self, trainer):
        return "stop" if trainer.step >= self.step else None


# training only: no evaluation, sample grids or quality figures within these short runs
QUIET = {"sample_every": 10 ** 6, "quality_every": 10 ** 6, "eval_every": 10 ** 6}


def short_run(arch: str, prec: str, steps: int, device: str, ckpt: Path | None = None, stop_at: int = 0):
    cfg = make_config(arch, precision=prec, max_steps=steps, log_every=1, **QUIET)
    losses = Losses()
    tr = Trainer(cfg, [losses] + ([StopAt(stop_at)] if stop_at else []), checkpoint=ckpt, device=device)
    tr.setup()
    t = time.perf_counter()
    tr.fit()
    if device == "cuda":
        torch.cuda.synchronize()
    return tr, losses.values, time.perf_counter() - t


def precisions(device: str) -> list[str]:
    out = []
    for p in precision.CHOICES:
        try:
            precision.plan(p, device)
            out.append(p)
        except ConfigError:
            pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--pace-seconds", type=float, default=20)
    ap.add_argument("--archs", default=",".join(ARCHS))
    ap.add_argument("--out", default=None, help="folder for gpu_check.json")
    a = ap.parse_args()
    device = precision.training_device()
    name = torch.cuda.get_device_name(0) if device == "cuda" else "CPU"
    print(f"torch {torch.__version__}, default device {device} ({name})", flush=True)
    check(torch.device(device).type == ("cuda" if torch.cuda.is_available() else "cpu"),
          "the default training device is the GPU where one exists")
    check(precision.plan("auto", device).name == ("fp16" if device == "cuda" else
                                                  ("bf16" if precision.cpu_bf16() else "fp32")),
          f"auto means {precision.plan('auto', device).name} on {device}")
    rows = []
    for arch in a.archs.split(","):
        for prec in precisions(device):
            try:
                tr, losses, secs = short_run(arch, prec, a.steps, device)
            except Exception as e:  # noqa: BLE001 - reported as a failed check with its reason
                check(False, f"{arch} {prec}: {type(e).__name__}: {e}")
                continue
            where = {p.device.type for p in tr.model.parameters()} | {tr.x.device.type}
            finite = bool(losses) and all(math.isfinite(v) for v in losses)
            check(where == {torch.device(device).type} and finite and tr.step == a.steps,
                  f"{arch} {prec} ({tr.precision.name}): {tr.step} steps on {sorted(where)}, "
                  f"losses finite: {finite}, last {losses[-1] if losses else float('nan'):.4g}")
            rows.append({"arch": arch, "precision": prec, "plan": tr.precision.name, "steps": tr.step,
                         "seconds": round(secs, 3), "last_loss": losses[-1] if losses else None})

    # fp16 (or the CPU's best) resumed from a checkpoint: the scale comes back, the end matches
    prec = "fp16" if device == "cuda" else "fp32"
    with tempfile.TemporaryDirectory() as d:
        half = a.steps // 2
        tr1, _, _ = short_run("cnn", prec, a.steps, device, Path(d) / "a.pt", stop_at=half)
        scale = tr1.model.scaler.get_scale() if tr1.model.scaler else None
        tr2 = Trainer(tr1.cfg, [], checkpoint=Path(d) / "a.pt", device=device)
        tr2.setup()
        resumed = tr2.model.scaler.get_scale() if tr2.model.scaler else None
        check(tr2.step == half and resumed == scale,
              f"{prec} resume: back at step {tr2.step}, scale {resumed} (saved {scale})")
        tr2.fit()
        whole, _, _ = short_run("cnn", prec, a.steps, device)
        diff = max((p - q).abs().max().item() for p, q in zip(tr2.model.parameters(), whole.model.parameters()))
        check(diff < 1e-2, f"{prec} resumed run ends {diff:.2e} from an unbroken one (max weight difference)")

    # one background worker, through the CLI, to the end
    with tempfile.TemporaryDirectory() as store:
        cmd = [sys.executable, "-m", "deeparch", "--store", store]
        rid = subprocess.run(cmd + ["launch", "--arch", "cnn", "--max-steps", str(a.steps), "--precision", "auto"],
                             cwd=ROOT, capture_output=True, text=True, check=False)
        check(rid.returncode == 0, f"worker launched: {rid.stdout.strip() or rid.stderr.strip()[-300:]}")
        from deeparch.execution import jobs
        from deeparch.store import Store
        s = Store(store)
        run = s.list_runs()[0] if s.list_runs() else None
        if run:
            jobs.wait(run.id, s, timeout=300)
            run = s.get_run(run.id)
            check(run.status == "finished", f"worker run #{run.id} ended {run.status}: {run.reason or ''}")

    # pace: the GPU against the CPU, same process, same steps
    pace = {}
    for arch in ("cnn", "dcgan"):
        for dev in sorted({device, "cpu"}):
            prec = "auto" if dev == "cuda" else "fp32"
            cfg = make_config(arch, precision=prec, max_minutes=a.pace_seconds / 60, max_steps=0, epochs=1000,
                              **QUIET)
            tr = Trainer(cfg, [], device=dev)
            tr.setup()
            t = time.perf_counter()
            tr.fit()
            pace[f"{arch} {dev} {tr.precision.name}"] = tr.step / (time.perf_counter() - t)
    for k, v in pace.items():
        print(f"pace  {k:24s} {v:8.1f} steps/s", flush=True)

    if a.out:
        Path(a.out).mkdir(parents=True, exist_ok=True)
        (Path(a.out) / "gpu_check.json").write_text(json.dumps(
            {"device": name, "torch": torch.__version__, "rows": rows, "pace": pace, "failures": failures},
            indent=1))
    print(f"{len(failures)} failed" if failures else "all checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
