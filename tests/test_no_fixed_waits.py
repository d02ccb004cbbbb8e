"""The tests wait on what the system does, never for a fixed time, and never try an action again until it
passes: a test that needs either has found a defect (issue 28).

Every test file is read with ``ast`` (text in strings, such as the code a test hands a child process,
is not code of the test). Refused: ``time.sleep(...)`` and ``page.wait_for_timeout(...)`` anywhere but
tests/waiting.py (the one polling helper, which waits on a condition), a browser action (click, fill,
press, ...) repeated by a ``while`` loop or by a ``for`` loop over ``range`` whose counter is unused or
named like an attempt, and pytest's rerun markers (``flaky``).
"""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
POLLING = {"waiting.py"}  # the polling helper: it sleeps between looks at a condition
ACTIONS = {"click", "dblclick", "fill", "press", "press_sequentially", "type", "check", "uncheck", "tap",
           "select_option", "set_input_files", "drag_to", "enter"}
RETRY_NAMES = ("attempt", "retr", "tries", "try_")


def _name(node: ast.AST) -> str:
    """``time.sleep`` for ``time.sleep(...)``'s function, ``sleep`` for a bare name."""
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}" if _name(node.value) else node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _calls(node: ast.AST):
    return (n for n in ast.walk(node) if isinstance(n, ast.Call))


def _acts(loop: ast.AST) -> bool:
    return any(_name(c.func).rpartition(".")[2] in ACTIONS for body in loop.body for c in _calls(body))


def _uses(loop: ast.For, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for body in loop.body for n in ast.walk(body))


def _retries(loop: ast.AST) -> bool:
    if isinstance(loop, ast.While):
        return _acts(loop)
    if not (isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call) and _name(loop.iter.func) == "range"):
        return False
    target = loop.target.id if isinstance(loop.target, ast.Name) else ""
    counted = target and target != "_" and _uses(loop, target) and not any(w in target for w in RETRY_NAMES)
    return _acts(loop) and not counted


def problems(source: str, filename: str = "<test>") -> list[str]:
    """What in ``source`` waits for a fixed time or retries an action, one line each."""
    tree = ast.parse(source, filename)
    sleep_names = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "time"
                   for a in n.names if a.name == "sleep"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name == "time.sleep" or name in sleep_names:
                found.append(f"{filename}:{node.lineno}: {name}(...) waits a fixed time")
            elif name.endswith("wait_for_timeout"):
                found.append(f"{filename}:{node.lineno}: wait_for_timeout(...) waits a fixed time")
            elif name.endswith("mark.flaky"):
                found.append(f"{filename}:{node.lineno}: a flaky marker reruns a failing test")
        elif isinstance(node, ast.Attribute) and _name(node).endswith("mark.flaky"):
            found.append(f"{filename}:{node.lineno}: a flaky marker reruns a failing test")
        elif isinstance(node, (ast.For, ast.While)) and _retries(node):
            found.append(f"{filename}:{node.lineno}: a loop repeats a browser action until it takes")
    return sorted(set(found))


def test_no_test_waits_a_fixed_time_or_retries_an_action():
    found = [p for f in sorted(TESTS.glob("**/*.py")) if f.name not in POLLING
             for p in problems(f.read_text(), str(f.relative_to(TESTS.parent)))]
    assert not found, "\n".join(found)


def test_the_check_finds_each_kind_and_leaves_a_child_process_code_alone():
    source = '''
import time
from time import sleep as nap
import subprocess, sys

def test_x(page, box):
    time.sleep(0.5)
    nap(1)
    page.wait_for_timeout(200)
    for attempt in range(3):
        box.fill("1e-3")
    for _ in range(3):
        page.get_by_role("button").click()
    while not box.input_value():
        box.press("Enter")

@pytest.mark.flaky(reruns=2)
def test_y():
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    for i in range(1, 4):  # a loop over tabs, each clicked once
        page.get_by_role("tab").nth(i).click()
'''
    lines = [p.split(":")[1] for p in problems(source)]
    assert sorted(lines, key=int) == ["7", "8", "9", "10", "12", "14", "17"], problems(source)
