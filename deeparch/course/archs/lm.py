"""The course's Transformer listing as it is written: a language model over tokens.

``TransformerModel`` keeps the listing's names and structure: ``encoder`` = Embedding(ntoken,
ninp) scaled by sqrt(ninp), ``pos_encoder`` = sinusoidal positions, ``transformer_encoder``
with the square subsequent (causal) mask, ``decoder`` = Linear(ninp, ntoken) at every
position, ``init_weights`` uniform(±0.1). Trained on the generated tasks of ``deeparch.course.tasks``:

- ``objective="gpt"`` (the listing's use): predict each next token under the causal mask;
  answers are written one token at a time (greedy sampling);
- ``objective="bert"``: no mask on attention (every token sees both sides); a share of the
  tokens is replaced by [MASK] and only those are predicted; an answer is filled in all at
  once from a prompt followed by [MASK]s.

Why a file of its own and not a knob of ``transformer``: that file is an image classifier
(row or patch tokens through a Linear, a mean or class-token head, one output per image); this
one is the listing's language model (token ids through an Embedding, one output per
position). Their knobs differ and the listing stays readable as the course prints it.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn

from deeparch.present.messages import Message
from deeparch.course import data, tasks, text
from deeparch.course.archs._text import CharModel, text_display
from deeparch.course.archs._tokens import TokenModel, token_display, token_loss
from deeparch.course.archs.base import ArchSpec, Preset
from deeparch.course.archs.transformer import ATTENTION, PositionalEncoding, attention_maps, attention_media
from deeparch.course.config import Param


def mask_tokens(s: torch.Tensor, share: float) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's corruption: each token becomes [MASK] with probability ``share`` (at least one per
    sequence) → the corrupted input and the targets (the original token where masked, IGNORE elsewhere)."""
    masked = torch.rand(s.shape, device=s.device) < share                  # (B, L)
    none = ~masked.any(1)
    masked[none, torch.randint(0, s.shape[1], (int(none.sum()),), device=s.device)] = True
    return s.masked_fill(masked, tasks.MASK), s.masked_fill(~masked, tasks.IGNORE)


class TransformerModel(TokenModel):
    def __init__(self, cfg):
        super().__init__(cfg)
        ntoken, ninp = len(data.DATASETS[cfg.dataset].classes), cfg.ninp
        self.pos_encoder = PositionalEncoding(ninp, max_len=data.sequence_length(cfg.dataset, cfg.hp) + 1)
        layer = nn.TransformerEncoderLayer(ninp, cfg.nhead, cfg.nhid, cfg.dropout, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, cfg.nlayers, enable_nested_tensor=False)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)
        self.init_weights()

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    @property
    def causal(self) -> bool:
        return self.cfg.objective == "gpt"

    def src_mask(self, length: int, device) -> torch.Tensor | None:
        """The square subsequent mask (GPT): position i attends to positions ≤ i only; none for BERT."""
        return nn.Transformer.generate_square_subsequent_mask(length, device=device) if self.causal else None

    def forward(self, src):                                          # (B, T) token ids
        src = self.pos_encoder(self.encoder(src) * math.sqrt(self.ninp))   # (B, T, ninp)
        output = self.transformer_encoder(src, mask=self.src_mask(src.shape[1], src.device), is_causal=self.causal)
        return self.decoder(output)                                  # (B, T, ntoken)

    def media(self, ctx, with_quality):
        """The completions, and the attention maps over the first held-out sequence's tokens."""
        found, figures = super().media(ctx, with_quality)
        x = ctx.x_probe[:1]
        if not self.causal:  # what BERT sees when it answers: the prompt, then the answer masked
            p = tasks.prompt_length(ctx.y_probe[:1])
            x = self.whole(x, ctx.y_probe[:1]).masked_fill(torch.arange(x.shape[1] + 1) >= p, tasks.MASK)
        h = self.pos_encoder(self.encoder(x) * math.sqrt(self.ninp))
        maps = attention_maps(self.transformer_encoder, h, self.src_mask(x.shape[1], x.device))
        return found + [attention_media(maps, [tasks.VOCAB[int(t)] for t in x[0]])], figures

    def objective(self, x, y):
        if self.causal:
            return super().objective(x, y)
        s = self.whole(x, y)                                         # (B, L)
        if self.training:
            corrupted, targets = mask_tokens(s, self.cfg.mask_share)
        else:  # held out: the whole answer masked, as when completing a prompt
            p = tasks.prompt_length(y)
            answer = torch.arange(s.shape[1], device=s.device) >= p
            corrupted, targets = s.masked_fill(answer, tasks.MASK), s.masked_fill(~answer, tasks.IGNORE)
        return token_loss(self(corrupted), targets)

    @torch.no_grad()
    def complete(self, prompts, length):
        if self.causal:
            return super().complete(prompts, length)
        blanks = torch.full((prompts.shape[0], length), tasks.MASK, device=prompts.device)
        return self(torch.cat([prompts, blanks], 1))[:, prompts.shape[1]:].argmax(-1)   # (B, length)


class CharTransformer(CharModel, TransformerModel):
    """The listing on the novel's characters (GPT-style): windows of ``seq_len`` characters, and text written
    one character at a time re-reading the last ``seq_len`` (the context its positions were trained on)."""

    def __init__(self, cfg):
        super().__init__(cfg)
        self.context = data.sequence_length(cfg.dataset, cfg.hp)

    def media(self, ctx, with_quality):
        """The generated text, and the attention maps over the first 32 characters of a held-out window."""
        found, figures = CharModel.media(self, ctx, with_quality)
        x = ctx.x_probe[:1, :32]
        h = self.pos_encoder(self.encoder(x) * math.sqrt(self.ninp))
        maps = attention_maps(self.transformer_encoder, h, self.src_mask(x.shape[1], x.device))
        return found + [attention_media(maps, [text.VOCAB[int(t)] for t in x[0]])], figures


def build(cfg):
    return CharTransformer(cfg) if data.DATASETS[cfg.dataset].kind == "text" else TransformerModel(cfg)


def _check(hp: dict) -> str | None:
    if text.is_text(hp):  # the text corpus: no state to carry, and a language model that reads left to right
        if hp.get("state_reset"):
            return Message("state_reset_recurrent", value=hp["state_reset"])
        if hp["objective"] != "gpt":
            return Message("text_needs_gpt")
    if hp["ninp"] % hp["nhead"]:
        return Message("divisible", name="ninp", value=hp["ninp"], nhead=hp["nhead"])
    if hp["objective"] == "gpt" and hp["mask_share"] != MASK_SHARE.default:
        return Message("mask_share_bert")
    return None


MASK_SHARE = Param("mask_share", 0.15, "share of tokens replaced by [MASK] in BERT-style training", float, 0.01, 1.0,
                   label="Masked share")

SPEC = ArchSpec(
    name="lm",
    title="Transformer language model (course listing)",
    kind="language_model",
    differs=(
        "The course's TransformerModel listing (embedding × √d, sinusoidal positions, causal mask, a decoder at "
        "every position, uniform ±0.1 init) with three changes: the positional encoding adds no dropout (the "
        "listing's PositionalEncoding(ninp, dropout) does), the encoder's dropout is 0 instead of 0.5 (it slows "
        "these small tasks; a knob), and the data are generated sorting, addition and recall tasks, or the "
        "characters of a Machado de Assis novel (dataset machado), instead of an English text corpus."),
    summary=(
        "The course's Transformer as it is written: each token becomes a learned vector, a "
        "positional encoding adds where it stands, and encoder layers let every token look at the "
        "tokens before it (the causal mask hides the future). At every position a decoder scores "
        "which token comes next; to answer, the model writes one token, reads it back, writes the "
        "next (GPT). The BERT option hides random tokens instead and lets attention look both ways. "
        "It trains on generated tasks (sorting digits, adding numbers, recalling a symbol) and on the "
        "characters of Machado de Assis's Dom Casmurro, which it learns to continue."
    ),
    preset={"epochs": 30, "batch_size": 64, "optimizer": "adam", "lr": 1e-3},
    params=(
        Param("ninp", 64, "embedding size (the listing's ninp)", int, 2, 1024, label="Embedding size"),
        Param("nhead", 4, "attention heads (must divide ninp)", int, 1, 32, label="Attention heads"),
        Param("nhid", 128, "feed-forward size inside each layer", int, 1, 4096, label="Feed-forward size"),
        Param("nlayers", 2, "encoder layers", int, 1, 12, label="Encoder layers"),
        Param("dropout", 0.0, "dropout inside the encoder (the listing's 0.5 slows these small tasks)",
              float, 0.0, 0.95,
              label="Dropout"),
        Param("objective", "gpt", "gpt: predict the next token under the causal mask; bert: predict masked "
              "tokens, attention both ways", str, choices=("gpt", "bert"),
              label="Training objective",
              choice_labels={"gpt": "GPT: the next token", "bert": "BERT: masked tokens"}),
        MASK_SHARE,
    ),
    display=token_display(views=(ATTENTION,)),
    text_display=text_display(views=(ATTENTION,)),
    build=build,
    check=_check,
    inputs=("tokens", "text"),
    presets=(
        Preset("lm-sort", "Sort 6 digits (GPT-style)", "sort", {"length": 6, "epochs": 30, "lr": 1e-3}),
        Preset("lm-add", "Add two 3-digit numbers (GPT-style)", "add", {"digits": 3, "epochs": 30, "lr": 1e-3}),
        Preset("lm-sort-bert", "Sort 6 digits (BERT-style: fill in the masked answer)", "sort",
               {"length": 6, "objective": "bert", "mask_share": 0.5, "epochs": 30}),
    ),
)
