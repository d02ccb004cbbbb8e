"""Acceptance figures of the Portuguese text (issue 29, part 1): the "machado" lesson's two runs (a
character LSTM and the course's Transformer LM on Dom Casmurro), each trained for ``--seconds`` of
training clock, then 2,000 characters generated from the novel's first words at the lesson's temperature.

For each: steps done, the held-out loss per character (last 10% of the novel) against the bigram
baseline of the same split, and the share of the generated words that are words of the novel. The
acceptance (after 300 s each): held-out loss below the bigram's, and at least 80% corpus words.

  python3 bench/bench_text.py --seconds 300 --threads 2
"""
from __future__ import annotations

import argparse
import json
import time

import torch

from deeparch.course import text
from deeparch.course.lessons import BY_ID
from deeparch.engine.trainer import Trainer

CHARACTERS = 2000


def run(label: str, cfg, seconds: float, seed: int) -> dict:
    cfg = cfg.replace(max_minutes=seconds / 60, epochs=1000, sample_every=1_000_000, quality_every=1_000_000)
    t0 = time.perf_counter()
    trainer = Trainer(cfg)
    result = trainer.fit()
    written = trainer.model.generate(text.PROMPT, CHARACTERS, cfg.hp["temperature"], seed=seed)
    s = result.summary
    return {"run": label, "steps": result.step, "train_s": round(s.get("train_seconds", 0.0), 1),
            "wall_s": round(time.perf_counter() - t0, 1), "val_loss": round(s["test_loss"], 4),
            "best_val_loss": round(s.get("best_test_loss", s["test_loss"]), 4),
            "bigram_loss": round(text.baseline(), 4), "beats_bigram": s["test_loss"] < text.baseline(),
            "corpus_words": round(text.word_share(written), 3), "sample": written[:300]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=300.0, help="training seconds of each run (default 300)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (2 = the issue's 2 cores)")
    ap.add_argument("--seed", type=int, default=0, help="run seed and sampling seed")
    ap.add_argument("--only", choices=("lstm", "lm"), default=None, help="one of the two runs")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a setting of the runs (exploration), e.g. --set lr=0.002")
    args = ap.parse_args()
    overrides = dict(kv.split("=", 1) for kv in args.set)
    torch.set_num_threads(args.threads)
    lesson = BY_ID["machado"]
    for cfg, r in zip(lesson.configs(seed=args.seed), lesson.runs):
        if args.only and (cfg.arch == "rnn") != (args.only == "lstm"):
            continue
        cfg = cfg.replace(**overrides) if overrides else cfg
        print(json.dumps(run(r.label, cfg, args.seconds, args.seed), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
