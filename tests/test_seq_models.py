"""RNN and Transformer-LM knobs: each changes what the model computes or is refused with a reason;
the causal mask hides the future; BERT masks the stated share; sampling gives vocabulary tokens."""
import pytest
import torch

from deeparch.course import data, tasks
from deeparch.course.archs import ARCHS, make_config, race_configs, races
from deeparch.course.archs.lm import mask_tokens
from deeparch.course.config import ConfigError

SMALL_RNN = {"hidden": 16, "layers": 1}
SMALL_LM = {"ninp": 16, "nhead": 2, "nhid": 32, "nlayers": 2}


def model(arch, dataset=None, **hp):
    torch.manual_seed(0)
    cfg = make_config(arch, dataset, **hp)
    return ARCHS[arch].build(cfg).eval()


@pytest.fixture(scope="module")
def digits():
    return data.load("mnist-5k").x_train[:4]


@pytest.fixture(scope="module")
def sort_batch():
    d = data.load("sort", hp={"length": 6, "examples": 300})
    return d.x_test[:8], d.y_test[:8]


def test_rnn_reads_columns_by_default_and_rows_on_request(digits):
    cols, rows = model("rnn", **SMALL_RNN), model("rnn", read="rows", **SMALL_RNN)
    assert cols.cfg.read == "columns"
    with torch.no_grad():
        assert torch.allclose(cols(digits.transpose(2, 3)), rows(digits), atol=1e-6), \
            "columns of an image are the rows of its transpose"
        assert not torch.allclose(cols(digits), rows(digits))


def test_attention_readout_changes_the_output_and_keeps_weights_that_sum_to_one(digits):
    att = model("rnn", readout="attention", **SMALL_RNN)
    with torch.no_grad():
        out = att(digits)
    w = att.attention
    assert out.shape == (4, 10) and w.shape == (4, 1, 28)
    assert torch.allclose(w.sum(-1), torch.ones(4, 1))
    with torch.no_grad():
        att.score.weight.zero_()  # uniform attention: an average over the steps
        assert torch.allclose(att.attention, torch.full_like(w, 1 / 28)) is False
        uniform = att(digits)
        assert torch.allclose(att.attention, torch.full_like(w, 1 / 28))
    assert not torch.allclose(out, uniform), "the attention weights decide what the head reads"


def test_rnn_attention_on_tokens_never_looks_ahead(sort_batch):
    m = model("rnn", "sort", readout="attention", **SMALL_RNN)
    x = sort_batch[0]
    with torch.no_grad():
        m(x)
    w = m.attention                                     # (B, T, T)
    assert torch.all(w.triu(1) == 0) and torch.allclose(w.sum(-1), torch.ones(w.shape[:2]))


def test_learned_initial_state_is_a_parameter_that_changes_the_output(digits):
    zero, learned = model("rnn", **SMALL_RNN), model("rnn", init_state="learned", **SMALL_RNN)
    assert not hasattr(zero, "h0") and learned.h0.shape == (2, 1, 1, 16)
    with torch.no_grad():
        before = learned(digits)
        learned.h0.fill_(0.5)
        assert not torch.allclose(before, learned(digits))


def test_forget_bias_opens_the_lstm_forget_gate_and_is_refused_for_other_cells():
    m = model("rnn", forget_bias=3.0, **SMALL_RNN)
    b = m.rnn.bias_ih_l0.detach()
    assert torch.all(b[16:32] == 3.0) and torch.all(m.rnn.bias_hh_l0.detach()[16:32] == 0)
    with pytest.raises(ConfigError, match="forget_bias applies to the lstm cell only"):
        make_config("rnn", cell="gru", forget_bias=1.0)


@pytest.mark.parametrize("arch,dataset,hp,reason", [
    ("cnn", "sort", {}, "cnn reads image data and sort is a tokens dataset; choose rnn"),
    ("lm", "mnist-5k", {}, "lm reads tokens or text data"),
    ("rnn", "sort", {"read": "rows"}, "read only applies to image datasets"),
    ("rnn", "recall", {"bidirectional": True}, "bidirectional only applies to image datasets"),
    ("lm", "sort", {"mask_share": 0.3}, "mask_share applies to objective=bert only"),
    ("lm", "sort", {"ninp": 10, "nhead": 3}, "must be divisible by nhead"),
])
def test_bad_combinations_are_refused_with_the_reason(arch, dataset, hp, reason):
    with pytest.raises(ConfigError, match=reason):
        make_config(arch, dataset, **hp)


def test_rnn_on_tokens_scores_the_vocabulary_at_every_step(sort_batch):
    m = model("rnn", "sort", **SMALL_RNN)
    with torch.no_grad():
        assert m(sort_batch[0]).shape == (8, 12, len(tasks.VOCAB))


def test_causal_mask_hides_the_future(sort_batch):
    m = model("lm", "sort", **SMALL_LM)
    x = sort_batch[0].clone()
    changed = x.clone()
    changed[:, 8:] = (changed[:, 8:] + 3) % 10
    with torch.no_grad():
        a, b = m(x), m(changed)
    assert torch.allclose(a[:, :8], b[:, :8], atol=1e-5), "a later token changed an earlier position's scores"
    assert not torch.allclose(a[:, 8:], b[:, 8:])
    bert = model("lm", "sort", objective="bert", **SMALL_LM)
    with torch.no_grad():
        assert not torch.allclose(bert(x)[:, :8], bert(changed)[:, :8]), "BERT-style attention looks both ways"


def test_course_listing_init_and_embedding_scale():
    m = model("lm", "sort", **SMALL_LM)
    assert m.encoder.weight.abs().max() <= 0.1 and m.decoder.weight.abs().max() <= 0.1
    assert torch.all(m.decoder.bias == 0)


def test_bert_masks_the_stated_share():
    torch.manual_seed(0)
    s = torch.randint(0, 10, (400, 50))
    for share in (0.15, 0.5):
        corrupted, targets = mask_tokens(s, share)
        masked = corrupted == tasks.MASK
        assert abs(masked.float().mean().item() - share) < 0.02
        assert torch.equal(targets[masked], s[masked]) and (targets[~masked] == tasks.IGNORE).all()
    corrupted, _ = mask_tokens(s[:, :3], 0.01)
    assert (corrupted == tasks.MASK).any(1).all(), "at least one masked token per sequence"


@pytest.mark.parametrize("arch,hp", [("lm", SMALL_LM), ("lm", {**SMALL_LM, "objective": "bert"}), ("rnn", SMALL_RNN)])
def test_completions_are_vocabulary_tokens_of_the_answer_length(arch, hp, sort_batch):
    m = model(arch, "sort", **hp)
    s = m.whole(*sort_batch)
    out = m.complete(s[:, :7], 6)
    assert out.shape == (8, 6) and out.dtype == torch.long
    assert ((0 <= out) & (out < len(tasks.VOCAB))).all()
    rows = m.completions(*sort_batch)
    assert len(rows) == 8 and set(rows[0]) == {"prompt", "output", "target", "ok"}
    assert all(len(r["output"]) == 6 and r["prompt"].endswith("=") for r in rows)


def test_a_right_model_scores_every_completion_exact(sort_batch):
    """evaluate() counts a completion right only when every answer token is: an oracle gets 1.0."""
    m = model("lm", "sort", **SMALL_LM)
    x, y = sort_batch

    def oracle(seq):  # scores the sorted prompt's next digit at every position
        p = 7
        logits = torch.zeros(*seq.shape, len(tasks.VOCAB))
        answer = seq[:, :6].sort(1).values
        for t in range(p - 1, seq.shape[1]):
            logits[torch.arange(len(seq)), t, answer[:, t - p + 1]] = 1.0
        return logits

    m.forward = oracle
    ev = m.evaluate(x, y)
    assert ev["test_exact"] == 1.0 and ev["test_acc"] == 1.0


def test_recall_race_is_plain_rnn_against_lstm_with_one_seed_and_budget():
    race = races()["recall-race"]
    cfgs = race_configs(race, seed=7, budget={"max_steps": 10})
    assert [c.cell for c in cfgs] == ["rnn", "lstm"]
    assert {c.dataset for c in cfgs} == {"recall"} and {c.seed for c in cfgs} == {7}
    assert len({c.distance for c in cfgs}) == 1 and {c.max_steps for c in cfgs} == {10}


def test_vit_tokens_add_a_class_token_and_learned_positions(digits):
    vit = model("transformer", tokens="vit", d_model=16, nhead=2, nhid=32)
    assert vit.cls_token.shape == (1, 1, 16) and vit.pos_embed.shape == (1, 17, 16)
    assert vit.tokens(digits).shape == (4, 17, 16)
    with torch.no_grad():
        before = vit(digits)
        vit.cls_token.fill_(1.0)
        assert not torch.allclose(before, vit(digits)), "the head reads the class token"
    with pytest.raises(ConfigError, match="causal does not fit tokens=vit"):
        make_config("transformer", tokens="vit", causal=True)


def probe_context(cfg):
    from deeparch.course.archs.base import MediaContext
    d = data.load(cfg.dataset, hp=cfg.hp)
    return MediaContext(d.x_test[:16], d.y_test[:16], d.classes, None)


@pytest.mark.parametrize("dataset,hp", [(None, {}), ("recall", {"distance": 9, "readout": "attention"})])
def test_rnn_views_follow_the_meta_contract(dataset, hp):
    cfg = make_config("rnn", dataset, **SMALL_RNN, **hp)
    m = ARCHS["rnn"].build(cfg)
    ctx = probe_context(cfg)
    with torch.no_grad():
        fused = m(ctx.x_probe)
        m.stepwise = True
        assert torch.allclose(fused, m(ctx.x_probe), atol=1e-5), "the unrolled recurrence is the same network"
        m.stepwise = False
    found, figures = m.media(ctx, False)
    media = {x.kind: x.meta for x in found}
    steps = 28 if dataset is None else 11  # recall: digit, 9 blanks, "?" (the answer is only a target)
    (grads,) = media["time_grads"]["series"]
    assert len(grads["y"]) == steps and all(v >= 0 for v in grads["y"]) and media["time_grads"]["log_y"]
    assert grads["y"][-1] > 0 and figures == {"grad_t/0": grads["y"][0], f"grad_t/{steps - 1}": grads["y"][-1]}
    traj = media["trajectory"]["series"]
    assert len(traj) == 4 and all(len(s["x"]) == len(s["y"]) == steps for s in traj)
    assert ("attention_time" in media) == (hp.get("readout") == "attention")
    assert all(p.grad is None for p in m.parameters()), "views leave the training gradients alone"


@pytest.mark.parametrize("arch,dataset,hp", [("transformer", None, {"d_model": 16, "nhead": 2, "nhid": 32}),
                                             ("lm", "sort", SMALL_LM)])
def test_attention_maps_are_one_block_per_layer_and_head_with_rows_summing_to_one(arch, dataset, hp):
    cfg = make_config(arch, dataset, **hp)
    m = ARCHS[arch].build(cfg)
    meta = {x.kind: x.meta for x in m.media(probe_context(cfg), False)[0]}["attention"]
    z = torch.tensor(meta["z"])
    t = 28 if arch == "transformer" else 12
    assert z.shape == (2 * t, 2 * t) and len(meta["x"]) == len(set(meta["x"])) == 2 * t
    blocks = z.reshape(2, t, 2, t)                                   # (layer, token, head, attended)
    assert torch.allclose(blocks.sum(-1), torch.ones(2, t, 2), atol=1e-3)
    if arch == "lm":  # the causal mask: nothing above the diagonal of any block
        assert torch.all(blocks.permute(0, 2, 1, 3).triu(1) == 0)


def test_every_token_display_explains_its_charts_and_views():
    for spec in ARCHS.values():
        if spec.token_display is None and "tokens" not in spec.inputs:
            continue
        d = spec.shows("tokens").with_common()
        assert d.headline is not None
        assert all(p.explain for p in d.panels) and all(v.explain for v in d.views)


def test_old_rnn_runs_keep_reading_rows():
    from deeparch.course.archs import load_config
    old = load_config({"arch": "rnn", "dataset": "mnist-5k", "hp": {"epochs": 1}})
    assert (old.read, old.readout, old.init_state) == ("rows", "last", "zero")


def test_every_declared_preset_and_race_is_a_valid_configuration():
    from deeparch.course.archs import presets
    for arch, p in presets().values():
        assert make_config(arch, p.dataset, **p.hp).dataset == p.dataset
    for race in races().values():
        assert len(race_configs(race, 0, {"max_steps": 5})) >= 2
