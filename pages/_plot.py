"""Plotly charts that update in place, so a live chart keeps its zoom and legend state.

``st.plotly_chart`` (Streamlit 1.67) makes the figure's data part of the element's identity:
each refresh of a live chart with new points mounts a new chart, and Plotly's ``uirevision``,
which is what keeps a user's zoom, pan and hidden legend entries across updates, never gets
the chance to work. This module draws the same figures with a small ``st.components.v2``
component instead: its element keeps its identity (its key), and each refresh hands the new
figure to ``Plotly.react`` on the same ``<div>``, which keeps the user's view when the
figure's ``uirevision`` is unchanged (``deeparch.present.charts`` sets one on every figure).

plotly.js itself (the copy that ships with the ``plotly`` Python package, the same version
that produced the figure JSON) is served once per browser from the app's ``static/`` folder
(``server.enableStaticServing`` in ``.streamlit/config.toml``); the first use copies it
there. Where static serving is off (the app started without the project's config), charts
fall back to ``st.plotly_chart``: they draw the same, but lose the zoom on each refresh.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from deeparch.present import i18n
from pages import _prefs

TEXT = i18n.Catalog("plot", {
    "failed_load": "This chart could not load its drawing library ({src}). Reload the page; if it stays empty, "
                   "start the app from the project folder with `streamlit run app.py`.",
    "failed_draw": "This chart could not be drawn; it is tried again at the next refresh",
})

STATIC = Path(__file__).resolve().parent.parent / "static"  # Streamlit serves <main script folder>/static
CONFIG = {"displaylogo": False, "scrollZoom": False, "responsive": True}
log = logging.getLogger("deeparch.app")

JS = """
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__deeparchPlotly || window.__deeparchPlotly.src !== src) {
    const promise = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => { window.__deeparchPlotly = null; s.remove(); reject(new Error(src)); };
      document.head.appendChild(s);
    });
    window.__deeparchPlotly = { src, promise };
  }
  return window.__deeparchPlotly.promise;
}

// one figure drawn into a chart's <div>; only the newest figure handed to a chart is drawn
function draw(el, data) {
  const say = (text) => { el.__deeparchNote.textContent = text || ''; el.__deeparchNote.style.display = text ? 'block' : 'none'; };
  const fig = JSON.parse(data.figure);
  if (fig.layout && fig.layout.height) el.style.minHeight = fig.layout.height + 'px';
  const seq = (el.__deeparchSeq = (el.__deeparchSeq || 0) + 1);
  loadPlotly(data.src).then(  // the first time, drawing waits for plotly.js
    (Plotly) => {
      if (seq !== el.__deeparchSeq) return;
      return Promise.resolve()
        .then(() => Plotly.react(el, fig.data, fig.layout, data.config))
        .then(
          () => { el.dataset.updates = String(seq); el.__deeparchDrawn = data.figure; say(''); },
          (err) => {
            Plotly.purge(el);  // the next refresh starts from a clean plot
            el.__deeparchDrawn = null;
            say(data.failed_draw + ' (' + err + ')');
          },
        );
    },
    () => { if (seq === el.__deeparchSeq) say(data.failed_load); },  // the next refresh tries again
  );
}

// a chart out of sight (scrolled away, or its tab in the background) keeps the newest figure it was handed
// and draws it when it comes into sight: a refresh redraws only what someone can see
function catchUp(el) {
  const latest = el.__deeparchLatest;
  if (latest && latest.figure !== el.__deeparchDrawn && inSight(el)) draw(el, latest);
}

function inSight(el) {
  return document.visibilityState !== 'hidden' && el.__deeparchOnScreen !== false;
}

export default function (component) {
  const { data, parentElement } = component;
  let el = parentElement.querySelector(':scope > div.deeparch-plot');
  if (!el) {
    const note = document.createElement('div');
    note.className = 'deeparch-plot-note';
    note.style.cssText = 'display:none;color:#a33;font-size:0.9rem;padding:0.5rem 0';
    el = document.createElement('div');
    el.className = 'deeparch-plot';
    el.style.width = '100%';
    el.__deeparchNote = note;
    parentElement.append(note, el);
  }
  if (!el.__deeparchResize && window.ResizeObserver) {
    // Plotly's own "responsive" follows the window only: a chart whose column changes width (projector
    // mode puts one chart in a row, a sidebar folds) is redrawn to its new width
    el.__deeparchResize = new ResizeObserver(() => { if (window.Plotly && el._fullLayout) window.Plotly.Plots.resize(el); });
    el.__deeparchResize.observe(el);
  }
  if (!el.__deeparchSight && window.IntersectionObserver) {
    el.__deeparchSight = new IntersectionObserver((entries) => {
      el.__deeparchOnScreen = entries[entries.length - 1].isIntersecting;
      catchUp(el);
    });
    el.__deeparchSight.observe(el);
    el.__deeparchShown = () => catchUp(el);
    document.addEventListener('visibilitychange', el.__deeparchShown);
  }
  const cleanup = () => {
    if (el.__deeparchResize) { el.__deeparchResize.disconnect(); el.__deeparchResize = null; }
    if (el.__deeparchSight) { el.__deeparchSight.disconnect(); el.__deeparchSight = null; }
    if (el.__deeparchShown) { document.removeEventListener('visibilitychange', el.__deeparchShown); el.__deeparchShown = null; }
    if (window.Plotly) window.Plotly.purge(el);
  };
  el.__deeparchLatest = data;
  // a refresh that brings the figure already drawn (a run that logged nothing new, a finished run's chart)
  // costs the browser nothing: no parse, no redraw; one out of sight waits until it is seen (its first
  // figure is always drawn, so a chart is never blank). Only a chart that refreshes on a timer (``defer``: Live's
  // while its runs train) waits; one that changes because someone clicked draws at once, seen or not
  if (data.figure === el.__deeparchDrawn && el._fullLayout) return cleanup;
  if (data.defer && !inSight(el) && el._fullLayout) return cleanup;
  draw(el, data);
  return cleanup;
}
"""

_plot = st.components.v2.component("deeparch_plot", js=JS, isolate_styles=False)


def plotly_js_name() -> str:
    return f"plotly-{plotly.__version__}.min.js"


@st.cache_resource(show_spinner=False)
def _copy_plotly_js(static_dir: str) -> str:
    """Copy the plotly package's plotly.min.js into the served folder; its URL. Raises OSError
    (which Streamlit does not cache, so the next call tries again)."""
    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    dst = Path(static_dir) / plotly_js_name()
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    # relative to the page (/live, /compare, …), so it also works under server.baseUrlPath
    return f"app/static/{dst.name}"


_warned: set[str] = set()


def served_plotly_js() -> str | None:
    """The URL the browser loads plotly.js from, or None when it cannot be put in ``static/``."""
    try:
        url = _copy_plotly_js(str(STATIC))
        if not (STATIC / plotly_js_name()).exists():  # deleted while the server runs: copy again
            _copy_plotly_js.clear()
            url = _copy_plotly_js(str(STATIC))
        return url
    except OSError as e:
        if str(e) not in _warned:
            _warned.add(str(e))
            log.warning("cannot serve plotly.js from %s (%s): charts fall back to st.plotly_chart", STATIC, e)
        return None


def chart(fig, key: str, defer: bool = False) -> None:
    """Draw a Plotly figure (as built by deeparch.present.charts, with its own styling) under a stable key.
    ``defer``: a chart refreshed on a timer, which out of sight keeps its newest figure until it is seen."""
    fig = _prefs.styled(fig)
    src = served_plotly_js() if st.get_option("server.enableStaticServing") else None
    if src is None:  # no static serving: the same figure, redrawn from scratch at each refresh
        st.plotly_chart(go.Figure(fig), key=key, theme=None, config=CONFIG)
        return
    _plot(key=key, data={"figure": pio.to_json(fig, validate=False), "src": src, "config": CONFIG,
                         "failed_load": TEXT["failed_load"].format(src=src), "failed_draw": TEXT["failed_draw"],
                         "defer": defer})
