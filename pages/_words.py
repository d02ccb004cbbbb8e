"""Words the pages share: status names, durations and what went wrong with a run.

One catalog (``TEXT``), looked up by key; the logic below only chooses a key and fills in
numbers, so a translation replaces the catalog and nothing else.
"""
from __future__ import annotations

import math

from deeparch.present import i18n
from deeparch.store import Run

TEXT = i18n.Catalog("words", {
    "status": {
        "queued": "queued", "starting": "starting", "running": "running", "paused": "paused",
        "finished": "finished", "stopped": "stopped", "failed": "failed", "diverged": "diverged",
    },
    "none": "–",
    "choose": "Choose options",  # an empty multiselect (Streamlit's own placeholder is English)
    "seconds": "{s} s",
    "minutes": "{m} min",
    "minutes_seconds": "{m} min {s:02d} s",
    "hours_minutes": "{h} h {m:02d} min",
    "diverged": "The training diverged: {reason}. The weights blew up; clone the run with a smaller learning rate, "
                "or set grad_clip (e.g. 1.0).",
    "diverged_unknown": "a loss became NaN or infinite",
    "failed": "The run failed: {reason}. {hint}",
    "failed_unknown": "unknown error",
    "hint_log": "Look at the worker log for details.",
    "hint_died": "The training process ended without saying why (killed, out of memory, or the machine restarted). "
                 "Resume it to continue from its last checkpoint.",
    "hint_hung": "The training process stopped answering (suspended or stuck) and was ended. Resume it to continue "
                 "from its last checkpoint.",
    "hint_disk": "Free some disk space, then resume the run from its last checkpoint.",
    "hint_data": "The dataset could not be loaded; use mnist-5k (embedded, works offline).",
    # a generator's headline never stands alone: its coverage beside it, or what its samples are instead
    "q_coverage": "{headline} · coverage {coverage:.2f}",
    "q_collapsed": "mode collapse: coverage {coverage:.2f}",
    "q_not_digits": "no digits: {share:.0%} of the samples",
    "q_not_classes": "no class: {share:.0%} of the samples",
    "q_old_judge": "{cell} · judge v{version}, not comparable",
})

# a failure reason (as the worker and reconcile write it) → the hint that fits it; first match wins
HINTS = (
    (lambda r: "died" in r or "did not start" in r, "hint_died"),
    (lambda r: "stopped responding" in r, "hint_hung"),
    (lambda r: r.startswith("disk full"), "hint_disk"),
    (lambda r: "DataError" in r or "dataset" in r.lower(), "hint_data"),
)


def select_all() -> bool:
    """Whether a multiselect offers Streamlit's bulk "Select all" entry: its frontend writes it in English
    only, so a reader of another language does not get it."""
    return i18n.current() == i18n.DEFAULT


def status(name: str) -> str:
    return TEXT["status"].get(name, name)


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return TEXT["none"]
    seconds = int(round(seconds))
    if seconds < 60:
        return TEXT["seconds"].format(s=seconds)
    if seconds < 3600:
        m, s = divmod(seconds, 60)
        return TEXT["minutes"].format(m=m) if s == 0 else TEXT["minutes_seconds"].format(m=m, s=s)
    return TEXT["hours_minutes"].format(h=seconds // 3600, m=seconds % 3600 // 60)


def explain(run: Run) -> str | None:
    """What went wrong with a failed or diverged run, and what to try, in words."""
    if run.status == "diverged":
        return TEXT["diverged"].format(reason=i18n.tr_error(run.reason) if run.reason else TEXT["diverged_unknown"])
    if run.status == "failed":
        reason = run.reason or TEXT["failed_unknown"]
        hint = next((key for match, key in HINTS if match(reason)), "hint_log")
        return TEXT["failed"].format(reason=i18n.tr_error(reason), hint=TEXT[hint])
    return None


def quality_cell(headline: str | None, verdict: str | None, coverage, not_digits, version,
                 digits: bool = True) -> str | None:
    """A generator's headline as tables show it: with its coverage beside it; the verdict instead where the
    samples are no digits (``digits`` False: an image set of other classes, no class) or one or two digits
    only; marked when an older judge measured it (its figures are not today's measure). ``headline`` as is
    for a run without quality figures."""
    if verdict == "not_digits" and _number(not_digits):
        cell = TEXT["q_not_digits" if digits else "q_not_classes"].format(share=not_digits)
    elif verdict == "collapsed" and _number(coverage):
        cell = TEXT["q_collapsed"].format(coverage=coverage)
    elif headline is not None and _number(coverage):
        cell = TEXT["q_coverage"].format(headline=headline, coverage=coverage)
    else:
        cell = headline
    if cell and old_judge(version):
        cell = TEXT["q_old_judge"].format(cell=cell, version=int(version))
    return cell


def old_judge(version) -> bool:
    """Whether figures of judge ``version`` (None: no figures) come from an older judge than today's."""
    from deeparch.engine.quality import JUDGE_VERSION

    return _number(version) and int(version) != JUDGE_VERSION


def _number(v) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v)
