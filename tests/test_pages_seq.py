"""The Train page with generated tasks: dataset settings, presets in one click, the lesson race, refusals."""
from test_pages import app_store, button, open_page  # noqa: F401 - app_store is a fixture

TRAIN = "pages/train.py"


def test_a_preset_fills_the_dataset_and_settings_and_launches_them(app_store):
    at = open_page(TRAIN)
    at.selectbox(key="train_arch").set_value("lm").run()
    button(at, "Add two 3-digit numbers (GPT-style)").click().run()
    assert not at.exception and at.selectbox(key="train_dataset").value == "add"
    assert at.text_input(key="hp:lm:digits").value == "3"   # the dataset's own setting is a field
    at.text_input(key="hp:lm:max_steps").set_value("20")
    button(at, "Launch run").click().run()
    (run,) = app_store.list_runs()
    assert run.dataset == "add" and run.config["hp"]["digits"] == 3 and run.config["hp"]["max_steps"] == 20


def test_an_architecture_that_cannot_read_the_dataset_is_refused_with_the_reason(app_store):
    at = open_page(TRAIN)
    at.selectbox(key="train_dataset").set_value("sort").run()
    assert not at.exception
    assert any("cnn reads image data and sort is a tokens dataset" in e.value for e in at.error)
    assert button(at, "Launch run").disabled


def test_the_recall_lesson_race_launches_plain_rnn_against_lstm(app_store):
    at = open_page(TRAIN)
    at.radio(key="race_unit").set_value("steps").run()
    at.text_input(key="race_amount_steps").set_value("30").run()
    button(at, "Launch lesson race").click().run()
    assert not at.exception
    runs = app_store.list_runs()
    assert sorted(r.config["hp"]["cell"] for r in runs) == ["lstm", "rnn"]
    assert {r.dataset for r in runs} == {"recall"} and len({r.group_name for r in runs}) == 1
    assert {r.config["hp"]["max_steps"] for r in runs} == {30}


def test_live_shows_a_language_models_completions_as_text(app_store):
    import fake_runs
    from test_pages_live import live

    rid = fake_runs.fake_run(app_store, "lm", steps=100)
    at = live([rid])
    assert not at.exception
    assert any(list(df.value["prompt"]) == ["531=", "972="] for df in at.dataframe)
    assert any("1 of 2 held-out prompts completed exactly right" in c.value for c in at.caption)
