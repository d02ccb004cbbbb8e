"""Architecture registry: every module of this package (but ``base``) that defines ``SPEC``.

Adding an architecture is adding one file here. The registry also owns building a
validated configuration from an architecture's parameters (``make_config``,
``load_config``), so ``deeparch.config`` stays a leaf that knows no architecture.
"""
from __future__ import annotations

import importlib
import pkgutil
from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from deeparch.archs.base import ArchSpec
from deeparch.config import CLASSIFIER, COMMON, ConfigError, Param, RunConfig, check_classifier, validate

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
    order = ("cnn", "rnn", "gan", "transformer", "diffusion")
    return {n: found[n] for n in sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n))}


ARCHS: dict[str, ArchSpec] = _discover()


def get_arch(name: str) -> ArchSpec:
    try:
        return ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHS)}") from None


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


def common_params(spec: ArchSpec) -> tuple[Param, ...]:
    """The shared parameters ``spec`` takes: every run's, and a classifier's data practices."""
    return COMMON + (CLASSIFIER if spec.kind == "classifier" else ())


def check(arch: str):
    """The cross-parameter rule of ``arch``: the shared classifier rules, then its own."""
    spec = get_arch(arch)

    def rule(hp: dict) -> str | None:
        return (check_classifier(hp) if spec.kind == "classifier" else None) or (spec.check(hp) if spec.check else None)
    return rule


def schema(arch: str) -> dict[str, Param]:
    """All parameters of ``arch``: common ones with the arch's preset defaults, then its own."""
    spec = get_arch(arch)
    out: dict[str, Param] = {}
    for p in common_params(spec):
        if p.name in spec.unused:
            continue
        if p.name in spec.preset:
            p = Param(**{**p.__dict__, "default": spec.preset[p.name]})
        out[p.name] = p
    for p in spec.params:
        out[p.name] = p
    return out


def make_config(arch: str, dataset: str = "mnist-5k", **hp: Any) -> RunConfig:
    """Validate and complete a configuration; raise ConfigError with the reason otherwise."""
    from deeparch.data import DATASETS

    if arch not in ARCHS:
        raise ConfigError(f"arch={arch!r}: must be one of {', '.join(ARCHS)}")
    if dataset not in DATASETS:
        raise ConfigError(f"dataset={dataset!r}: must be one of {', '.join(DATASETS)}")
    return validate(arch, dataset, schema(arch), hp, check(arch))


def load_config(d: Mapping[str, Any] | str) -> RunConfig:
    """A stored config (dict or JSON). Parameters added since it was stored take the value the
    run had before they existed (``Param.legacy``), not today's default, so a resumed or cloned
    old run keeps behaving as it did."""
    import json

    if isinstance(d, str):
        d = json.loads(d)
    hp = dict(d.get("hp", {}))
    if hp and d["arch"] in ARCHS:
        for name, p in schema(d["arch"]).items():
            if name not in hp and p.legacy is not None:
                hp[name] = p.legacy
    return make_config(d["arch"], d.get("dataset", "mnist-5k"), **hp)


__all__ = ["ARCHS", "ArchSpec", "get_arch", "registered", "schema", "make_config", "load_config"]
