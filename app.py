"""deeparch in the browser: ``streamlit run app.py``.

The entry script: page configuration, the navigation over ``pages/`` and the sidebar
every page shares. Training never happens here; runs train in worker processes that
write to the run store, and the pages read it.
"""
from pathlib import Path

import streamlit as st

# a PNG file served by this server: Streamlit's frontend fetches a :material/…: page icon from
# fonts.gstatic.com, and draws an emoji one with whatever emoji font the machine has (or none)
ICON = Path(__file__).resolve().parent / "assets" / "favicon.png"
st.set_page_config(page_title="deeparch", page_icon=str(ICON), layout="wide",
                   initial_sidebar_state="expanded")

from deeparch.present import i18n  # noqa: E402 - set_page_config must come first
from deeparch.read import views
from deeparch.execution import jobs  # noqa: E402 - set_page_config must come first
from deeparch.store import lifecycle
from deeparch.store import default_root
from pages import _classroom, _guard, _prefs, _store

_prefs.install()  # every lookup below (page titles included) reads this session's language

TEXT = i18n.Catalog("app", {
    "train": "Train", "live": "Live", "compare": "Compare", "runs": "Runs", "draw": "Draw a digit", "lessons": "Lessons",
    "brand": "**deeparch** · deep architectures lab",
    "store": "Run store",
    "counts": "{running} running · {queued} queued",
    "slots": "Up to {n} runs train at once; the others wait in the queue.",
    "store_error": "The run store at {root} cannot be opened ({error}). Set DEEPARCH_RUNS to a writable folder "
                   "and restart the server.",
})

# Small images (28×28 digits) scaled up by the browser stay crisp instead of blurry. A progress bar jumps to its
# new value: Streamlit's eased transition repaints the bar at every frame for each of Live's per-second refreshes
# (measured: 2.8 of Chromium's CPU-s per minute for one bar, bench/bench_watch.py browser).
CSS = """
<style>
[data-testid="stImage"] img, [data-testid="stFullScreenFrame"] img { image-rendering: pixelated; }
[data-testid="stMetricValue"] { font-size: 1.5rem; }
[data-testid="stProgress"] * { transition-duration: 0s !important; }
</style>
"""

pages = [
    st.Page("pages/train.py", title=TEXT["train"], icon=":material/rocket_launch:", default=True),
    st.Page("pages/live.py", title=TEXT["live"], icon=":material/monitoring:"),
    st.Page("pages/compare.py", title=TEXT["compare"], icon=":material/compare_arrows:"),
    st.Page("pages/runs.py", title=TEXT["runs"], icon=":material/table_rows:"),
    st.Page("pages/lessons.py", title=TEXT["lessons"], icon=":material/school:"),
    st.Page("pages/draw.py", title=TEXT["draw"], icon=":material/draw:"),
]
nav = st.navigation(pages)
st.html(CSS)



@st.fragment(run_every=2.0)
def sidebar_status() -> None:
    """The run counts, refreshed every 2 s whatever page is open."""
    s = _store.store()
    counts = views.status_counts(s)
    running, queued = (sum(counts.get(k, 0) for k in group) for group in (lifecycle.LIVE, lifecycle.WAITING))
    st.markdown(TEXT["counts"].format(running=running, queued=queued))


with st.sidebar:
    st.markdown(TEXT["brand"])
    _prefs.sidebar()
    _classroom.sidebar()
    try:
        root = _store.store().root.resolve()
        sidebar_status()
        st.caption(TEXT["slots"].format(n=jobs.max_runs(_store.store())))
        st.caption(f"{TEXT['store']}: `{root}`")
    except Exception as e:  # noqa: BLE001 - show what to do instead of a traceback
        if _guard.server_outage(e):  # PostgreSQL restarting: wait for it, the page comes back by itself
            _guard.show_outage(e)
        else:
            st.error(TEXT["store_error"].format(root=default_root(), error=_guard.short(e)))
        st.stop()

nav.run()
