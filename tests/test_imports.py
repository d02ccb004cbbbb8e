"""Imports point one way: no import cycle anywhere in deeparch or the pages (imports inside functions
count), config is a leaf, and the library never imports the pages."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: deeparch/, pages/, app.py


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project, by its dotted name: deeparch's, the pages' and app."""
    files = [*(root / "deeparch").rglob("*.py"), *(root / "pages").glob("*.py"), root / "app.py"]
    out = {}
    for path in files:
        rel = path.relative_to(root).with_suffix("")
        out[".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)] = path
    return out


def imported(path: Path) -> set[str]:
    """The names a file imports, anywhere in it (top level, inside functions, under ``if``): for
    ``from a.b import c`` both ``a.b`` and ``a.b.c``, since ``c`` may be a module."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: a relative import (this check reads absolute ones only)"
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the project's modules it imports."""
    mods = modules(root)
    return {m: {i for i in imported(p) if i in mods and i != m} for m, p in mods.items()}


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(m, trail):
        if state.get(m) == 1:
            return trail[trail.index(m):] + [m]
        if state.get(m) == 2:
            return None
        state[m] = 1
        for n in sorted(edges[m]):
            found = visit(n, trail + [m])
            if found:
                return found
        state[m] = 2
        return None

    for m in sorted(edges):
        found = visit(m, [])
        if found:
            return found
    return None


def test_no_import_cycle_anywhere():
    edges = graph()
    assert {"deeparch.execution.jobs", "deeparch.execution.worker", "pages.live", "app"} <= set(edges)
    found = cycle(edges)
    assert found is None, "import cycle: " + " -> ".join(found)


def test_the_check_counts_imports_inside_functions(tmp_path):
    for name, text in {"a": "from deeparch import b\n", "b": "def f():\n    import deeparch.c\n",
                       "c": "if True:\n    from deeparch.a import x\n"}.items():
        (tmp_path / "deeparch").mkdir(exist_ok=True)
        (tmp_path / "deeparch" / f"{name}.py").write_text(text)
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    assert cycle(graph(tmp_path)) == ["deeparch.a", "deeparch.b", "deeparch.c", "deeparch.a"]
    (tmp_path / "deeparch" / "c.py").write_text("")
    assert cycle(graph(tmp_path)) is None


def test_the_library_never_imports_the_pages_and_config_is_a_leaf():
    edges = graph()
    for m, targets in edges.items():
        if m.startswith("deeparch"):
            assert not {t for t in targets if t == "app" or t.startswith("pages")}, f"{m} imports {targets}"
    # config reads typed numbers the reader's way through deeparch.present.numbers (babel, the words) and words its
    # refusals as deeparch.present.messages (a code and fields); nothing else
    # and records its parameters' labels in deeparch.present.labels (i18n reads them there)
    assert edges["deeparch.course.config"] <= {"deeparch", "deeparch.present.numbers", "deeparch.present.messages",
                                               "deeparch.present", "deeparch.present.labels"}, \
        f"config imports {edges['deeparch.course.config']}"


def test_pages_never_build_a_model_or_read_a_file_layout():
    """The pages ask deeparch (models.param_count, models.model_card, models.predict, data.is_ready): no
    torch, no architecture's build, no checkpoint loading, no cache file names."""
    for name, path in modules().items():
        if name.startswith("deeparch"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        names = imported(path)
        assert not {n for n in names if n == "torch" or n.startswith("torch.")}, f"{path.name} imports torch"
        builders = names & {"deeparch.engine.trainer", "deeparch.course.archs.get_arch", "deeparch.engine.checkpoint",
                             "deeparch.engine.checkpoint.load_checkpoint"}
        assert not builders, f"{path.name} imports what builds or loads a model: {sorted(builders)}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in ("build", "load_state_dict"), f"{path.name}:{node.lineno} builds a model"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.endswith(".pt"), f"{path.name}:{node.lineno} names a file of the data or a run"


# the folders of deeparch from the bottom up: a module imports only from its own folder or one below it
LAYERS = ["present", "store", "course", "engine", "execution", "read"]


def folder(module: str) -> str | None:
    """The folder of a deeparch module ("deeparch.engine.trainer" → "engine"); None for the top level."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports that point up the layers (or from a folder to the top level): ``a -> b`` for each."""
    out = []
    for m, targets in sorted(edges.items()):
        if not m.startswith("deeparch.") or folder(m) is None:
            continue
        for t in sorted(targets):
            if not t.startswith("deeparch"):
                continue
            low, high = folder(m), folder(t)
            if high is None and t != "deeparch" or high is not None and LAYERS.index(high) > LAYERS.index(low):
                out.append(f"{m} -> {t}")
    return out


def test_the_folders_are_layers_and_every_import_points_down():
    edges = graph()
    assert {folder(m) for m in edges if m.startswith("deeparch.")} - {None} == set(LAYERS)
    assert upward(edges) == []


def test_the_layer_check_sees_an_import_that_points_up(tmp_path):
    for name, text in {"present/a.py": "def f():\n    from deeparch.engine import b\n", "engine/b.py": "",
                       "engine/c.py": "from deeparch import cli\n", "cli.py": ""}.items():
        (tmp_path / "deeparch" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "deeparch" / name).write_text(text)
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    assert upward(graph(tmp_path)) == ["deeparch.engine.c -> deeparch.cli", "deeparch.present.a -> deeparch.engine.b"]
