"""Command line: ``python -m deeparch {train,launch,sweep,runs,stop,pause,resume,clone,export,predict,compress,archs,data}``
(the commands that read runs, ``runs`` and ``compress``, are in ``deeparch.cli_runs``; ``export`` and ``predict``
in ``deeparch.cli_export``; ``data``, a teacher's own images, in ``deeparch.cli_data``).

Bad input exits with code 2 and one line on stderr that says why.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from deeparch.present import messages
from deeparch.present.messages import Message
from deeparch.present import i18n
from deeparch.course.config import CLASSIFIER, COMMON, MAX_THREADS, ConfigError, Param, check_count, clip_words
from deeparch.cli_export import cmd_export, cmd_predict
from deeparch.cli_runs import _store, cmd_compress, cmd_runs
from deeparch import cli_data


def _all_params() -> dict[str, Param]:
    """Every hyperparameter any architecture or generated dataset accepts (flags are checked per arch
    and dataset by make_config)."""
    from deeparch.course.archs import ARCHS
    from deeparch.course.data import DATASETS

    out = {p.name: p for p in COMMON + CLASSIFIER}
    for params in [spec.params for spec in ARCHS.values()] + [info.params for info in DATASETS.values()]:
        for p in params:
            out.setdefault(p.name, p)
    return out


def _add_config_args(p: argparse.ArgumentParser) -> None:
    from deeparch.course.archs import ARCHS
    from deeparch.course.data import DATASETS

    p.add_argument("--arch", required=True, choices=list(ARCHS), help="architecture to train")
    p.add_argument("--dataset", default=None, choices=list(DATASETS),
                   help="dataset (default: the architecture's first, mnist-5k for the image ones: embedded, offline)")
    p.add_argument("--name", default=None, help="run name (default: ARCH-ID)")
    g = p.add_argument_group("hyperparameters (defaults: the course preset of --arch; see `python -m deeparch archs`)")
    for name, prm in _all_params().items():
        kind = "flag value true/false" if prm.type is bool else prm.describe_range()
        g.add_argument(f"--{name.replace('_', '-')}", dest=f"hp_{name}", default=None, metavar="V",
                       help=f"{prm.help} ({kind})")


def _config_from(args):
    from deeparch.course.archs import make_config

    hp = {k[3:]: v for k, v in vars(args).items() if k.startswith("hp_") and v is not None}
    return make_config(args.arch, args.dataset, **hp)


def cmd_train(args) -> int:
    """Train in this process through the worker's own run-and-finalise path, with a progress bar."""
    from deeparch.engine.callbacks import ProgressBar
    from deeparch.execution import preflight
    from deeparch.execution.jobs import reconcile
    from deeparch.execution.runner import run_worker, transfer_source

    cfg = _config_from(args)
    check_count("--threads", args.threads, 0, MAX_THREADS, Message("note_torch_threads"))  # before a run is stored
    preflight.require(cfg)  # refused with the reason where this machine cannot train it: precision, memory
    store = _store(args)
    transfer_source(store, cfg)  # init_from: a run that has ended with a checkpoint, or refused here
    run_id = store.create_run(cfg.to_dict(), name=args.name, status="starting")
    print(f"run {run_id} ({cfg.arch} on {cfg.dataset}) → {store.path}", file=sys.stderr)
    status = run_worker(run_id, store, reconcile=reconcile, callbacks=[ProgressBar()], threads=args.threads or None)
    run = store.get_run(run_id)
    shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in run.summary.items()}
    print(json.dumps({"run": run_id, "status": status, "reason": messages.decode(run.reason), **shown}))
    return 0 if status in ("finished", "stopped") else 1


def cmd_launch(args) -> int:
    from deeparch.execution import jobs

    cfg = _config_from(args)
    run_id = jobs.launch(cfg, name=args.name, store=_store(args))
    print(run_id)
    return 0


def cmd_sweep(args) -> int:
    """Queue one run per point of a grid over one or two knobs; print the sweep id and the run ids."""
    from deeparch.execution import sweep

    base = {k[3:]: v for k, v in vars(args).items() if k.startswith("hp_") and v is not None}
    grid = sweep.parse_grid(args.arch, args.grid or [], lang="en")  # KNOB=V1,V2,… whatever --lang says
    clash = sorted(set(grid) & set(base))
    if clash:
        raise ConfigError("grid_twice_flag", flag=clash[0].replace('_', '-'))
    sweep_id, ids = sweep.launch(args.arch, args.dataset, base, grid, store=_store(args),
                                 group=args.name or None)
    print(f"sweep {sweep_id}: {len(ids)} runs queued ({', '.join(grid)})", file=sys.stderr)
    print(" ".join(map(str, ids)))
    return 0


def _control(fn_name):
    def cmd(args) -> int:
        from deeparch.execution import jobs

        store = _store(args)
        jobs.reconcile(store)
        print(f"run {args.run}: {getattr(jobs, fn_name)(args.run, store=store)}")
        return 0
    return cmd


def cmd_clone(args) -> int:
    from deeparch.execution import jobs

    print(jobs.clone(args.run, store=_store(args)))
    return 0


def cmd_lesson(args) -> int:
    """Launch a lesson's runs in the background (a fine-tune waits in the queue for its pre-training)."""
    from deeparch.execution import jobs
    from deeparch.course import lessons

    lesson = lessons.BY_ID[args.lesson]
    store = _store(args)
    common = {"seed": args.seed, **({"max_steps": args.max_steps} if args.max_steps else {})}
    group = lesson.group(time.strftime("%Y-%m-%d %H:%M:%S"))
    names = lesson.run_names()  # in the language of --lang, as the Lessons page names them
    ids = lesson.launch(lesson.configs(**common), lambda cfg, name: jobs.launch(cfg, name=name, store=store,
                                                                                  group=group), names)
    for name, run_id in zip(names, ids):
        print(f"{run_id}\t{name}")
    return 0


def cmd_archs(args) -> int:
    from deeparch.course.archs import ARCHS, schema

    for name, spec in ARCHS.items():
        head = spec.display.headline
        print(f"{name}: {i18n.tr(spec.title)}" + (f" (headline: {i18n.tr(head.label)})" if head else ""))
        for p in schema(name).values():
            print(f"    --{p.name.replace('_', '-'):<16} default {p.default!s:<8} "
                  f"{i18n.tr_error(p.describe_range())}: {i18n.tr(p.help)}  [{i18n.param_label(p.name)}]")
    return 0


def serve_command(args) -> tuple[list[str], dict]:
    """The Streamlit command line and environment ``serve`` runs (the app in the project folder)."""
    check_count("--port", args.port, 1, 65535)
    check_count("--max-runs-per-student", args.max_runs_per_student, 0, 1000, Message("note_default_3"))
    args.address = args.address or ("0.0.0.0" if args.classroom else "127.0.0.1")
    app = Path(__file__).resolve().parent.parent / "app.py"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", args.address,
           "--server.port", str(args.port)]
    env = dict(os.environ)
    if args.store:
        env["DEEPARCH_RUNS"] = str(Path(args.store).resolve())
    if args.classroom:
        env["DEEPARCH_CLASSROOM"] = "1"
        if args.max_runs_per_student:
            env["DEEPARCH_STUDENT_MAX_RUNS"] = str(args.max_runs_per_student)
    return cmd, env


def cmd_serve(args) -> int:
    """Start the app; with --classroom for a room: student names, owners, the teacher's key.

    The teacher key is DEEPARCH_TEACHER_TOKEN, or a fresh one told once on this terminal (never
    in a log or a URL: the teacher types it into the sidebar)."""
    import secrets
    import subprocess

    cmd, env = serve_command(args)
    if args.classroom and not env.get("DEEPARCH_TEACHER_TOKEN"):
        env["DEEPARCH_TEACHER_TOKEN"] = secrets.token_urlsafe(12)
        print(f"teacher key (type it in the sidebar; set DEEPARCH_TEACHER_TOKEN to choose it): "
              f"{env['DEEPARCH_TEACHER_TOKEN']}", file=sys.stderr)
    return subprocess.call(cmd, env=env)


# the commands that steer or read one run never build a model: their parser leaves out the hyperparameter
# flags and the lesson list, whose registries import torch (a second or more before the command answers)
LIGHT = {"stop", "pause", "resume", "clone", "export", "predict", "data"}
_GLOBAL_VALUES = {"--store", "--db", "--lang"}  # global options followed by a value


def command_of(argv: list[str]) -> str | None:
    """The subcommand named in ``argv`` (the first word that is no global option or its value)."""
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a in _GLOBAL_VALUES:
            skip = True
        elif not a.startswith("-"):
            return a
    return None


def build_parser(light: bool = False) -> argparse.ArgumentParser:
    """The whole parser; with ``light``, the one for a LIGHT command (no hyperparameter flags)."""
    p = argparse.ArgumentParser(prog="python -m deeparch", description="Train, watch and compare the course's "
                                "deep architectures. Runs are kept in a store (default runs/).")
    p.add_argument("--store", default=None, help="run store folder (default: $DEEPARCH_RUNS or runs/)")
    p.add_argument("--db", default=None, metavar="URL",
                   help="run store database: postgresql://user@host/db shared by several machines (default: "
                        "$DEEPARCH_DB; none: SQLite runs.db in the store folder); with a password in the URL "
                        "prefer $DEEPARCH_DB: every user of the machine can read a command line")
    p.add_argument("--lang", default=i18n.DEFAULT, choices=list(i18n.LANGS),
                   help="language of the architecture listing and of error messages (default en)")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    add_config = (lambda _: None) if light else _add_config_args
    t = sub.add_parser("train", help="train in the foreground with a progress bar")
    add_config(t)
    t.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    t.set_defaults(fn=cmd_train)

    la = sub.add_parser("launch", help="start a background worker and print the run id")
    add_config(la)
    la.set_defaults(fn=cmd_launch)

    sw = sub.add_parser("sweep", help="queue a grid of runs over one or two knobs (the other settings as given)")
    add_config(sw)
    sw.add_argument("--grid", action="append", metavar="KNOB=V1,V2,…",
                    help="a knob and its values, e.g. lr=1e-4,1e-3,1e-2; give --grid once or twice")
    sw.set_defaults(fn=cmd_sweep)

    r = sub.add_parser("runs", help="list runs")
    r.add_argument("--json", action="store_true", help="machine-readable output")
    r.set_defaults(fn=cmd_runs)

    for name, helptext in (("stop", "stop a run (it checkpoints first)"), ("pause", "pause a running run"),
                           ("resume", "resume a paused run, or restart a stopped/failed one from its checkpoint")):
        c = sub.add_parser(name, help=helptext)
        c.add_argument("run", type=int, help="run id")
        c.set_defaults(fn=_control(name))

    c = sub.add_parser("clone", help="launch a new run with the same configuration")
    c.add_argument("run", type=int, help="run id")
    c.set_defaults(fn=cmd_clone)

    e = sub.add_parser("export", help="take a run out of the lab: its metrics as CSV, TensorBoard event files, a GIF "
                       "of its samples, its model as ONNX or TorchScript (give one or more)")
    e.add_argument("run", type=int, help="run id")
    e.add_argument("--csv", default=None, metavar="FILE", help="the metrics as CSV")
    e.add_argument("--long", action="store_true", help="CSV: one row per (step, key) instead of one per step")
    e.add_argument("--tensorboard", default=None, metavar="FOLDER",
                   help="TensorBoard event files (scalars, image grids, hyperparameters) in FOLDER/run-ID; "
                        "open with tensorboard --logdir FOLDER")
    e.add_argument("--gif", default=None, metavar="FILE", help="an animated GIF of a generator's sample grids, "
                   "one frame per stored grid")
    e.add_argument("--onnx", default=None, metavar="FILE", help="an image classifier's checkpoint as an ONNX model")
    e.add_argument("--torchscript", default=None, metavar="FILE",
                   help="an image classifier's checkpoint as TorchScript (.pt, torch.jit.load)")
    e.set_defaults(fn=cmd_export)

    pr = sub.add_parser("predict", help="run an exported model (.onnx or TorchScript .pt) on an image: the most "
                        "probable classes")
    pr.add_argument("model", help="a model file written by export --onnx or --torchscript")
    pr.add_argument("image", help="an image file (PNG, JPEG…): made 28×28 grey, light ink on dark, as the lab's data")
    pr.add_argument("--top", type=int, default=3, help="how many classes to print (default 3)")
    pr.set_defaults(fn=cmd_predict)

    cp = sub.add_parser("compress", help="prune and/or int8-quantize a finished classifier: size, CPU latency "
                        "and test accuracy before and after")
    cp.add_argument("run", type=int, help="run id (a classifier with a checkpoint)")
    cp.add_argument("--prune", type=float, default=0.0, metavar="S",
                    help="share of weights to zero by L1 magnitude, in [0, 1) (default 0: no pruning)")
    cp.add_argument("--scope", default="global", choices=("global", "layer"),
                    help="prune the smallest weights of the whole model, or the same share of each layer")
    cp.add_argument("--int8", action="store_true", help="dynamic int8 quantization of Linear/LSTM/GRU layers")
    cp.add_argument("--repeats", type=int, default=50, help="timed forward passes per latency (median)")
    cp.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    cp.add_argument("--json", action="store_true", help="machine-readable output")
    cp.set_defaults(fn=cmd_compress)

    ls = sub.add_parser("lesson", help="launch a lesson: a group of runs that shows one idea by contrast")
    if light:
        ls.add_argument("lesson")
    else:
        from deeparch.course.lessons import BY_ID

        ls.add_argument("lesson", choices=list(BY_ID), help="; ".join(f"{k}: {v.title}" for k, v in BY_ID.items()))
    ls.add_argument("--seed", type=int, default=0, help="seed of every run (default 0)")
    ls.add_argument("--max-steps", type=int, default=0, help="cap every run at this many steps (quick try)")
    ls.set_defaults(fn=cmd_lesson)

    a = sub.add_parser("archs", help="list architectures and their hyperparameters")
    a.set_defaults(fn=cmd_archs)

    sv = sub.add_parser("serve", help="start the browser app (with --classroom: for a room of students)")
    sv.add_argument("--classroom", action="store_true",
                    help="students name themselves and control only their own runs; the teacher unlocks all "
                         "with DEEPARCH_TEACHER_TOKEN; listens on every interface unless --address says otherwise")
    sv.add_argument("--address", default=None, help="address to listen on (default 127.0.0.1; 0.0.0.0 with --classroom)")
    sv.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    sv.add_argument("--max-runs-per-student", type=int, default=0,
                    help="runs a student may have queued or training at once (default 3)")
    sv.set_defaults(fn=cmd_serve)

    cli_data.add_parser(sub)
    return p


def _said(msg: str) -> str:
    """An error message as the terminal shows it: in the reader's language, on one line, a huge value it
    repeats cut short, and the database password or the teacher's key masked should a driver repeat them."""
    from deeparch.store import redact

    msg = redact(i18n.tr_error(msg), os.environ.get("DEEPARCH_DB"))
    token = os.environ.get("DEEPARCH_TEACHER_TOKEN")
    if token:
        msg = msg.replace(token, "***")
    return clip_words(" ".join(msg.split()))


def main(argv=None) -> int:
    from deeparch.store import StoreError, db_errors, default_root, is_server_url, shown_url

    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(light=command_of(argv) in LIGHT)
    args = parser.parse_args(argv)
    i18n.set_resolver(None)  # the command line speaks --lang, even in a process where a page once ran
    i18n.set_lang(args.lang)
    if args.db is not None:
        os.environ["DEEPARCH_DB"] = args.db  # for every store of this process and the workers it starts
    refusals = (ConfigError, KeyError, StoreError)
    try:
        return args.fn(args)
    except db_errors() as e:  # a store that turned read-only, full or corrupt under us (or a server gone)
        url = os.environ.get("DEEPARCH_DB", "")
        where = shown_url(url) if is_server_url(url) else (Path(args.store) if args.store else default_root()) / "runs.db"
        msg = f"the run store {where} cannot be used ({e}); free some space, check its permissions, " \
              "or move a corrupt runs.db aside"
    except Exception as e:
        data = sys.modules.get("deeparch.course.data")  # a DataError can come only from a command that imported it
        if not isinstance(e, refusals + ((data.DataError,) if data else ())):
            raise
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
    print(f"error: {_said(msg)}", file=sys.stderr)
    return 2
