"""How a number is written in a language, from babel's locale data: a leaf module (no other deeparch
import), so that the catalogs' own helpers, the parser of typed numbers (``deeparch.present.numbers``) and the
words (``deeparch.present.i18n``) can all use it without importing one another."""
from __future__ import annotations

import re
from functools import lru_cache

SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def babel_locale(lang: str) -> str:
    return lang.replace("-", "_") if lang != "en" else "en_US"


@lru_cache(maxsize=None)
def symbols(lang: str) -> tuple[str, str]:
    """(decimal, group) separators of ``lang`` from babel's locale data."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    loc = babel_locale(lang)
    return get_decimal_symbol(loc), get_group_symbol(loc)


def localize(text: str, lang: str) -> str:
    """A number Python formatted (``.`` decimal, ``,`` groups) with ``lang``'s separators."""
    if lang == "en":
        return text
    dec, grp = symbols(lang)
    return text.translate({ord("."): dec, ord(","): grp})


def powers_of_ten(text: str) -> str:
    """A number in a sentence from Python's scientific notation to a reader's: "1e+06" → "10⁶",
    "1.5e-05" → "1.5 × 10⁻⁵" (the separators are the caller's to localize); any other text unchanged."""
    m = re.fullmatch(r"(-?)([0-9.]+)e([+-])0*([0-9]+)", text)
    if not m:
        return text
    sign, mantissa, exp_sign, exp = m.groups()
    power = "10" + ((exp_sign.replace("+", "") + exp).translate(SUPERSCRIPT))
    return f"{sign}{power}" if float(mantissa) == 1 else f"{sign}{mantissa} × {power}"


def readable(value, lang: str) -> str:
    """``value`` inside a sentence, a range or a tooltip: whole numbers with thousands marks
    (2.147.483.647 in pt-BR), decimals with the language's mark (0,999), very small or very large
    ones in scientific notation (1e-07, 1e+15)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return localize(f"{int(value):,}", lang)
    if value != 0 and not 1e-4 <= abs(value) < 1e15:
        return localize(f"{value:.6g}", lang)
    return localize(f"{value:,.12g}", lang)
