"""Draw a digit: every classifier the student picks predicts it, from its run's latest checkpoint.

The canvas is a small ``st.components.v2`` component of this page (``streamlit-drawable-canvas``
0.13 fails to import under Streamlit 1.67: its component declaration needs a pyproject asset
directory). At the end of each stroke it sends the drawing, downscaled to 84×84 grey values; the
library prepares it as MNIST digits were prepared (``deeparch.engine.models.drawing``) and each model,
loaded once per checkpoint and cached, says what it sees (``deeparch.engine.models.predict``). Models with
convolutions also show the Grad-CAM of the drawing. Nothing here trains: the checkpoint file is only read.
"""
from __future__ import annotations

import streamlit as st

from deeparch.present import charts, i18n, images
from deeparch.engine import models
from deeparch.course.data import DATASETS
from deeparch.present.text import md_escape
from pages import _guard, _plot, _selection, _store, _words

TEXT = i18n.Catalog("draw", {
    "title": "Draw a digit",
    "intro": "Draw a digit in the black square with the mouse (or a finger). When you lift it, every classifier "
             "you picked says what it sees, from its latest checkpoint: a running run answers with what it has "
             "learned so far.",
    "pick": "Classifiers",
    "pick_help": "Runs of a classifier architecture that have written a checkpoint (after their first epoch).",
    "none": "No classifier has a checkpoint yet: train a CNN (or another classifier) for an epoch first.",
    "pick_none": "Pick a classifier above.",
    "clear": "Clear",
    "empty": "Draw a digit to see the predictions.",
    "answer": "**{name}** says **{label}** ({conf:.0%} sure)",
    "bars": "How sure {name} is of each digit",
    "bars_x": "digit",
    "bars_y": "probability",
    "cam": "Grad-CAM: where {name} looks",
    "cam_explain": "Red-yellow where the last convolution's evidence for the predicted digit sits. On a well "
                   "trained CNN it follows your strokes; heat on empty space means the model decides from it.",
    "what_we_see": "What the models see (28 × 28, centred as MNIST's digits)",
    "failed": "{name}: its checkpoint cannot be read ({error}).",
})
CANVAS = 280   # CSS pixels of the drawing square
SENT = 84      # the drawing is sent as SENT × SENT grey values (3× the model's 28, for the centring)

JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(':scope > div.deeparch-draw');
  if (!root) {
    root = document.createElement('div');
    root.className = 'deeparch-draw';
    root.style.cssText = 'display:flex;flex-direction:column;gap:8px;align-items:flex-start';
    const c = document.createElement('canvas');
    c.width = c.height = data.size;
    c.style.cssText = 'background:#000;border-radius:6px;touch-action:none;cursor:crosshair';
    c.setAttribute('data-testid', 'draw-canvas');
    const b = document.createElement('button');
    b.textContent = data.clear;
    b.setAttribute('data-testid', 'draw-clear');
    b.style.cssText = 'font-size:14px;padding:6px 14px;border-radius:6px;border:1px solid #888;background:#fff';
    root.append(c, b);
    parentElement.append(root);
    const ctx = c.getContext('2d');
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = data.size / 12;
    const small = document.createElement('canvas');
    small.width = small.height = data.sent;
    const sctx = small.getContext('2d', { willReadFrequently: true });
    let drawing = false, last = null;
    const at = (e) => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    c.addEventListener('pointerdown', (e) => { drawing = true; last = at(e); c.setPointerCapture(e.pointerId);
      ctx.beginPath(); ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI); ctx.fillStyle = '#fff'; ctx.fill(); });
    c.addEventListener('pointermove', (e) => {
      if (!drawing) return;
      const p = at(e);
      ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
      last = p;
    });
    const send = () => {
      sctx.clearRect(0, 0, data.sent, data.sent);
      sctx.drawImage(c, 0, 0, data.sent, data.sent);
      const px = sctx.getImageData(0, 0, data.sent, data.sent).data;
      const grey = new Array(data.sent * data.sent);
      for (let i = 0; i < grey.length; i++) grey[i] = px[4 * i];
      window.__deeparchStrokeEnd = performance.now();
      setStateValue('pixels', { grey, n: (root.__strokes = (root.__strokes || 0) + 1) });
    };
    const end = () => { if (drawing) { drawing = false; send(); } };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    b.addEventListener('click', () => { ctx.clearRect(0, 0, c.width, c.height); setStateValue('pixels', null); });
  }
}
"""

_canvas = st.components.v2.component("deeparch_draw", js=JS, isolate_styles=False)


def answer(s, run, x, classes) -> None:
    """One classifier's prediction of the drawing: its answer, its confidence bars, Grad-CAM if it has convolutions."""
    try:
        probs, cam_png = models.predict(s, run, x)
    except Exception as e:  # noqa: BLE001 - a half-deleted run: say so, keep the other answers
        st.warning(TEXT["failed"].format(name=md_escape(run.name), error=_guard.short(e)))
        return
    best = max(range(len(probs)), key=probs.__getitem__)
    st.markdown(TEXT["answer"].format(name=md_escape(run.name), label=classes[best], conf=probs[best]))
    _plot.chart(charts.bar_figure(classes, probs, TEXT["bars"].format(name=run.name), TEXT["bars_x"], TEXT["bars_y"],
                                  uirevision=f"draw-{run.id}", height=240, color_index=0), f"draw_bars:{run.id}")
    if cam_png is not None:
        st.image(cam_png, width=168, caption=TEXT["cam"].format(name=md_escape(run.name)))
        st.caption(TEXT["cam_explain"])


def main() -> None:
    st.title(TEXT["title"])
    st.markdown(TEXT["intro"])
    s = _store.store()
    found = models.classifiers(s)
    if not found:
        st.info(TEXT["none"])
        return
    _selection.init_selection("draw_runs", "pages/draw.py", found, list(found)[:3])
    picked = st.multiselect(TEXT["pick"], list(found), key="draw_runs", help=TEXT["pick_help"],
                            select_all=_words.select_all(),
                            format_func=lambda i: _selection.run_label(found[i]))
    _selection.keep_selection("draw_runs", picked)
    left, right = st.columns([2, 3])
    with left:
        drawn = _canvas(key="draw_canvas", data={"size": CANVAS, "sent": SENT, "clear": TEXT["clear"]},
                        on_pixels_change=lambda: None)
    pixels = (drawn or {}).get("pixels")
    with right:
        if not picked:
            st.info(TEXT["pick_none"])
            return
        if not pixels:
            st.caption(TEXT["empty"])
            return
        x = models.drawing(pixels["grey"], SENT)
        cols = st.columns(min(3, len(picked)))
        for n, rid in enumerate(picked):
            run = found[rid]
            info = DATASETS.get(run.dataset)
            with cols[n % len(cols)]:
                answer(s, run, x, list(info.classes) if info else [str(c) for c in range(10)])
    with left:
        st.image(images.grid_png(x, 1), width=112, caption=TEXT["what_we_see"])


_guard.page(main)
