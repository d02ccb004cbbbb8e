"""The Portuguese corpus: Machado de Assis's *Dom Casmurro* as a character stream, offline.

The novel (public domain) ships compressed in ``deeparch/assets/dom-casmurro.txt.gz``: the plain
text of the GitHub repository luxedo/dataset-machado-de-assis, ``txt/romance/domCasmurro.txt`` at
commit a13ca4a72f268f46db64804a67930d4c0f6db8e7, taken from http://machado.mec.gov.br.

Normalised into one stream: every run of whitespace (the hard-wrapped line breaks included) becomes
one space, curly quotes become straight ones, accents stay, and the characters that occur fewer than
ten times (most digits, some accented capitals, symbols) become ``RARE``, so the vocabulary is
``VOCAB``'s 81 characters. The split is contiguous: the first 90% of the text trains, the last 10% is
the held-out split (validation and test at once), never shuffled into training. A window of
``seq_len`` characters is an input; its targets are the same characters one step later, every one
scored (no prompt). Windows do not overlap and follow the text's order, so the windows ``k`` and
``k + 1`` continue each other (the layout truncated backpropagation through time carries a state along).

Its settings (``PARAMS``) join a run's schema: the window length, the hidden state carried across
batches (recurrent models only) and the sampling temperature of the generated-text view.

A leaf module below ``deeparch.course.data``: torch, the standard library and ``Param``.
"""
from __future__ import annotations

import gzip
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import torch

from deeparch.course.config import Param

ASSET = Path(__file__).resolve().parent.parent / "assets" / "dom-casmurro.txt.gz"
RARE = "_"  # the placeholder of a character too rare to get its own token
VOCAB: tuple[str, ...] = tuple(
    " !\"(),-.014578:;?ABCDEFGHIJLMNOPQRSTUVXabcdefghijlmnopqrstuvxzÃÇÉÍàáâãçéêíóôõúü—" + RARE)
INDEX = {c: i for i, c in enumerate(VOCAB)}
VAL_SHARE = 0.1
PROMPT = "Uma noite destas, vindo da cidade para o Engenho Novo, "  # the novel's first sentence, opening
WORD = re.compile(r"[^\W\d_]+")
GENERATED = 400  # characters the generated-text view writes after the prompt

SEQ_LEN = Param("seq_len", 100, "characters per training window: the length backpropagation through time "
                "unrolls (truncated BPTT) and the Transformer's context", int, 2, 1000,
                label="Sequence length (BPTT)")
STATE_RESET = Param("state_reset", 0, "recurrent models: 0 = every batch starts from a zero hidden state "
                    "(windows shuffled); N ≥ 1 = batches are contiguous streams, the hidden state is carried "
                    "from one batch to the next (detached: truncated BPTT) and reset to zeros every N batches",
                    int, 0, 100_000, label="Carry the hidden state (reset every N batches)")
TEMPERATURE = Param("temperature", 0.8, "sampling temperature of the generated text: below 1 the likeliest "
                    "characters win more often (safer, more repetitive), above 1 the text gets wilder",
                    float, 0.05, 2.0, label="Sampling temperature")
PARAMS = (SEQ_LEN, STATE_RESET, TEMPERATURE)


def is_text(hp) -> bool:
    """Whether a run's hyperparameters are those of a run on the corpus (its settings are in them)."""
    return all(p.name in hp for p in PARAMS)


def normalise(raw: str) -> str:
    """One stream: whitespace runs → one space, curly quotes → straight, characters outside VOCAB → RARE."""
    s = re.sub(r"\s+", " ", raw.replace("”", '"').replace("“", '"')).strip()
    return "".join(c if c in INDEX else RARE for c in s)


@lru_cache(maxsize=1)
def corpus() -> str:
    """The whole normalised novel."""
    with gzip.open(ASSET, "rt", encoding="utf-8") as f:
        return normalise(f.read())


def encode(s: str) -> torch.Tensor:
    """Text → (len,) int64 ids (characters outside VOCAB as RARE)."""
    return torch.tensor([INDEX.get(c, INDEX[RARE]) for c in s], dtype=torch.long)


def decode(ids) -> str:
    return "".join(VOCAB[int(i)] for i in ids)


def split_text(s: str, val_share: float = VAL_SHARE) -> tuple[str, str]:
    """The first (1 - val_share) of ``s`` trains, the rest is held out: contiguous, in the text's order."""
    cut = round(len(s) * (1 - val_share))
    return s[:cut], s[cut:]


def windows(ids: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Non-overlapping consecutive windows: x (N, seq_len) and y the next character of each (N, seq_len)."""
    n = (len(ids) - 1) // seq_len
    x = ids[:n * seq_len].reshape(n, seq_len)
    y = ids[1:n * seq_len + 1].reshape(n, seq_len)
    return x, y


def dataset(seq_len: int, val_share: float = VAL_SHARE, text: str | None = None) -> dict[str, torch.Tensor]:
    """Training and held-out windows of the novel (or of ``text``), x/y as int64 (N, seq_len)."""
    train, held = split_text(corpus() if text is None else text, val_share)
    x_train, y_train = windows(encode(train), seq_len)
    x_test, y_test = windows(encode(held), seq_len)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def stream_order(n: int, streams: int) -> torch.Tensor:
    """The char-rnn batch layout over ``n`` consecutive windows: ``streams`` contiguous streams read side
    by side, so batch i holds window i of every stream and batch i+1 continues it, position by position.
    Windows left over (n not a multiple of ``streams``) come last, as one shorter batch."""
    per = n // streams
    order = torch.arange(per * streams).reshape(streams, per).T.reshape(-1)   # batch i = [i, per+i, 2per+i, …]
    return torch.cat([order, torch.arange(per * streams, n)])


def bigram_loss(train: str, held: str, alpha: float = 1.0) -> float:
    """Cross-entropy (nats per character) on ``held`` of a character bigram model fit on ``train``:
    P(b | a) = (count(a b) + alpha) / (count(a) + alpha·|VOCAB|) (add-alpha smoothing, so an unseen pair
    costs a finite amount). Every pair of consecutive characters of ``held`` is scored."""
    pairs = Counter(zip(train, train[1:]))
    firsts = Counter(train[:-1])
    v = len(VOCAB)
    total = sum(-math.log((pairs[(a, b)] + alpha) / (firsts[a] + alpha * v)) for a, b in zip(held, held[1:]))
    return total / max(len(held) - 1, 1)


@lru_cache(maxsize=4)
def baseline(val_share: float = VAL_SHARE) -> float:
    """The bigram baseline of the novel's split."""
    return bigram_loss(*split_text(corpus(), val_share))


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """Every word of the novel, lower-cased."""
    return frozenset(w.lower() for w in WORD.findall(corpus()))


def word_share(generated: str, words: frozenset[str] | None = None) -> float:
    """The share of the words of ``generated`` that are words of the corpus (the last word, maybe cut
    off by the end of the sample, not counted); 0 without words."""
    found = [w.lower() for w in WORD.findall(generated)]
    if generated and not generated[-1].isspace() and found:
        found = found[:-1]
    if not found:
        return 0.0
    words = lexicon() if words is None else words
    return sum(w in words for w in found) / len(found)
