"""The Live page under AppTest: names shown as text, one status per run, honest time left and grid
steps, distinct series styles (issues 7 and 8). The browser-only parts are in tests/test_browser_live.py."""
from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest

import fake_runs
from deeparch.present import charts
from test_pages import app_store, button, open_page, static_serving  # noqa: F401 - app_store is a fixture

# short enough that the store's 80-character bound keeps it whole
HOSTILE = '<iframe srcdoc="<script>alert(1)</script>"> ![](http://x.invalid/a.png) ab\u202edc'



@pytest.fixture(autouse=True)
def plain_plotly():
    """Figures as st.plotly_chart, whose spec AppTest can read (the in-place path is tested in test_pages)."""
    with static_serving(False):
        yield


def live(ids, **state):
    return open_page("pages/live.py", {"handoff:pages/live.py": list(ids), **state})


def figures(at) -> dict[str, dict]:
    """The page's charts by title (tags removed)."""
    out = {}
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        title = fig["layout"].get("title", {}).get("text", "")
        out[title.replace("<br>", " ")] = fig
    return out


def values(y) -> np.ndarray:
    """A trace's y values as sent: a list, or Plotly's base64 typed array."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).astype(float)
    return np.asarray(y, dtype=float)


def badges(at) -> list[str]:
    """The status badges shown (st.badge is Markdown ``:color-badge[text]``)."""
    return [m for md in at.markdown for m in re.findall(r":\w+-badge\[([^\]]+)\]", md.value)]


def test_run_names_are_text_never_html(app_store):
    rid = fake_runs.finished_cnn(app_store, name="x")
    app_store.update_run(rid, name=HOSTILE)  # as an old store (before names were cleaned) holds it
    at = live([rid])
    for md in at.markdown:
        assert not (md.proto.allow_html and "iframe" in md.value), md.value
    shown = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert not re.search(r"(?<!\\)<iframe|(?<!\\)!\[\]\(", shown) and "\u202e" not in shown
    assert r"\<iframe" in shown and r"\!\[\]\(http" in shown  # the name, escaped as text
    assert "\u202e" not in at.multiselect[0].options[0]
    for title, fig in figures(at).items():
        assert "<iframe" not in title and "\u202e" not in title
        assert all("<iframe" not in (t.get("name") or "") for t in fig["data"])


def test_selector_chip_and_badge_do_not_disagree(app_store):
    """Issue 7.4: the chip said "running" while the badge said "paused": the status is the badge's only."""
    rid = fake_runs.running_gan(app_store)
    at = live([rid])
    app_store.set_status(rid, "paused")
    at.run()
    label = at.multiselect[0].options[0]
    assert label == f"#{rid} {app_store.get_run(rid).name}"
    assert not any(word in label for word in ("running", "paused", "queued", "finished"))
    assert badges(at) == ["paused"]


def test_time_left_says_estimating_before_the_pace_is_measured(app_store):
    """Issue 7.8: a 300-step demo whose first 5 steps took 42 s was told "about 41 min" (it took 2 min 26 s)."""
    rid, _ = fake_runs.paced_run(app_store, total=300, at_step=5, first_s=41.7, step_s=0.32, eval_s=1.5)
    at = live([rid])
    captions = " ".join(c.value for c in at.caption)
    assert "estimating" in captions and "41 min" not in captions
    rid, left = fake_runs.paced_run(app_store, total=300, at_step=100, first_s=41.7, step_s=0.32, eval_s=1.5)
    at = live([rid])
    captions = " ".join(c.value for c in at.caption)
    assert "estimating" not in captions and "left" in captions


def test_grid_slider_ends_at_the_last_grid_of_an_ended_run(app_store):
    """Issue 7.6: the slider ran to the planned 12,500 steps of a run stopped at 533."""
    rid = fake_runs.finished_cnn(app_store, steps=300)
    app_store.update_run(rid, total_steps=12_500)
    app_store.set_status(rid, "stopped")
    at = live([rid])
    (slider,) = [s for s in at.select_slider if s.key == f"live_grid:{rid}"]
    assert slider.options[-1] == "300" and slider.value == 300
    assert not [s for s in at.slider if s.key == f"live_grid:{rid}"]


def test_series_of_one_run_differ_by_colour_and_dash(app_store):
    """Issue 7.5: train and test, G and D, D(x) and D(G(z)) differed only by solid vs dashed."""
    cnn, gan = fake_runs.finished_cnn(app_store), fake_runs.running_gan(app_store)
    for rid, title in ((cnn, "Loss"), (gan, "Generator and discriminator losses"),
                       (gan, "Discriminator: D(x) on real digits, D(G(z)) on fakes")):
        fig = figures(live([rid]))[title]
        colours = [t["line"]["color"] for t in fig["data"]]
        dashes = [t["line"].get("dash") for t in fig["data"]]
        n = len(fig["data"])  # the loss has train, validation and test; the GAN charts two roles
        assert n >= 2 and len(set(colours)) == n and len(set(dashes)) == n, title
    # two runs on one chart: a colour and a marker shape per run (also in its header), a dash per role
    other = fake_runs.finished_cnn(app_store, name="other", seed=1)
    at = live([cnn, other])
    fig = figures(at)["Loss"]
    lines = {tuple(t["name"].split(" · ")): t for t in fig["data"] if t.get("y") != [None]}
    roles = {s for _, s in lines}
    assert {"train", "test"} <= roles and set(lines) == {(r, s) for r in ("cnn-1", "other") for s in roles}
    assert {r: {lines[r, s]["line"]["color"] for s in roles} for r in ("cnn-1", "other")} == {
        "cnn-1": {charts.color(0)}, "other": {charts.color(1)}}
    assert lines["cnn-1", "train"]["line"].get("dash") == lines["other", "train"]["line"].get("dash")
    assert lines["cnn-1", "test"]["line"].get("dash") != lines["cnn-1", "train"]["line"].get("dash")
    shapes = {r: lines[r, "train"]["marker"]["symbol"] for r in ("cnn-1", "other")}
    assert shapes["cnn-1"] != shapes["other"] and lines["other", "test"]["marker"]["symbol"] == shapes["other"]
    glyphs = dict(zip(charts.SYMBOLS, charts.SYMBOL_GLYPHS))
    headers = [md.value for md in at.markdown if "**" in md.value]
    assert any(h.startswith(glyphs[shapes["other"]]) and "other" in h for h in headers), headers


def test_smoothing_keeps_the_raw_line_faint_and_leaves_test_points_alone(app_store):
    rid = fake_runs.finished_cnn(app_store)
    at = live([rid])
    at.slider(key="live_smooth").set_value(0.8).run()
    assert not at.exception
    fig = figures(at)["Loss"]
    faint = [t for t in fig["data"] if t.get("opacity", 1) < 1]
    assert [t["name"] for t in faint] == ["train"]  # the raw train line; test points are not smoothed
    solid = [t for t in fig["data"] if t["name"] == "train" and t.get("opacity", 1) == 1][0]
    wiggle = [np.abs(np.diff(values(t["y"]))).sum() for t in (faint[0], solid)]
    assert wiggle[1] < 0.5 * wiggle[0]  # the smoothed line is smoother than the raw one under it


def test_control_action_redraws_the_page_with_its_message(app_store):
    """Issue 7.3 (the page part): an action reruns the whole page, so a resumed run gets the live refresh
    (the browser part, a run resumed from outside, is tests/test_browser_live.py)."""
    rid = fake_runs.running_gan(app_store)
    app_store.set_status(rid, "stopped", "stopped by request")
    at = live([rid])
    button(at, "Resume").click().run()
    assert not at.exception
    status = app_store.get_run(rid).status
    assert status in ("queued", "starting") and badges(at) == [status]
    assert any("queued" in t.value for t in at.toast)


def test_a_panel_shared_by_two_architectures_names_both_and_explains_both(app_store):
    """The race put a CNN's cross-entropy under the diffusion model's "Denoising loss" title, with the
    diffusion model's explanation under it; and its legend repeated the lesson's title on every line."""
    diffusion = fake_runs.fake_run(app_store, "diffusion", name="Race · Diffusion")
    cnn = fake_runs.fake_run(app_store, "cnn", name="Race · CNN")
    at = live([diffusion, cnn])
    titles = list(figures(at))
    assert "Denoising loss / Loss" in titles and "Denoising loss" not in titles, titles
    names = {t["name"] for t in figures(at)["Denoising loss / Loss"]["data"]}
    assert {"Diffusion · train", "CNN · train"} <= names, names  # the shared "Race · " dropped
    captions = " ".join(c.value for c in at.caption)
    assert "**Denoising loss**:" in captions and "**Loss**:" in captions
    # one architecture: its own title and explanation, unchanged
    alone = live([cnn])
    assert "Loss" in figures(alone) and "**Loss**:" not in " ".join(c.value for c in alone.caption)


def legend_entries(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if t.get("showlegend", True)]


def loss_run(store, name: str, keys: tuple[str, ...]) -> int:
    """A finished CNN run that recorded only ``keys`` (60 steps; evaluation keys every 20)."""
    from deeparch.course.archs import make_config

    rid = store.create_run(make_config("cnn", max_steps=60).to_dict(), name=name, status="running", total_steps=60)
    store.log_metrics(rid, [(s, k, 2.3 / s, 1000.0 + s) for s in range(1, 61) for k in keys
                            if k == "loss" or s % 20 == 0], step=60)
    store.set_status(rid, "finished")
    return rid


@pytest.mark.parametrize("runs,keys", [(3, ("loss", "test_loss")), (6, ("loss",))])
def test_six_series_on_a_projector_leave_the_plot_its_height(app_store, runs, keys):
    """Six series (three runs of train and test, or six runs of train) in projector mode: one legend entry
    per run, the splits' line styles in one key, beside the plot of a chart as wide as the page."""
    ids = [loss_run(app_store, f"run {n}", keys) for n in range(runs)]
    at = live(ids, pref_projector=True, kept_projector=True)
    fig = figures(at)["Loss"]
    lines = [t for t in fig["data"] if t.get("y") != [None]]
    assert len(lines) == 6
    roles = ["train", "test"][:len(keys)]
    assert legend_entries(fig) == [f"run {n}" for n in range(runs)] + (roles if len(roles) > 1 else [])
    run_entry = next(t for t in fig["data"] if t["name"] == "run 1")
    assert {t["legendgroup"] for t in lines if t["name"].startswith("run 1 ·")} == {run_entry["legendgroup"]}
    assert {t["line"]["color"] for t in lines if t["name"].startswith("run 1 ·")} == {run_entry["line"]["color"]}
    legend = fig["layout"]["legend"]
    assert legend["orientation"] == "v" and legend["x"] >= 1  # beside the plot: it takes none of its height
    assert fig["layout"]["height"] == charts.PROJECTOR_HEIGHT
    holding = [c for c in at.columns if c.get("plotly_chart")]
    assert holding and all(c.weight == 1 for c in holding)  # one chart a row: the plot keeps the width
