"""Architecture registry: one file per architecture, each exposing ``SPEC``."""
from __future__ import annotations

from deeparch.archs import cnn, diffusion, gan, rnn, transformer
from deeparch.archs.base import ArchSpec

ARCHS: dict[str, ArchSpec] = {m.SPEC.name: m.SPEC for m in (cnn, rnn, gan, transformer, diffusion)}


def get_arch(name: str) -> ArchSpec:
    try:
        return ARCHS[name]
    except KeyError:
        raise KeyError(f"unknown architecture {name!r}; choose one of {', '.join(ARCHS)}") from None
