"""How each kind of view a run shows is drawn, on Live and on Compare: one table, ``DRAW``.

An architecture declares its views (``deeparch.present.display.View``) with a ``draw`` kind: "image",
"wide", "probe", "class_hist", "heatmap", "curves", "text", "forecast" or "prose". ``DRAW`` maps each kind to one
drawer, and a ``Place`` says what differs between the two pages: Live draws one run per row,
Compare draws runs side by side, each figure titled with its run.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from deeparch.course import data
from deeparch.present import charts, i18n
from deeparch.present.display import View
from deeparch.present.text import md_escape
from pages import _plot

TEXT = i18n.Catalog("views", {
    "caption": "{name} · step {step:,}",
    "probe_caption": "{name} · step {step:,}: {right} of {total} test digits right "
                     "(predicted label · confidence; red: wrong, predicted → true label)",
    "probe_caption_images": "{name} · step {step:,}: {right} of {total} test images right "
                            "(predicted label · confidence; red: wrong, predicted → true label)",
    "probe_caption_short": "{name} · step {step:,}: {right}/{total} right",
    "hist": "{title}: {name}",
    "text_caption": "{name} · step {step:,}: {right} of {total} held-out prompts completed exactly right",
    "forecast_caption": "{name} · step {step:,}: mean absolute error {mae} on the test folds, naive forecast {naive}",
    "judge_own": "Judged by a classifier trained on this dataset's own training images: it names {acc}% of its "
                 "test images right.",
    "judge_weak": "Judged by a classifier trained on this dataset's own training images: it names only {acc}% of "
                  "its test images right (below {trusted}%), too weak to call samples recognisable, so no "
                  "recognisability is reported.",
    "text_ok": "right", "text_prompt": "prompt", "text_output": "model writes", "text_target": "answer",
    "prose_caption": "{name} · step {step:,} · written after “{prompt}” at temperature {temperature} · "
                     "{share:.0%} of its words are words of the novel",
})


@dataclass(frozen=True)
class Place:
    """Where views are drawn: the page (its charts' keys), the size of a probe and a grid, and how
    long a probe's caption is."""

    page: str
    probe_height: int
    image_width: int | str
    probe_words: str


LIVE = Place("live", probe_height=360, image_width=360, probe_words="probe_caption")
COMPARE = Place("compare", probe_height=280, image_width="stretch", probe_words="probe_caption_short")


def _key(where: Place, run, view: View) -> str:
    return f"{where.page}_{view.kind}:{run.id}"


def _caption(run, at: int) -> None:
    st.caption(TEXT["caption"].format(name=md_escape(run.name), step=at))


def draw_probe(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """Test digits with what the model says of each (meta: labels, predictions, confidences)."""
    right, total = charts.probe_summary(meta)
    _plot.chart(charts.probe_figure(png, meta, uirevision=f"{_key(where, run, view)}-probe",
                                    height=where.probe_height), _key(where, run, view))
    digits = data.shows_digits(getattr(run, "dataset", None))  # an image set of other classes: test images
    words = "probe_caption_images" if where.probe_words == "probe_caption" and not digits else where.probe_words
    st.caption(TEXT[words].format(name=md_escape(run.name), step=at, right=right, total=total))


def draw_image(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """A PNG grid; a "wide" one (many columns, e.g. one per group) as wide as the page allows."""
    st.image(png, width="stretch" if view.draw == "wide" else where.image_width)
    _caption(run, at)


def draw_class_hist(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """The share of each class the judge sees in the samples (meta: class_hist, classes)."""
    if meta.get("class_hist"):
        title = title or TEXT["hist"].format(title=view.title, name=run.name)
        _plot.chart(charts.class_hist_figure(meta["class_hist"], meta.get("classes", []), title,
                                             uirevision=f"{_key(where, run, view)}-hist"), _key(where, run, view))
    _caption(run, at)
    acc = meta.get("judge_accuracy")
    if isinstance(acc, (int, float)):  # an imported set's own judge: how far its word goes
        from deeparch.course.imported import JUDGE_TRUSTED

        weak = acc < JUDGE_TRUSTED
        st.caption(TEXT["judge_weak" if weak else "judge_own"].format(acc=i18n.number(round(100 * acc)),
                                                                      trusted=round(100 * JUDGE_TRUSTED)))


def draw_figure(build):
    """A drawer for a view whose meta a ``charts`` builder turns into a figure (heatmap, curves)."""
    def draw(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
        _plot.chart(build(meta, title, uirevision=f"{_key(where, run, view)}-figure"), _key(where, run, view))
        _caption(run, at)
    return draw


def draw_text(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """Prompts, the model's completions and the answers as a table (meta {"rows": [...]})."""
    rows = meta.get("rows", [])
    st.dataframe(
        [{"ok": "✓" if r.get("ok") else "✗", "prompt": r.get("prompt", ""), "output": r.get("output", ""),
          "target": r.get("target", "")} for r in rows],
        hide_index=True, width="stretch",
        column_config={"ok": st.column_config.TextColumn(TEXT["text_ok"], width="small"),
                       "prompt": TEXT["text_prompt"], "output": TEXT["text_output"], "target": TEXT["text_target"]})
    st.caption(TEXT["text_caption"].format(name=md_escape(run.name), step=at, total=len(rows),
                                           right=sum(bool(r.get("ok")) for r in rows)))


def draw_forecast(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """A time series' forecasts beside the truth and the naive forecast, and both errors in the caption."""
    _plot.chart(charts.forecast_figure(meta, title, uirevision=f"{_key(where, run, view)}-forecast"),
                _key(where, run, view))
    errors = charts.forecast_summary(meta)
    if errors is None:
        _caption(run, at)
        return
    st.caption(TEXT["forecast_caption"].format(name=md_escape(run.name), step=at, mae=i18n.number(errors[0], ".1f"),
                                               naive=i18n.number(errors[1], ".1f")))


def draw_prose(where: Place, run, view: View, at: int, png: bytes, meta: dict, title: str | None) -> None:
    """Text a model wrote after a prompt (meta: prompt, text, temperature, corpus_words), shown as plain
    text (model output is data: never rendered as markdown or HTML)."""
    if title:
        st.caption(md_escape(title))
    st.code(meta.get("prompt", "") + meta.get("text", ""), language=None, wrap_lines=True)
    st.caption(TEXT["prose_caption"].format(name=md_escape(run.name), step=at,
                                            prompt=md_escape(meta.get("prompt", "").strip()),
                                            temperature=i18n.number(meta.get("temperature", 0.0), "g"),
                                            share=meta.get("corpus_words", 0.0)))


DRAW = {"image": draw_image, "wide": draw_image, "probe": draw_probe, "class_hist": draw_class_hist,  # View.draw → how
        "heatmap": draw_figure(charts.heatmap_figure), "curves": draw_figure(charts.curves_figure), "text": draw_text,
        "forecast": draw_forecast, "prose": draw_prose}


def draw(where: Place, run, view: View, got: tuple, title: str | None = None) -> None:
    """Draw one stored view of a run (``got``: the store's (step, png, meta)); ``title``: each figure's
    title when runs stand side by side; a kind no drawer knows is drawn as a plain image)."""
    DRAW.get(view.draw, draw_image)(where, run, view, *got, title)
