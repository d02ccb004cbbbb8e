"""Issue 9.4: an architecture defined inside the test suite (tests/toy_arch.py) trains, and every page,
the command line and the export show its declared panel, view and headline, with no line
changed outside the tests: the proof that an architecture is one file."""
from __future__ import annotations

import json

import pytest

import toy_arch
from deeparch import cli
from deeparch.execution import jobs
from deeparch.course.archs import registered
from deeparch.store import Store
from test_pages import open_page, static_serving
from test_pages_live import figures


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory):
    """The toy registered, and one real short training run of it in a store of its own."""
    from deeparch.course.archs import make_config
    from deeparch.execution.runner import run_worker

    root = tmp_path_factory.mktemp("toy") / "runs"
    with registered(toy_arch.SPEC):
        store = Store(root)
        cfg = make_config("toy", max_steps=20, log_every=5, eval_every=10, sample_every=10, width=8)
        rid = store.create_run(cfg.to_dict(), name="toy run", status="starting")
        assert run_worker(rid, store, reconcile=jobs.reconcile, threads=1) == "finished"
        store.close()
        yield root, rid


@pytest.fixture
def toy(toy_root, monkeypatch):
    root, rid = toy_root
    monkeypatch.setenv("DEEPARCH_RUNS", str(root))
    monkeypatch.setattr(jobs, "_spawn", lambda store, run_id: None)
    s = Store(root)
    yield s, rid
    s.close()


def test_a_real_run_stores_the_toys_metric_and_media(toy):
    store, rid = toy
    assert "toy_wobble" in store.metric_keys(rid)
    assert store.media_steps(rid, "toy_map") and store.media_steps(rid, "probe")
    assert store.get_run(rid).summary.get("test_acc_at_best") is not None  # the declared headline


def test_train_page_lists_it(toy):
    at = open_page("pages/train.py")
    assert not at.error
    assert "Toy (test only)" in at.selectbox(key="train_arch").options


def test_live_shows_its_declared_panel_and_view(toy):
    store, rid = toy
    with static_serving(False):
        at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert not at.error
    fig = figures(at)["Toy wobble meter"]
    assert [t["name"] for t in fig["data"]] == ["wobble"] and fig["layout"]["yaxis"]["title"]["text"] == "wobble"
    captions = [c.value for c in at.caption]
    assert toy_arch.WOBBLE.explain in captions and toy_arch.MAP.explain in captions
    assert any(toy_arch.MAP.title in md.value for md in at.markdown)
    assert at.get("image")  # the toy_map grid, drawn as an image


def test_compare_offers_its_metric_by_its_declared_label(toy):
    store, rid = toy
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [rid]})
    assert not at.error
    assert "Toy wobble meter" in at.selectbox(key="compare_metric").options
    assert any("test accuracy at best validation" in md.value for md in at.markdown)  # the summary line's headline


def test_runs_page_shows_it_with_its_headline(toy):
    store, rid = toy
    at = open_page("pages/runs.py")
    assert not at.error
    row = at.dataframe[0].value.set_index("id").loc[rid]
    assert row["arch"] == "toy" and row["headline"].startswith("test accuracy at best validation ")


def test_cli_runs_and_export_include_it(toy, tmp_path, capsys):
    store, rid = toy
    root = str(store.root)
    assert cli.main(["--store", root, "runs", "--json"]) == 0
    (row,) = [r for r in json.loads(capsys.readouterr().out) if r["id"] == rid]
    assert row["arch"] == "toy" and row["headline"] == "test accuracy at best validation" and row["headline_value"] is not None
    assert cli.main(["--store", root, "runs"]) == 0
    assert "test accuracy at best validation" in capsys.readouterr().out
    assert cli.main(["--store", root, "export", str(rid), "--csv", str(tmp_path / "toy.csv")]) == 0
    assert "toy_wobble" in (tmp_path / "toy.csv").read_text().splitlines()[0].split(",")
