"""The human labels of the parameters and of their named values, as the parameters declare them.

A ``deeparch.course.config.Param`` carries its English label (``label="Learning rate"``) and, for a knob with
named values, their labels (``choice_labels={"cosine": "Cosine decay"}``); declaring one records them here, by
the parameter's code name, so ``deeparch.present.i18n.param_label("lr")`` finds them without importing the
course (this folder is below it). The Portuguese is in the gettext catalog under ``msgctxt "label"`` and
``"choice:<knob>"`` (``deeparch/catalogs.py`` collects the English from the Params).
"""
from __future__ import annotations

from collections.abc import Mapping

LABELS: dict[str, str] = {}  # code name → English label
CHOICES: dict[str, dict] = {}  # code name → {value: English label}


def declare(name: str, label: str = "", choices: Mapping | None = None) -> None:
    """Record a parameter's labels (a declaration without a label leaves an earlier one as it is)."""
    if label:
        LABELS[name] = label
    if choices:
        CHOICES.setdefault(name, {}).update(choices)
