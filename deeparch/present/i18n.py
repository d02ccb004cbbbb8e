"""Two languages: English (the words written in the code) and Portuguese (Brazil).

English stays where it is written: each page's ``TEXT`` dict, the architecture files'
titles, summaries and parameter help, the panels of ``display.py``. A translation never
moves it, so the files other work edits keep their English and nothing else changes there.
Portuguese lives in the gettext catalog ``deeparch/present/locale/pt_BR/LC_MESSAGES/deeparch.po`` (read
compiled, ``deeparch.mo``; ``python -m deeparch.catalogs`` extracts, updates and compiles it) and is looked up:

- page words by stable keys: ``TEXT = i18n.Catalog("train", {...})`` in a page returns the translation of
  ``msgctxt "page:train.<key>"`` when the language is pt-BR, else the English;
- declared words (architecture titles, summaries, help, chart titles, explanations) by their English text, as
  gettext does: ``i18n.tr(english)``; parameter and value labels under ``label`` and ``choice:<knob>``;
- messages the library builds (``deeparch.present.messages.Message``: a code and fields) by their code:
  ``i18n.tr_error(message)``, with the numbers in the reader's format.

Anything without a translation falls back to English (``tests/test_i18n.py`` lists what is
missing). Numbers filled into a catalog string follow the language's separators
(``babel``'s locale data): ``"{n:,}"`` reads 12,345.6 in English and 12.345,6 in Portuguese, and
Python's scientific notation reads as a power of ten there ("{r:.0e}": 1e+06 → 10⁶). Numbers typed by
a reader are read by ``deeparch.present.numbers``.

The current language comes from a resolver: the process language (the CLI's ``--lang``)
by default, the browser session's in the app (``pages/_i18n.py`` installs it). The library
never imports Streamlit.
"""
from __future__ import annotations

import gettext
import string
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from deeparch.present import labels, messages, numerals
from deeparch.present.messages import Message

LANGS = {"en": "English", "pt-BR": "Português (Brasil)"}
DEFAULT = "en"

_process_lang = DEFAULT
_resolver: Callable[[], str] = lambda: _process_lang


def normalize(tag: str | None) -> str:
    """A browser or command-line language tag → one of LANGS ("pt", "pt_BR", "pt-PT" → "pt-BR")."""
    if not tag:
        return DEFAULT
    tag = str(tag).replace("_", "-").strip().lower()
    return "pt-BR" if tag.split("-")[0] == "pt" else DEFAULT


def set_lang(lang: str) -> None:
    """The process-wide language (the command line); raises ValueError for an unknown one."""
    global _process_lang
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGS)}")
    _process_lang = lang


def set_resolver(fn: Callable[[], str] | None) -> None:
    """Where the current language comes from (the app: the browser session); None: the process language."""
    global _resolver
    _resolver = fn or (lambda: _process_lang)


def current() -> str:
    try:
        lang = _resolver()
    except Exception:  # noqa: BLE001 - no session (a background thread): the process language
        lang = _process_lang
    return lang if lang in LANGS else DEFAULT


LOCALE = Path(__file__).resolve().parent / "locale"  # <lang>/LC_MESSAGES/deeparch.po, .mo (compiled, committed)
DOMAIN = "deeparch"


@lru_cache(maxsize=None)
def _catalog(lang: str) -> gettext.GNUTranslations | None:
    """The compiled catalog of ``lang`` (``deeparch.mo``), or None for English or a language without one."""
    if lang == DEFAULT:
        return None
    try:
        return gettext.translation(DOMAIN, LOCALE, languages=[lang.replace("-", "_")])
    except OSError:
        return None


def pgettext(context: str | None, english: str, lang: str | None = None) -> str:
    """``english`` in ``lang`` (default: the current language) under the gettext context ``context``."""
    cat = _catalog(lang or current())
    if cat is None or not english:
        return english
    return cat.pgettext(context, english) if context else cat.gettext(english)


_babel_locale, _symbols = numerals.babel_locale, numerals.symbols


def localize_number(text: str, lang: str | None = None) -> str:
    """A number Python formatted (``.`` decimal, ``,`` groups) with ``lang``'s separators (default: the
    current language)."""
    return numerals.localize(text, lang or current())


class _Formatter(string.Formatter):
    """str.format whose numeric fields follow the language's separators."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, spec: str) -> str:
        out = format(value, spec)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return localize_number(powers_of_ten(out), self.lang)
        return out


powers_of_ten = numerals.powers_of_ten


class Text(str):
    """A catalog string: ``.format`` localizes the numbers it fills in."""

    def format(self, *args, **kwargs) -> str:  # type: ignore[override]
        lang = current()
        return str.format(self, *args, **kwargs) if lang == "en" else _Formatter(lang).format(self, *args, **kwargs)


def _wrap(value):
    if isinstance(value, str):
        return Text(value)
    if isinstance(value, dict):
        return {k: _wrap(v) for k, v in value.items()}
    return value


class Catalog(Mapping):
    """One page's words: the English written in the page, translated by key for the current language.

    A nested dict (status names, column titles) is merged key by key, so a sub-key missing
    in the translation still shows its English."""

    def __init__(self, section: str, english: dict):
        self.section = section
        self.english = english

    def __getitem__(self, key):
        value = self.english[key]
        where = f"page:{self.section}.{key}"
        if isinstance(value, dict):
            return {k: Text(pgettext(f"{where}.{k}", v)) for k, v in value.items()}
        return _wrap(pgettext(where, value) if isinstance(value, str) else value)

    def __iter__(self):
        return iter(self.english)

    def __len__(self):
        return len(self.english)


def tr(english: str | None) -> str:
    """The current language's words for a declared English string (gettext-style); itself if none."""
    return pgettext(None, english) if english else (english or "")


class _MessageFormatter(string.Formatter):
    """A message's fields in ``lang``: a Message worded in it, a number as a reader of it writes one (an empty
    spec: ``numerals.readable``; a spec such as ``.1f``: formatted, then its marks and powers of ten)."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value: Any, spec: str) -> str:
        if isinstance(value, Message):
            return format(word(value, self.lang), spec)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not spec:
                return numerals.readable(value, self.lang)
            return localize_number(powers_of_ten(format(value, spec)), self.lang)
        return format(value, spec)


def word(message: Message, lang: str) -> str:
    """``message`` worded in ``lang`` from its catalog (English: the message itself)."""
    if lang == DEFAULT or _catalog(lang) is None:
        return str.__str__(message)
    if message.code is None:
        return pgettext(None, message.fields.get("text", ""), lang)
    template = pgettext(f"error:{message.code}", messages.TEMPLATES[message.code], lang)
    return _MessageFormatter(lang).vformat(template, (), message.fields)


def tr_error(message) -> str:
    """A message the library built (a refusal, a control's answer, a stored reason; or the exception that
    carries one) in the current language, worded by the catalog from its code and fields. Text that is no
    Message (an old stored reason, a foreign error) stays as it is."""
    msg = messages.of(message) if message is not None else message
    if not isinstance(msg, Message):
        return msg if msg is not None else ""
    return word(msg, current())


def param_label(param) -> str:
    """A parameter's human label with its code name kept visible: "Learning rate (lr)". ``param``: a
    ``deeparch.course.config.Param`` (its ``label``) or a code name (the label a Param of that name declared,
    ``deeparch.present.labels``)."""
    name = param if isinstance(param, str) else param.name
    label = labels.LABELS.get(name) if isinstance(param, str) else param.label
    return f"{pgettext('label', label)} ({name})" if label else name


def choice_label(param, value) -> str:
    """A knob's value as a picker shows it: its human label with the value kept visible, "Decaimento cosseno
    (cosine)"; the label alone when it starts with the value ("Adam"); the value itself when it has no
    label. ``param``: a Param (its ``choice_labels``) or a code name."""
    name = param if isinstance(param, str) else param.name
    table = labels.CHOICES.get(name, {}) if isinstance(param, str) else param.choice_labels
    english = table.get(value) if isinstance(value, str) else None
    if not english:
        return str(value)
    label = pgettext(f"choice:{name}", english)
    first = label.replace(":", " ").replace("(", " ").split(maxsplit=1)[0]
    return label if first.lower() == str(value).lower() else f"{label} ({value})"


def separators() -> str:
    """Plotly's ``layout.separators`` for the current language: decimal mark then thousands mark."""
    return "".join(_symbols(current()))


def number(value: float | int, fmt: str = ",") -> str:
    """``value`` formatted with the Python spec ``fmt`` and the current language's separators."""
    return localize_number(format(value, fmt))


def percent(value: float, digits: int = 1) -> str:
    return number(value, f".{digits}%")


def when(moment: datetime, fmt: str = "short") -> str:
    """A date and time in the current language's format (babel)."""
    from babel.dates import format_datetime

    return format_datetime(moment, format=fmt, locale=_babel_locale(current()))


def localized(display):
    """``display`` (a ``deeparch.present.display.Display``) with its words in the current language; its
    ``with_common()`` translates the common panels too. English: ``display`` itself."""
    if current() == DEFAULT:
        return display
    from dataclasses import replace

    from deeparch.present.display import Display

    def panel(p):
        return replace(p, title=tr(p.title), ylabel=tr(p.ylabel), explain=tr(p.explain),
                       lines=tuple(replace(line, label=tr(line.label)) for line in p.lines),
                       hlines=tuple((v, tr(label)) for v, label in p.hlines))

    class Localized(Display):
        def with_common(self):
            return localized(Display.with_common(self))

    head = display.headline
    return Localized(tuple(panel(p) for p in display.panels),
                     tuple(replace(v, title=tr(v.title), explain=tr(v.explain)) for v in display.views),
                     replace(head, label=tr(head.label)) if head else None, display.extra,
                     display.samples)
