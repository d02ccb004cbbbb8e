"""What every character language model of the text corpus shares (``deeparch.course.text``): every next
character scored, the held-out loss beside the bigram baseline, and text generated from a fixed prompt at a
temperature, streamed to the Live page.

A model here is a ``TokenModel`` (``forward(x) -> logits`` over (B, T) character ids) that may override
``next_logits``, the scores of the character after a prompt (a recurrent model steps its carried state; the
default re-reads the last ``context`` characters). The figures it logs: ``test_loss`` (nats per character on
the held-out last 10% of the novel), ``bigram_loss`` (a bigram model's on the same split, the floor to beat),
``test_acc`` (next character predicted right), ``corpus_words`` (share of the generated words that are words
of the novel).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from deeparch.course import text
from deeparch.course.archs._tokens import TokenModel
from deeparch.course.archs.base import Media
from deeparch.present.display import Display, Headline, Line, Panel, View


def sample_next(logits: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    """One character id per row of ``logits`` (B, V), drawn from softmax(logits / temperature)."""
    probs = F.softmax(logits.float() / temperature, -1)                    # (B, V)
    return torch.multinomial(probs.cpu(), 1, generator=generator).to(logits.device)   # (B, 1)


class CharModel(TokenModel):
    """A character language model of the corpus (mixed in before a ``TokenModel`` subclass's own forward)."""

    context = 256  # characters re-read to score the next one (models without a carried state)

    @torch.no_grad()
    def evaluate(self, x, y, batch_size: int = 256) -> dict[str, float]:
        """Mean loss per character and next-character accuracy on the held-out windows (each from a fresh
        state), and the bigram baseline of the same split."""
        self.eval()
        loss = right = 0.0
        for i in range(0, len(x), batch_size):
            logits = self(x[i:i + batch_size])                              # (b, T, V)
            yb = y[i:i + batch_size]
            loss += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1), reduction="sum").item()
            right += (logits.argmax(-1) == yb).sum().item()
        n = y.numel()
        return {"test_loss": loss / n, "test_acc": right / n, "bigram_loss": text.baseline()}

    def next_logits(self, seq: torch.Tensor, state):
        """Scores of the character after ``seq`` (1, t) → (logits (1, V), state for the next call). The
        default re-reads the last ``context`` characters; ``state`` is the text so far."""
        seq = seq if state is None else torch.cat([state, seq], 1)
        return self(seq[:, -self.context:])[:, -1], seq

    @torch.no_grad()
    def generate(self, prompt: str, length: int, temperature: float, seed: int = 0) -> str:
        """``length`` characters after ``prompt``, each drawn at ``temperature`` (fixed seed: comparable)."""
        self.eval()
        g = torch.Generator().manual_seed(seed)
        device = next(self.parameters()).device
        seq, out = text.encode(prompt).unsqueeze(0).to(device), []                 # (1, P)
        logits, state = self.next_logits(seq, None)
        for _ in range(length):
            nxt = sample_next(logits, temperature, g)                               # (1, 1)
            out.append(int(nxt))
            logits, state = self.next_logits(nxt, state)
        return text.decode(out)

    def media(self, ctx, with_quality):
        """The text generated from the novel's first words, and the share of its words the novel has."""
        t = float(self.cfg.hp.get("temperature", text.TEMPERATURE.default))
        written = self.generate(text.PROMPT, text.GENERATED, t)
        share = text.word_share(written)
        return [Media("generated", b"", {"prompt": text.PROMPT, "text": written, "temperature": t,
                                         "corpus_words": share})], {"corpus_words": share}


# ---- what character models show --------------------------------------------------------------
TEXT_LOSS = Panel(
    "loss", "Loss per character", "nats / character",
    (Line("loss", "train"), Line("test_loss", "held-out (last 10% of the novel)", "dash", True),
     Line("bigram_loss", "bigram baseline", "dot")), blowup=True,
    explain="Cross-entropy of the next character, in nats: on each training batch, and on the last 10% of the "
            "novel, which training never sees. The dotted line is a bigram model (the next character from the "
            "current one alone, counted on the training text): once the held-out loss is below it, the model "
            "uses more than the last letter.")
TEXT_ACCURACY = Panel(
    "accuracy", "Next character right", "share",
    (Line("train_acc", "train"), Line("test_acc", "held-out", "dash", True)),
    explain="Share of characters predicted right as the likeliest next one. Spaces and word endings come first; "
            "at 50%, the model already spells.")
WORDS = Panel(
    "corpus_words", "Generated words found in the novel", "share",
    (Line("corpus_words", "words of the novel", markers=True),), hlines=((0.8, "80%"),),
    explain="Of the words in the text generated at each grid, the share that occur somewhere in Dom Casmurro. "
            "Random letters score near 0; a model that has learned to spell Portuguese passes 80%.")
GENERATED = View(
    "generated", "Text the model writes after the novel's first words", draw="prose",
    explain="At each grid the model continues the same prompt, one character at a time, each drawn at the "
            "run's sampling temperature. Watch it go from random letters to spaces and short words, then to "
            "real Portuguese words, punctuation and dialogue dashes; lower the temperature and it repeats "
            "itself, raise it and it invents words.")
TEXT_HEADLINE = Headline("best_test_loss", "held-out loss per character", metric="test_loss", higher_is_better=False)


def text_display(*panels: Panel, views: tuple[View, ...] = ()) -> Display:
    """A character model's display: loss against the bigram, accuracy, corpus words, the generated text."""
    return Display((TEXT_LOSS, TEXT_ACCURACY, WORDS, *panels), (GENERATED, *views), TEXT_HEADLINE)
