"""What an architecture shows: chart panels, media views and its headline figure.

Each architecture file declares these on its ``ArchSpec``; the trainer, the pages and the
command line read the declarations and never name an architecture. A leaf module (plain
data, no torch, no Streamlit), so the pages can import it cheaply.

Words here are the English catalog of the declarations (titles, labels, the "what to look
for" sentences); a translation replaces them by key without touching any logic.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Line:
    """One series of a panel: a metric key and how it is drawn."""

    key: str                   # metric key as the trainer logs it
    label: str                 # legend label
    dash: str | None = None    # None (solid), "dash", "dot"
    markers: bool = False      # sparse series (evaluations) get points


@dataclass(frozen=True)
class Panel:
    """A chart: which metric keys go in it, how its axes read and what to look for."""

    id: str
    title: str
    ylabel: str
    lines: tuple[Line, ...] = ()
    explain: str = ""                               # one or two sentences under the chart
    hlines: tuple[tuple[float, str], ...] = ()     # reference lines (value, label)
    log_y: bool = False
    draw: str = "lines"        # "lines", or "layer_heatmap" (every key under ``prefix``, one row a layer)
    prefix: str = ""           # for "layer_heatmap": the metric-key prefix of its rows
    detail: bool = False       # refreshed with the slower details of the Live page, not every second
    blowup: bool = False       # a loss: a line that blows up leaves through the top, its peak written
                               # (charts.line_figure's cut_blowups), instead of flattening the others

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(line.key for line in self.lines)


@dataclass(frozen=True)
class View:
    """A kind of image or figure a run logs as media, and how a page draws it."""

    kind: str                  # the media kind in the store
    title: str
    explain: str = ""
    draw: str = "image"        # "image" (a PNG grid), "wide" (a grid as wide as the page), "probe" (grid
                               # with predictions), "class_hist", "heatmap", "curves", "text" (meta
                               # formats: see charts.heatmap_figure, …)
    source: str = ""           # media kind whose meta it is drawn from (default: ``kind``)
    needs: tuple[str, ...] = ()  # knobs of which one must be on (non-zero) for a run to draw it (none: always)

    @property
    def media_kind(self) -> str:
        return self.source or self.kind

    def drawn_by(self, hp: Mapping) -> bool:
        """Whether a run with these hyperparameters draws this view: pages leave out a view a run's settings
        never draw (a DCGAN without clusters or codes has no groups to show) instead of waiting for it."""
        return not self.needs or any(hp.get(k) for k in self.needs)


@dataclass(frozen=True)
class Headline:
    """The figure tables show first for a run (Compare, Runs, the CLI)."""

    key: str                   # summary key (falls back to the latest metric of ``metric``)
    label: str
    metric: str = ""           # the metric series behind it, for runs still training
    higher_is_better: bool = True
    percent: bool = False
    select: str = ""           # the metric that picks the best evaluation (validation): ``key`` is then
                               # a figure AT that evaluation, and test figures never choose
    legacy: str = ""           # the summary key older runs stored this figure under


@dataclass(frozen=True)
class Display:
    """Everything an architecture shows, in the order a page lays it out."""

    panels: tuple[Panel, ...] = ()
    views: tuple[View, ...] = ()
    headline: Headline | None = None
    extra: tuple[str, ...] = field(default=())   # further summary keys worth a column (e.g. coverage)
    samples: str = "image"     # the dataset kind its runs read, whose unit the throughput panel counts in

    def drawn(self, hp: Mapping) -> tuple[View, ...]:
        """The views a run with hyperparameters ``hp`` draws."""
        return tuple(v for v in self.views if v.drawn_by(hp))

    def view(self, kind: str) -> View | None:
        """The declared view of this media kind, or None when the architecture declares none."""
        return next((v for v in self.views if v.kind == kind), None)

    def with_common(self) -> "Display":
        """These panels followed by the ones every run has (gradients, learning rate, throughput)."""
        own = {p.id for p in self.panels}
        common = tuple(THROUGHPUTS.get(self.samples, THROUGHPUT) if p is THROUGHPUT else p for p in COMMON_PANELS)
        return Display(self.panels + tuple(p for p in common if p.id not in own), self.views,
                       self.headline, self.extra, self.samples)


# ---- the panels of every run ------------------------------------------------------------------
GRAD_NORM = Panel(
    "grad_norm", "Gradient norm (all layers)", "‖grad‖", (Line("grad_norm", "‖grad‖"),), log_y=True, detail=True,
    explain="The size of the whole gradient, on a log scale. A healthy run settles within a decade or two; "
            "a curve shooting up by many decades is exploding gradients (lower the learning rate or set "
            "grad_clip), one sinking towards zero means learning has stalled.")
GRAD_LAYERS = Panel(
    "grad_layers", "Gradient norm per layer", "layer", draw="layer_heatmap", prefix="grad/", detail=True,
    explain="Each row is a layer (input side on top), each column a moment of training, the colour the size "
            "of that layer's gradient. Rows much darker than the others are layers that barely learn "
            "(vanishing gradients: typical of deep sigmoid networks and plain RNNs); very bright rows explode.")
LEARNING_RATE = Panel(
    "lr", "Learning rate", "learning rate", (Line("lr", "learning rate"),), detail=True,
    explain="The step size the optimizer used. Flat for a constant rate; a ramp at the start is the warm-up, "
            "the slow fall of a cosine schedule lets the weights settle at the end.")
THROUGHPUT = Panel(
    "throughput", "Throughput", "images / s", (Line("samples_per_s", "images / s"),), detail=True,
    explain="Training images processed per second (evaluation and sampling not counted). It drops when "
            "other runs share the cores.")
THROUGHPUTS = {  # the throughput panel in the unit of what one training example is, by dataset kind
    "image": THROUGHPUT,
    "tokens": Panel(
        "throughput", "Throughput", "sequences / s", (Line("samples_per_s", "sequences / s"),), detail=True,
        explain="Training sequences of the task processed per second (evaluation not counted). It drops when "
                "other runs share the cores."),
    "text": Panel(
        "throughput", "Throughput", "sequences / s", (Line("samples_per_s", "sequences / s"),), detail=True,
        explain="Training windows of the text processed per second, each window seq_len characters (so "
                "characters per second is this times seq_len; evaluation and generated text not counted). It "
                "drops when other runs share the cores."),
    "series": Panel(
        "throughput", "Throughput", "windows / s", (Line("samples_per_s", "windows / s"),), detail=True,
        explain="Training windows of the series processed per second, each window read by every fold's model "
                "(evaluation not counted). It drops when other runs share the cores."),
}
COMMON_PANELS = (GRAD_NORM, GRAD_LAYERS, LEARNING_RATE, THROUGHPUT)

# ---- building blocks the architecture files use -----------------------------------------------
LOSS = Panel(
    "loss", "Loss", "loss", (Line("loss", "train"), Line("val_loss", "validation", "dot", True),
                             Line("test_loss", "test", "dash", True)), blowup=True,
    explain="Training loss (every step), validation and test loss (at each evaluation). All should fall. A "
            "validation loss that turns up while the training loss keeps falling is overfitting (early "
            "stopping watches it); a training loss that jumps or becomes huge means the learning rate is too high.")
ACCURACY = Panel(
    "accuracy", "Accuracy", "accuracy", (Line("train_acc", "train"), Line("val_acc", "validation", "dot", True),
                                         Line("test_acc", "test", "dash", True)),
    explain="Share of digits labelled right: on each training batch, on the validation split carved from the "
            "training data, and on the held-out test split. A wide gap between train and validation is "
            "overfitting. The best evaluation is chosen on validation; test is only reported, never used to choose.")
PROBE = View(
    "probe", "Test digits and what the model says", draw="probe",
    explain="Sixteen fixed test digits with the predicted label and the model's confidence; red ones are "
            "wrong, the predicted label → the true one. Early in training the guesses are random; watch them turn "
            "right.")
CONFUSION = View(
    "confusion", "Confusion matrix (test split)", draw="heatmap",
    explain="Each row is the true digit, each column what the model answered; the diagonal counts the right "
            "answers. A healthy model is bright on the diagonal only; a bright cell off it names two digits it "
            "mixes up (often 4 and 9, 3 and 5). Course topic: evaluating a classifier beyond one accuracy figure.")
# the test accuracy at the evaluation with the best validation accuracy (runs without validation: the latest)
CLASSIFIER_HEADLINE = Headline("test_acc_at_best", "test accuracy at best validation", metric="test_acc",
                               percent=True, select="val_acc", legacy="best_test_acc")
CLASSIFIER_EXTRA = ("best_val_acc",)

QUALITY = Panel(
    "quality", "Sample quality (judged by a classifier)", "share",
    (Line("recognisability", "recognisability", markers=True), Line("coverage", "class coverage", "dash", True),
     Line("not_digits", "no digit", "dot", True)),
    hlines=((0.5, "coverage 0.5: collapse below"),), detail=True,
    explain="Recognisability: share of up to 500 samples that look like a real digit to the project's MNIST judge "
            "(one digit above 0.9 of its confidence, and features as near to real digits' as 99% of real digits "
            "it never trained on). No digit: share the judge calls no digit at all (noise, blotches, strokes, "
            "blends of two digits). Coverage: how evenly the samples spread over the 10 digits (1 = all equally). "
            "Recognisability rising with coverage falling is mode collapse: the generator draws a few digits well.")
FRECHET = Panel(
    "frechet", "Judge Fréchet distance (lower is better)", "distance",
    (Line("frechet", "distance", markers=True),), detail=True,
    explain="FID's formula on the MNIST judge's features (not Inception, so compare it only within this lab): "
            "how far the samples' statistics are from real digits'. It falls as samples get both realistic and varied.")
JUDGE_SCORE = Panel(
    "judge_is", "Judge score (the Inception Score's formula on the MNIST judge)", "score",
    (Line("judge_is", "judge score", markers=True),), hlines=((10.0, "10: every digit, each one clear"),), detail=True,
    explain="The Inception Score computed with the project's MNIST judge, not with Inception (so compare it only "
            "within this lab): exp of the mean KL divergence between the judge's class probabilities for each "
            "sample and their average. It is 1 when every sample looks the same to the judge and rises towards "
            "10 when each sample is clearly one digit and all ten digits appear equally. 500 real test digits score "
            "8.8.")
CLASS_AGREEMENT = Panel(
    "class_agreement", "Asked for a digit, drew that digit", "share",
    (Line("class_agreement", "class agreement", markers=True),), hlines=((0.1, "chance (0.1)"),), detail=True,
    explain="A conditional model is asked for 50 samples of each digit; this is the share that the project's "
            "MNIST judge (not Inception) labels as the digit that was asked for. 0.1 is chance: the label is "
            "ignored. It should climb well above 0.8 as the model learns to use the label.")
SAMPLES = View(
    "samples", "Samples from fixed noise",
    explain="64 images drawn from the same noise at every grid, so frames at different steps are comparable: "
            "watch noise turn into strokes, then into digits.")
CLASS_SAMPLES = View(
    "samples", "One row per digit asked for (fixed noise)",
    explain="A conditional model asked for each digit in turn: row 0 should show zeros, row 1 ones, and so on, "
            "from the same noise at every grid. A row of wrong digits is a class the model has not tied to its "
            "label yet; rows that all look alike mean the label is ignored.")
CLASS_HIST = View(
    "class_hist", "Digits the judge sees in the samples", draw="class_hist", source="quality",
    explain="How the judge labels 500 samples. Even bars mean every digit is drawn; one tall bar is mode collapse.")
GENERATOR_HEADLINE = Headline("recognisability", "recognisability", metric="recognisability", percent=True)
GENERATOR_EXTRA = ("coverage", "frechet", "judge_is")


def classifier(*panels: Panel, views: tuple[View, ...] = ()) -> Display:
    """A classifier's display: loss and accuracy (then ``panels``), the probe grid, its ``views``, the
    confusion matrix; the test accuracy at the best validation first."""
    return Display((LOSS, ACCURACY, *panels), (PROBE, *views, CONFUSION), CLASSIFIER_HEADLINE, CLASSIFIER_EXTRA)


def generator(*panels: Panel, views: tuple[View, ...] = (), conditional: bool = False) -> Display:
    """A generator's display: its own loss panels, quality, Fréchet and judge score, samples and class
    histogram; a conditional generator's adds the class agreement (column and chart) and its own grid."""
    figures = (QUALITY, FRECHET, JUDGE_SCORE) + ((CLASS_AGREEMENT,) if conditional else ())
    extra = GENERATOR_EXTRA + (("class_agreement",) if conditional else ())
    samples = CLASS_SAMPLES if conditional else SAMPLES
    return Display((*panels, *figures), (samples, CLASS_HIST, *views), GENERATOR_HEADLINE, extra)


# ---- the same panels worded for an image set that is not MNIST's digits -------------------------
# (Fashion-MNIST, a teacher's own images): its classes are not digits and its judge is its own classifier,
# trained on the set's images, with as many classes as the set has.
OTHER_IMAGES: dict = {
    ACCURACY: replace(
        ACCURACY, explain="Share of images labelled right: on each training batch, on the validation split carved "
        "from the training data, and on the held-out test split. A wide gap between train and validation is "
        "overfitting. The best evaluation is chosen on validation; test is only reported, never used to choose."),
    PROBE: replace(
        PROBE, title="Test images and what the model says",
        explain="Sixteen fixed test images with the predicted class and the model's confidence; red ones are "
        "wrong, the predicted class → the true one. Early in training the guesses are random; watch them turn "
        "right."),
    CONFUSION: replace(
        CONFUSION, explain="Each row is the true class, each column what the model answered; the diagonal counts "
        "the right answers. A healthy model is bright on the diagonal only; a bright cell off it names two "
        "classes it mixes up. Course topic: evaluating a classifier beyond one accuracy figure."),
    QUALITY: replace(
        QUALITY, lines=(Line("recognisability", "recognisability", markers=True),
                        Line("coverage", "class coverage", "dash", True), Line("not_digits", "no class", "dot", True)),
        explain="Recognisability: share of up to 500 samples that look like a real image of one class to this "
        "dataset's judge, a small classifier trained on its images (one class above 0.9 of its confidence, and "
        "features as near to real images' as 99% of real images it never trained on). No class: share the judge "
        "puts in no class at all (noise, blotches, blends of two classes). Coverage: how evenly the samples "
        "spread over the classes (1 = all equally). Recognisability rising with coverage falling is mode "
        "collapse: the generator draws a few classes well."),
    FRECHET: replace(
        FRECHET, explain="FID's formula on the features of this dataset's judge (not Inception, so compare it only "
        "within this lab and this dataset): how far the samples' statistics are from real images'. It falls as "
        "samples get both realistic and varied."),
    JUDGE_SCORE: replace(
        JUDGE_SCORE, title="Judge score (the Inception Score's formula on this dataset's judge)", hlines=(),
        explain="The Inception Score computed with this dataset's judge, a small classifier trained on its images, "
        "not with Inception (so compare it only within this lab and this dataset): exp of the mean KL divergence "
        "between the judge's class probabilities for each sample and their average. It is 1 when every sample "
        "looks the same to the judge and rises towards the number of classes when each sample is clearly one "
        "class and all classes appear equally."),
    CLASS_AGREEMENT: replace(
        CLASS_AGREEMENT, title="Asked for a class, drew that class", hlines=(),
        explain="A conditional model is asked for 50 samples of each class; this is the share that this "
        "dataset's judge (not Inception) labels as the class that was asked for. One over the number of classes "
        "is chance: the label is ignored. It should climb well above it as the model learns to use the label."),
    SAMPLES: replace(
        SAMPLES, explain="64 images drawn from the same noise at every grid, so frames at different steps are "
        "comparable: watch noise turn into shapes, then into images like the dataset's."),
    CLASS_SAMPLES: replace(
        CLASS_SAMPLES, title="One row per class asked for (fixed noise)",
        explain="A conditional model asked for each class in turn: row 0 should show the first class, row 1 the "
        "second, and so on (a set of fewer than ten classes never trained the last rows' labels), from the same "
        "noise at every grid. A row of wrong images is a class the model has "
        "not tied to its label yet; rows that all look alike mean the label is ignored."),
    CLASS_HIST: replace(
        CLASS_HIST, title="Classes the judge sees in the samples",
        explain="How this dataset's judge labels 500 samples. Even bars mean every class is drawn; one tall bar is "
        "mode collapse."),
}


def for_other_images(display: Display) -> Display:
    """``display`` worded for an image set that is not MNIST's digits (:data:`OTHER_IMAGES`)."""
    return Display(tuple(OTHER_IMAGES.get(p, p) for p in display.panels),
                   tuple(OTHER_IMAGES.get(v, v) for v in display.views), display.headline, display.extra,
                   display.samples)


def other_images(original, **words):
    """Declare how ``original`` (a Panel or View an architecture file declares) reads on an image set that is
    not MNIST's digits: ``words`` replace its fields there. Returns ``original``, so a declaration wraps in it."""
    OTHER_IMAGES[original] = replace(original, **words)
    return original
