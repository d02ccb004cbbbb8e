"""The gettext catalogs of the lab: the English collected from where it is written, and what a translation lacks.

English stays in the code: each page's ``TEXT``, the declarations of the registry (titles, summaries, help,
panels, lessons), the parameter and value labels (each ``Param``'s ``label`` and ``choice_labels``), the
messages' templates (``deeparch.present.messages``). A translation is ``deeparch/present/locale/<lang>/LC_MESSAGES/deeparch.po``;
the app reads its compiled ``deeparch.mo`` (committed). A page word's ``msgctxt`` is ``page:<section>.<key>``,
a parameter label's ``label``, a value label's ``choice:<knob>``, a message's ``error:<code>``; a declared word
has none (its English is its key).

``python -m deeparch.catalogs``          lists what pt-BR lacks (``tests/test_i18n.py`` fails while anything does)
``python -m deeparch.catalogs extract``  writes the template ``deeparch.pot`` from the code's English
``python -m deeparch.catalogs update``   merges the template into each ``.po``, keeping its translations
``python -m deeparch.catalogs compile``  writes each ``.mo`` from its ``.po``

Adding a language: ``update`` after copying the template to ``<lang>/LC_MESSAGES/deeparch.po``, translate,
``compile``, and name it in ``deeparch.present.i18n.LANGS``.
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


def _split(shown) -> tuple[tuple, tuple]:
    """Panels and views of ``shown``, apart (to make a ``Display`` of them)."""
    from deeparch.present.display import Panel

    return tuple(p for p in shown if isinstance(p, Panel)), tuple(v for v in shown if not isinstance(v, Panel))


def english_messages() -> set[str]:
    """The declared English strings shown to a reader: architecture titles, summaries and how each differs
    from the course's listing, parameter help (a generated task's settings too), panel and view words,
    presets, lesson races, dataset titles, and the axis words of the chart builders."""
    from deeparch.present import charts
    from deeparch.present.display import OTHER_IMAGES, THROUGHPUTS, Display
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON
    from deeparch.course.data import BUILTIN as DATASETS  # the shipped ones: an imported set's title is its name

    out = {p.help for p in COMMON + CLASSIFIER} | {d.title for d in DATASETS.values()} | set(charts.WORDS)
    out |= set(charts.FORECAST_WORDS)
    out |= _display_strings(Display(tuple(THROUGHPUTS.values())))  # the throughput panel of each dataset kind
    out |= _display_strings(Display(*_split(OTHER_IMAGES.values())))  # words for other images
    out |= {p.help for d in DATASETS.values() for p in d.params}
    for spec in ARCHS.values():
        if spec.name.startswith("toy"):
            continue
        out |= {spec.title, spec.summary, spec.differs, spec.token_differs, spec.series_differs,
                *(p.help for p in spec.params)}
        out |= {p.title for p in spec.presets}
        out |= {w for race in spec.races for w in (race.title, race.explain, *(label for label, *_ in race.runs))}
        for display in (spec.display, spec.token_display, spec.text_display, spec.series_display):
            out |= _display_strings(display) if display else set()
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


def params() -> list:
    """Every Param a reader is shown: the common and classifier knobs, the datasets' (a generated task's
    settings) and the architectures' (not the tests' toy ones)."""
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON
    from deeparch.course.data import BUILTIN as DATASETS  # the shipped ones: an imported set's title is its name

    return [*COMMON, *CLASSIFIER, *(p for d in DATASETS.values() for p in d.params),
            *(p for s in ARCHS.values() if not s.name.startswith("toy") for p in s.params)]


def param_names() -> set[str]:
    return {p.name for p in params()}


class LabelConflict(ValueError):
    """Two declarations of one knob name with different labels."""


def labels(declared=None) -> dict[str, str]:
    """Each parameter's English label (``Param.label``), by code name. The pages label a knob by its name,
    so a name declared twice (``dropout`` in several architectures) has one label; two labels for one name
    raise ``LabelConflict`` saying which."""
    out: dict[str, str] = {}
    for p in params() if declared is None else declared:
        if p.label and out.setdefault(p.name, p.label) != p.label:
            raise LabelConflict(f"the knob {p.name} is labelled {out[p.name]!r} in one declaration and {p.label!r} in "
                                f"another: a knob's name has one label everywhere (the pages label a knob by its "
                                f"name); use one label, or give the new knob a name of its own")
    return out


def choice_labels() -> dict[str, dict]:
    """Each knob's value labels (``Param.choice_labels``), by code name then value."""
    out: dict[str, dict] = {}
    for p in params():
        out.setdefault(p.name, {}).update(p.choice_labels)
    return {k: v for k, v in out.items() if v}


def choice_values() -> dict[str, set]:
    """Every knob with named values (not numbers), and those values: each needs a label (``Param.choice_labels``)."""
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON

    out: dict[str, set] = {}
    for p in [*COMMON, *CLASSIFIER, *(p for s in ARCHS.values() if not s.name.startswith("toy") for p in s.params)]:
        if p.choices and all(isinstance(v, str) for v in p.choices):
            out.setdefault(p.name, set()).update(p.choices)
    return out


LOCALE = ROOT / "deeparch" / "present" / "locale"
DOMAIN = "deeparch"
POT = LOCALE / f"{DOMAIN}.pot"


def po_path(lang: str = "pt_BR") -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _literals() -> set[str]:
    """Every string literal of the package and the pages: a declared word still written in the code."""
    import ast

    out = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "deeparch").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


def _forms() -> set[str]:
    """How the free-text knobs are written ("layer names like features …"): ``Param.form``, worded by tr."""
    from deeparch.course.archs import ARCHS
    from deeparch.course.config import CLASSIFIER, COMMON

    return {p.form for p in [*COMMON, *CLASSIFIER, *(p for s in ARCHS.values() for p in s.params)] if p.form}


def template():
    """The English catalog (a babel ``Catalog``): every word a translation must cover, with its context."""
    from babel.messages.catalog import Catalog

    from deeparch.present import messages

    cat = Catalog(domain=DOMAIN, project="deeparch", fuzzy=False)
    for section, text in english_pages().items():
        for key, value in text.items():
            for sub, english in (value.items() if isinstance(value, dict) else [(None, value)]):
                where = f"page:{section}.{key}" + (f".{sub}" if sub else "")
                cat.add(english, context=where, locations=[(PAGE_FILES[section], 0)])
    declared = english_messages() | _forms()
    if LOCALE.joinpath("pt_BR").exists():  # a declared word of the catalog still written in the code (chart axes)
        declared |= {m.id for m in load() if m.id and not m.context} & _literals()
    for english in sorted(declared):
        cat.add(english)
    named, valued = labels(), choice_labels()
    for name in sorted(param_names()):
        if name in named:
            cat.add(named[name], context="label", auto_comments=[name])
    for knob, values in sorted(choice_values().items()):
        for value in sorted(values):
            if value in valued.get(knob, {}):
                cat.add(valued[knob][value], context=f"choice:{knob}", auto_comments=[value])
    for code, english in messages.TEMPLATES.items():
        cat.add(english, context=f"error:{code}")
    return cat


def load(lang: str = "pt_BR"):
    from babel.messages.pofile import read_po

    with open(po_path(lang), "rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def write_po(cat, path: Path, template: bool = False) -> None:
    from babel.messages.pofile import write_po as babel_write

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        babel_write(f, cat, width=100, omit_header=False, sort_output=False, ignore_obsolete=False,
                    include_previous=False)


def mo_bytes(lang: str = "pt_BR") -> bytes:
    """The compiled ``.mo`` of ``lang``'s ``.po``, as ``compile`` writes it (the test compares the committed one)."""
    import io

    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, load(lang), use_fuzzy=False)
    return buf.getvalue()


def _section(context: str | None) -> str:
    if not context:
        return "MESSAGES"
    if context.startswith("page:"):
        return f"PAGES[{context[5:].split('.')[0]!r}]"
    return {"label": "LABELS"}.get(context, context.split(":")[0].upper() + (
        f"[{context.split(':', 1)[1]!r}]" if ":" in context else ""))


def missing(lang: str = "pt_BR") -> dict[str, list[str]]:
    """What ``lang``'s catalog lacks (no translation, or a fuzzy one) against the English, by section; and
    what it holds that the English no longer has (``update`` makes it obsolete)."""
    have = load(lang)
    out: dict[str, list[str]] = {}
    for m in template():
        if not m.id:
            continue
        t = have.get(m.id, m.context)
        if t is None or not t.string or t.fuzzy:
            key = m.context.split(".", 1)[1] if (m.context or "").startswith("page:") else m.id
            out.setdefault(_section(m.context), []).append(key)
    want = {(m.id, m.context) for m in template()}
    extra = [f"{m.context or ''}|{m.id}" for m in have if m.id and (m.id, m.context) not in want]
    if extra:
        out["not in English (run update)"] = extra
    return {k: sorted(v) for k, v in out.items()}


def translations(lang: str = "pt_BR") -> dict[tuple[str | None, str], str]:
    """(context, English) → the translation, for every translated message of ``lang``."""
    return {(m.context, m.id): m.string for m in load(lang) if m.id and m.string and not m.fuzzy}


def translated_pages(lang: str = "pt_BR") -> dict[str, dict]:
    """Each page section's translated words by key (a nested key as a nested dict), the shape of its TEXT."""
    out: dict[str, dict] = {}
    for (context, _), text in translations(lang).items():
        if context and context.startswith("page:"):
            section, *keys = context[5:].split(".")
            d = out.setdefault(section, {})
            for k in keys[:-1]:
                d = d.setdefault(k, {})
            d[keys[-1]] = text
    return out


def translated_messages(lang: str = "pt_BR") -> dict[str, str]:
    """Declared English → translation (no context)."""
    return {english: text for (context, english), text in translations(lang).items() if context is None}


def extract() -> Path:
    write_po(template(), POT, template=True)
    return POT


def update() -> list[Path]:
    """The template merged into every ``.po``: new words added untranslated, changed ones kept as fuzzy, gone
    ones obsolete (babel's ``Catalog.update``)."""
    out = []
    pot = template()
    for lang in languages():
        cat = load(lang)
        cat.update(pot, no_fuzzy_matching=True, update_header_comment=False, keep_user_comments=True)
        write_po(cat, po_path(lang))
        out.append(po_path(lang))
    return out


def compile_mo() -> list[Path]:
    out = []
    for lang in languages():
        path = po_path(lang).with_suffix(".mo")
        path.write_bytes(mo_bytes(lang))
        out.append(path)
    return out


def report(lang: str = "pt_BR") -> str:
    """What pt-BR lacks, one key a line under its section (``python -m deeparch.catalogs``)."""
    lines = []
    for where, keys in missing(lang).items():
        lines.append(f"{where}:")
        lines += [f"    {k!r}" for k in keys]
    return "\n".join(lines) or "pt-BR has every key of the English catalog."


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "missing"
    try:
        return _command(command)
    except LabelConflict as e:
        print(f"python -m deeparch.catalogs: {e}", file=sys.stderr)
        return 2


def _command(command: str) -> int:
    if command == "extract":
        print(extract())
    elif command == "update":
        print(*update(), sep="\n")
    elif command == "compile":
        print(*compile_mo(), sep="\n")
    elif command == "missing":
        text = report()
        print(text)
        return 1 if missing() else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
