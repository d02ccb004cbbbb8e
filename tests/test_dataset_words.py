"""What a page says follows the dataset a run reads: the throughput's unit, how the model differs from the
course's listing, and, on an image set that is not MNIST's digits, classes and images instead of digits."""
from __future__ import annotations

import pytest

from deeparch.course import data
from deeparch.course.archs import make_config
from deeparch.course.config import ConfigError
from deeparch.present import i18n
from deeparch.read import views


@pytest.fixture(autouse=True)
def english():
    i18n.set_resolver(None)
    i18n.set_lang("en")
    yield
    i18n.set_lang("en")


def throughput(arch, dataset):
    return next(p for p in views.display(arch, dataset).with_common().panels if p.id == "throughput")


@pytest.mark.parametrize("arch, dataset, unit", [
    ("cnn", "mnist-5k", "images / s"), ("dcgan", "fashion-mnist", "images / s"),
    ("rnn", "sunspots", "windows / s"), ("transformer", "sunspots", "windows / s"),
    ("rnn", "machado", "sequences / s"), ("lm", "machado", "sequences / s"), ("lm", "sort", "sequences / s")])
def test_the_throughput_counts_what_one_training_example_is(arch, dataset, unit):
    panel = throughput(arch, dataset)
    assert panel.ylabel == unit and panel.lines[0].label == unit and panel.lines[0].key == "samples_per_s"
    assert ("images" in panel.explain) == (unit == "images / s")


def test_the_throughput_s_unit_in_portuguese():
    i18n.set_lang("pt-BR")
    assert throughput("rnn", "sunspots").ylabel == "janelas / s"
    assert throughput("rnn", "machado").ylabel == "sequências / s"
    assert throughput("cnn", "mnist-5k").ylabel == "imagens / s"


@pytest.mark.parametrize("arch, dataset, says, not_says", [
    ("rnn", "mnist-5k", "reading the image column by column", "value of the series"),
    ("rnn", "sunspots", "one value of the series per time step", "reading the image column by column"),
    ("transformer", "sunspots", "forecasting a time series", "classifies digits"),
    ("transformer", "mnist-5k", "classifies digits", "time series"),
    ("rnn", "machado", "one token per time step", "reading the image column by column")])
def test_how_the_model_differs_from_the_listing_is_the_one_the_run_trains(arch, dataset, says, not_says):
    text = views.differs(arch, dataset)
    assert says in text and not_says not in text
    i18n.set_lang("pt-BR")
    assert i18n.tr(text) != text  # translated


SHARED = ("accuracy", "probe", "confusion", "quality", "frechet", "judge_is", "class_agreement", "samples",
          "class_hist")  # the classifiers' and generators' own panels and views (judge, probe, confusion, …)


def shared(arch, dataset):
    """The shared panels and views of ``arch``'s runs on ``dataset``: (titles, every word)."""
    shown = views.display(arch, dataset).with_common()
    found = [p for p in shown.panels if p.id in SHARED] + [v for v in shown.views if v.kind in SHARED]
    titles = [x.title for x in found]
    return titles, " ".join(titles + [x.explain for x in found]
                            + [line.label for p in found for line in getattr(p, "lines", ())])


def every_word(arch, dataset):
    shown = views.display(arch, dataset).with_common()
    found = (*shown.panels, *shown.views)
    return " ".join([x.title for x in found] + [x.explain for x in found]
                    + [line.label for p in shown.panels for line in p.lines] + [h for p in shown.panels for _, h in p.hlines])


@pytest.mark.parametrize("arch", ["gan", "dcgan", "cgan", "wgan_gp", "diffusion", "cnn"])
def test_an_image_set_of_other_classes_is_not_called_digits(arch):
    (other, said), (digits, mnist) = shared(arch, "fashion-mnist"), shared(arch, "mnist-5k")
    assert len(other) == len(digits) >= 3
    assert "digit" not in said.lower() and "digit" in mnist.lower()  # MNIST keeps its words
    assert "digit" not in every_word(arch, "fashion-mnist").replace("probe_digit", "knob").lower()  # its own views too
    if arch == "dcgan":
        assert "Classes the judge sees in the samples" in other and "Digits the judge sees in the samples" in digits
    if arch == "cgan":
        assert "Asked for a class, drew that class" in other and "Asked for a digit, drew that digit" in digits


def test_an_image_set_of_other_classes_in_portuguese():
    i18n.set_lang("pt-BR")
    (other, said), (digits, _) = shared("dcgan", "fashion-mnist"), shared("dcgan", "mnist-5k")
    assert "Classes que o juiz vê nas amostras" in other and "dígito" not in said.lower()
    assert "Dígitos que o juiz vê nas amostras" in digits


@pytest.fixture
def shapes(monkeypatch):
    """An imported set of three classes, as the registry lists it (no files needed to configure a run)."""
    info = data.DatasetInfo("shapes", "shapes", True, ("circle", "square", "star"), imported=True)
    monkeypatch.setattr(data, "imported_infos", lambda root=None: {"shapes": info})
    return info


def test_classes_a_smaller_set_lacks_are_refused_in_one_line_naming_its_classes(shapes):
    assert make_config("cnn", "shapes", classes="0,2").hp["classes"] == "0,2"
    with pytest.raises(ConfigError) as e:
        make_config("cnn", "shapes", classes="5-9")
    text = str(e.value)
    assert "\n" not in text and "shapes has 3 classes, numbered 0 to 2" in text and "2 = star" in text
    i18n.set_lang("pt-BR")
    assert "shapes tem 3 classes, numeradas de 0 a 2" in i18n.tr_error(e.value)
    assert make_config("cnn", "mnist-5k", classes="5-9").hp["classes"] == "5,6,7,8,9"  # MNIST as before
