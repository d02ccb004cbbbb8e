"""Plotly charts that update in place, so a live chart keeps its zoom and legend state.

``st.plotly_chart`` (Streamlit 1.67) makes the figure's data part of the element's identity:
each refresh of a live chart with new points mounts a new chart, and Plotly's ``uirevision``,
which is what keeps a user's zoom, pan and hidden legend entries across updates, never gets
the chance to work. This module draws the same figures with a small ``st.components.v2``
component instead: its element keeps its identity (its key), and each refresh hands the new
figure to ``Plotly.react`` on the same ``<div>``, which keeps the user's view when the
figure's ``uirevision`` is unchanged (``deeparch.charts`` sets one on every figure).

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
import streamlit as st

TEXT = {
    "no_plotly": "This chart could not load its drawing library ({src}). Reload the page; if it stays empty, "
                 "start the app from the project folder with `streamlit run app.py`.",
}

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

export default function (component) {
  const { data, parentElement } = component;
  let el = parentElement.querySelector(':scope > div.deeparch-plot');
  if (!el) {
    el = document.createElement('div');
    el.className = 'deeparch-plot';
    el.style.width = '100%';
    parentElement.appendChild(el);
  }
  const fig = JSON.parse(data.figure);
  if (fig.layout && fig.layout.height) el.style.minHeight = fig.layout.height + 'px';
  // drawing waits for plotly.js the first time: only the newest figure is drawn
  const seq = (el.__deeparchSeq = (el.__deeparchSeq || 0) + 1);
  loadPlotly(data.src)
    .then((Plotly) => {
      if (seq !== el.__deeparchSeq) return;
      el.dataset.updates = String(seq);
      return Plotly.react(el, fig.data, fig.layout, data.config);
    })
    .catch(() => { el.textContent = data.failed; });
  return () => { if (window.Plotly) window.Plotly.purge(el); };
}
"""

_plot = st.components.v2.component("deeparch_plot", js=JS, isolate_styles=False)


def plotly_js_name() -> str:
    return f"plotly-{plotly.__version__}.min.js"


@st.cache_resource(show_spinner=False)
def _served_plotly_js(static_dir: str) -> str | None:
    """Copy the plotly package's plotly.min.js into the served folder (once); its URL, or None."""
    src = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    dst = Path(static_dir) / plotly_js_name()
    try:
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
            shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
    except OSError as e:
        log.warning("cannot serve plotly.js from %s (%s): charts fall back to st.plotly_chart", dst, e)
        return None
    # relative to the page (/live, /compare, …), so it also works under server.baseUrlPath
    return f"app/static/{dst.name}"


def in_place() -> bool:
    """Whether charts update in place (static serving on and plotly.js in place)."""
    return bool(st.get_option("server.enableStaticServing")) and _served_plotly_js(str(STATIC)) is not None


def chart(fig, key: str) -> None:
    """Draw a Plotly figure (as built by deeparch.charts, with its own styling) under a stable key."""
    if not in_place():
        st.plotly_chart(fig, key=key, theme=None, config=CONFIG)
        return
    src = _served_plotly_js(str(STATIC))
    _plot(key=key, data={"figure": fig.to_json(), "src": src, "config": CONFIG,
                         "failed": TEXT["no_plotly"].format(src=src)})
