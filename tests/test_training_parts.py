"""The shared loop, batch sampling, text scorers and the cache's key and atomic writes."""

from __future__ import annotations

import itertools

import pytest
import torch

from pebench.cache import atomic_write_json, cache_key, read_json
from pebench.metrics.text import exact_match, rouge_l_f1
from pebench.train.loop import LoopConfig, run_loop
from pebench.train.sampling import mixed_batches, shuffled_batches


def test_shuffled_batches_cover_every_item_each_pass_and_repeat_with_seed():
    items = list(range(10))
    first = list(itertools.islice(shuffled_batches(items, 5, seed=1), 4))
    again = list(itertools.islice(shuffled_batches(items, 5, seed=1), 4))
    assert first == again
    assert sorted(first[0] + first[1]) == items
    assert len(next(shuffled_batches([1, 2], 5, seed=0))) == 5  # small sets fill a batch
    with pytest.raises(ValueError, match="empty"):
        next(shuffled_batches([], 2, seed=0))


def test_mixed_batches_hold_the_replay_share():
    batch = next(mixed_batches(["m"] * 10, ["r"] * 10, 8, 0.25, seed=0))
    assert batch.count("r") == 2 and batch.count("m") == 6
    with pytest.raises(ValueError, match="replay_fraction"):
        next(mixed_batches([1], [2], 4, 1.5, seed=0))


def test_loop_minimises_and_is_deterministic():
    def fit() -> tuple[float, list[dict[str, float]]]:
        torch.manual_seed(0)
        model = torch.nn.Linear(3, 1)
        x = torch.randn(64, 3)
        y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
        batches = itertools.repeat((x, y))
        history = run_loop(
            model,
            batches,
            lambda b: (((model(b[0]) - b[1]) ** 2).mean(), {}),
            LoopConfig(steps=200, lr=0.05),
            progress=False,
        )
        return history[-1]["loss"], history

    (final, history), (again, _) = fit(), fit()
    assert final < 0.01 * history[0]["loss"]
    assert final == again


def test_loop_config_names_bad_parameters():
    with pytest.raises(ValueError, match="steps"):
        LoopConfig(steps=0, lr=1e-3)
    with pytest.raises(ValueError, match="schedule.*cosine"):
        LoopConfig(steps=1, lr=1e-3, schedule="linear")


def test_text_scores():
    assert exact_match("Tavin  Morrel.", "tavin morrel") == 1.0
    assert exact_match("tavin", "tavin morrel") == 0.0
    assert rouge_l_f1("a b c d", "a b c d") == 1.0
    assert rouge_l_f1("x y", "a b") == 0.0
    # LCS("a x c", "a b c") = 2 -> P = R = 2/3
    assert rouge_l_f1("a x c", "a b c") == pytest.approx(2 / 3)


def test_cache_key_is_stable_and_sensitive(tmp_path):
    assert cache_key({"a": 1, "b": {2, 1}}) == cache_key({"b": {1, 2}, "a": 1})
    assert cache_key({"a": 1}) != cache_key({"a": 2})
    atomic_write_json(tmp_path / "x.json", {"v": 1})
    assert read_json(tmp_path / "x.json") == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
