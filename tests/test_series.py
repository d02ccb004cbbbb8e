"""Time series (issue 29, part 2): sunspots as sliding windows under a rolling-origin split, the forecasters
of the rnn and transformer, the naive baseline and the forecast-vs-truth view."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from deeparch.course import data, series
from deeparch.course.archs import get_arch, make_config
from deeparch.course.archs._series import masked_mse
from deeparch.course.config import ConfigError
from deeparch.present import charts
from test_pages import app_store  # noqa: F401 - a fixture

# (window, folds, fold_size) over the knobs' ranges, the corners included
SETTINGS = [(2, 1, 5), (2, 8, 25), (5, 3, 10), (20, 4, 20), (33, 5, 17), (60, 8, 25), (60, 1, 25), (7, 6, 9)]


def _index_series(n: int = 309) -> np.ndarray:
    """A series whose values name their own index (value = 1000 + index): a window's raw values say which
    time steps it holds."""
    return 1000.0 + np.arange(n)


@pytest.mark.parametrize("window,folds,fold_size", SETTINGS)
def test_no_test_fold_value_is_ever_in_a_training_window(window, folds, fold_size):
    """For every fold, each of its training windows, un-scaled back to raw values, holds only time steps before
    the fold's origin, inputs and target alike; every such window is there (nothing else is dropped); and the
    fold's test windows forecast exactly its own block."""
    raw = _index_series()
    cut = series.rolling_origin(len(raw), window, folds, fold_size, raw)
    t = series.make(raw, window, cut)
    assert [f.origin for f in cut] == [len(raw) - (folds - j) * fold_size for j in range(folds)]
    assert cut[-1].end == len(raw)
    for j, f in enumerate(cut):
        rows = torch.isfinite(t["y_train"][:, j])
        inputs = (t["x_train"][rows, j].double() * f.std + f.mean).round().long() - 1000     # (N_j, W) time steps
        targets = (t["y_train"][rows, j].double() * f.std + f.mean).round().long() - 1000    # (N_j,)
        assert int(inputs.max()) < f.origin and int(targets.max()) < f.origin
        assert targets.tolist() == list(range(window, f.origin))          # every window before the origin
        assert (inputs[:, -1] == targets - 1).all() and (inputs[:, 0] == targets - window).all()
        assert (t["x_train"][~rows, j] == 0).all()                         # other folds' windows carry nothing here
        test_rows = torch.isfinite(t["y_test"][:, j])
        tested = (t["y_test"][test_rows, j].double() * f.std + f.mean).round().long() - 1000
        assert tested.tolist() == list(range(f.origin, f.end))
    assert (torch.isfinite(t["y_test"]).sum(1) == 1).all()                # each test window in exactly one fold


def test_a_split_that_leaves_too_few_training_windows_is_refused_in_one_line():
    n = 100
    with pytest.raises(ValueError) as e:
        series.rolling_origin(n, 30, 4, 15, _index_series(n))    # 100 - 60 - 30 = 10 windows < 20
    assert "fewer than 20 training windows" in str(e.value) and "\n" not in str(e.value)
    series.rolling_origin(n, 20, 4, 15, _index_series(n))        # exactly 20: accepted


def test_each_fold_is_scaled_by_its_own_training_values_only():
    """The statistics of a fold are those of the values before its origin: changing every value from the origin
    on changes neither its scaling nor its training tensors."""
    _, raw = series.values("sunspots")
    cut = series.rolling_origin(len(raw), 20, 4, 20, raw)
    for f in cut:
        assert f.mean == pytest.approx(raw[:f.origin].mean()) and f.std == pytest.approx(raw[:f.origin].std())
    assert len({round(f.mean, 6) for f in cut}) == 4                  # each fold its own
    before = series.make(raw, 20, cut)
    for j, f in enumerate(cut):
        future = raw.copy()
        future[f.origin:] *= 10
        again = series.rolling_origin(len(future), 20, 4, 20, future)[j]
        assert (again.mean, again.std) == (f.mean, f.std)
        after = series.make(future, 20, [again])
        rows = torch.isfinite(before["y_train"][:, j])
        assert torch.equal(after["x_train"][:int(rows.sum()), 0], before["x_train"][rows, j])
        assert torch.equal(after["y_train"][:int(rows.sum()), 0], before["y_train"][rows, j])


def test_the_naive_forecast_is_the_last_value_seen():
    raw = np.array([0.0, 1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 66, 78, 91])   # steps 1, 2, 3 … apart
    cut = [series.Fold(8, 11, 0.0, 1.0), series.Fold(11, 14, 0.0, 1.0)]
    # fold 1 forecasts 36, 45, 55 by 28, 36, 45: errors 8, 9, 10; fold 2: 11, 12, 13
    assert series.naive_errors(raw, cut).tolist() == [9.0, 12.0]


def test_the_windows_shapes_on_sunspots():
    hp = {"window": 12, "folds": 3, "fold_size": 10}
    ds = data.load("sunspots", hp=hp)
    n = len(series.values("sunspots")[1])                                     # 309 years
    assert n == 309
    assert ds.x_train.shape == (n - 10 - 12, 3, 12) and ds.y_train.shape == (n - 10 - 12, 3)
    assert ds.x_test.shape == (30, 3, 12) and ds.y_test.shape == (30, 3)
    assert ds.x_train.dtype == torch.float32 and ds.classes == ()
    assert torch.isfinite(ds.y_train).sum(0).tolist() == [n - 30 - 12, n - 20 - 12, n - 10 - 12]
    x, y = data.example_batch("sunspots", hp, 8)
    assert x.shape == (8, 3, 12) and y.shape == (8, 3)


def test_the_loss_ignores_the_windows_outside_each_folds_set():
    pred = torch.tensor([[1.0, 5.0], [2.0, 0.0]], requires_grad=True)
    y = torch.tensor([[0.0, float("nan")], [0.0, 1.0]])
    loss = masked_mse(pred, y)                  # fold 1: (1 + 4) / 2; fold 2: 1 / 1; mean 1.75
    loss.backward()
    assert loss.item() == pytest.approx(1.75)
    assert torch.isfinite(pred.grad).all() and pred.grad[0, 1] == 0


def test_image_only_knobs_are_refused_on_a_series():
    with pytest.raises(ConfigError, match="tokens only applies to image datasets"):
        make_config("transformer", "sunspots", tokens="patches")
    with pytest.raises(ConfigError, match="cnn reads image data"):
        make_config("cnn", "sunspots")
    with pytest.raises(ConfigError, match="window=1"):
        make_config("rnn", "sunspots", window=1)


@pytest.mark.parametrize("arch,hp", [("rnn", {"cell": "gru", "hidden": 8, "layers": 1}),
                                     ("transformer", {"d_model": 8, "nhead": 2, "nhid": 16, "nlayers": 1})])
def test_a_forecaster_draws_its_forecasts_beside_the_truth_and_the_naive_forecast(arch, hp):
    cfg = make_config(arch, "sunspots", window=10, folds=3, fold_size=8, **hp)
    model = get_arch(arch).build(cfg)
    assert len(model.folds) == 3
    ds = data.load("sunspots", hp=cfg.hp)
    assert model.media(None, False) == ([], {})                             # nothing before an evaluation
    figures = model.evaluate(ds.x_test, ds.y_test)
    assert figures["naive_mae"] == pytest.approx(series.naive_errors(*_cut(cfg)).mean())
    (media,), _ = model.media(None, False)
    meta = media.meta
    assert media.kind == "forecast" and len(meta["x"]) == len(meta["model"]) == len(meta["naive"]) == 24
    assert meta["x"][0] == 1985.0 and meta["origins"] == [1985.0, 1993.0, 2001.0]
    assert np.mean(meta["mae"]) == pytest.approx(figures["test_mae"], rel=1e-4)
    fig = charts.forecast_figure(meta, "Forecast vs truth")
    assert [t.name for t in fig.data] == ["true values", "naive forecast (last value)", "model forecast"]
    assert len(fig.layout.shapes) == 3 and fig.layout.annotations[0].text == "fold 1"
    assert charts.forecast_summary(meta) == pytest.approx((figures["test_mae"], figures["naive_mae"]), rel=1e-4)


def _cut(cfg):
    lay = series.layout("sunspots", cfg.hp)
    return lay.raw, lay.folds


def test_the_forecast_figure_says_so_when_it_has_no_data():
    fig = charts.forecast_figure({})
    assert not fig.data and "no data yet" in fig.layout.annotations[0].text


def test_an_lstm_run_on_sunspots_trains_and_reports_its_mae_beside_the_naive_forecast(tmp_path):
    """A short LSTM run (60 steps, about 2 s on one core): the mean absolute error on the test folds, the naive
    forecast's, and the forecast view stored as it trains."""
    from deeparch.engine.trainer import Callback, Trainer

    class Seen(Callback):
        def __init__(self):
            self.media, self.metrics = [], {}

        def on_media(self, step, kind, png, meta):
            self.media.append((step, kind))

        def on_metrics(self, step, values):
            self.metrics.update(values)

    seen = Seen()
    cfg = make_config("rnn", "sunspots", hidden=16, layers=1, lr=1e-2, epochs=12, seed=0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        result = Trainer(cfg, callbacks=[seen], data_root=tmp_path).fit()
    finally:
        torch.set_num_threads(threads)
    assert result.status == "finished" and result.step == 60
    s = result.summary
    assert s["naive_mae"] == pytest.approx(24.33, abs=0.01)     # 1929–2008, four folds of 20 years
    assert 0 < s["test_mae"] < s["naive_mae"]                    # measured: 13.5
    assert {"loss", "test_loss", "test_mae", "naive_mae"} <= set(seen.metrics)
    assert any(kind == "forecast" for _, kind in seen.media)


def test_live_and_compare_show_a_sunspots_run_its_forecast_and_its_mae_beside_the_naive_one(app_store):
    """A forecaster's stored run (as the trainer writes it: tests/fake_runs.series_run) on Live and Compare."""
    import fake_runs
    from test_pages import open_page

    rid = fake_runs.series_run(app_store)
    at = open_page("pages/live.py", {"handoff:pages/live.py": [rid]})
    assert any("Forecast vs truth" in m.value for m in at.markdown)
    assert any("mean absolute error 5.2 on the test folds, naive forecast 14.2" in c.value for c in at.caption)
    assert any("the naive forecast is always one year late" in c.value for c in at.caption)
    at = open_page("pages/compare.py", {"handoff:pages/compare.py": [rid]})
    assert not at.exception
    assert any("test MAE (mean over folds)" in df.value.to_string() + " ".join(map(str, df.value.columns))
               for df in at.dataframe)


def test_a_forecasters_run_is_not_offered_compression_and_is_refused_in_one_line(app_store):
    """Compression is measured by a classifier's test accuracy: a forecaster's run says so instead of failing."""
    import fake_runs
    from deeparch.engine import compress

    rid = fake_runs.series_run(app_store)
    assert not compress.compressible("rnn", "sunspots") and compress.compressible("rnn", "mnist-5k")
    with pytest.raises(ConfigError, match=f"run {rid} is a series model \\(rnn\\); compression is measured on"):
        compress.load_model(app_store, rid)


def test_the_train_page_offers_the_series_settings_and_launches_a_forecaster(app_store):
    from test_pages import button, open_page

    at = open_page("pages/train.py")
    at.selectbox(key="train_arch").set_value("rnn").run()
    at.selectbox(key="train_dataset").set_value("sunspots").run()
    assert not at.exception and not at.error
    assert at.text_input(key="hp:rnn:window").value == "20"          # the dataset's own settings are fields
    at.text_input(key="hp:rnn:folds").set_value("3")
    at.text_input(key="hp:rnn:max_steps").set_value("20")
    button(at, "Launch run").click().run()
    (run,) = app_store.list_runs()
    assert run.dataset == "sunspots" and run.config["hp"]["folds"] == 3 and run.config["hp"]["window"] == 20
