"""The English strings a translation must cover, collected from where they are written (each page's
``TEXT``, the declarations of the registry), and what a translation lacks: ``tests/test_i18n.py`` and
``python -m deeparch.catalogs`` use it. Adding a language: copy ``pt_BR.py``, translate, and name it
in ``deeparch.present.i18n``.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# page sections: the file whose TEXT dict holds the English, by the name its Catalog uses
PAGE_FILES = {"app": "app.py", **{p.stem.lstrip("_") if p.stem.startswith("_") else p.stem: f"pages/{p.name}"
                                   for p in sorted((ROOT / "pages").glob("*.py"))}}


def page_text(path: Path) -> dict | None:
    """The literal English dict of a page's ``TEXT = Catalog(section, {...})`` (or ``TEXT = {...}``), read
    without running the page."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "TEXT" for t in node.targets):
            value = node.value
            if isinstance(value, ast.Call):
                value = value.args[-1]
            return ast.literal_eval(value)
    return None


def english_pages() -> dict[str, dict]:
    """Every page section's English words, by section."""
    out = {}
    for section, rel in PAGE_FILES.items():
        text = page_text(ROOT / rel)
        if text is not None:
            out[section] = text
    return out


def _display_strings(display) -> set[str]:
    out = set()
    for p in display.with_common().panels:
        out |= {p.title, p.ylabel, p.explain, *(l.label for l in p.lines), *(label for _, label in p.hlines)}
    for v in display.views:
        out |= {v.title, v.explain}
    if display.headline:
        out.add(display.headline.label)
    return out


def english_messages() -> set[str]:
    """The declared English strings shown to a reader: architecture titles, summaries and how each differs
    from the course's listing, parameter help (a generated task's settings too), panel and view words,
    presets, lesson races, dataset titles, and the axis words of the chart builders."""
    from deeparch.present import charts
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON
    from deeparch.course.data import DATASETS

    out = {p.help for p in COMMON + CLASSIFIER} | {d.title for d in DATASETS.values()} | set(charts.WORDS)
    out |= {p.help for d in DATASETS.values() for p in d.params}
    for spec in ARCHS.values():
        if spec.name.startswith("toy"):
            continue
        out |= {spec.title, spec.summary, spec.differs, *(p.help for p in spec.params)}
        out |= {p.title for p in spec.presets}
        out |= {w for race in spec.races for w in (race.title, race.explain, *(label for label, *_ in race.runs))}
        out |= _display_strings(spec.display)
    return {s for s in out | lesson_strings() if s}


def lesson_strings() -> set[str]:
    """The words of the lessons and break-it scenarios (``deeparch.course.lessons``) the Lessons page shows through
    ``i18n.tr``: title, topic, goal, run labels, what to watch and the questions."""
    from deeparch.course.lessons import ALL

    out = set()
    for lesson in ALL:
        out |= {lesson.title, lesson.topic, lesson.goal, *lesson.watch, *lesson.questions}
        out |= {r.label for r in lesson.runs}
    return out


def param_names() -> set[str]:
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON
    from deeparch.course.data import DATASETS

    return ({p.name for p in COMMON + CLASSIFIER} | {p.name for d in DATASETS.values() for p in d.params}
            | {p.name for s in ARCHS.values() if not s.name.startswith("toy") for p in s.params})


def choice_values() -> dict[str, set]:
    """Every knob with named values (not numbers), and those values: each needs a label (``CHOICES``)."""
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON

    out: dict[str, set] = {}
    for p in [*COMMON, *CLASSIFIER, *(p for s in ARCHS.values() if not s.name.startswith("toy") for p in s.params)]:
        if p.choices and all(isinstance(v, str) for v in p.choices):
            out.setdefault(p.name, set()).update(p.choices)
    return out


def _flat(d: dict, prefix: str = "") -> set[str]:
    keys = set()
    for k, v in d.items():
        keys |= _flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {prefix + k}
    return keys


def missing(lang_module) -> dict[str, list[str]]:
    """What ``lang_module`` lacks (and has in excess) against the English catalog, by section."""
    from deeparch.present.catalogs import en

    out: dict[str, list[str]] = {}
    pages = getattr(lang_module, "PAGES", {})
    for section, text in english_pages().items():
        want, have = _flat(text), _flat(pages.get(section, {}))
        if want - have:
            out[f"PAGES[{section!r}]"] = sorted(want - have)
        if have - want:
            out[f"PAGES[{section!r}] (not in English)"] = sorted(have - want)
    lack = sorted(english_messages() - set(lang_module.MESSAGES))
    if lack:
        out["MESSAGES"] = lack
    for name, table in (("LABELS", lang_module.LABELS), ("en.LABELS", en.LABELS)):
        if param_names() - set(table):
            out[name] = sorted(param_names() - set(table))
    for name, table in (("CHOICES", getattr(lang_module, "CHOICES", {})), ("en.CHOICES", en.CHOICES)):
        lack = [f"{knob}={v}" for knob, values in choice_values().items() for v in sorted(values)
                if v not in table.get(knob, {})]
        if lack:
            out[name] = lack
    return out


def report() -> str:
    """What pt-BR lacks, one key a line under its section (``python -m deeparch.catalogs``)."""
    from deeparch.present.catalogs import pt_BR

    lines = []
    for where, keys in missing(pt_BR).items():
        lines.append(f"{where}:")
        lines += [f"    {k!r}" for k in keys]
    return "\n".join(lines) or "pt-BR has every key of the English catalog."
