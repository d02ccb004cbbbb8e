"""Numbers as a Brazilian (or English) reader types and reads them: the parser, the list separator,
field values, ranges and numbers in sentences."""
from __future__ import annotations

import pytest

from deeparch.present import i18n, numbers
from deeparch.execution import sweep
from deeparch.course.archs import schema
from deeparch.course.config import COMMON, ConfigError

P = {p.name: p for p in COMMON}


@pytest.fixture(autouse=True)
def process_language():
    """The process language decides (an AppTest run earlier in this process installs a session resolver)."""
    i18n.set_resolver(None)
    yield
    i18n.set_lang("en")


@pytest.mark.parametrize("typed, value", [
    ("0,01", 0.01), ("1e-3", 0.001), ("1,5e-3", 0.0015), ("1,5E-3", 0.0015), ("-0,5", -0.5), (" 64 ", 64.0),
    ("2.500", 2500.0), ("12.345.678", 12_345_678.0), ("1.234,5", 1234.5),
    ("1.000", 1000.0),  # a correct grouping of thousands: one thousand, as a Brazilian writes it
    ("0.01", 0.01), ("1.5", 1.5), ("0.999", 0.999), ("10.25", 10.25),  # no grouping: the decimal point
    ("1,000", 1.0),
])
def test_pt_br_reads_what_a_brazilian_writes(typed, value):
    assert numbers.parse(typed, "pt-BR") == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("typed, value", [
    ("0.01", 0.01), ("1e-3", 0.001), ("2,500", 2500.0), ("1,000.5", 1000.5), ("1.000", 1.0), ("0,5", 0.5),
])
def test_english_reads_the_mirror_image(typed, value):
    assert numbers.parse(typed, "en") == pytest.approx(value)


@pytest.mark.parametrize("typed", ["abc", "", "1.2.3", "1,000.5", "1,2,3", "inf", "nan", "1e", "e5", "0x10",
                                   "1 000", "--1"])
def test_pt_br_refuses_what_it_cannot_read_and_says_how_to_write_it(typed):
    with pytest.raises(numbers.NumberError, match=r"is not a number \(write numbers like 0,01; 1e-3 or 2\.500\)"):
        numbers.parse(typed, "pt-BR")


def test_a_thousands_mark_read_is_reported_so_a_page_can_say_so():
    assert numbers.thousands_read("2.500", "pt-BR") and numbers.thousands_read("1.000", "pt-BR")
    assert not numbers.thousands_read("0.01", "pt-BR") and not numbers.thousands_read("0,01", "pt-BR")
    assert numbers.thousands_read("2,500", "en") and not numbers.thousands_read("abc", "en")


def test_the_current_language_decides_when_none_is_given():
    i18n.set_lang("pt-BR")
    assert numbers.parse("0,01") == 0.01 and numbers.parse("2.500") == 2500
    i18n.set_lang("en")
    assert numbers.parse("2.500") == 2.5


@pytest.mark.parametrize("value", [0.001, 1e-7, 0.9, 0.999, 64, 10000.0, 2**31 - 1, 1e-4, 12345.5, 0.0, 3e20,
                                   0.1234567])
@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_a_field_value_reads_back_as_itself(value, lang):
    assert numbers.parse(numbers.field(value, lang), lang) == pytest.approx(value, rel=1e-11)


def test_field_values_and_readable_numbers_use_the_language_marks():
    assert numbers.field(0.001, "pt-BR") == "0,001" and numbers.field(0.001, "en") == "0.001"
    assert numbers.field(1e-7, "pt-BR") == "1e-07" and numbers.field(64, "pt-BR") == "64"
    assert numbers.readable(2**31 - 1, "pt-BR") == "2.147.483.647"
    assert numbers.readable(2**31 - 1, "en") == "2,147,483,647"
    assert numbers.readable(0.999, "pt-BR") == "0,999" and numbers.readable(1e6, "pt-BR") == "1.000.000"


def test_pt_br_lists_are_separated_by_semicolons():
    assert numbers.list_separator("pt-BR") == ";" and numbers.list_separator("en") == ","
    assert numbers.split("0,001; 0,01", "pt-BR") == ["0,001", "0,01"]
    assert numbers.split("0,001, 0,01", "pt-BR") == ["0,001", "0,01"]  # a comma and a space: a list
    assert numbers.split("0,001,0,01", "pt-BR") == ["0,001,0,01"]      # a bare comma is a decimal mark
    assert numbers.split("1e-4,1e-3", "en") == ["1e-4", "1e-3"]


def test_a_sweep_reads_brazilian_decimals():
    lr = schema("cnn")["lr"]
    assert sweep.parse_values(lr, "0,001; 0,01; 0,1", "pt-BR") == [0.001, 0.01, 0.1]
    assert sweep.parse_values(lr, "1e-4, 1e-3", "en") == [1e-4, 1e-3]
    assert sweep.parse_values(schema("cnn")["optimizer"], "adam, sgd", "pt-BR") == ["adam", "sgd"]
    with pytest.raises(ConfigError, match=r"separated by semicolons \(;\)"):
        sweep.parse_values(lr, "0,001", "pt-BR")
    assert sweep.parse_grid("cnn", ["lr=1e-4,1e-3"], lang="en") == {"lr": [1e-4, 1e-3]}


def test_a_knob_reads_the_field_in_the_language_and_refuses_in_its_words():
    assert P["lr"].coerce("0,01", "pt-BR") == 0.01
    assert P["batch_size"].coerce("2.500", "pt-BR") == 2500
    with pytest.raises(ConfigError) as e:
        P["batch_size"].coerce("2,5", "pt-BR")
    i18n.set_lang("pt-BR")
    assert i18n.tr_error(str(e.value)) == "batch_size='2,5': deve ser um inteiro entre 1 e 4.096"
    with pytest.raises(ConfigError) as e:
        P["lr"].coerce("0,0,1")
    assert i18n.tr_error(str(e.value)) == ("lr='0,0,1': deve ser um número entre 1e-07 e 10.000 "
                                           "(escreva números como 0,01; 1e-3 ou 2.500)")


def test_ranges_read_in_the_language_without_scientific_notation_for_whole_numbers():
    assert P["seed"].describe_range() == "int in [0, 2147483647]"  # was 2.14748e+09
    i18n.set_lang("pt-BR")
    assert i18n.tr_error(P["seed"].describe_range()) == "um inteiro entre 0 e 2.147.483.647"
    assert i18n.tr_error(P["momentum"].describe_range()) == "um número entre 0 e 0,999"


def test_scientific_notation_in_a_sentence_reads_as_a_power_of_ten_in_pt_br():
    text = i18n.Text("{ratio:.0e}× · {v:.1e} · {g:.3g} · {n:,}")
    i18n.set_lang("pt-BR")
    assert text.format(ratio=1e6, v=1.5e-5, g=2147483647.0, n=4252) == "10⁶× · 1,5 × 10⁻⁵ · 2,15 × 10⁹ · 4.252"
    i18n.set_lang("en")
    assert text.format(ratio=1e6, v=1.5e-5, g=2147483647.0, n=4252) == "1e+06× · 1.5e-05 · 2.15e+09 · 4,252"


def test_a_sweep_figure_labels_its_knob_values_in_the_language():
    from deeparch.present import charts

    i18n.set_lang("pt-BR")
    assert charts._knob_ticks([0.001, 0.5, 64, "adam"]) == ["0,001", "0,5", "64", "adam"]
    i18n.set_lang("en")
    assert charts._knob_ticks([0.001, 0.5, 64, "adam"]) == ["0.001", "0.5", "64", "adam"]


def test_a_divergence_reason_reads_its_numbers_in_portuguese():
    i18n.set_lang("pt-BR")
    from deeparch.present.messages import Message

    said = i18n.tr_error(Message("diverged_grew", key=Message("metric_loss"), value=1200.0, limit=1000.0, step=40))
    assert "cresceu até 1,2 × 10³ (limite 10³) no passo 40" in said, said


def test_a_spreadsheet_csv_has_a_bom_and_the_language_separators():
    import io

    import pandas as pd

    from deeparch.read import views

    df = pd.DataFrame({"run": ["'=1+1", "Ação"], "loss": [0.25, 1234.5], "step": [10, 20]})
    en, pt = views.spreadsheet_csv(df, "en"), views.spreadsheet_csv(df, "pt-BR")
    assert en.startswith(b"\xef\xbb\xbf") and pt.startswith(b"\xef\xbb\xbf")
    assert en.decode("utf-8-sig").splitlines()[1] == "'=1+1,0.25,10"
    assert pt.decode("utf-8-sig").splitlines()[1] == "'=1+1;0,25;10"
    back = pd.read_csv(io.StringIO(pt.decode("utf-8-sig")), sep=";", decimal=",")
    assert back["loss"].tolist() == [0.25, 1234.5] and back["run"].tolist() == ["'=1+1", "Ação"]
