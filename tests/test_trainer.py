import math

import pytest
import torch

from deeparch.course.archs import make_config
from deeparch.engine.trainer import Callback, Trainer, layer_name


class Recorder(Callback):
    def __init__(self, stop_at=None):
        self.rows, self.media, self.stop_at, self.ended = [], [], stop_at, None

    def on_metrics(self, step, values):
        self.rows += [(step, k, v) for k, v in values.items()]

    def on_media(self, step, kind, png, meta):
        self.media.append((step, kind, png, meta))

    def on_step(self, trainer):
        return "stop" if self.stop_at and trainer.step >= self.stop_at else None

    def on_end(self, trainer, result):
        self.ended = result

    def steps(self, key):
        return [s for s, k, _ in self.rows if k == key]

    def values(self, key):
        return [v for _, k, v in self.rows if k == key]


def fit(arch="cnn", callbacks=None, **hp):
    rec = Recorder()
    cfg = make_config(arch, **hp)
    trainer = Trainer(cfg, [rec] + list(callbacks or []), **({}))
    return trainer, trainer.fit(), rec


def test_cadences():
    t, result, rec = fit("cnn", max_steps=12, log_every=5, eval_every=4, sample_every=6, batch_size=16,
                         channels=4, hidden=16)
    assert result.status == "finished" and result.step == 12
    assert rec.steps("loss") == list(range(1, 13))
    # every log_every steps, and at the last step
    assert rec.steps("grad_norm") == [5, 10, 12] and rec.steps("samples_per_s") == [5, 10, 12]
    times = rec.values("train_time")
    assert times == sorted(times) and times[0] > 0
    assert rec.steps("test_acc") == [4, 8, 12]  # and always at the last step
    assert [m[0] for m in rec.media if m[1] == "probe"] == [6, 12]
    layers = {k for _, k, _ in rec.rows if k.startswith("grad/")}
    assert layers == {"grad/features.0", "grad/features.3", "grad/classifier.1", "grad/classifier.4"}
    assert all(v > 0 for v in rec.values("samples_per_s"))
    last_probe = [m for m in rec.media if m[1] == "probe"][-1]  # the CNN's other views come after it
    probe = last_probe[3]
    assert len(probe["pred"]) == 16 and len(probe["labels"]) == 16 and probe["classes"][0] == "0"
    assert last_probe[2][:8] == b"\x89PNG\r\n\x1a\n"


def test_perlayer_names_split_recurrent_layers():
    assert layer_name("rnn.weight_ih_l1") == "rnn.l1"
    assert layer_name("rnn.bias_hh_l0_reverse") == "rnn.l0r"
    assert layer_name("features.0.weight") == "features.0"
    t, _, rec = fit("rnn", max_steps=2, log_every=1, hidden=8)
    assert {"grad/rnn.l0", "grad/rnn.l1", "grad/fc"} <= {k for _, k, _ in rec.rows}


def test_global_grad_norm_is_the_norm_of_the_layer_norms():
    _, _, rec = fit("cnn", max_steps=1, log_every=1, channels=4, hidden=16)
    layers = [v for _, k, v in rec.rows if k.startswith("grad/")]
    assert rec.values("grad_norm")[0] == pytest.approx(math.sqrt(sum(v * v for v in layers)), rel=1e-5)


def test_same_seed_same_losses_other_seed_other_losses():
    hp = dict(max_steps=5, channels=4, hidden=16, eval_every=100)
    a = fit("cnn", seed=7, **hp)[2].values("loss")
    b = fit("cnn", seed=7, **hp)[2].values("loss")
    c = fit("cnn", seed=8, **hp)[2].values("loss")
    assert a == b and a != c


def test_divergence_stops_the_run_with_a_reason():
    _, result, rec = fit("cnn", lr=1e3, max_steps=50, channels=4, hidden=16)
    assert result.status == "diverged" and result.step < 50
    assert "loss" in result.reason and f"step {result.step}" in result.reason
    assert rec.steps("loss")[-1] == result.step  # the exploding value is recorded too


def test_stop_request_and_checkpoint_resume_continue_the_steps(tmp_path):
    ck = tmp_path / "ck.pt"
    cfg = make_config("cnn", max_steps=10, channels=4, hidden=16, eval_every=100)
    rec = Recorder(stop_at=4)
    r = Trainer(cfg, [rec], checkpoint=ck).fit()
    assert r.status == "stopped" and r.step == 4 and ck.exists()
    blob = torch.load(ck, weights_only=True)
    assert blob["step"] == 4
    rec2 = Recorder()
    r2 = Trainer(cfg, [rec2], checkpoint=ck).fit()
    assert r2.status == "finished" and rec2.steps("loss") == list(range(5, 11))
    # the resumed run reproduces the uninterrupted one
    full = Recorder()
    Trainer(cfg, [full]).fit()
    assert rec.values("loss") + rec2.values("loss") == pytest.approx(full.values("loss"), rel=1e-4)


def test_gan_logs_d_values_samples_and_quality():
    _, result, rec = fit("gan", max_steps=6, sample_every=3, quality_every=6, log_every=3)
    assert result.status == "finished"
    for key in ("g_loss", "d_loss", "d_x", "d_g_z"):
        assert rec.steps(key) == list(range(1, 7))
    kinds = [(s, k) for s, k, _, _ in rec.media]
    assert kinds == [(3, "samples"), (6, "quality"), (6, "samples")]
    q = dict((k, v) for _, k, v in rec.rows if k in ("recognisability", "coverage", "frechet"))
    assert 0 <= q["recognisability"] <= 1 and 0 <= q["coverage"] <= 1 and q["frechet"] > 0
    meta = [m for _, k, _, m in rec.media if k == "quality"][0]
    assert sum(meta["class_hist"]) == 500
    assert {"grad/generator.0", "grad/discriminator.0"} <= {k for _, k, _ in rec.rows}


def test_time_budget_ends_the_run_with_a_final_evaluation():
    _, result, rec = fit("cnn", max_minutes=0.002, channels=4, hidden=16, epochs=100)  # 0.12 s of training
    assert result.status == "finished" and "time budget of 0.002 min reached" in result.reason
    assert 0 < result.step < 6300
    assert rec.steps("test_acc")[-1] == result.step and rec.steps("grad_norm")[-1] == result.step
    assert result.summary["train_seconds"] >= 0.12


def test_warmup_and_cosine_schedule_set_the_learning_rate():
    _, result, rec = fit("cnn", max_steps=20, log_every=5, warmup=10, lr_schedule="cosine", lr=1e-2,
                         channels=4, hidden=16)
    lrs = dict(zip(rec.steps("lr"), rec.values("lr")))
    # the lr logged after step s was set before it, at progress (s - 1) / 20 and warm-up factor s / 10
    expect = {s: 1e-2 * 0.5 * (1 + math.cos(math.pi * (s - 1) / 20)) * min(1.0, s / 10) for s in (5, 10, 15, 20)}
    assert lrs == pytest.approx(expect)
