"""The registry finds architectures by itself and owns building configs (import cycles: test_imports.py)."""
from pathlib import Path

import pytest

from deeparch.course import archs
from deeparch.course.archs import ARCHS, make_config, registered
from deeparch.course.archs.base import ArchSpec
from deeparch.course.config import ConfigError
from deeparch.present.display import Display

PKG = Path(archs.__file__).resolve().parent.parent


def test_every_architecture_file_is_registered_by_itself():
    import importlib

    # helper modules of an architecture file start with "_" (archs/_diffusion_views.py)
    files = {p.stem for p in (PKG / "archs").glob("*.py") if p.stem != "base" and not p.stem.startswith("_")}
    assert files, "no architecture files found"
    for f in files:
        spec = importlib.import_module(f"deeparch.course.archs.{f}").SPEC
        assert ARCHS.get(spec.name) is spec, f"archs/{f}.py is not in the registry"
    assert len(ARCHS) == len(files)


def test_registered_adds_an_architecture_for_a_block_only():
    base = ARCHS["cnn"]
    toy = ArchSpec(name="toy-registry", title="Toy", kind="classifier", summary="", preset={},
                   params=(), build=base.build, display=Display())
    with pytest.raises(ConfigError):
        make_config("toy-registry")
    with registered(toy):
        assert make_config("toy-registry").arch == "toy-registry"
        with pytest.raises(ValueError):
            with registered(toy):
                pass
    assert "toy-registry" not in ARCHS


@pytest.mark.parametrize("arch", list(ARCHS))
def test_every_architecture_declares_what_it_shows(arch):
    d = ARCHS[arch].display.with_common()
    assert d.headline is not None and d.headline.key
    ids = [p.id for p in d.panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids in {arch}: {ids}"
    for p in d.panels:
        assert p.title and p.explain, f"{arch}: panel {p.id} has no title or explanation"
        assert p.lines or p.draw == "layer_heatmap"
    for v in d.views:
        assert v.kind and v.title and v.explain, f"{arch}: view {v.kind} is not explained"
