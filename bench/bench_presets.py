"""The generator presets at several seeds, each run alone, judged by the current judge.

    python bench/bench_presets.py [--archs dcgan,diffusion] [--seeds 0,1,2] [--threads 2]
                                  [--out /tmp/presets] [--jobs 1]

Each run is ``python -m deeparch --store OUT/ARCH-SEED train --arch ARCH --seed SEED --threads T``
with no other flag: the preset as a user gets it. The table is read from each run's summary (the
trainer's own final quality pass) and metrics: steps, training seconds, seconds spent sampling and
judging, their share of the wall time, recognisability, coverage, share judged "not a digit",
class agreement (conditional models), and the diagnostics the Live page would show at the end.
``--jobs 2`` runs two at a time (use it with ``--threads 1``). The load average is printed with
each run: figures are only comparable when nothing else shares the cores.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deeparch.engine import diagnose  # noqa: E402
from deeparch.read import views  # noqa: E402
from deeparch.read.series import RunMetrics  # noqa: E402
from deeparch.store import Store  # noqa: E402


def one(arch: str, seed: int, threads: int, out: Path) -> dict:
    store = out / f"{arch}-{seed}"
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "deeparch", "--store", str(store), "train", "--arch", arch,
           "--seed", str(seed), "--threads", str(threads)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    row = {"arch": arch, "seed": seed, "threads": threads, "rc": done.returncode, "wall": wall,
           "load_start": load0, "load_end": os.getloadavg()[0], "command": " ".join(cmd[1:])}
    if done.returncode:
        row["error"] = done.stderr[-2000:]
        return row
    s = Store(store)
    run = s.list_runs()[-1]
    summary = run.summary or {}
    row.update({k: summary.get(k) for k in (
        "total_steps", "train_seconds", "sample_seconds", "quality_seconds", "judge_version",
        "recognisability", "coverage", "not_digits", "class_agreement", "frechet", "judge_is",
        "collapsed")})
    row["status"] = run.status
    row["steps"] = run.step
    df = s.metrics(run.id, keys=["recognisability"])
    row["curve"] = [(int(st), round(float(v), 3)) for st, v in zip(df.step, df.value)]
    rm = RunMetrics(run.id)
    rm.update(s)
    row["diagnostics"] = [note.key for note in diagnose.diagnose(rm, views.loss_key(arch))]
    s.close()
    return row


def table(rows: list[dict]) -> str:
    head = ("| arch | seed | steps | train s | samples+quality s | share of wall | recognisability "
            "| coverage | not digits | agreement | diagnostics at the end | load |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        if r.get("rc"):
            lines.append(f"| {r['arch']} | {r['seed']} | failed: {r.get('error', '')[-80:]} |")
            continue
        side = (r.get("sample_seconds") or 0) + (r.get("quality_seconds") or 0)
        agree = r.get("class_agreement")
        lines.append(
            f"| {r['arch']} | {r['seed']} | {r['steps']:,} | {r.get('train_seconds') or 0:.0f} "
            f"| {side:.0f} | {side / r['wall']:.1%} | {r.get('recognisability', 0):.3f} "
            f"| {r.get('coverage', 0):.3f} | {r.get('not_digits', 0):.3f} "
            f"| {'' if agree is None else f'{agree:.3f}'} | {', '.join(r['diagnostics']) or 'none'} "
            f"| {r['load_start']:.1f}–{r['load_end']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", default="dcgan,cgan,wgan_gp,diffusion,gan")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--out", default="/tmp/presets")
    a = p.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    todo = [(arch, int(seed)) for arch in a.archs.split(",") for seed in a.seeds.split(",")]
    rows = []
    log = out / "rows.jsonl"
    with ThreadPoolExecutor(a.jobs) as pool:
        for row in pool.map(lambda job: one(*job, a.threads, out), todo):
            rows.append(row)
            with open(log, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(json.dumps({k: row.get(k) for k in ("arch", "seed", "steps", "recognisability",
                                                       "coverage", "wall")}), flush=True)
    print(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    print(table(rows))


if __name__ == "__main__":
    main()
