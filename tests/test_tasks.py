"""The generated sequence tasks: same seed, same data; every answer right; the framing as next-token targets."""
import pytest
import torch

from deeparch.course import data, tasks
from deeparch.course.archs import make_config, schema
from deeparch.course.config import ConfigError


def answers(task: str, hp: dict, n: int = 200, seed: int = 5):
    s, p = tasks.sequences(task, hp, n, seed)
    return s[:, :p], s[:, p:]


def number(digits) -> int:
    return int("".join(str(int(d)) for d in digits))


def test_same_seed_same_data_other_seed_other_data():
    hp = {"length": 6, "examples": 300}
    a, b, c = tasks.generate("sort", hp, 1), tasks.generate("sort", hp, 1), tasks.generate("sort", hp, 2)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["x_train"], c["x_train"])


def test_sort_answers_are_the_prompt_sorted():
    prompt, answer = answers("sort", {"length": 7})
    assert (prompt[:, -1] == tasks.EQUALS).all()
    assert torch.equal(answer, prompt[:, :-1].sort(1).values)
    assert (answer[:, 1:] >= answer[:, :-1]).all()


@pytest.mark.parametrize("reverse", [True, False])
def test_addition_answers_are_the_sums(reverse):
    prompt, answer = answers("add", {"digits": 3, "reverse": reverse})
    assert (prompt[:, 3] == tasks.PLUS).all() and (prompt[:, 7] == tasks.EQUALS).all()
    for row, ans in zip(prompt.tolist(), answer.tolist()):
        got = number(ans[::-1] if reverse else ans)
        assert got == number(row[:3]) + number(row[4:7])
    assert answer.shape[1] == 4  # room for the carry


def test_recall_answer_is_the_first_digit_after_the_chosen_distance():
    prompt, answer = answers("recall", {"distance": 37})
    assert prompt.shape[1] == 39
    assert torch.equal(answer[:, 0], prompt[:, 0]) and (prompt[:, 1:-1] == tasks.BLANK).all()
    assert (prompt[:, -1] == tasks.QUERY).all()
    assert len(answer.unique()) == 10


def test_targets_are_the_next_tokens_scored_on_the_answer_only():
    d = tasks.generate("add", {"digits": 2, "reverse": True, "examples": 300}, 0)
    x, y = d["x_train"], d["y_train"]
    p = tasks.prompt_length(y)
    assert p == 6
    assert (y[:, :p - 1] == tasks.IGNORE).all()
    assert torch.equal(y[:, p - 1:], torch.cat([x, y[:, -1:]], 1)[:, p:])


def test_test_prompts_never_occur_in_training():
    d = tasks.generate("add", {"digits": 2, "reverse": True, "examples": 2000}, 0)
    seen = {tuple(r) for r in d["x_train"][:, :6].tolist()}
    assert len(d["x_test"]) > 0 and not any(tuple(r) in seen for r in d["x_test"][:, :6].tolist())


def test_a_task_whose_prompts_are_all_seen_is_refused_with_the_reason():
    with pytest.raises(data.DataError, match="covers almost every prompt"):
        data.load("add", hp={"digits": 1, "examples": 5000, "reverse": True})


def test_text_shortens_long_gaps():
    prompt, _ = answers("recall", {"distance": 30}, n=1)
    assert tasks.text(prompt[0]).endswith("_×30?")


def test_dataset_params_join_the_schema_and_are_validated():
    assert {"distance", "examples"} <= set(schema("rnn", "recall")) and "distance" not in schema("rnn")
    assert make_config("rnn", "recall", distance=12).distance == 12
    with pytest.raises(ConfigError, match="distance=0 is out of range"):
        make_config("rnn", "recall", distance=0)
    with pytest.raises(ConfigError, match="unknown hyperparameter length"):
        make_config("rnn", "recall", length=6)


def test_data_load_uses_the_runs_seed_and_settings():
    a = data.load("recall", hp={"distance": 5, "examples": 200, "seed": 3})
    assert a.x_train.shape == (200, 7) and a.classes == tasks.VOCAB
    assert data.load("recall", hp={"distance": 5, "examples": 200, "seed": 3}) is a
    assert not torch.equal(a.x_train, data.load("recall", hp={"distance": 5, "examples": 200, "seed": 4}).x_train)
