"""Run configuration: the hyperparameter schema, validation with clear errors, JSON round-trip.

A run is described by an architecture name, a dataset name and a flat dict of
hyperparameters. The schema is the common parameters below plus each architecture's
own (``archs/<name>.py`` declares them; the registry in ``deeparch.course.archs`` puts the two
together); every value is checked against its range or choices and unknown keys are
refused, so the CLI, the pages and the worker all share the same messages. A leaf
module: it imports nothing of deeparch.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from deeparch.present import labels
from deeparch.present.messages import TEMPLATES, Message


class ConfigError(ValueError):
    """A hyperparameter was refused; the message says why and what is valid.

    ``ConfigError("out_of_range", name="lr", value=1e9, range=...)``: a code of
    ``deeparch.present.messages.TEMPLATES`` and its fields (``str(err)`` is the English sentence, a Message that
    ``i18n.tr_error`` words in the reader's language); ``ConfigError(text)``: a sentence as it is."""

    def __init__(self, code_or_text: str, /, **fields: Any):
        super().__init__(Message(code_or_text, **fields) if fields or code_or_text in TEMPLATES else code_or_text)

    def __str__(self) -> str:
        return self.args[0] if self.args and isinstance(self.args[0], str) else super().__str__()


MAX_THREADS = 1024  # torch threads a command may ask for (0: torch's choice)
MAX_ECHO = 200  # characters of a refused value a message repeats: enough to recognise it, never 100 kB


def echo(value: Any) -> str:
    """A refused value as a message shows it: its repr, cut at MAX_ECHO characters with "…"."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO else text[:MAX_ECHO - 1] + "…"


def clip_words(text: str) -> str:
    """``text`` with every run of more than MAX_ECHO non-space characters cut to MAX_ECHO with "…": a message
    that repeats a huge value stays one readable line."""
    return re.sub(rf"\S{{{MAX_ECHO + 1},}}", lambda m: m[0][:MAX_ECHO - 1] + "…", text)


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    help: str
    type: type = float
    min: float | None = None
    max: float | None = None
    choices: tuple | None = None
    log: bool = False  # a log-scale knob (learning rates): UIs may use it
    legacy: Any = None  # the value runs stored before this parameter existed behaved as (None: the default)
    parse: Callable[[str], str] | None = None  # a free-text knob (type str, no choices): normalises or raises ValueError
    form: str = ""  # how a free-text knob is written, for messages and help (e.g. "digits like 5-9 or 0,2,4")
    label: str = ""  # the human label pages show, "Learning rate" ("Learning rate (lr)"); translated as msgctxt "label"
    # a knob with named values: each value's label ("cosine": "Cosine decay"), msgctxt "choice:<name>"
    choice_labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self):
        labels.declare(self.name, self.label, self.choice_labels)

    def describe_range(self) -> Message:
        if self.choices is not None:
            return Message("range_choices", values=", ".join(map(str, self.choices)))
        if self.type is str:
            return Message.declared(self.form) if self.form else Message("range_text")
        if self.type is bool:
            return Message("range_bool")
        kind = f"range_{self.type.__name__}" + ("_any" if self.min is None and self.max is None else "_below"
                                                if self.min is None else "_above" if self.max is None else "")
        return Message(kind, **({} if self.min is None else {"lo": _bound(self.min)}),
                       **({} if self.max is None else {"hi": _bound(self.max)}))

    def coerce(self, value: Any, lang: str | None = None) -> Any:
        """Return ``value`` converted to this parameter's type, or raise ConfigError.

        A number typed as text is read as a reader of ``lang`` writes it (default: the current
        language; ``deeparch.present.numbers.parse``: "0,01" and "2.500" in pt-BR)."""
        where = f"{self.name}={echo(value)}"
        if self.type is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
                return value.lower() in ("true", "1", "yes", "on")
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise ConfigError("must_be_bool", where=where)
        if self.type is str and self.choices is None:
            try:
                return (self.parse or str.strip)(str(value))
            except ValueError as e:
                said = e.args[0] if e.args and isinstance(e.args[0], Message) else clip_words(str(e))
                raise ConfigError("must_be_text", where=where, error=said, range=self.describe_range()) from None
        if self.choices is not None:
            v = value.strip().lower() if isinstance(value, str) else value
            if self.type is not str:
                try:
                    v = self.type(v)
                except (TypeError, ValueError):
                    pass
            if v not in self.choices:
                raise ConfigError("must_be", where=where, range=self.describe_range())
            return v
        if isinstance(value, str):
            from deeparch.present import numbers  # the reader's language: babel's locale data

            try:
                value = numbers.parse(value, lang)
            except numbers.NumberError:
                raise ConfigError("must_be_number", where=where, range=self.describe_range(),
                                  example=numbers.example(lang)) from None
        try:
            if self.type is int:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                v = int(value)
            else:
                v = float(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int('inf'), int('1e400')
            raise ConfigError("must_be", where=where, range=self.describe_range()) from None
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError("must_be_finite", where=where, range=self.describe_range())
        if (self.min is not None and v < self.min) or (self.max is not None and v > self.max):
            raise ConfigError("out_of_range", name=self.name, value=v, range=self.describe_range())
        return v


def _bound(x: float) -> float | int:
    """A range's end as the messages write it: 2147483647 and 10000, not 2.14748e+09 and 1e+04; 1e-07."""
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else float(f"{x:.12g}")


# Parameters every architecture accepts. Architecture presets override the defaults.
COMMON: tuple[Param, ...] = (
    Param("epochs", 10, "passes over the training split", int, 1, 1000, label="Epochs"),
    Param("max_steps", 0, "stop after this many optimizer steps (0 = no limit)", int, 0, 10_000_000,
          label="Step limit"),
    Param("max_minutes", 0.0, "stop after this many minutes of training, evaluation and sampling not counted "
          "(0 = no limit)", float, 0.0, 10_000.0,
          label="Time limit in minutes"),
    Param("batch_size", 64, "samples per step", int, 1, 4096, label="Batch size"),
    Param("optimizer", "adam", "optimizer", str, choices=("adam", "sgd", "rmsprop"),
          label="Optimizer",
          choice_labels={"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}),
    Param("lr", 1e-3, "learning rate", float, 1e-7, 1e4, log=True, label="Learning rate"),
    Param("lr_schedule", "constant", "learning rate over the run: constant, or cosine decay to 0 at the end of "
          "the budget (epochs, max_steps or max_minutes, whichever ends first)", str, choices=("constant", "cosine"),
          label="Learning-rate schedule",
          choice_labels={"constant": "Constant", "cosine": "Cosine decay"}),
    Param("warmup", 0, "steps of linear learning-rate warm-up at the start (0 = off)", int, 0, 100_000,
          label="Warm-up steps"),
    Param("momentum", 0.9, "momentum (SGD and RMSprop)", float, 0.0, 0.999, label="Momentum"),
    Param("weight_decay", 0.0, "L2 weight decay", float, 0.0, 1.0, label="Weight decay"),
    Param("l1", 0.0, "L1 penalty: adds l1 × Σ|w| over the weight matrices and filters to the loss, "
          "driving weights to exactly zero (0 = off)", float, 0.0, 1.0,
          label="L1 penalty"),
    Param("grad_clip", 0.0, "clip the global gradient norm to this value (0 = off)", float, 0.0, 1e6,
          label="Gradient clipping"),
    Param("precision", "fp32", "number format of the training forward pass: fp32; bf16 (autocast to bfloat16, "
          "CPUs with native bfloat16 or CUDA); fp16 (float16 with a gradient scaler, CUDA only); auto (bf16 on "
          "such a CPU, fp16 on CUDA, else fp32)", str, choices=("fp32", "bf16", "fp16", "auto"),
          label="Number precision",
          choice_labels={"fp32": "32-bit float", "bf16": "bfloat16", "fp16": "16-bit float", "auto": "Automatic"}),
    Param("seed", 0, "random seed (same seed, same config: same run on CPU)", int, 0, 2**31 - 1, label="Random seed"),
    Param("log_every", 20, "steps between gradient-norm / learning-rate / throughput records", int, 1, 100_000,
          label="Gradient records every"),
    Param("eval_every", 0, "steps between test-split evaluations (0 = once per epoch)", int, 0, 1_000_000,
          label="Evaluation every"),
    Param("sample_every", 0, "steps between sample or probe grids (0 = auto: the first within "
          "30 s of training, then once per epoch, between 6 and 12 over the run)", int, 0, 1_000_000,
          label="Grids every"),
    Param("quality_every", 0, "steps between quality figures for generators (0 = auto: 3 over "
          "the run, and at its end)", int, 0, 1_000_000,
          label="Quality figures every"),
    Param("checkpoint_every", 0, "steps between checkpoints (0 = once per epoch)", int, 0, 1_000_000,
          label="Checkpoint every"),
)


def parse_classes(text: str) -> str:
    """'5-9' / '0,2,4' / '' (all) → the normal form ('5,6,7,8,9', '0,2,4', ''); ValueError otherwise."""
    text = text.strip().replace(" ", "")
    if not text or text.lower() == "all":
        return ""
    found: set[int] = set()
    for part in text.split(","):
        lo, sep, hi = part.partition("-")
        if not (lo.isdigit() and (not sep or hi.isdigit())):
            raise ValueError(Message("cannot_read", part=repr(part)))
        a, b = int(lo), int(hi) if sep else int(lo)
        if not 0 <= a <= b <= 9:
            raise ValueError(Message("not_a_class_range", part=repr(part)))
        found.update(range(a, b + 1))
    if len(found) < 2:
        raise ValueError(Message("two_classes"))
    return ",".join(map(str, sorted(found)))


def parse_prefixes(text: str) -> str:
    """'features, classifier.0' → 'features,classifier.0': layer-name prefixes (checked against the
    model when it is built, which knows its layer names)."""
    parts = [p for p in text.replace(" ", "").split(",") if p]
    bad = [p for p in parts if not all(c.isalnum() or c in "._" for c in p)]
    if bad:
        raise ValueError(Message("not_a_layer", part=repr(bad[0])))
    return ",".join(parts)


# Parameters of the models that learn from labels (the registry adds them for kind "classifier"):
# the course's data practices (validation, augmentation, few-shot subsets, early stopping) and
# transfer learning. ``legacy``: runs stored before them trained without a validation split.
CLASSIFIER: tuple[Param, ...] = (
    Param("val_split", 0.1, "share of each class of the training split held out for validation (stratified, "
          "fixed seed); best figures and early stopping read validation, never test (0 = no validation)",
          float, 0.0, 0.5, legacy=0.0,
          label="Validation share"),
    Param("classes", "", "train and test on these classes only (empty = all)", str, parse=parse_classes,
          form="classes like 5-9 or 0,2,4 (empty = all)",
          label="Classes"),
    Param("per_class", 0, "labelled training examples kept per class (0 = all): few-shot learning", int, 0, 100_000,
          label="Labelled examples per class"),
    Param("patience", 0, "early stopping: evaluations without a new lowest validation loss before the run "
          "stops (0 = off)", int, 0, 1000,
          label="Early-stopping patience"),
    Param("aug_shift", 0.0, "augmentation: random shift of each training image by up to this many pixels "
          "(0 = off)", float, 0.0, 8.0,
          label="Augmentation: shift (px)"),
    Param("aug_rotate", 0.0, "augmentation: random rotation by up to this many degrees (0 = off)", float, 0.0, 45.0,
          label="Augmentation: rotation (degrees)"),
    Param("aug_elastic", 0.0, "augmentation: strength of a smooth random elastic warp, in pixels (0 = off)",
          float, 0.0, 4.0,
          label="Augmentation: elastic warp (px)"),
    Param("aug_erase", 0.0, "augmentation: probability of blanking a random rectangle (random erasing; 0 = off)",
          float, 0.0, 1.0,
          label="Augmentation: erasing probability"),
    Param("init_from", 0, "transfer learning: start from the weights of this finished run (same architecture "
          "and shapes; 0 = fresh weights)", int, 0, 2**31 - 1,
          label="Start from run"),
    Param("freeze", "", "transfer learning: layer-name prefixes whose weights stay as loaded (e.g. features; "
          "without init_from, as initialised: a random-features baseline)", str,
          parse=parse_prefixes, form="layer names like features or features,classifier.0 (empty = none)",
          label="Frozen layers"),
    Param("fresh", "", "transfer learning: layer-name prefixes NOT taken from the init_from run but freshly "
          "initialised (e.g. the output layer, for new classes)", str, parse=parse_prefixes,
          form="layer names like classifier.4 (empty = load every layer)",
          label="Fresh layers"),
    Param("unfreeze_after", 0, "transfer learning: the frozen layers start learning after this many epochs "
          "(0 = they stay frozen). First the new output layer learns alone on the loaded features, then "
          "everything is fine-tuned (LP-FT): a random new layer no longer scrambles the loaded features at the start",
          int, 0, 1000,
          label="Unfreeze after (epochs)"),
)


def check_classifier(hp: Mapping[str, Any]) -> str | None:
    """The cross-parameter rules of the data practices; the reason one fails, or None."""
    if hp.get("patience", 0) and not hp.get("val_split", 0):
        return Message("patience_needs_val")
    if hp.get("fresh") and not hp.get("init_from", 0):
        return Message("fresh_needs_init")
    if hp.get("unfreeze_after", 0) and not hp.get("freeze"):
        return Message("unfreeze_needs_freeze")
    if hp.get("unfreeze_after", 0) >= hp.get("epochs", 1):
        return Message("unfreeze_too_late", after=hp["unfreeze_after"], epochs=hp["epochs"])
    return None


@dataclass(frozen=True)
class RunConfig:
    """A validated run configuration. ``hp`` holds every hyperparameter, defaults filled in.

    It remembers the parameter schema and cross-parameter rule it was validated with, so
    ``replace`` validates again without this module knowing any architecture (the registry
    in ``deeparch.course.archs`` builds configs: ``make_config``, ``load_config``).
    """

    arch: str
    dataset: str = "mnist-5k"
    hp: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Param] = field(default_factory=dict, compare=False, repr=False)
    check: Callable[[dict], str | None] | None = field(default=None, compare=False, repr=False)

    def __getattr__(self, key: str) -> Any:
        hp = self.__dict__.get("hp", {})
        if key in hp:
            return hp[key]
        raise AttributeError(key)

    def to_dict(self) -> dict:
        return {"arch": self.arch, "dataset": self.dataset, "hp": dict(self.hp)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def replace(self, **hp: Any) -> "RunConfig":
        """The same configuration with some hyperparameters changed, validated again."""
        return validate(self.arch, self.dataset, self.params, {**self.hp, **hp}, self.check)


def validate(arch: str, dataset: str, params: Mapping[str, Param], hp: Mapping[str, Any],
             check: Callable[[dict], str | None] | None = None) -> RunConfig:
    """Check ``hp`` against ``params`` (unknown keys, types, ranges, then ``check``) and fill in
    defaults; raise ConfigError with the reason otherwise."""
    unknown = sorted(set(hp) - set(params))
    if unknown:
        raise ConfigError("unknown_params" if len(unknown) > 1 else "unknown_param", names=", ".join(unknown),
                          arch=arch, valid=", ".join(params))
    values = {name: p.coerce(hp[name]) if name in hp and hp[name] is not None else p.default
              for name, p in params.items()}
    problem = check(values) if check else None
    if problem:
        raise ConfigError(problem)
    return RunConfig(arch=arch, dataset=dataset, hp=values, params=dict(params), check=check)


def env_number(name: str, default: float, kind=float, low: float = 0.0, high: float = 1e9):
    """A number from the environment in [low, high], or ConfigError that says which variable and why."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:  # also Python's refusal of an int of more than 4300 digits
        value = None
    if value is None or not low <= value <= high:  # NaN and the infinities compare False: refused too
        raise ConfigError("env_whole" if kind is int else "env_number", name=name, raw=echo(raw), low=_bound(low),
                          high=_bound(high))
    return value


def check_count(name: str, value: int | None, low: int, high: int, note: str = "") -> None:
    """ConfigError unless ``value`` (a command-line or API count: threads, repeats, a port) is a whole
    number in [low, high]; ``note`` says what a special value means, e.g. " (0: torch's choice)"."""
    if value is None or isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError("count", name=name, value=echo(value), low=low, high=high, note=note)
