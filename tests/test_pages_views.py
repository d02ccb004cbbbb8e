"""Issue 12 on the pages: the model itself and diagnostics on Live, any view side by side on Compare."""
from __future__ import annotations

import fake_runs
from test_pages import app_store, open_page  # noqa: F401 - app_store is a fixture


def test_live_shows_the_model_tree_its_code_and_how_it_differs(app_store):
    rid = fake_runs.fake_run(app_store, "cnn")
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert any(e.label.startswith("The model itself") for e in at.expander)
    assert any(c.value.startswith("class CNN(") for c in at.code)
    assert any("differs from the course listing" in m.value for m in at.markdown)
    tree = next(d.value for d in at.dataframe if "own parameters" in d.value.columns)
    assert "Conv2d" in set(tree["type"]) and tree["total parameters"].iloc[0] == tree["own parameters"].sum()


def test_live_words_a_diagnosis_beside_the_run(app_store):
    rid = fake_runs.fake_run(app_store, "gan")
    now = [(s, k, v, 0.0) for s in range(101, 131) for k, v in (("d_x", 0.99), ("d_g_z", 0.005))]
    app_store.log_metrics(rid, [(s, k, v, w) for s, k, v, w in now])
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert any("discriminator is winning" in w.value for w in at.warning)


def test_compare_draws_any_declared_view_of_each_run_side_by_side(app_store):
    a, b = fake_runs.fake_run(app_store, "cnn"), fake_runs.fake_run(app_store, "mlp")
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [a, b]})
    picker = at.selectbox(key="compare_view")
    assert picker.value == "probe"
    assert {"Confusion matrix (test split)", "First-layer filters"} <= set(picker.proto.options)
    at = picker.set_value("confusion").run()
    assert not at.exception
    assert any("diagonal counts the right answers" in c.value for c in at.caption)
    at = at.selectbox(key="compare_view").set_value("filters").run()
    assert any("no grid" in c.value for c in at.caption)  # the MLP has no filters: it says so


def test_a_view_the_run_s_settings_never_draw_is_left_out(app_store):
    """The DCGAN's 'What each group draws' needs clusters (the preset) or an InfoGAN code: a plain DCGAN run
    does not offer it on Live or Compare, instead of a "no grid yet" that never ends."""
    grouped, plain = fake_runs.fake_run(app_store, "dcgan"), fake_runs.fake_run(app_store, "dcgan", clusters=0)
    titles = {}
    for rid in (grouped, plain):
        at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
        assert not at.exception
        titles[rid] = " ".join(m.value for m in at.markdown)
    assert "What each group draws" in titles[grouped] and "Walking through the latent space" in titles[grouped]
    assert "What each group draws" not in titles[plain] and "Walking through the latent space" in titles[plain]
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [plain]})
    assert "What each group draws" not in at.selectbox(key="compare_view").options
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [plain, grouped]})
    assert "What each group draws" in at.selectbox(key="compare_view").options


def test_an_ended_run_that_never_drew_a_view_leaves_it_out_on_live(app_store):
    """A DCGAN run stored before the groups view existed (InfoGAN code on, so its settings would draw it) has
    no such image: once it has ended, Live leaves the view out rather than wait for it."""
    rid = fake_runs.fake_run(app_store, "dcgan", clusters=0, info_codes=10)
    app_store.db.execute("DELETE FROM media WHERE run_id=? AND kind='groups'", (rid,))
    app_store.db.commit()
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    text = " ".join(m.value for m in at.markdown)
    assert "What each group draws" not in text and "Walking through the latent space" in text


def declared_views() -> list:
    """(architecture, view) for every view any architecture declares, on images, tokens, text and time series."""
    from deeparch.course.archs import ARCHS

    return [(spec.name, v) for spec in ARCHS.values()
            for d in (spec.display, spec.token_display, spec.text_display, spec.series_display) if d for v in d.views]


def test_live_and_compare_draw_views_from_one_registry():
    """Every declared kind has a drawer in pages/_views.py; neither page keeps a table of its own."""
    import ast
    from pathlib import Path

    from pages import _views

    missing = {f"{arch}: {v.kind} (draw={v.draw})" for arch, v in declared_views() if v.draw not in _views.DRAW}
    assert not missing, f"no drawer for {sorted(missing)}"
    root = Path(__file__).resolve().parent.parent
    for page in ("pages/live.py", "pages/compare.py"):
        tree = ast.parse((root / page).read_text())
        names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                 if isinstance(t, ast.Name)}
        assert "DRAW" not in names, f"{page} keeps its own drawers"
        assert "_views.draw(" in (root / page).read_text(), f"{page} does not draw through pages/_views.py"


def test_every_declared_view_draws_on_live_and_on_compare():
    """Each declared view, with the media a trainer stores for it, is drawn at both places without error."""
    from streamlit.testing.v1 import AppTest

    def script():
        from types import SimpleNamespace

        import fake_runs
        from pages import _views
        from test_pages_views import declared_views

        for n, (arch, view) in enumerate(declared_views()):
            run = SimpleNamespace(id=n, name=f"{arch} run")
            got = (50, fake_runs._png(16, 4, n), fake_runs._media_meta(view.draw, 50))
            _views.draw(_views.LIVE, run, view, got)
            _views.draw(_views.COMPARE, run, view, got, title=f"#{n} {arch} run")

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    views = declared_views()
    assert len([c for c in at.caption if "step 50" in c.value]) == 2 * len(views)  # each drawer says whose and when
    assert len(at.dataframe) == 2 * sum(v.draw == "text" for _, v in views)
    prose = sum(v.draw == "prose" for _, v in views)
    assert prose and len([c for c in at.code if c.value.startswith("Uma noite destas")]) == 2 * prose


def test_compare_shows_a_language_models_completions_as_text(app_store):
    a = fake_runs.fake_run(app_store, "lm", steps=100, name="lm a")
    b = fake_runs.fake_run(app_store, "lm", steps=100, name="lm b")
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [a, b]})
    at = at.selectbox(key="compare_view").set_value("completions").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "prompt" in df.value.columns]
    assert len(tables) == 2 and all(list(t["prompt"]) == ["531=", "972="] for t in tables)
    assert sum("held-out prompts completed exactly right" in c.value for c in at.caption) == 2
