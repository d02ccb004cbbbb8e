"""Numbers as a reader types them and reads them, in the reader's language (babel's locale data).

``parse`` reads what a person typed in a field; ``split`` cuts a typed list of numbers (a sweep's
values); ``field`` writes a value back the way its field shows it (and ``parse`` reads it again);
``readable`` writes a number inside a sentence or a range (thousands grouped). The language is the
current one (``deeparch.present.i18n``) unless one is given. No Streamlit here.

How a typed number is read, in a language whose decimal mark is ``,`` and whose thousands mark is
``.`` (pt-BR; English is the mirror image, ``.`` and ``,``):

- what babel reads strictly in that language is read that way: ``0,01``, ``1,5e-3``, ``2.500``
  (two thousand five hundred), ``1.234,5``, ``1e-3``;
- a number with a single ``.`` and no ``,`` that is not a correct grouping of thousands is read as a
  decimal point, the way Python and English write it: ``0.01``, ``1.5``, ``0.999``, ``10.25``: there is
  no other way to read them;
- ``1.000`` is a correct grouping, so it reads one thousand, as a Brazilian writes it (``2.500`` must
  read 2500 too). A user who means one writes ``1`` or ``1,0``. Pages that parse a field show what was
  read when a mark was read as thousands (``thousands_read``), so this reading is never silent;
- anything else (``1.2.3``, ``1,000.5`` in pt-BR, ``abc``, ``inf``, ``nan``) is refused with the reason.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, parse_decimal

from deeparch.present import i18n, numerals

_SHAPE = re.compile(r"[+-]?[0-9.,]*[0-9][0-9.,]*(?:[eE][+-]?[0-9]+)?")
_EXP = re.compile(r"[eE][+-]?[0-9]+$")


class NumberError(ValueError):
    """Typed text that is not a number in the reader's language; the message says how to write one."""


def symbols(lang: str | None = None) -> tuple[str, str]:
    """(decimal mark, thousands mark) of ``lang`` (default: the current language)."""
    return i18n._symbols(lang or i18n.current())


def example(lang: str | None = None) -> str:
    """How numbers are written in ``lang``, for English messages that a catalog translates:
    "0.01, 1e-3 or 2,500"; "0,01; 1e-3 or 2.500" where the comma is a decimal mark."""
    from deeparch.present.messages import Message

    dec, grp = symbols(lang)
    return Message("number_example", decimal=f"0{dec}01", sep=list_separator(lang), group=f"2{grp}500")


def _read(text: str, lang: str) -> tuple[Decimal, bool]:
    """(value, whether a thousands mark was read) or NumberError."""
    dec, grp = symbols(lang)
    t = text.strip()
    if not _SHAPE.fullmatch(t):
        raise NumberError(f"{text.strip()!r} is not a number (write numbers like {example(lang)})")
    exp = _EXP.search(t)
    mantissa, power = (t[:exp.start()], int(exp.group()[1:])) if exp else (t, 0)
    try:
        value, grouped = parse_decimal(mantissa, locale=i18n._babel_locale(lang), strict=True), grp in mantissa
    except (NumberFormatError, InvalidOperation):
        # a lone other mark ("0.01" in pt-BR, "0,5" in English) that is not a grouping: a decimal point
        if mantissa.count(grp) == 1 and dec not in mantissa:
            value, grouped = Decimal(mantissa.replace(grp, ".")), False
        else:
            raise NumberError(f"{text.strip()!r} is not a number (write numbers like {example(lang)})") from None
    return value.scaleb(power), grouped


def parse(text: str, lang: str | None = None) -> float:
    """``text`` as a reader of ``lang`` wrote it, as a float (see the module's rules); NumberError if
    it is not a number. Too large a number reads as ``inf`` (the caller's range check refuses it)."""
    value, _ = _read(str(text), lang or i18n.current())
    try:
        return float(value)
    except OverflowError:  # pragma: no cover - Decimal → float gives inf rather than raising
        return float("inf") if value > 0 else float("-inf")


def thousands_read(text: str, lang: str | None = None) -> bool:
    """Whether ``text`` is a number whose thousands mark was read as such ("2.500" in pt-BR), so a page
    can say what it read."""
    try:
        return _read(str(text), lang or i18n.current())[1]
    except NumberError:
        return False


def list_separator(lang: str | None = None) -> str:
    """The mark between the values of a typed list: "," in English, ";" where "," is the decimal mark."""
    return ";" if symbols(lang)[0] == "," else ","


def split(text: str, lang: str | None = None) -> list[str]:
    """A typed list of numbers cut into its items (blank ones dropped).

    English: "1e-4, 1e-3". Where ``,`` is the decimal mark (pt-BR) the separator is ``;``
    ("0,001; 0,01"); a list without any ``;`` is cut at a comma followed by a space ("0,001, 0,01"),
    never at a bare comma, which is a decimal mark there."""
    sep = list_separator(lang)
    if sep == "," or sep in text:
        items = text.split(sep)
    else:
        items = re.split(r",\s+", text)
    return [v.strip() for v in items if v.strip()]


def field(value, lang: str | None = None) -> str:
    """``value`` as its text field shows it, which ``parse`` reads back: 64, 0,001 (pt-BR), 1e-07.

    No thousands marks (a field is edited digit by digit) and up to 12 significant digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    dec, _ = symbols(lang)
    return f"{value:.12g}".replace(".", dec)


def readable(value, lang: str | None = None) -> str:
    """``value`` inside a sentence, a range or a tooltip, as ``lang`` (default: the current language)
    writes it: ``deeparch.present.numerals.readable``."""
    return numerals.readable(value, lang or i18n.current())
