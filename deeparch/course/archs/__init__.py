"""Architecture registry: every module of this package (but ``base``) that defines ``SPEC``.

Adding an architecture is adding one file here. The registry also owns building a
validated configuration from an architecture's parameters (``make_config``,
``load_config``), so ``deeparch.course.config`` stays a leaf that knows no architecture.
"""
from __future__ import annotations

import importlib
import pkgutil
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from deeparch.present.messages import Message
from deeparch.course.archs.base import ArchSpec, Preset, Race
from deeparch.course.config import CLASSIFIER, COMMON, ConfigError, Param, RunConfig, check_classifier, validate

CONTRACT_MODULES = {"base"}


def _discover() -> dict[str, ArchSpec]:
    found: dict[str, ArchSpec] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in CONTRACT_MODULES or info.name.startswith("_"):
            continue
        spec = getattr(importlib.import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if isinstance(spec, ArchSpec):
            if spec.name in found:
                raise RuntimeError(f"two architecture files declare the name {spec.name!r}")
            found[spec.name] = spec
    # the course's order first (the Train page lists them so), then any other, by name
    order = ("cnn", "rnn", "gan", "dcgan", "cgan", "wgan_gp", "transformer", "diffusion")
    return {n: found[n] for n in sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n))}


ARCHS: dict[str, ArchSpec] = _discover()


def get_arch(name: str) -> ArchSpec:
    try:
        return ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHS)}") from None


def on_meta(cfg: RunConfig):
    """``cfg``'s model with shapes and no storage (PyTorch's ``meta`` device): nothing allocated, nothing
    trained, the random state untouched. For counting its weights, its card and its memory estimate."""
    import torch

    with torch.random.fork_rng(devices=[]), torch.device("meta"):
        return get_arch(cfg.arch).build(cfg)


@contextmanager
def registered(spec: ArchSpec) -> Iterator[ArchSpec]:
    """Make ``spec`` an architecture for the duration of a ``with`` block (tests, notebooks)."""
    if spec.name in ARCHS:
        raise ValueError(f"architecture {spec.name!r} already exists")
    ARCHS[spec.name] = spec
    try:
        yield spec
    finally:
        ARCHS.pop(spec.name, None)


def common_params(spec: ArchSpec, dataset_kind: str = "image") -> tuple[Param, ...]:
    """The shared parameters ``spec`` takes: every run's, and on image data a classifier's data
    practices (validation split, classes, augmentation, transfer: none applies to a generated task)."""
    return COMMON + (CLASSIFIER if spec.kind == "classifier" and dataset_kind == "image" else ())


def check(arch: str, dataset_kind: str = "image"):
    """The cross-parameter rule of ``arch``: the shared classifier rules where they apply, then its own."""
    spec = get_arch(arch)
    shared = spec.kind == "classifier" and dataset_kind == "image"

    def rule(hp: dict) -> str | None:
        return (check_classifier(hp) if shared else None) or (spec.check(hp) if spec.check else None)
    return rule


def schema(arch: str, dataset: str | None = None) -> dict[str, Param]:
    """All parameters of ``arch``: common ones with the arch's preset defaults, then its own, then
    those of ``dataset`` (a generated task's settings, such as the recall distance)."""
    from deeparch.course.data import DATASETS

    spec = get_arch(arch)
    out: dict[str, Param] = {}
    for p in common_params(spec, DATASETS[dataset].kind if dataset in DATASETS else "image"):
        if p.name in spec.unused:
            continue
        if p.name in spec.preset:
            p = Param(**{**p.__dict__, "default": spec.preset[p.name]})
        out[p.name] = p
    for p in spec.params:
        out[p.name] = p
    for p in DATASETS[dataset].params if dataset in DATASETS else ():
        if p.name in out:
            raise RuntimeError(f"dataset {dataset} and architecture {arch} both declare {p.name!r}")
        out[p.name] = p
    return out


def input_problem(arch: str, dataset: str, hp: Mapping[str, Any]) -> str | None:
    """Why ``arch`` cannot train on ``dataset`` with ``hp`` (a kind it does not read, or an image-only
    knob set on a token dataset), or None."""
    from deeparch.course.data import DATASETS

    spec, kind = get_arch(arch), DATASETS[dataset].kind
    if kind not in spec.inputs:
        fits = [a for a, s in ARCHS.items() if kind in s.inputs]
        return Message("reads_other_data", arch=arch, inputs=Message.joined(spec.inputs, "join_or"), dataset=dataset, kind=kind,
                       choose=", ".join(fits) or Message("another_dataset"))
    if kind != "image":
        params = schema(arch, dataset)
        odd = [n for n in spec.image_only if n in hp and hp[n] is not None and params[n].coerce(hp[n]) != params[n].default]
        if odd:
            return Message("image_only", names=", ".join(odd), dataset=dataset)
    return None


def default_dataset(arch: str) -> str:
    """The first dataset ``arch`` reads (mnist-5k for the image architectures)."""
    from deeparch.course.data import DATASETS

    return next(name for name, info in DATASETS.items() if info.kind in get_arch(arch).inputs)


def make_config(arch: str, dataset: str | None = None, **hp: Any) -> RunConfig:
    """Validate and complete a configuration (on the arch's first dataset unless named); raise
    ConfigError with the reason otherwise."""
    from deeparch.course.data import DATASETS

    if arch not in ARCHS:
        raise ConfigError("must_be", where=f"arch={arch!r}", range=Message("range_choices", values=", ".join(ARCHS)))
    dataset = dataset or default_dataset(arch)
    if dataset not in DATASETS:
        raise ConfigError("must_be", where=f"dataset={dataset!r}",
                          range=Message("range_choices", values=", ".join(DATASETS)))
    problem = input_problem(arch, dataset, hp)
    if problem:
        raise ConfigError(problem)
    cfg = validate(arch, dataset, schema(arch, dataset), hp, check(arch, DATASETS[dataset].kind))
    classes, named = cfg.hp.get("classes"), DATASETS[dataset].classes
    if classes and max(int(c) for c in classes.split(",")) >= len(named):  # a set of fewer than ten classes
        raise ConfigError("classes_not_in_set", classes=classes, dataset=dataset, count=len(named), last=len(named) - 1,
                          names=", ".join(f"{i} = {c}" for i, c in enumerate(named)))
    return cfg


def load_config(d: Mapping[str, Any] | str) -> RunConfig:
    """A stored config (dict or JSON). Parameters added since it was stored take the value the
    run had before they existed (``Param.legacy``), not today's default, so a resumed or cloned
    old run keeps behaving as it did."""
    import json

    if isinstance(d, str):
        d = json.loads(d)
    hp = dict(d.get("hp", {}))
    if hp and d["arch"] in ARCHS:
        for name, p in schema(d["arch"], d.get("dataset")).items():
            if name not in hp and p.legacy is not None:
                hp[name] = p.legacy
    return make_config(d["arch"], d.get("dataset"), **hp)


def presets() -> dict[str, tuple[str, "Preset"]]:
    """Every architecture's named presets: preset name → (architecture, preset)."""
    return {p.name: (a, p) for a, spec in ARCHS.items() for p in spec.presets}


def races() -> dict[str, "Race"]:
    """Every architecture's lesson races by name."""
    return {r.name: r for spec in ARCHS.values() for r in spec.races}


def race_configs(race: "Race", seed: int, budget: Mapping[str, Any]) -> list[RunConfig]:
    """The race's runs as validated configurations on its dataset, with one seed and one budget."""
    return [make_config(arch, race.dataset, **{**hp, **budget, "seed": seed}) for _, arch, hp in race.runs]


__all__ = ["ARCHS", "ArchSpec", "get_arch", "registered", "schema", "make_config", "load_config",
           "input_problem", "default_dataset", "presets", "races", "race_configs"]
