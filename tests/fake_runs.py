"""Runs written straight into a store, without training: for page tests, screenshots and benchmarks.

Each helper writes what the trainer would have written: the metric keys the architecture
declares (its panels' lines: per step, or at each evaluation for lines drawn with markers),
gradient rows under the trainer's own layer names (the model built from the config and
grouped by ``deeparch.engine.trainer.layer_groups``) and a media row for each declared view, so the
pages see a realistic store in milliseconds.
"""
from __future__ import annotations

import functools
import math
import time
import uuid

import numpy as np
import torch

from deeparch.present import images
from deeparch.course.archs import get_arch, make_config
from deeparch.present.display import COMMON_PANELS
from deeparch.present.messages import Message
from deeparch.engine.quality import JUDGE_VERSION
from deeparch.store import Store
from deeparch.engine.trainer import layer_groups

# how some declared keys move in a fake run; any other declared key follows GENERIC
SHAPES = {
    "loss": lambda s, r: 2.3 * math.exp(-s / 80) + 0.1 + 0.05 * r.random(),
    "train_acc": lambda s, r: min(1.0, 0.1 + 0.9 * (1 - math.exp(-s / 60)) - 0.05 * r.random()),
    "test_loss": lambda s, r: 2.3 * math.exp(-s / 90) + 0.15,
    "test_acc": lambda s, r: 0.1 + 0.85 * (1 - math.exp(-s / 70)),
    "recognisability": lambda s, r: min(1, s / 300),
    "coverage": lambda s, r: 0.5 + s / 600,
    "frechet": lambda s, r: 80 - s / 5,
    "not_digits": lambda s, r: max(0.02, 1 - s / 100),
    "g_grad": lambda s, r: 5 + 3 * r.random(),
}
GENERIC = lambda s, r: 0.3 + 0.5 * math.exp(-s / 100) + 0.2 * r.random()  # noqa: E731


@functools.lru_cache(maxsize=None)
def layers(arch: str) -> list[str]:
    """The per-layer gradient rows the trainer writes for ``arch`` at its preset: its own naming."""
    return list(layer_groups(get_arch(arch).build(make_config(arch))))


def declared_keys(arch: str) -> tuple[list[str], list[str]]:
    """(per-step keys, per-evaluation keys) of the architecture's own panels (the common ones the
    trainer writes every ``log_every`` steps are written by :func:`write_curves` itself)."""
    own = [p for p in get_arch(arch).display.panels if p not in COMMON_PANELS]
    dense = [line.key for p in own for line in p.lines if not line.markers]
    sparse = [line.key for p in own for line in p.lines if line.markers]
    return list(dict.fromkeys(dense)), list(dict.fromkeys(sparse))


def _png(n: int, nrow: int, seed: int) -> bytes:
    g = torch.Generator().manual_seed(seed)
    return images.grid_png(torch.rand(n, 1, 28, 28, generator=g) * 2 - 1, nrow)


def write_curves(store: Store, run_id: int, arch: str, steps: int, log_every: int = 10, eval_every: int = 50,
                 t0: float | None = None, seed: int = 0, shapes: dict | None = None, evaluate: bool = True) -> None:
    """The declared curves (``shapes`` overriding how a key moves), and gradient / lr / throughput
    records every ``log_every`` steps under the trainer's layer names."""
    rng = np.random.default_rng(seed)
    t0 = t0 or time.time() - steps * 0.05
    shapes = {**SHAPES, **(shapes or {})}
    dense, sparse = declared_keys(arch)
    names = layers(arch)
    rows = []
    for s in range(1, steps + 1):
        wall = t0 + s * 0.05
        for key in dense:
            rows.append((s, key, float(shapes.get(key, GENERIC)(s, rng)), wall))
        if s % log_every == 0:
            for i, layer in enumerate(names):
                rows.append((s, f"grad/{layer}", float(10 ** (-3 + i * 0.4 / max(1, len(names) / 6))
                                                       * (1 + 0.3 * rng.random())), wall))
            rows.append((s, "grad_norm", float(0.5 + 0.2 * rng.random()), wall))
            rows.append((s, "lr", 1e-3, wall))
            rows.append((s, "samples_per_s", float(900 + 100 * rng.random()), wall))
            rows.append((s, "epoch", s / 63, wall))
        if s % eval_every == 0 and evaluate:
            for key in sparse:
                rows.append((s, key, float(shapes.get(key, GENERIC)(s, rng)), wall))
    store.log_metrics(run_id, rows, heartbeat=time.time(), step=steps)


def _media_meta(draw: str, s: int) -> dict:
    """What the trainer stores beside a grid drawn as ``draw``."""
    classes = [str(i) for i in range(10)]
    if draw == "probe":
        labels = list(range(10)) + [1, 2, 3, 4, 5, 6]
        pred = [lab if (i + s // 50) % 5 else (lab + 1) % 10 for i, lab in enumerate(labels)]
        return {"labels": labels, "pred": pred, "conf": [0.6 + 0.02 * i for i in range(16)], "classes": classes}
    if draw == "class_hist":
        return {"class_hist": [50, 40, 60, 55, 45, 50, 52, 48, 50, 50], "classes": classes}
    if draw == "text":
        return {"rows": [{"prompt": "531=", "output": "135", "target": "135", "ok": True},
                         {"prompt": "972=", "output": "277", "target": "279", "ok": s < 100}]}
    if draw == "prose":
        return {"prompt": "Uma noite destas, ", "text": "vindo da cidade *para* o <b>Engenho</b>", "temperature": 0.5,
                "corpus_words": 0.8}
    if draw == "heatmap":  # the shared format (a confusion matrix here)
        return {"z": [[40 + s if i == j else (i + j + s) % 4 for j in range(10)] for i in range(10)],
                "x": classes, "y": classes, "xlabel": "predicted", "ylabel": "true", "zlabel": "digits"}
    if draw == "forecast":  # two folds of three years (archs/_series.forecast_meta)
        return {"truth": {"x": list(range(2000, 2009)), "y": [30, 40, 60, 80, 70, 50, 30, 20, 15]},
                "x": list(range(2003, 2009)), "model": [75, 72, 55, 35, 22, 16], "naive": [60, 80, 70, 50, 30, 20],
                "origins": [2003, 2006], "mae": [6.0, 4.3], "naive_mae": [16.7, 11.7],
                "xlabel": "year", "ylabel": "sunspot number"}
    if draw == "curves":
        return {"series": [{"label": "a", "x": list(range(1, 29)), "y": [10 ** (t / 7 - 4) for t in range(1, 29)]}],
                "xlabel": "time step", "ylabel": "‖grad‖", "log_y": True}
    return {}


def write_media(store: Store, run_id: int, arch: str, at_steps) -> None:
    """A media row of each view the architecture declares, at each of ``at_steps``."""
    for s in at_steps:
        for n, view in enumerate(get_arch(arch).display.views):
            cells = 16 if view.draw == "probe" else 64
            store.log_media(run_id, s, view.media_kind, _png(cells, int(cells ** 0.5), s + n),
                            _media_meta(view.draw, s))


def fake_run(store: Store, arch: str, steps: int = 100, name: str | None = None, **hp) -> int:
    """A finished run of any registered architecture (its preset, or with ``hp``), with every declared key and view."""
    cfg = make_config(arch, max_steps=steps, log_every=10, **hp)
    rid = store.create_run(cfg.to_dict(), name=name, status="running", total_steps=steps)
    t0 = time.time() - 30
    store.update_run(rid, started=t0)
    write_curves(store, rid, arch, steps, t0=t0)
    write_media(store, rid, arch, range(50, steps + 1, 50))
    store.merge_summary(rid, params=1000, train_seconds=25.0)
    store.set_status(rid, "finished")
    return rid


def finished_cnn(store: Store, steps: int = 300, name: str | None = None, seed: int = 0, lr: float = 1e-3) -> int:
    cfg = make_config("cnn", max_steps=steps, log_every=10, lr=lr, seed=seed)
    rid = store.create_run(cfg.to_dict(), name=name, status="running", total_steps=steps)
    t0 = time.time() - 60
    store.update_run(rid, started=t0)
    write_curves(store, rid, cfg.arch, steps, t0=t0, seed=seed)
    write_media(store, rid, cfg.arch, range(50, steps + 1, 50))
    store.merge_summary(rid, params=1_625_866, test_acc=0.93, best_test_acc=0.93, test_loss=0.25,
                        best_test_loss=0.25, last_loss=0.12, train_seconds=55.0)
    store.set_status(rid, "finished")
    return rid


def running_gan(store: Store, steps: int = 150, total: int = 600) -> int:
    cfg = make_config("gan", max_steps=total, log_every=10)
    rid = store.create_run(cfg.to_dict(), status="running", total_steps=total)
    t0 = time.time() - 20
    store.update_run(rid, started=t0, heartbeat=time.time())  # pid NULL: reconcile leaves it alone
    store.merge_summary(rid, judge_version=JUDGE_VERSION)  # as the trainer's StoreLogger writes at its start
    write_curves(store, rid, cfg.arch, steps, t0=t0, shapes={
        "g_loss": lambda s, r: 0.8 + 0.6 * r.random(),
        "d_loss": lambda s, r: 0.6 + 0.2 * r.random(),
        "d_x": lambda s, r: 0.6 + 0.2 * r.random(),
        "d_g_z": lambda s, r: 0.3 + 0.2 * r.random(),
    })
    write_media(store, rid, cfg.arch, range(50, steps + 1, 50))
    return rid


def failed_diffusion(store: Store) -> int:
    cfg = make_config("diffusion", max_steps=200, log_every=10)
    rid = store.create_run(cfg.to_dict(), status="running", total_steps=200)
    store.update_run(rid, started=time.time() - 30)
    write_curves(store, rid, cfg.arch, 40, shapes={"loss": lambda s, r: 1.0 / (1 + s / 10)}, evaluate=False)
    write_media(store, rid, cfg.arch, [20])
    store.set_status(rid, "failed", "worker process died")
    return rid


def diverged_at(step: int) -> str:
    """The reason a diverged run keeps, as the trainer stores it: the loss became NaN at ``step``."""
    return Message("diverged_became", key=Message("metric_loss"), value=float("nan"), step=step).encode()


def diverged_rnn(store: Store) -> int:
    cfg = make_config("rnn", max_steps=500, log_every=10, lr=5.0)
    rid = store.create_run(cfg.to_dict(), status="running", total_steps=500)
    store.update_run(rid, started=time.time() - 10)
    write_curves(store, rid, cfg.arch, 60, shapes={"loss": lambda s, r: 2.3 * (1.1 ** s),
                                                   "train_acc": lambda s, r: 0.1}, evaluate=False)
    store.log_metrics(rid, [(61, "loss", float("nan"), time.time()), (61, "train_acc", 0.1, time.time())])
    store.set_status(rid, "diverged", diverged_at(61))
    return rid


def sweep(store: Store, grid: dict[str, list], best_acc, steps: int = 60, group: str | None = None,
          **hp) -> list[int]:
    """The finished runs of a CNN sweep over ``grid`` (one or two knobs, as ``deeparch.execution.sweep.launch``
    queues them, in grid order): each point's run carries the sweep and ends with the best test accuracy
    ``best_acc(point)``. Returns their ids in grid order."""
    from deeparch.execution import sweep as sweeps

    meta = {"id": uuid.uuid4().hex[:8], "knobs": list(grid), "values": {k: list(v) for k, v in grid.items()}}
    group = group or f"sweep {' × '.join(grid)}"
    ids = []
    for n, point in enumerate(sweeps.points(grid)):
        cfg = make_config("cnn", max_steps=steps, log_every=10, **{**hp, **point})
        rid = store.create_run(cfg.to_dict(), name=sweeps.point_name(point), status="running", total_steps=steps,
                               group=group, sweep=meta)
        t0 = time.time() - 60
        store.update_run(rid, started=t0)
        acc = best_acc(point)
        write_curves(store, rid, "cnn", steps, t0=t0, seed=n,
                     shapes={"test_acc": lambda s, r, acc=acc: acc * s / steps})
        store.merge_summary(rid, params=1000, best_test_acc=acc, test_acc=acc, train_seconds=20.0)
        store.set_status(rid, "finished")
        ids.append(rid)
    return ids


def populate(store: Store) -> dict[str, int]:
    """One run of each situation the pages must handle."""
    return {"finished": finished_cnn(store), "running": running_gan(store), "failed": failed_diffusion(store),
            "diverged": diverged_rnn(store)}


def paced_run(store: Store, total: int, at_step: int, first_s: float, step_s: float, log_every: int = 5,
              eval_every: int = 50, eval_s: float = 0.0, startup_s: float = 0.0, name: str | None = None
              ) -> tuple[int, float]:
    """A CNN run caught at ``at_step`` of ``total``: its first log record took ``first_s`` (a slow
    start), every later step ``step_s``, each evaluation ``eval_s`` on top; the worker spent
    ``startup_s`` before the first step. Returns (run id, wall seconds from now until it ends)."""
    cfg = make_config("cnn", max_steps=total, log_every=log_every, eval_every=eval_every)
    rid = store.create_run(cfg.to_dict(), name=name, status="running", total_steps=total)

    def wall(s: int) -> float:  # seconds after the first step began
        if s <= log_every:
            return first_s * s / log_every
        return first_s + (s - log_every) * step_s + (s // eval_every) * eval_s

    now = time.time()
    t0 = now - wall(at_step)
    rows = [(s, k, v, t0 + wall(s)) for s in range(log_every, at_step + 1, log_every)
            for k, v in (("loss", 1.0), ("samples_per_s", 64 * log_every / (wall(s) - wall(s - log_every))),
                         ("train_time", wall(s)))]
    store.update_run(rid, started=t0 - startup_s, heartbeat=now)  # pid NULL: reconcile leaves it alone
    if rows:
        store.log_metrics(rid, rows, heartbeat=now, step=at_step)
    else:
        store.update_run(rid, step=at_step)
    return rid, wall(total) - wall(at_step)


def lr_lesson(store: Store, steps: int = 300, blow_up_at: int = 40) -> dict[str, int]:
    """The learning-rate lesson's three runs as its launch names and groups them: lr 0.1 learns, lr 0.001
    crawls, lr 1 blows up to about 2×10⁴ by step ``blow_up_at`` and ends diverged (its loss NaN)."""
    from deeparch.course.lessons import BY_ID
    from deeparch.present.text import SEPARATOR

    lesson = BY_ID["learning_rate"]
    group = lesson.group("2026-01-01 10:00")

    def explode(s, r):  # about 2.3 for a while, 40 by three quarters of the way, 2×10⁴ at blow_up_at
        return 2.3 * (2e4 / 2.3) ** ((s / blow_up_at) ** 4)

    shapes = {
        "lr 0.1 (about right)": {},
        "lr 0.001 (too low)": {"loss": lambda s, r: 2.3 - 0.4 * s / steps + 0.05 * r.random(),
                               "test_loss": lambda s, r: 2.3 - 0.4 * s / steps},
        "lr 1 (too high)": dict.fromkeys(("loss", "val_loss", "test_loss"), explode),
    }
    out = {}
    for n, run in enumerate(lesson.runs):
        cfg = make_config(run.arch, max_steps=steps, log_every=10, eval_every=20, **run.hp)
        rid = store.create_run(cfg.to_dict(), name=f"{lesson.title}{SEPARATOR}{run.label}", status="running",
                               total_steps=steps, group=group)
        t0 = time.time() - 60
        store.update_run(rid, started=t0)
        diverges = run.label == "lr 1 (too high)"
        write_curves(store, rid, run.arch, blow_up_at if diverges else steps, eval_every=20, t0=t0, seed=n,
                     shapes=shapes[run.label])
        if diverges:
            store.log_metrics(rid, [(blow_up_at + 1, "loss", float("nan"), time.time())])
            store.set_status(rid, "diverged", diverged_at(41))
        else:
            store.set_status(rid, "finished")
        out[run.label] = rid
    return out


def series_run(store: Store, arch: str = "rnn", steps: int = 60, **hp) -> int:
    """A finished run of a forecaster on sunspots: its loss, test MAE beside the naive forecast's, and the
    forecast view, as the trainer writes them."""
    cfg = make_config(arch, "sunspots", max_steps=steps, log_every=10, **hp)
    rid = store.create_run(cfg.to_dict(), status="running", total_steps=steps)
    t0 = time.time() - 30
    store.update_run(rid, started=t0)
    rows = [(s, "loss", 1.0 / (1 + s / 10), t0 + s * 0.05) for s in range(1, steps + 1)]
    rows += [(s, k, v, t0 + s * 0.05) for s in range(10, steps + 1, 10)
             for k, v in (("test_loss", 0.9 / (1 + s / 20)), ("test_mae", 40 - s / 4), ("naive_mae", 24.33))]
    names = list(layer_groups(get_arch(arch).build(cfg)))              # folds.0.rnn.l0, folds.0.fc, …
    rows += [(s, f"grad/{name}", 0.1 * (i + 1), t0 + s * 0.05) for s in range(10, steps + 1, 10)
             for i, name in enumerate(names)]
    store.log_metrics(rid, rows)
    for s in range(20, steps + 1, 20):
        store.log_media(rid, s, "forecast", b"", _media_meta("forecast", s))
    store.merge_summary(rid, params=1000, train_seconds=3.0, test_mae=40 - steps / 4, naive_mae=24.33)
    store.set_status(rid, "finished")
    return rid
