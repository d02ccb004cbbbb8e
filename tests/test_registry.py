"""The registry finds architectures by itself, owns building configs, and the package has no import cycle."""
import ast
from pathlib import Path

import pytest

from deeparch import archs
from deeparch.archs import ARCHS, make_config, registered
from deeparch.archs.base import ArchSpec
from deeparch.config import ConfigError
from deeparch.display import Display

PKG = Path(archs.__file__).resolve().parent.parent


def test_every_architecture_file_is_registered_by_itself():
    import importlib

    # helper modules of an architecture file start with "_" (archs/_diffusion_views.py)
    files = {p.stem for p in (PKG / "archs").glob("*.py") if p.stem != "base" and not p.stem.startswith("_")}
    assert files, "no architecture files found"
    for f in files:
        spec = importlib.import_module(f"deeparch.archs.{f}").SPEC
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


def _imports(path: Path) -> set[str]:
    """deeparch modules imported anywhere in a file (top level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("deeparch"):
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("deeparch"))
    return out


# the one import the cycle check leaves out, on purpose: the Ray training task (a function shipped to a
# Ray worker process) imports the worker's entry point when it runs there, never when deeparch.ray_executor
# is imported; the worker then uses the job system, which chose that executor. Every other edge counts.
ENTRY_POINTS = {("deeparch.ray_executor", "deeparch.worker")}


@pytest.mark.slow  # a Python process of its own
def test_no_import_cycles_in_the_package_and_config_is_a_leaf():
    modules = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        modules[name] = path
    graph = {m: {i for i in _imports(p) if i in modules and i != m} for m, p in modules.items()}
    for module, target in ENTRY_POINTS:
        graph[module].discard(target)
    # config reads typed numbers the reader's way through deeparch.numbers (babel, the words); nothing else
    assert graph["deeparch.config"] <= {"deeparch", "deeparch.numbers"}, f"config imports {graph['deeparch.config']}"
    state: dict[str, int] = {}

    def visit(m, trail):
        if state.get(m) == 1:
            cycle = trail[trail.index(m):] + [m]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in sorted(graph[m]):
            visit(n, trail + [m])
        state[m] = 2

    for m in sorted(graph):
        visit(m, [])


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
