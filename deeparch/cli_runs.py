"""The commands that read runs: ``runs`` (the list) and ``compress`` (a finished classifier pruned and
quantized); ``deeparch.cli`` parses their arguments and calls them (``export`` and ``predict``: ``deeparch.cli_export``).
"""
from __future__ import annotations

import json
import sys

from deeparch.present import i18n, messages
from deeparch.present.text import clean_name


def _store(args, readonly: bool = False):
    from deeparch.store import Store

    return Store(args.store, readonly=readonly)


def _runs_rows(store):
    from deeparch.execution import jobs
    from deeparch.read import views

    if not jobs.try_reconcile(store):
        print(f"note: {store.path} cannot be written (full or read-only disk); statuses as last recorded",
              file=sys.stderr)
    rows = []
    for r in store.list_runs():
        last = store.last_metrics(r.id)
        head = views.display(r.arch, r.dataset).headline  # the figure the architecture declares as its headline
        rows.append({"id": r.id, "name": clean_name(r.name), "arch": r.arch, "dataset": r.dataset, "status": r.status,
                     "reason": messages.decode(r.reason), "pid": r.pid, "step": r.step, "total_steps": r.total_steps,
                     "elapsed_s": round(r.elapsed, 1), "metrics": last,
                     "headline": head.label if head else None,
                     "headline_value": views.headline_value(r, {**last, **r.summary}),
                     # a generator's headline never alone: its coverage, what its samples are, which judge
                     "coverage": {**last, **r.summary}.get("coverage"),
                     "not_digits": {**last, **r.summary}.get("not_digits"),
                     "verdict": views.verdict({**last, **r.summary}),
                     "judge_version": views.judge_version({**last, **r.summary}),
                     "device": views.device_cell(r.summary) or None})  # "cpu · fp32": where and how it trained
    return rows


def headline_text(r: dict) -> str:
    """A run's headline for the runs list: a generator's with its coverage beside it, or what its samples
    are instead (no digits, mode collapse); marked when an older judge measured it."""
    from deeparch.engine.quality import JUDGE_VERSION

    if r["verdict"] == "not_digits" and r["not_digits"] is not None:
        text = i18n.tr("no digits: {share:.0%} of the samples").format(share=r["not_digits"])
    elif r["verdict"] == "collapsed" and r["coverage"] is not None:
        text = i18n.tr("mode collapse: coverage {coverage:.2f}").format(coverage=r["coverage"])
    elif r["headline_value"] is None:
        return ""
    else:
        text = f"{r['headline']} {r['headline_value']:.4g}"
        if r["coverage"] is not None:
            text += " · " + i18n.tr("coverage {coverage:.2f}").format(coverage=r["coverage"])
    if r["judge_version"] is not None and r["judge_version"] != JUDGE_VERSION:
        text += " · " + i18n.tr("judge v{version}, not comparable").format(version=r["judge_version"])
    return text


def cmd_runs(args) -> int:
    rows = _runs_rows(_store(args))
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        print("no runs yet: try `python -m deeparch launch --arch cnn --max-steps 200`")
        return 0
    head = f"{'id':>4}  {'name':<18} {'arch':<11} {'status':<9} {'step':>12}  {'elapsed':>8}  {'device':<13}  headline"
    print(head)
    for r in rows:
        latest = headline_text(r)
        if r["reason"] and r["status"] in ("failed", "diverged"):
            latest = f"{latest}  ({r['reason']})".strip()
        step = f"{r['step']}/{r['total_steps'] or '?'}"
        print(f"{r['id']:>4}  {r['name'][:18]:<18} {r['arch']:<11} {r['status']:<9} {step:>12}  "
              f"{r['elapsed_s']:>7.0f}s  {r['device'] or '':<13}  {latest}")
    return 0


def cmd_compress(args) -> int:
    """Prune and/or quantize a finished classifier; print the before/after table (and keep it for the app)."""
    from deeparch.engine import compress

    store = _store(args)
    report = compress.compress(store, args.run, args.prune, args.int8, args.scope, args.repeats, args.threads or None)
    compress.save(store, report)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
        return 0
    print(f"run {report.run_id} ({report.arch}), {report.threads} thread(s), latency median of {report.repeats} "
          "repeats (batch 256: a fifth as many)")
    print(f"{'variant':<24} {'size':>9} {'gzip':>9} {'sparsity':>8} {'b1 ms':>8} {'b256 ms':>8} {'test acc':>8} "
          f"{'agree':>6}")
    for r in report.rows:
        print(f"{r.variant:<24} {r.size_bytes / 1e6:>7.2f}MB {r.size_gzip_bytes / 1e6:>7.2f}MB {r.sparsity:>8.1%} "
              f"{r.latency_b1_ms:>8.2f} {r.latency_b256_ms:>8.1f} {r.test_acc:>8.2%} {r.agree:>6.1%}")
    if report.quantized:
        print("int8: " + ", ".join(report.quantized) + "; float32 kept: " + (", ".join(report.kept_float) or "none"))
    return 0
