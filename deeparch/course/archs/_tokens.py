"""What every model of a token dataset shares (``deeparch.course.tasks``): next-token loss on the answer,
greedy completion of held-out prompts, and the completions as text for the Live page.

A model here has ``forward(x) -> logits`` with x (B, T) token ids and logits (B, T, V): the
score of every vocabulary token as the next one, at every position (the course Transformer's
decoder; an RNN's head applied at every time step). The figures it logs:
``train_acc``/``test_acc`` — share of answer tokens predicted right with the true answer so far
as input (teacher forcing); ``test_exact`` — share of held-out prompts whose greedy completion
is entirely right, the strict figure a student reads as "solves the task".
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from deeparch.course import tasks
from deeparch.course.archs.base import ArchModel, Media
from deeparch.present.display import ACCURACY, LOSS, Display, Headline, Line, Panel, View

TEXT_ROWS = 16  # held-out prompts shown with their completions


def token_loss(logits: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy over the scored positions of ``y`` (IGNORE elsewhere) and the share predicted right."""
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=tasks.IGNORE)
    scored = y != tasks.IGNORE                                          # (B, T)
    right = (logits.argmax(-1) == y) & scored
    return loss, right.sum() / scored.sum().clamp(min=1)


class TokenModel(ArchModel):
    """A next-token model of a generated task; subclasses define ``forward`` (and may override
    ``objective`` and ``complete``, as the BERT-style objective does)."""

    kind = "language_model"

    def objective(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Loss and token accuracy of one batch (GPT-style: predict each next token)."""
        return token_loss(self(x), y)

    def train_step(self, x, y, opts):
        self.train()
        loss, acc = self.objective(x, y)
        self.optimize(opts[0], loss)
        return {"loss": loss.item(), "train_acc": acc.item()}

    @torch.no_grad()
    def complete(self, prompts: torch.Tensor, length: int) -> torch.Tensor:
        """Greedy completion: ``length`` tokens after each prompt (B, P), one at a time → (B, length)."""
        seq = prompts
        for _ in range(length):
            nxt = self(seq)[:, -1].argmax(-1, keepdim=True)             # (B, 1)
            seq = torch.cat([seq, nxt], 1)
        return seq[:, prompts.shape[1]:]

    @staticmethod
    def whole(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Inputs and targets back to the full sequences prompt + answer (B, L)."""
        return torch.cat([x, y[:, -1:]], 1)

    @torch.no_grad()
    def evaluate(self, x, y, batch_size: int = 500) -> dict[str, float]:
        self.eval()
        p = tasks.prompt_length(y)
        loss = acc = exact = 0.0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            l, a = self.objective(xb, yb)
            s = self.whole(xb, yb)
            out = self.complete(s[:, :p], s.shape[1] - p)
            loss, acc = loss + l.item() * len(xb), acc + a.item() * len(xb)
            exact += (out == s[:, p:]).all(1).sum().item()
        return {"test_loss": loss / len(x), "test_acc": acc / len(x), "test_exact": exact / len(x)}

    @torch.no_grad()
    def completions(self, x: torch.Tensor, y: torch.Tensor) -> list[dict]:
        """Held-out prompts with the greedy completion and the right answer, as text."""
        self.eval()
        p = tasks.prompt_length(y)
        s = self.whole(x, y)
        out = self.complete(s[:, :p], s.shape[1] - p)
        return [{"prompt": tasks.text(s[i, :p]), "output": tasks.text(out[i]), "target": tasks.text(s[i, p:]),
                 "ok": bool((out[i] == s[i, p:]).all())} for i in range(len(s))]

    def media(self, ctx, with_quality):
        """The completions of the fixed held-out prompts (draw="text")."""
        return [Media("completions", b"", {"rows": self.completions(ctx.x_probe[:TEXT_ROWS],
                                                                    ctx.y_probe[:TEXT_ROWS])})], {}


# ---- what token models show ------------------------------------------------------------------
EXACT = Panel(
    "exact", "Completions exactly right", "share", (Line("test_exact", "held-out prompts", markers=True),),
    explain="Share of held-out prompts whose whole answer, written one token at a time by the model itself, "
            "is right. It lags the token accuracy: one wrong token spoils an answer, and an early mistake "
            "misleads the tokens after it.")
COMPLETIONS = View(
    "completions", "Held-out prompts and what the model writes", draw="text",
    explain="Sixteen fixed prompts the model never trained on, its greedy completion and the right answer. "
            "Early on the outputs are a repeated token; watch the format come first, then the right digits.")
TOKEN_PANELS = (LOSS, ACCURACY, EXACT)
EXACT_HEADLINE = Headline("best_test_exact", "completions exactly right", metric="test_exact", percent=True)


def token_display(*panels: Panel, views: tuple[View, ...] = ()) -> Display:
    """A token model's display: loss, token accuracy, exact completions (then ``panels``), the completions."""
    return Display((*TOKEN_PANELS, *panels), (COMPLETIONS, *views), EXACT_HEADLINE)
