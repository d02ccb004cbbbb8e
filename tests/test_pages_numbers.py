"""The pages in Portuguese under AppTest: numbers typed the Brazilian way are read, refused in Portuguese
when they cannot be, shown with Brazilian marks (fields, help ranges, sliders), and exported so that a
Brazilian spreadsheet opens them right (CSV with ; and a decimal comma, and an .xlsx with numeric cells)."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import fake_runs
from deeparch.present import i18n
from test_pages import APP, app_store, button  # noqa: F401 - app_store is a fixture
from test_pages_forms import downloads, table_ids, tick  # noqa: F401 - downloads is a fixture

TRAIN = "pages/train.py"


@pytest.fixture
def pt(monkeypatch):
    """A session in Portuguese. AppTest formats the widgets it sends back (a selectbox's options) outside
    the session, where the app's resolver says English: there (no Streamlit runtime, ``st.runtime.exists()``,
    the public call pages/_prefs.py uses) it says Portuguese too."""
    from pages import _prefs

    real = _prefs.session_lang
    monkeypatch.setattr(_prefs, "session_lang",
                        lambda: real() if st.runtime.exists() else "pt-BR")
    yield
    i18n.set_resolver(None)


def open_pt(path: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["pref_lang"] = "pt-BR"  # before the first run: the sidebar's language switch starts there
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at) -> list[str]:
    return [e.value.replace("\\", "") for e in at.error]


def launch_disabled(at) -> bool:
    return next(b for b in at.button if b.key == "train_launch").disabled


def test_train_reads_a_brazilian_decimal_and_launches_it(app_store, pt):
    at = open_pt(TRAIN)
    assert at.text_input(key="hp:cnn:lr").value == "0,001"      # the default, as a Brazilian writes it
    assert at.text_input(key="hp:cnn:momentum").value == "0,9"
    at.text_input(key="hp:cnn:lr").set_value("0,01").run()
    assert errors(at) == [] and not launch_disabled(at)
    button(at, "Lançar execução").click().run()
    (run,) = app_store.list_runs()
    assert run.config["hp"]["lr"] == 0.01


def test_train_refuses_an_unreadable_number_in_portuguese(app_store, pt):
    at = open_pt(TRAIN)
    at.text_input(key="hp:cnn:lr").set_value("0,0,1").run()
    assert any("lr='0,0,1': deve ser um número entre 1e-07 e 10.000 (escreva números como 0,01; 1e-3 ou 2.500)"
               in e for e in errors(at)), errors(at)
    assert launch_disabled(at) and app_store.list_runs() == []


def test_train_says_when_a_dot_was_read_as_thousands(app_store, pt):
    at = open_pt(TRAIN)
    at.text_input(key="hp:cnn:max_steps").set_value("1.000").run()
    assert "Lido como 1.000." in [c.value for c in at.caption]
    at.text_input(key="hp:cnn:lr").set_value("0.01").run()  # a lone point that groups nothing: a decimal point
    assert errors(at) == []
    button(at, "Lançar execução").click().run()
    (run,) = app_store.list_runs()
    assert run.config["hp"]["max_steps"] == 1000 and run.config["hp"]["lr"] == 0.01


def test_train_help_ranges_read_as_brazilian_numbers(app_store, pt):
    at = open_pt(TRAIN)
    assert at.text_input(key="hp:cnn:seed").help.endswith("um inteiro entre 0 e 2.147.483.647")
    assert at.text_input(key="hp:cnn:momentum").help.endswith("um número entre 0 e 0,999")
    assert at.text_input(key="race_seed").help.endswith("um inteiro entre 0 e 2.147.483.647")


def test_sweep_takes_brazilian_decimals_separated_by_semicolons(app_store, pt):
    at = open_pt(TRAIN)
    field = at.text_input(key="sweep_values1:cnn:lr")
    assert field.value == "0,0001; 0,001; 0,01"
    assert "Separe os valores com ponto e vírgula (;), por exemplo 0,001; 0,01." in field.help
    field.set_value("0,001; 0,01").run()
    assert errors(at) == []
    at.text_input(key="sweep_values1:cnn:lr").set_value("0,001").run()
    assert any("dê pelo menos 2 valores, separados por ponto e vírgula (;)" in e for e in errors(at)), errors(at)
    at.text_input(key="sweep_values1:cnn:lr").set_value("0,001; 0,01").run()
    button(at, "Lançar varredura").click().run()
    assert sorted(r.config["hp"]["lr"] for r in app_store.list_runs()) == [0.001, 0.01]


def test_sliders_show_brazilian_numbers(app_store, pt):
    rid = fake_runs.finished_cnn(app_store, steps=1500)
    app_store.set_status(rid, "finished")
    at = open_pt("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert at.slider(key="live_smooth").proto.format == "localized"  # the browser's marks: 0,85, not 0.85
    (grid,) = [s for s in at.select_slider if s.key == f"live_grid:{rid}"]
    assert grid.options[-1] == "1.500" and grid.value == 1500


def test_runs_export_opens_right_in_a_brazilian_spreadsheet(app_store, pt, downloads):
    rid = fake_runs.finished_cnn(app_store, name='=HYPERLINK("http://x","run")')
    at = open_pt("pages/runs.py")
    tick(at, [table_ids(at).index(rid)])
    csv_button, xlsx_button = at.get("download_button")[:2]
    assert csv_button.proto.label == "Exportar métricas (CSV)" and xlsx_button.proto.label == "Exportar métricas (Excel)"
    stored = app_store.metrics(rid)
    loss = stored[stored["key"] == "loss"].set_index("step")["value"]

    raw = downloads[csv_button.proto.deferred_file_id]()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: accents survive in a spreadsheet
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("run_id;run;step;")
    df = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert set(df["run_id"]) == {rid} and set(df["run"]) == {"'" + '=HYPERLINK("http://x","run")'}
    assert df.set_index("step")["loss"].dropna().to_dict() == pytest.approx(loss.to_dict())

    book = openpyxl.load_workbook(io.BytesIO(downloads[xlsx_button.proto.deferred_file_id]()))
    rows = list(book.active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["run_id", "run", "step"]
    cells = {row[header.index("step")]: row for row in rows[1:]}
    assert all(isinstance(row[header.index("step")], int) for row in rows[1:])
    got = {step: row[header.index("loss")] for step, row in cells.items() if row[header.index("loss")] is not None}
    assert all(isinstance(v, float) for v in got.values()) and got == pytest.approx(loss.to_dict())
    name = book.active.cell(row=2, column=2)
    assert name.value.startswith("'=") and name.data_type == "s"  # text, never a formula
