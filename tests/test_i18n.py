"""The two catalogs: same keys, same placeholders, fallback to English, numbers in the language's format."""
from __future__ import annotations

import shutil
import string
import subprocess
import sys

import pytest

from deeparch.present import i18n
from deeparch.present.messages import Message
import deeparch.course.archs  # noqa: F401 - every Param declared: their labels are recorded for i18n.param_label
from deeparch.catalogs import choice_labels, labels, mo_bytes, missing, param_names, po_path, translations


@pytest.fixture(autouse=True)
def process_language():
    """The process language decides (an AppTest of app.py earlier in this process installs a session resolver)."""
    i18n.set_resolver(None)
    yield
    i18n.set_lang("en")


@pytest.fixture
def pt():
    i18n.set_lang("pt-BR")


def test_pt_br_has_every_key_of_the_english_catalog():
    """The strict test: `python -m deeparch.catalogs` prints the same list, to fill in after a merge."""
    lacking = missing()
    assert not lacking, "pt-BR catalog out of step with the English one:\n" + "\n".join(
        f"{where}: {keys}" for where, keys in lacking.items())


def test_every_parameter_has_a_human_label_in_both_languages():
    assert not param_names() - set(labels())
    have = {english for context, english in translations() if context == "label"}
    assert not {labels()[name] for name in param_names()} - have


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_translation_fills_in_the_same_placeholders():
    """One test for every catalog string (page words, declared words, labels, messages): it lists each pt-BR
    text whose {placeholders} differ from its English (a missing one is the strict test's to list)."""
    wrong = [f"{context or ''} {english!r}: {sorted(_fields(english))} in English, {sorted(_fields(tr))} in pt-BR"
             for (context, english), tr in translations().items() if _fields(tr) != _fields(english)]
    assert not wrong, "\n".join(wrong)


def test_the_catalog_passes_msgfmt_check():
    """GNU gettext's own checks (syntax, headers, python-brace-format placeholders) on the .po."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed (apt-get install gettext)")
    done = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(po_path())], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_committed_mo_is_compiled_from_the_po():
    """The app reads the committed .mo: after editing the .po, `python -m deeparch.catalogs compile`."""
    assert po_path().with_suffix(".mo").read_bytes() == mo_bytes(), "stale deeparch.mo: run python -m " \
                                                                     "deeparch.catalogs compile"


def test_a_key_missing_in_pt_br_shows_its_english(pt):
    text = i18n.Catalog("train", {"title": "Train", "brand_new_key": "Added by another branch",
                                  "col": {"a": "A"}})
    assert text["title"] == "Treinar"
    assert text["brand_new_key"] == "Added by another branch"
    assert i18n.tr("A sentence nobody translated yet") == "A sentence nobody translated yet"


def test_a_nested_dict_merges_key_by_key(pt):
    text = i18n.Catalog("words", {"status": {"running": "running", "new_state": "new state"}})
    assert text["status"] == {"running": "treinando", "new_state": "new state"}


def test_english_is_the_words_written_in_the_code():
    text = i18n.Catalog("train", {"title": "Train"})
    assert text["title"] == "Train" and i18n.tr("Loss") == "Loss"
    assert i18n.param_label("lr") == "Learning rate (lr)"


def test_numbers_follow_the_language(pt):
    text = i18n.Catalog("live", {"progress": "step {step:,} of {total:,} · {pct:.0%}"})
    assert text["progress"].format(step=12345, total=100000, pct=0.5) == "passo 12.345 de 100.000 · 50%"
    assert i18n.number(1234567.5, ",.1f") == "1.234.567,5"
    assert i18n.percent(0.931) == "93,1%"
    i18n.set_lang("en")
    assert i18n.number(1234567.5, ",.1f") == "1,234,567.5"


def test_dates_follow_the_language(pt):
    from datetime import datetime

    moment = datetime(2026, 3, 5, 14, 7)
    assert i18n.when(moment) == "05/03/2026 14:07"
    i18n.set_lang("en")
    assert i18n.when(moment).startswith("3/5/26")


def test_parameter_labels_keep_the_code_name(pt):
    assert i18n.param_label("lr") == "Taxa de aprendizado (lr)"
    assert i18n.param_label("batch_norm") == "Normalização por lote (batch_norm)"
    assert i18n.param_label("a_knob_with_no_label") == "a_knob_with_no_label"


def test_config_errors_are_translated(pt):
    from deeparch.course.archs import make_config
    from deeparch.course.config import ConfigError

    with pytest.raises(ConfigError) as e:
        make_config("cnn", lr=1e9)
    assert i18n.tr_error(str(e.value)) == "lr=1.000.000.000 está fora do intervalo: deve ser um número entre 1e-07 e 10.000"


@pytest.mark.parametrize("arch, hp, said", [
    ("cnn", {"classes": "abc"}, "classes='abc': não foi possível ler 'abc'; deve ser classes como 5-9 ou 0,2,4 "
                                "(vazio = todas)"),
    ("cnn", {"classes": "3-12"}, "'3-12' não é um intervalo de classes de 0 a 9"),
    ("cnn", {"classes": "4"}, "um classificador precisa de pelo menos duas classes"),
    ("cnn", {"patience": 3, "val_split": 0}, "patience (parada antecipada) lê a perda de validação"),
    ("cnn", {"fresh": "features"}, "fresh nomeia camadas que não são carregadas da execução init_from"),
    ("cnn", {"unfreeze_after": 3}, "unfreeze_after diz quando as camadas congeladas começam a aprender"),
    ("cnn", {"freeze": "features", "unfreeze_after": 30, "epochs": 5}, "unfreeze_after=30 não é menor que epochs=5"),
    ("dcgan", {"info_codes": 10}, "clusters=20 e info_codes=10 dão ambos um grupo ao gerador"),
    ("dcgan", {"g_steps": 2, "separate_batches": False}, "g_steps > 1 exige separate_batches=true"),
    ("dcgan", {"clusters": 40, "batch_size": 32}, "clusters=40 exige batch_size >= 40"),
    ("dcgan", {"loss": "hinge", "label_smoothing": 0.1}, "label_smoothing=0,1 exige loss=bce"),
])
def test_refusals_of_knob_combinations_are_translated(pt, arch, hp, said):
    """The data practices' and the GAN family's refusals read in Portuguese, whole (no English left)."""
    from deeparch.course.archs import make_config
    from deeparch.course.config import ConfigError

    with pytest.raises(ConfigError) as e:
        make_config(arch, **hp)
    got = i18n.tr_error(str(e.value))
    assert said in got
    assert not any(w in got for w in (" must ", " needs ", " set ", " like ", " cannot ", " is not ")), got


def test_the_common_panels_of_a_display_are_translated_too(pt):
    from deeparch.read import views

    d = views.display("cnn").with_common()
    titles = [p.title for p in d.panels]
    assert "Perda" in titles and "Norma do gradiente por camada" in titles and "Vazão" in titles
    assert d.headline.label == "acurácia de teste na melhor validação"  # English: "test accuracy at best validation"
    assert d.panels[0].lines[0].label == "treinamento"


def test_browser_tags_map_to_a_language():
    assert i18n.normalize("pt-BR") == i18n.normalize("pt") == i18n.normalize("pt_PT") == "pt-BR"
    assert i18n.normalize("en-US") == i18n.normalize(None) == i18n.normalize("de-DE") == "en"


@pytest.mark.slow  # a Python process of its own
def test_the_cli_speaks_english_unless_asked():
    run = [sys.executable, "-m", "deeparch"]
    english = subprocess.run(run + ["archs"], capture_output=True, text=True, check=True).stdout
    pt_out = subprocess.run(run + ["--lang", "pt-BR", "archs"], capture_output=True, text=True, check=True).stdout
    assert "learning rate" in english and "taxa de aprendizado" not in english
    assert "taxa de aprendizado" in pt_out and "Taxa de aprendizado (lr)" in pt_out
    bad = subprocess.run(run + ["--lang", "pt-BR", "train", "--arch", "cnn", "--lr", "abc"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "deve ser um número entre 1e-07 e 10.000" in bad.stderr


def test_a_memory_refusal_is_translated(pt):
    said = Message("memory", total=27.0, weights=0.1, step=26.9, batch=4096, free=3.2)
    assert said == ("this configuration needs about 27.0 GB of memory to train (0.10 GB of weights, 26.9 GB for a "
                    "step on a batch of 4096: gradients, optimizer state, activations), but only 3.2 GB is "
                    "available; lower batch_size or the model's size")
    assert i18n.tr_error(said).startswith("esta configuração precisa de cerca de 27,0 GB de memória")
    assert "lote de 4.096" in i18n.tr_error(said) and "3,2 GB disponíveis" in i18n.tr_error(said)


def test_a_bad_value_reads_its_value_and_range_in_brazilian_numbers(pt):
    """A refusal is a code and fields (no English re-translated): the value and the range's ends in pt-BR's
    format, the English sentence unchanged for the command line and the tests."""
    from deeparch.course.archs import make_config
    from deeparch.course.config import ConfigError

    with pytest.raises(ConfigError) as e:
        make_config("cnn", momentum=1.5, batch_size=64)
    assert str(e.value) == "momentum=1.5 is out of range: must be float in [0, 0.999]"
    assert e.value.args[0].code == "out_of_range" and e.value.args[0].fields["value"] == 1.5
    assert i18n.tr_error(e.value) == "momentum=1,5 está fora do intervalo: deve ser um número entre 0 e 0,999"
    with pytest.raises(ConfigError) as e:
        make_config("cnn", batch_size=100000)
    assert i18n.tr_error(str(e.value)) == ("batch_size=100.000 está fora do intervalo: deve ser um inteiro entre 1 "
                                           "e 4.096")


def test_a_stored_reason_keeps_its_code_and_an_old_one_reads_as_it_is(pt):
    from deeparch.present import messages

    stored = Message("worker_died_how", how="exit code 1").encode()
    assert messages.decode(stored) == "worker process died (exit code 1)"
    assert i18n.tr_error(stored) == "o processo de treinamento morreu (exit code 1)"
    assert i18n.tr_error("worker process died (exit code 1)") == "worker process died (exit code 1)"
    i18n.set_lang("en")
    assert i18n.tr_error(stored) == "worker process died (exit code 1)"


def test_a_knobs_values_have_human_labels_with_the_value_kept(pt):
    """A picker shows "Decaimento cosseno (cosine)" and stores "cosine"; a number or a name shows as itself."""
    from deeparch.catalogs import choice_values

    assert i18n.choice_label("lr_schedule", "cosine") == "Decaimento cosseno (cosine)"
    assert i18n.choice_label("block", "plain") == "Convolução simples, como no curso (plain)"
    assert i18n.choice_label("init", "he") == "He (Kaiming)" and i18n.choice_label("optimizer", "adam") == "Adam"
    assert i18n.choice_label("kernel_size", 3) == "3"
    have = translations()
    for knob, values in choice_values().items():  # every named value of every knob has a label in each language
        assert all(v in choice_labels().get(knob, {}) and (f"choice:{knob}", choice_labels()[knob][v]) in have
                   for v in values), knob
    i18n.set_lang("en")
    assert i18n.choice_label("downsample", "stride") == "Stride-2 convolution (stride)"
    assert i18n.choice_label("lr_schedule", "cosine") == "Cosine decay"  # it starts with the value


def test_a_diverged_runs_reason_names_the_value_in_portuguese(pt):
    grew = Message("diverged_grew", key=Message("metric_loss"), value=45.3, limit=23.0, step=61)
    assert grew == "loss grew to 45.3 (limit 23) at step 61: training diverged (learning rate too high?)"
    assert i18n.tr_error(grew) == "a perda (loss) cresceu até 45,3 (limite 23) no passo 61: o treinamento divergiu " \
                                  "(taxa de aprendizado alta demais?)"
    nan = Message("diverged_became", key=Message("metric_g_loss"), value=float("nan"), step=3)
    assert i18n.tr_error(nan).startswith("a perda do gerador (g_loss) virou nan")
    other = Message("diverged_became", key=Message("metric", key="d_x"), value=float("inf"), step=3)
    assert other.startswith("d_x became inf") and i18n.tr_error(other).startswith("o valor d_x virou inf")


def test_one_knob_name_with_two_labels_is_refused_with_both_named(capsys, monkeypatch):
    """A new architecture's knob that reuses a name (``dropout``) must keep its label: the pages label a knob
    by its name. The catalog tool says which labels clash, in one line, instead of a traceback."""
    from deeparch import catalogs
    from deeparch.course.config import Param

    mine = Param("dropout", 0.0, "dropout on the input pixels", float, 0.0, 0.95, label="Input dropout")
    with pytest.raises(catalogs.LabelConflict, match="'Dropout' in one declaration and 'Input dropout'"):
        catalogs.labels([*catalogs.params(), mine])
    shared = Param("dropout", 0.2, "dropout after each hidden layer", float, 0.0, 0.95, label="Dropout")
    monkeypatch.setattr(catalogs, "params", lambda: [shared, mine])
    assert catalogs.main(["missing"]) == 2
    assert "the knob dropout is labelled" in capsys.readouterr().err
