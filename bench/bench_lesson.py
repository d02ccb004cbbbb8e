"""A lesson as a teacher runs it: one click on the Lessons page of an empty store, in the browser,
then every run's wall time and headline figure once the whole lesson has ended.

    python bench/bench_lesson.py                      # the five-architecture race, in Portuguese
    python bench/bench_lesson.py --lesson cnn_vs_mlp --lang en-US --shots ""

Starts ``streamlit run app.py`` on a free port over a fresh store, opens the Lessons page in
Debian's Chromium, takes ``docs/<lang>-lessons.png``, clicks the lesson's launch button (the
one click), takes ``docs/<lang>-lesson-running.png`` of Live (1280 px wide) after ``--shot-after`` seconds, and
waits for every run to end. Each line: the run, its status, its minutes from the click to its
end, and its headline figure (the one its architecture declares). The dashboard stays open
the whole time, as in a class: its cost is part of the measurement.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from screenshots import CHROMIUM_ARGS, free_port, start_server  # noqa: E402

from deeparch.store.lifecycle import FINAL as TERMINAL  # noqa: E402


def headline(store, run) -> str:
    """The run's headline figure as the CLI's ``runs`` command shows it."""
    from deeparch.read import views

    head = views.display(run.arch, run.dataset).headline
    if head is None:
        return ""
    value = views.headline_value(run, {**store.last_metrics(run.id), **run.summary})
    return f"{head.label} {value:.3f}" if value is not None else f"{head.label} –"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lesson", default="race")
    ap.add_argument("--lang", default="pt-BR")
    ap.add_argument("--store", type=Path, help="an empty folder (default: a temporary one)")
    ap.add_argument("--shots", default="docs", help="folder for the two screenshots ('' for none)")
    ap.add_argument("--shot-after", type=float, default=150.0, help="seconds after the click for the Live shot")
    ap.add_argument("--limit", type=float, default=30.0, help="give up after this many minutes")
    a = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from deeparch.store import Store

    store_dir = a.store or Path(tempfile.mkdtemp(prefix="deeparch-lesson-"))
    store = Store(store_dir)
    assert not store.list_runs(), f"{store_dir} is not empty"
    port = free_port()
    server = start_server(store_dir, port)
    prefix = f"{a.lang}-" if a.lang != "en-US" else ""
    out = ROOT / a.shots if a.shots else None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 720}, locale=a.lang).new_page()
            page.goto(f"http://127.0.0.1:{port}/lessons")
            button = page.locator(f".st-key-lesson-{a.lesson} button")
            button.wait_for(timeout=120_000)
            time.sleep(2)
            if out:
                page.screenshot(path=str(out / f"{prefix}lessons.png"))
            button.click()
            clicked = time.time()
            page.wait_for_url("**/live**", timeout=120_000)
            while time.time() - clicked < a.shot_after:
                time.sleep(5)
            if out:  # the charts sit below the run cards: a taller window shows cards, script and charts
                page.set_viewport_size({"width": 1280, "height": 1600})
                page.locator(".js-plotly-plot .main-svg").first.wait_for(state="attached", timeout=120_000)
                time.sleep(6)
                page.screenshot(path=str(out / f"{prefix}lesson-running.png"))
            print(f"launched at click; Live shot after {time.time() - clicked:.0f} s", flush=True)
            ended: dict[int, float] = {}
            while time.time() - clicked < a.limit * 60:
                runs = store.list_runs()
                for r in runs:
                    if r.status in TERMINAL and r.id not in ended:
                        ended[r.id] = time.time() - clicked
                if runs and len(ended) == len(runs):
                    break
                time.sleep(2)
            browser.close()
    finally:
        server.kill()
    print(f"lesson {a.lesson}: {len(ended)} runs ended; the last {max(ended.values(), default=0) / 60:.1f} min "
          "after the click")
    for r in sorted(store.list_runs(), key=lambda r: r.id):
        took = ended.get(r.id)
        print(f"  #{r.id} {r.name:<45} {r.status:<9} {took / 60 if took else float('nan'):5.1f} min  "
              f"step {r.step:>6}  {headline(store, r)}")


if __name__ == "__main__":
    main()
