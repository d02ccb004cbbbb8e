"""The Portuguese corpus on the pages: a character model's run shows its loss beside the bigram baseline and
the text it wrote, as plain text."""
from __future__ import annotations

import time

import fake_runs
from test_pages import app_store, open_page, static_serving  # noqa: F401 - app_store is a fixture
from test_pages_live import figures


def test_live_shows_the_generated_text_and_the_bigram_line(app_store):
    rid = fake_runs.fake_run(app_store, "rnn", dataset="machado", hidden=32, layers=1)
    for step in (50, 100):
        app_store.log_metrics(rid, [(step, "test_loss", 3.0 - step / 100, time.time()),
                                    (step, "bigram_loss", 2.356, time.time())])
    meta = {"prompt": "Uma noite destas, ", "text": "vindo da *cidade* <b>para</b> o Engenho", "temperature": 0.5,
            "corpus_words": 0.75}
    app_store.log_media(rid, 100, "generated", b"", meta)
    with static_serving(False):  # the charts as st.plotly_chart, which the test reads
        at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert not at.exception
    assert any(c.value == "Uma noite destas, vindo da *cidade* <b>para</b> o Engenho" for c in at.code)  # as written
    assert any("at temperature 0.5" in c.value and "75% of its words are words of the novel" in c.value
               for c in at.caption)
    loss = next(fig for title, fig in figures(at).items() if title.startswith("Loss per character"))
    assert {"bigram baseline", "held-out (last 10% of the novel)"} <= {t.get("name") for t in loss["data"]}
