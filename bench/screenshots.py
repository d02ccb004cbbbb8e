"""Screenshots of every page with real runs present: docs/train.png, live.png, compare.png, runs.png.

    python bench/screenshots.py            # trains a few short real runs in a temporary store (~3 min)
    python bench/screenshots.py --store runs --out docs   # or shoot an existing store as it is
    python bench/screenshots.py --projector  # Live at 1280x720 (and at 150% zoom) with a CNN and a GAN run
    python bench/screenshots.py --fake --lang pt-BR        # every page in Portuguese: docs/pt-BR-*.png
    python bench/screenshots.py --fake --projector --projector-mode --lang pt-BR   # the sidebar's projector mode
    python bench/screenshots.py --views cnn.pt  # each teaching view of a trained CNN (bench_gradcam.py --save)
                                                # and the Draw page: docs/view-<kind>.png, docs/draw.png
    python bench/screenshots.py --store S --store-views   # each view of the runs in S: docs/view-<arch>-<kind>.png
    python bench/screenshots.py --store S --compare 3,4 --name augment-compare.png [--view "Gradient through time"]

Starts ``streamlit run app.py`` on a free port, drives Debian's Chromium with Playwright.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DEEPARCH_RUNS": str(store), "DEEPARCH_DATA": os.environ.get("DEEPARCH_DATA", str(ROOT / "data"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start:\n" + proc.stdout.read().decode(errors="replace"))


def real_runs(store_dir: Path) -> dict:
    """A race of the MLP baseline against the course CNN (5 epochs each, the course's point: the CNN reads
    digits better with fewer weights) that finishes, and a GAN still training when the shots are taken."""
    from deeparch.execution import jobs
    from deeparch.course.archs import make_config
    from deeparch.store import Store

    os.environ.setdefault("DEEPARCH_MAX_RUNS", "2")
    s = Store(store_dir)
    race = [jobs.launch(make_config(a, epochs=5, log_every=5, eval_every=21, seed=0), name=f"{a} (race)", store=s,
                        group="race mlp vs cnn")
            for a in ("mlp", "cnn")]
    for rid in race:
        jobs.wait(rid, s, timeout=600)
    gan = jobs.launch(make_config("gan", max_steps=3000, log_every=10, sample_every=100, quality_every=200,
                                  epochs=1000), name="gan live", store=s)
    cnn = jobs.launch(make_config("cnn", max_steps=2000, log_every=5, eval_every=50, sample_every=100,
                                  epochs=1000, lr=3e-4), name="cnn live", store=s)
    deadline = time.time() + 240
    while time.time() < deadline:
        jobs.reconcile(s)
        g = s.get_run(gan)
        if g.step > 800 and len(s.media_steps(gan, "quality")) >= 3:
            break
        time.sleep(2)
    return {"race": race, "gan": gan, "cnn": cnn}


def projector_runs(store_dir: Path) -> dict:
    """A CNN of 400 steps and a GAN trained beside it; shot when the CNN has finished, while the GAN trains."""
    from deeparch.execution import jobs
    from deeparch.course.archs import make_config
    from deeparch.store import Store

    os.environ.setdefault("DEEPARCH_MAX_RUNS", "2")
    s = Store(store_dir)
    cnn = jobs.launch(make_config("cnn", max_steps=400, log_every=5, eval_every=50, sample_every=50, epochs=1000),
                      name="cnn 400 steps", store=s)
    gan = jobs.launch(make_config("gan", max_steps=20_000, log_every=5, sample_every=100, quality_every=200,
                                  epochs=1000), name="gan (long run)", store=s)
    deadline = time.time() + 600
    while time.time() < deadline:
        jobs.reconcile(s)
        if s.get_run(cnn).status == "finished" and s.get_run(gan).step >= 600:
            break
        time.sleep(2)
    return {"gan": gan, "cnn": cnn}


PROJECTOR_TOGGLE = {"en-US": "Projector mode", "pt-BR": "Modo projetor"}


def shoot_projector(port: int, out: Path, ids: dict, mode: bool = False, locale: str = "en-US") -> None:
    """Live as a projector shows it: 1280x720 at scale 1, and 150% zoom (853x480 CSS px at scale 1.5);
    ``mode``: with the sidebar's projector mode on (files named ``live-1280x720-projector[-pt-BR].png``)."""
    from playwright.sync_api import sync_playwright

    tag = ("-projector" if mode else "") + ("" if locale == "en-US" else f"-{locale}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for name, (w, h), scale in ((f"live-1280x720{tag}.png", (1280, 720), 1),
                                    (f"live-1280x720-zoom150{tag}.png", (853, 480), 1.5)):
            page = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=scale,
                                       locale=locale).new_page()
            page.goto(f"http://127.0.0.1:{port}/live?runs={ids['gan']},{ids['cnn']}")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            if mode:
                page.get_by_text(PROJECTOR_TOGGLE[locale], exact=True).click()
                time.sleep(3)
            # a loaded machine draws slowly: wait for the first four charts to have their lines
            page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .scatterlayer .trace').length >= 4",
                                   timeout=120_000)
            time.sleep(6)
            # scrolled to the run selector: the run headers below it, then the first charts
            page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                          " const c = document.querySelector('[data-testid=stMultiSelect]');"
                          " m.scrollTo(0, c.getBoundingClientRect().top + m.scrollTop - 12); }")
            time.sleep(2)
            page.screenshot(path=str(out / name))
            page.context.close()
        browser.close()


def views_run(store_dir: Path, state_dict: Path) -> int:
    """A finished course CNN whose media are the real views of the trained weights in ``state_dict``
    (its curves are fake_runs' shapes: only the views are shot), with a checkpoint for the Draw page."""
    import torch

    sys.path.insert(0, str(ROOT / "tests"))
    import fake_runs

    from deeparch.course import data
    from deeparch.course.archs import get_arch, make_config
    from deeparch.course.archs.base import MediaContext
    from deeparch.store import Store
    from deeparch.engine.media_passes import PROBE_COUNT

    s = Store(store_dir)
    cfg = make_config("cnn", epochs=10)
    rid = s.create_run(cfg.to_dict(), name="course CNN, 10 epochs", status="running", total_steps=630)
    fake_runs.write_curves(s, rid, "cnn", 630)
    model = get_arch("cnn").build(cfg)
    weights = torch.load(state_dict, weights_only=True)
    model.load_state_dict(weights)
    ds = data.load(cfg.dataset)
    model.evaluate(ds.x_test, ds.y_test)
    found, _ = model.media(MediaContext(ds.x_test[:PROBE_COUNT], ds.y_test[:PROBE_COUNT], ds.classes, None), False)
    for m in found:
        s.log_media(rid, 630, m.kind, m.png, m.meta)
    s.run_dir(rid).mkdir(parents=True, exist_ok=True)
    torch.save({"model": weights}, s.run_dir(rid) / "checkpoint.pt")
    s.set_status(rid, "finished")
    return rid


def shoot_view_panels(page, base: str, out: Path, rid: int, arch: str, dataset: str, prefix: str,
                      shot: set | None = None, hp: dict | None = None) -> None:
    """Each view the run's architecture declares, as Live draws it (its title down to its explanation),
    into ``<prefix><kind>.png``; a view the run has not drawn is skipped and named, one already in
    ``shot`` (files taken in this session) is left as it is."""
    shot = set() if shot is None else shot
    from deeparch.read import views

    page.goto(f"{base}/live?runs={rid}")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
    time.sleep(8)
    for view in views.display(arch, dataset).drawn(hp or {}):
        if (out / f"{prefix}{view.kind}.png") in shot:
            continue  # an earlier run of the same architecture already showed it
        try:
            top = page.get_by_text(view.title, exact=True).first.bounding_box(timeout=5_000)
            bottom = page.get_by_text(view.explain, exact=True).first.bounding_box(timeout=5_000)
        except Exception:  # noqa: BLE001 - a view this run did not log
            print(f"run {rid} ({arch}): no {view.kind} view drawn")
            continue
        shot.add(out / f"{prefix}{view.kind}.png")
        page.screenshot(path=str(out / f"{prefix}{view.kind}.png"),
                        clip={"x": top["x"] - 8, "y": top["y"] - 8, "width": max(bottom["width"], 380) + 16,
                              "height": bottom["y"] + bottom["height"] - top["y"] + 16})


def shoot_store_views(port: int, out: Path, store_dir: Path) -> None:
    """The views of every run of an existing store (e.g. short CLI runs of each architecture):
    ``view-<arch>-<kind>.png``."""
    from playwright.sync_api import sync_playwright

    from deeparch.store import Store

    runs = sorted(Store(store_dir).list_runs(), key=lambda r: r.id)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 9000}, device_scale_factor=1)  # no inner scroll
        shot: set = set()
        for run in runs:  # the first run of an architecture shows its views; later ones add the views it lacked
            shoot_view_panels(page, base, out, run.id, run.arch, run.dataset, f"view-{run.arch}-", shot,
                              run.config.get("hp", {}))
        browser.close()


def shoot_views(port: int, out: Path, rid: int) -> None:
    """Each declared view of the course CNN on Live, then a digit drawn on the Draw page."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 7000}, device_scale_factor=1)  # no inner scroll
        shoot_view_panels(page, base, out, rid, "cnn", "mnist-5k", "view-")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}/draw?runs={rid}")
        canvas = page.get_by_test_id("draw-canvas")
        canvas.wait_for(timeout=60_000)
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 80, box["y"] + 70)
        page.mouse.down()
        for x, y in ((200, 70), (120, 240)):  # a 7
            page.mouse.move(box["x"] + x, box["y"] + y, steps=12)
        page.mouse.up()
        page.get_by_text("Grad-CAM: where").first.wait_for(timeout=60_000)
        page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=stImage] img'))"
                               ".every(i => i.complete && i.naturalWidth > 0)", timeout=60_000)
        time.sleep(3)
        page.screenshot(path=str(out / "draw.png"))
        browser.close()


def settle(page, seconds: float = 4.0, charts: int = 0, width: int = 1440) -> None:
    """Wait for a page to be drawn, grow the window to its content, and wait for ``charts`` charts."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.wait_for_selector("h1", timeout=60_000)
    time.sleep(seconds)
    # the app scrolls inside its main block, so grow the window to the content for a full shot
    height = page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                           " return m ? m.scrollHeight : 1000; }")
    page.set_viewport_size({"width": width, "height": min(6000, max(1000, int(height) + 40))})
    time.sleep(2.0)
    # a loaded machine draws slowly: wait (up to 90 s) for ``charts`` charts, each with its drawing
    try:
        page.wait_for_function("n => { const p = document.querySelectorAll('.js-plotly-plot');"
                               " return p.length >= n && Array.from(p).every(e => e.querySelector('.main-svg')); }",
                               arg=charts, timeout=90_000)
    except Exception:  # noqa: BLE001 - shoot what there is
        pass
    # a live chart is redrawn when points arrive: shoot at a moment when every chart is drawn
    for _ in range(150):
        blank = page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=stPlotlyChart]'))"
                              ".filter(e => e.getBoundingClientRect().height < 10).length")
        if blank == 0:
            time.sleep(0.3)
            break
        time.sleep(0.1)


def shoot_compare(port: int, out: Path, ids: list[int], name: str, view: str | None = None,
                  locale: str = "en-US") -> None:
    """Compare of ``ids`` into ``out/name``: the whole page, or, with ``view`` (a view's title), the
    view picker set to it and the shot taken from the picker down."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 1000}, locale=locale).new_page()
        page.goto(f"http://127.0.0.1:{port}/compare?runs={','.join(map(str, ids))}")
        settle(page, 6, charts=2, width=1280)
        if view is None:
            page.screenshot(path=str(out / name), full_page=False)
        else:
            picker = page.locator(".st-key-compare_view")
            picker.click()
            page.get_by_role("option", name=view, exact=True).click()
            time.sleep(6)
            top = picker.bounding_box()
            full = page.viewport_size
            page.screenshot(path=str(out / name), clip={"x": 0, "y": max(0, top["y"] - 60), "width": full["width"],
                                                      "height": min(900, full["height"] - top["y"] + 60)})
        browser.close()


def shoot(port: int, out: Path, ids: dict | None, locale: str = "en-US") -> None:
    """Every page; in another ``locale`` than English the files are named ``<locale>-<page>.png``."""
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    prefix = "" if locale == "en-US" else f"{locale}-"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1,
                                   locale=locale).new_page()

        page.goto(f"{base}/train")
        settle(page)
        page.screenshot(path=str(out / f"{prefix}train.png"), full_page=False)
        live_ids = ",".join(str(i) for i in ([ids["gan"], ids["cnn"]] if ids else []))
        page.goto(f"{base}/live" + (f"?runs={live_ids}" if live_ids else ""))
        settle(page, 8, charts=6)
        page.screenshot(path=str(out / f"{prefix}live.png"), full_page=False)
        cmp_ids = ",".join(str(i) for i in (ids["race"] if ids else []))
        page.goto(f"{base}/compare" + (f"?runs={cmp_ids}" if cmp_ids else ""))
        settle(page, 6, charts=2)
        page.screenshot(path=str(out / f"{prefix}compare.png"), full_page=False)
        page.goto(f"{base}/runs")
        settle(page)
        page.screenshot(path=str(out / f"{prefix}runs.png"), full_page=False)
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", help="shoot this existing store instead of training new runs")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--fake", action="store_true", help="fill the store with fake runs (no training), for layout work")
    ap.add_argument("--projector", action="store_true", help="only Live at 1280x720 with a CNN and a GAN run")
    ap.add_argument("--projector-mode", action="store_true", help="with --projector: turn on the sidebar's projector mode")
    ap.add_argument("--lang", default="en-US", choices=("en-US", "pt-BR"), help="the browser's language")
    ap.add_argument("--views", metavar="STATE_DICT", help="each view of a CNN trained to this state_dict, and Draw")
    ap.add_argument("--store-views", action="store_true", help="with --store: each view of every run in it")
    ap.add_argument("--compare", metavar="IDS", help="with --store: only Compare of these runs (1,2) into --name")
    ap.add_argument("--name", default="compare-runs.png", help="with --compare: the file name")
    ap.add_argument("--view", help="with --compare: pick this view (its title) and shoot it")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ids = None
    if a.store:
        store = Path(a.store)
    else:
        store = Path(tempfile.mkdtemp(prefix="deeparch-shots-"))
        if a.fake:
            sys.path.insert(0, str(ROOT / "tests"))
            import fake_runs

            from deeparch.store import Store

            made = fake_runs.populate(Store(store))
            ids = {"gan": made["running"], "cnn": made["finished"], "race": [made["finished"], made["diverged"]]}
    port = free_port()
    server = start_server(store, port)
    try:
        if a.views:
            shoot_views(port, out, views_run(store, Path(a.views)))
            return
        if a.store_views:
            shoot_store_views(port, out, store)
            return
        if a.compare:
            shoot_compare(port, out, [int(i) for i in a.compare.split(",")], a.name, a.view, a.lang)
            return
        if a.projector:
            ids = ids or projector_runs(store)
            shoot_projector(port, out, ids, a.projector_mode, a.lang)
            return
        if not a.store and not a.fake:
            ids = real_runs(store)
        shoot(port, out, ids, a.lang)
    finally:
        os.killpg(server.pid, 15)
        server.wait(10)
        if ids and not a.fake and not a.store:
            from deeparch.execution import jobs
            from deeparch.store import Store

            s = Store(store)
            for r in s.list_runs(status=("queued", "starting", "running", "paused")):
                jobs.stop(r.id, s)
    print("screenshots in", out)


if __name__ == "__main__":
    main()
