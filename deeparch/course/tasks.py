"""Sequence tasks generated in code: no download, the same data for the same seed and settings.

Every task is "prompt → answer" over one small character vocabulary, framed as next-token
prediction so one model contract serves all of them (GPT-style language modelling): the
sequence ``s = prompt + answer`` becomes the input ``x = s[:-1]`` and the target
``y = s[1:]``, with the prompt's targets set to ``IGNORE`` — the prompt is random by design
(nothing to learn), the answer is what the model must produce.

- ``recall``: one digit, then ``distance`` blanks, then ``?``; the answer is the first digit.
  The course's vanishing-gradient lesson: a plain RNN forgets over long distances, an LSTM
  or GRU keeps the digit in its cell (chance is 10%).
- ``sort``: ``length`` random digits and ``=``; the answer is the same digits in ascending order.
- ``add``: two ``digits``-digit numbers ``a+b=``; the answer is the zero-padded sum, its digits
  lowest first by default (then the carry flows in reading order, as in written addition).

A leaf module (torch and ``deeparch.course.config`` only): ``deeparch.course.data`` lists these tasks as
datasets of kind "tokens".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

import torch

from deeparch.course.config import Param
from deeparch.present.messages import Message

VOCAB: tuple[str, ...] = tuple("0123456789+=?_#")  # digits, plus, equals, query, blank, [MASK]
PLUS, EQUALS, QUERY, BLANK, MASK = (VOCAB.index(c) for c in "+=?_#")
IGNORE = -100  # target of a prompt position: no loss, not scored (cross_entropy's ignore_index)
TEST_EXAMPLES = 1000


def _digits(n: torch.Tensor, width: int) -> torch.Tensor:
    """(N,) non-negative integers → (N, width) their decimal digits, most significant first."""
    powers = 10 ** torch.arange(width - 1, -1, -1)
    return (n.unsqueeze(1) // powers) % 10


def _recall(g: torch.Generator, n: int, hp: Mapping) -> tuple[torch.Tensor, torch.Tensor]:
    digit = torch.randint(0, 10, (n, 1), generator=g)                       # (N, 1)
    gap = torch.full((n, hp["distance"]), BLANK)                             # (N, distance)
    return torch.cat([digit, gap, torch.full((n, 1), QUERY)], 1), digit.clone()


def _sort(g: torch.Generator, n: int, hp: Mapping) -> tuple[torch.Tensor, torch.Tensor]:
    digits = torch.randint(0, 10, (n, hp["length"]), generator=g)           # (N, L)
    return torch.cat([digits, torch.full((n, 1), EQUALS)], 1), digits.sort(1).values


def _add(g: torch.Generator, n: int, hp: Mapping) -> tuple[torch.Tensor, torch.Tensor]:
    k = hp["digits"]
    a, b = torch.randint(0, 10 ** k, (2, n), generator=g)                   # (N,), (N,)
    prompt = torch.cat([_digits(a, k), torch.full((n, 1), PLUS), _digits(b, k), torch.full((n, 1), EQUALS)], 1)
    answer = _digits(a + b, k + 1)                                           # (N, k+1)
    return prompt, answer.flip(1) if hp["reverse"] else answer


@dataclass(frozen=True)
class Task:
    name: str
    title: str
    params: tuple[Param, ...]          # the task's own settings, merged into a run's schema
    make: Callable[[torch.Generator, int, Mapping], tuple[torch.Tensor, torch.Tensor]]  # → prompts, answers
    explain: str
    distinct_test: bool = True         # drop test prompts that also occur in training (memorising is not solving)


EXAMPLES = Param("examples", 20_000, "generated training sequences (the test split is 1,000 more)", int, 100, 1_000_000,
                 label="Training sequences")
TASKS: dict[str, Task] = {t.name: t for t in (
    Task("recall", "Long-range recall (generated: a digit, a gap, then recall it)",
         (Param("distance", 40, "blank steps between the digit and the question mark", int, 1, 1000,
                label="Recall distance"), EXAMPLES),
         _recall, "The first symbol must be reported at the end; chance is 10%.", distinct_test=False),
    Task("sort", "Sorting digits (generated, next-token prediction)",
         (Param("length", 6, "digits to sort", int, 2, 30, label="Sequence length"), EXAMPLES),
         _sort, "The model writes the prompt's digits in ascending order."),
    Task("add", "Multi-digit addition (generated, next-token prediction)",
         (Param("digits", 3, "digits of each number", int, 1, 9, label="Digits per number"),
          Param("reverse", True, "write the sum lowest digit first (the carry then flows in reading order)", bool,
                label="Sum written backwards"),
          EXAMPLES),
         _add, "The model writes the sum of the two numbers."),
)}


def sequences(task: str, hp: Mapping, n: int, seed: int) -> tuple[torch.Tensor, int]:
    """``n`` sequences prompt + answer (N, P + A) int64 from ``seed``, and the prompt length P."""
    g = torch.Generator().manual_seed(seed)
    prompt, answer = TASKS[task].make(g, n, hp)
    return torch.cat([prompt, answer], 1), prompt.shape[1]


def split(s: torch.Tensor, prompt_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences (N, L) → inputs x = s[:, :-1] and next-token targets y = s[:, 1:], the prompt's ignored."""
    x, y = s[:, :-1], s[:, 1:].clone()
    y[:, :prompt_len - 1] = IGNORE
    return x, y


def generate(task: str, hp: Mapping, seed: int) -> dict[str, torch.Tensor]:
    """The task's training and test splits from ``seed`` (x: inputs, y: targets, both (N, L-1) int64).

    The test split comes from another stream of the same seed; for tasks with ``distinct_test``
    a test prompt that also occurs in training is dropped."""
    train, p = sequences(task, hp, hp["examples"], seed * 2 + 1)
    test, _ = sequences(task, hp, TEST_EXAMPLES, seed * 2 + 2)
    if TASKS[task].distinct_test:
        seen = {tuple(row) for row in train[:, :p].tolist()}
        keep = torch.tensor([tuple(row) not in seen for row in test[:, :p].tolist()])
        test = test[keep]
        if len(test) < 50:
            raise ValueError(Message("task_no_test_split", task=task))
    (x_train, y_train), (x_test, y_test) = split(train, p), split(test, p)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def sequence_length(task: str, hp: Mapping) -> int:
    """Input length L-1 of the task's sequences with these settings (for positional tables)."""
    s, _ = sequences(task, hp, 1, 0)
    return s.shape[1] - 1


def prompt_length(y: torch.Tensor) -> int:
    """The prompt length P of targets ``y`` (B, L-1): the first scored position is P-1."""
    return int((y[0] != IGNORE).int().argmax()) + 1


def text(tokens) -> str:
    """Tokens as text; a long run of blanks is shortened to "_×N" so a recall prompt fits a line."""
    s = "".join(VOCAB[int(t)] for t in tokens)
    return re.sub(r"_{8,}", lambda m: f"_×{len(m.group())}", s)
