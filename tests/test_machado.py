"""The Portuguese corpus (Dom Casmurro): the dataset and its split, the bigram baseline, the knobs of
character models (state carried across batches, dropout between time steps, sampling temperature), the
generated-text view, and what the Transformer refuses."""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from deeparch.course import data, text
from deeparch.course.archs import get_arch, make_config
from deeparch.course.archs._text import GENERATED, sample_next
from deeparch.course.archs._tokens import token_loss
from deeparch.course.archs.base import MediaContext
from deeparch.course.archs.rnn import locked_dropout
from deeparch.course.config import ConfigError

SMALL = {"hidden": 16, "layers": 1, "seq_len": 20}


def model(arch="rnn", **hp):
    torch.manual_seed(0)
    cfg = make_config(arch, "machado", **({**SMALL, **hp} if arch == "rnn" else {"ninp": 16, "nhead": 2,
                                                                                "nhid": 16, "seq_len": 20, **hp}))
    return get_arch(arch).build(cfg)


# ---- the corpus and its split ----------------------------------------------------------------------
def test_vocabulary_is_small_and_round_trips_the_normalised_novel():
    corpus = text.corpus()
    assert 80 <= len(text.VOCAB) <= 100 and len(set(text.VOCAB)) == len(text.VOCAB)
    assert text.decode(text.encode(corpus)) == corpus
    assert "\n" not in corpus and "  " not in corpus and "ção" in corpus and "—" in corpus  # accents, dashes kept
    assert text.normalise("a\n\nb “c”  ¶") == 'a b "c" ' + text.RARE


def test_split_is_contiguous_and_no_held_out_text_is_in_training():
    corpus, seq = text.corpus(), 50
    ds = data.load("machado", hp={"seq_len": seq})
    train, held = text.split_text(corpus)
    assert train + held == corpus and len(held) == pytest.approx(0.1 * len(corpus), abs=1)
    # training windows are the training text in order, each target the next character
    assert text.decode(ds.x_train.reshape(-1)) == train[:ds.x_train.numel()]
    assert torch.equal(ds.y_train[:, :-1], ds.x_train[:, 1:]) and ds.y_train[0, -1] == ds.x_train[1, 0]
    assert ds.x_train.numel() + 1 <= len(train)  # the last training target is still before the cut
    # the held-out windows are the tail of the novel, in order
    assert text.decode(ds.x_test.reshape(-1)) == held[:ds.x_test.numel()]
    assert ds.classes == text.VOCAB and data.DATASETS["machado"].kind == "text"
    assert data.example_batch("machado", {"seq_len": seq}, 3)[0].shape == (3, seq)


def test_stream_order_puts_contiguous_windows_in_consecutive_batches():
    order = text.stream_order(10, 3)                       # 3 streams of 3 windows, one left over
    batches = [order[i:i + 3].tolist() for i in range(0, 9, 3)]
    assert batches == [[0, 3, 6], [1, 4, 7], [2, 5, 8]] and order[9:].tolist() == [9]
    assert sorted(order.tolist()) == list(range(10))


def test_bigram_baseline_on_a_tiny_text():
    v = len(text.VOCAB)
    # train pairs: ab ×2, ba ×1; held pairs: ab, ba
    want = -(math.log((2 + 1) / (2 + v)) + math.log((1 + 1) / (1 + v))) / 2
    assert text.bigram_loss("abab", "aba") == pytest.approx(want)
    assert text.bigram_loss("abab", "aba", alpha=0.0) == pytest.approx(-(math.log(1.0) + math.log(1.0)) / 2)
    assert 2.0 < text.baseline() < math.log(v)  # the novel's: well below the uniform guess


def test_word_share_counts_words_of_the_novel():
    assert text.word_share("Capitu olhou para Bentinho ") == 1.0
    assert text.word_share("xqzw blorf olhou ") == pytest.approx(1 / 3)
    assert text.word_share("olhou xqz") == 1.0  # the last word, maybe cut off, is not counted
    assert text.word_share("") == 0.0


# ---- the knobs ----------------------------------------------------------------------------------------
def two_batches(seq=20, b=4):
    ds = data.load("machado", hp={"seq_len": seq})
    order = text.stream_order(len(ds.x_train), b)
    i1, i2 = order[:b], order[b:2 * b]
    assert torch.equal(ds.x_train[i2][:, 0], ds.y_train[i1][:, -1])   # batch 2 continues batch 1, row by row
    return (ds.x_train[i1], ds.y_train[i1]), (ds.x_train[i2], ds.y_train[i2])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_carried_state_changes_the_next_batch_and_a_reset_starts_afresh(cell):
    (x1, y1), (x2, y2) = two_batches()
    losses = {}
    for reset in (0, 1, 100):
        m = model(cell=cell, state_reset=reset)
        m.optimize = lambda opt, loss: None           # the weights stay: only the state differs
        order = m.batch_order(1000, 4)
        assert (order is None) == (reset == 0)
        with torch.no_grad():
            fresh = token_loss(m(x2), y2)[0].item()
        m.train_step(x1, y1, m.configure_optimizers())
        losses[reset] = (m.train_step(x2, y2, m.configure_optimizers())["loss"], fresh)
        if reset:
            h = m.carried[0] if isinstance(m.carried, tuple) else m.carried
            assert not h.requires_grad                 # detached: truncated BPTT stops the gradient there
    assert losses[0][0] == pytest.approx(losses[0][1], abs=1e-6)      # never carried: a fresh start
    assert losses[1][0] == pytest.approx(losses[1][1], abs=1e-6)      # reset every batch: a fresh start
    assert abs(losses[100][0] - losses[100][1]) > 1e-4                # carried: the second batch differs


def test_state_is_reset_every_n_batches():
    (x1, y1), (x2, y2) = two_batches()
    m = model(state_reset=2)
    m.optimize = lambda opt, loss: None
    m.batch_order(1000, 4)
    opts = m.configure_optimizers()
    with torch.no_grad():
        fresh = token_loss(m(x1), y1)[0].item()
    m.train_step(x1, y1, opts)
    m.train_step(x2, y2, opts)
    assert m.train_step(x1, y1, opts)["loss"] == pytest.approx(fresh, abs=1e-6)   # batch 3 starts from zeros


def test_variational_dropout_drops_the_same_units_at_every_step_and_plain_dropout_does_not():
    torch.manual_seed(0)
    x = torch.ones(8, 30, 16)                                                     # (B, T, F)
    locked = locked_dropout(x, 0.5, training=True)
    assert torch.equal(locked, locked[:, :1].expand_as(locked))                   # one mask per sequence
    assert (locked == 0).any() and (locked == 2).any()
    plain = F.dropout(x, 0.5, training=True)
    assert not torch.equal(plain, plain[:, :1].expand_as(plain))                  # a new mask every step
    assert torch.equal(locked_dropout(x, 0.5, training=False), x)


def test_dropout_between_time_steps_changes_what_the_model_computes():
    (x, _), _ = two_batches()
    plain, dropped = model(), model(step_dropout=0.5)
    plain.train(), dropped.train()
    torch.manual_seed(1)
    a = plain(x)
    torch.manual_seed(1)
    b = dropped(x)
    assert not torch.allclose(a, b)
    dropped.eval()
    assert torch.allclose(dropped(x), plain.eval()(x))   # same weights (same seed); no dropout when evaluating


def test_lower_temperature_gives_lower_entropy_samples():
    logits = torch.randn(1, len(text.VOCAB)).expand(3000, -1)

    def entropy(t):
        ids = sample_next(logits, t, torch.Generator().manual_seed(0)).squeeze(1)
        p = torch.bincount(ids, minlength=len(text.VOCAB)).float() / len(ids)
        return -(p[p > 0] * p[p > 0].log()).sum().item()
    assert entropy(0.3) < entropy(1.0) < entropy(2.0)
    m = model()
    cold, hot = m.generate(text.PROMPT, 300, 0.1), m.generate(text.PROMPT, 300, 2.0)
    assert len(set(cold)) < len(set(hot))


# ---- the view, the display and the refusals ------------------------------------------------------------
@pytest.mark.parametrize("arch", ["rnn", "lm"])
def test_generated_text_view_is_produced_and_declared(arch):
    m = model(arch)
    ds = data.load("machado", hp={"seq_len": 20})
    ctx = MediaContext(ds.x_test[:16], ds.y_test[:16], ds.classes, judge=lambda *a: {})
    found, figures = m.media(ctx, with_quality=False)
    view = next(x for x in found if x.kind == "generated")
    assert view.meta["prompt"] == text.PROMPT and len(view.meta["text"]) == text.GENERATED
    assert view.meta["temperature"] == m.cfg.hp["temperature"] and 0.0 <= figures["corpus_words"] <= 1.0
    shown = get_arch(arch).shows("text")
    assert shown.view("generated") is GENERATED and "bigram_loss" in shown.panels[0].keys
    assert {"test_loss", "bigram_loss", "test_acc"} <= set(m.evaluate(ds.x_test[:8], ds.y_test[:8]))


def test_the_transformer_refuses_a_carried_state_and_bert():
    with pytest.raises(ConfigError) as e:
        make_config("lm", "machado", state_reset=5)
    assert e.value.args[0].code == "state_reset_recurrent" and "rnn" in str(e.value)
    with pytest.raises(ConfigError) as e:
        make_config("lm", "machado", objective="bert")
    assert e.value.args[0].code == "text_needs_gpt"
    make_config("lm", "machado", state_reset=0)       # the default is fine
    make_config("lm", "sort")                          # the generated tasks are unchanged


def test_vocabulary_follows_the_dataset():
    rnn_text, rnn_task = model(), get_arch("rnn").build(make_config("rnn", "sort", hidden=16, layers=1))
    assert rnn_text.fc.out_features == len(text.VOCAB) and rnn_task.fc.out_features == 15
    assert model("lm").decoder.out_features == len(text.VOCAB)


# ---- through the trainer -------------------------------------------------------------------------------
@pytest.mark.slow
def test_training_on_machado_lowers_the_held_out_loss_and_streams_the_generated_text():
    from deeparch.engine.trainer import Callback, Trainer

    class Record(Callback):
        def __init__(self):
            self.losses, self.media = [], []

        def on_metrics(self, step, values):
            if "test_loss" in values:
                self.losses.append(values["test_loss"])

        def on_media(self, step, kind, png, meta):
            self.media.append(kind)

    seen = Record()
    cfg = make_config("rnn", "machado", hidden=64, layers=1, seq_len=32, batch_size=32, lr=1e-2, max_steps=40,
                      eval_every=20, state_reset=10, step_dropout=0.1, grad_clip=1.0)
    result = Trainer(cfg, [seen], device="cpu").fit()
    assert result.status == "finished" and result.step == 40
    assert len(seen.losses) == 2 and seen.losses[-1] < math.log(len(text.VOCAB)) - 1.0   # well below a uniform guess
    assert "generated" in seen.media and result.summary["bigram_loss"] == pytest.approx(text.baseline())
