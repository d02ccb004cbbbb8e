"""Form fields that keep their value while the user visits other pages, one per kind of parameter.

Numbers are typed into text fields and parsed by the schema (``Param.coerce``), not into
``st.number_input``: a number input that refuses a value keeps its previous one, so a click on
Launch right after typing 1e9 launched the old value. Each field's reason is shown under it, and
``launch_button`` stays disabled while one stands. The words (``field_invalid``, ``read_as``,
``refused``) are the calling page's: ``words`` is its ``TEXT``.
"""
from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from deeparch.course.archs import schema
from deeparch.course.config import ConfigError, Param
from deeparch.present import i18n, numbers
from deeparch.present.text import md_escape
from pages import _classroom, _store


def kept(widget, key: str, fresh: dict, *args, **kwargs):
    """Draw ``widget`` under ``key``; its value survives a visit to another page of this session.

    Streamlit forgets the state of a widget whose page is left; the value is copied to
    ``keep:<key>`` and given back before the widget is drawn again. ``fresh`` holds the
    default-value arguments, passed only when the widget has no value yet."""
    ss = st.session_state
    if key not in ss and f"keep:{key}" in ss:
        ss[key] = ss[f"keep:{key}"]
    value = widget(*args, key=key, **kwargs, **({} if key in ss else fresh))
    ss[f"keep:{key}"] = value
    return value


def shown(value) -> str:
    """A number as its text field shows it, in the session's language: 0.001 (0,001 in pt-BR), 64, 1e-07."""
    return numbers.field(value)


def number_field(p: Param, key: str, words: Mapping, label: str | None = None, help_text: str | None = None):
    """A text field parsed by the schema: (value, None), or (None, reason) with the reason shown under it."""
    text = kept(st.text_input, key, {"value": shown(p.default)}, label or i18n.param_label(p.name),
                help=help_text or param_help(p))
    try:
        value = p.coerce(text.strip())
    except ConfigError as e:
        st.error(words["field_invalid"].format(error=md_escape(i18n.tr_error(str(e)))), icon=":material/error:")
        return None, str(e)
    if numbers.thousands_read(text):  # "2.500" in pt-BR is 2500: say so, the reader may have meant 2,5
        st.caption(words["read_as"].format(value=numbers.readable(value)))
    return value, None


def param_help(p: Param) -> str:
    """A parameter's help and valid range, in the session's language; a knob with choices has its help alone
    (its picker lists the values, each with its label)."""
    if p.choices is not None:
        return i18n.tr(p.help)
    return f"{i18n.tr(p.help)} — {i18n.tr_error(p.describe_range())}"


def param_input(p: Param, key: str, words: Mapping):
    """One field for one hyperparameter: (value, reason or None)."""
    help_text, label = param_help(p), i18n.param_label(p.name)
    if p.type is bool:
        return kept(st.checkbox, key, {"value": bool(p.default)}, label, help=help_text), None
    if p.choices is not None:
        return kept(st.selectbox, key, {"index": p.choices.index(p.default)}, label, p.choices,
                    format_func=lambda v: i18n.choice_label(p.name, v), help=help_text), None
    return number_field(p, key, words)


def reset(arch: str) -> None:
    """Back to the course defaults of ``arch``: forget its fields (and their kept copies)."""
    for k in [k for k in st.session_state
              if isinstance(k, str) and (k.startswith(f"hp:{arch}:") or k.startswith(f"keep:hp:{arch}:"))]:
        del st.session_state[k]


def apply_preset(arch: str, preset) -> None:
    """Fill the fields with ``preset``: its dataset and its settings, the rest back to the defaults."""
    reset(arch)
    ss = st.session_state
    ss["train_dataset"] = ss["keep:train_dataset"] = preset.dataset
    sch = schema(arch, preset.dataset)
    for name, value in preset.hp.items():
        p = sch[name]
        ss[f"hp:{arch}:{name}"] = value if p.type is bool or p.choices is not None else shown(value)


def param_grid(params: list, arch: str, values: dict, errors: dict, words: Mapping, ncol: int = 3) -> None:
    cols = st.columns(ncol)
    for i, p in enumerate(params):
        with cols[i % ncol]:
            value, error = param_input(p, f"hp:{arch}:{p.name}", words)
        if error:
            errors[p.name] = error
        else:
            values[p.name] = value


def launch_button(label: str, key: str, icon: str, reasons: list[str], words: Mapping, blocked: bool = False) -> bool:
    """Launch, disabled while a field is invalid, with the reasons listed beside it (a field may be
    scrolled away or in a closed section); never true while a reason stands."""
    go = st.button(label, type="primary", disabled=blocked or bool(reasons), icon=icon, key=key)
    if reasons:
        st.error(words["refused"] + "\n\n" + "\n".join("- " + md_escape(i18n.tr_error(r)) for r in reasons),
                 icon=":material/block:")
    return go and not reasons and not blocked


def classroom_reasons(n: int) -> list[str]:
    """Why this session may not launch ``n`` runs now (classroom mode: no name yet, or its queue is full)."""
    refused = _classroom.launch_refusal(_store.store(), n)
    return [refused] if refused else []
