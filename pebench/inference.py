"""Batched greedy answers and per-sequence answer log-likelihoods.

Evaluation generates an answer for every QA item, so this is the hot path of every metric.
Examples are grouped by prompt length, so each batch needs no padding: greedy generation is then
exactly what the model would say to each example alone, only many times faster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm

from pebench.encoding import IGNORE_INDEX, Encoder, Example
from pebench.train.distributed import data_parallel


@dataclass(frozen=True)
class GenerationSettings:
    """Process-wide overrides of ``generate_answers``, set with ``generation_settings``."""

    across_processes: bool = False
    max_batch_size: int | None = None


_settings = GenerationSettings()


@contextmanager
def generation_settings(*, across_processes: bool = False, max_batch_size: int | None = None) -> Iterator[None]:
    """Inside this block, ``generate_answers`` (and every metric built on it) uses these settings.

    ``across_processes``: under ``accelerate launch`` each data-parallel process generates every
    ``N``-th batch and the answers are gathered, so evaluation takes ``1/N`` of the time; every
    process must make the same calls (the gather waits for all). Without the launcher it does
    nothing. ``max_batch_size`` caps the batch size of evaluation, both generation and the
    teacher-forced likelihood statistics (:func:`evaluation_batch_size`): a 7B model's KV cache for
    256 prompts of ~600 tokens is ~86 GB, its logits for 256 such sequences ~51 GB. Neither changes
    any answer.
    """
    global _settings
    if max_batch_size is not None and max_batch_size < 1:
        raise ValueError(f"max_batch_size must be >= 1 or None, got {max_batch_size}")
    previous = _settings
    _settings = GenerationSettings(across_processes, max_batch_size)
    try:
        yield
    finally:
        _settings = previous


def evaluation_batch_size(requested: int) -> int:
    """``requested``, capped by the active ``generation_settings(max_batch_size=...)``."""
    cap = _settings.max_batch_size
    return requested if cap is None else min(requested, cap)


@torch.no_grad()
def generate_answers(
    model: torch.nn.Module,
    encoder: Encoder,
    examples: Sequence[Example],
    *,
    batch_size: int = 256,
    max_new_tokens: int = 24,
    progress: bool = False,
) -> list[str]:
    """Greedy-decode an answer to each example's question (its ``answer`` is ignored)."""
    model.eval()
    batch_size = evaluation_batch_size(batch_size)
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_length[len(encoder.prompt_ids(example.question))].append(index)
    chunks = [
        indices[start : start + batch_size]
        for _, indices in sorted(by_length.items())
        for start in range(0, len(indices), batch_size)
    ]
    answers: list[str] = [""] * len(examples)
    tokenizer = encoder.tokenizer
    device = next(model.parameters()).device
    parallel = data_parallel() if _settings.across_processes else None
    if parallel is not None:
        chunks = chunks[parallel.rank :: parallel.world]
    for chunk in tqdm(chunks, desc="generating", disable=not progress, leave=False):
        batch = encoder.generation_batch([examples[i] for i in chunk])
        batch = {key: value.to(device) for key, value in batch.items()}
        output = model.generate(
            **batch,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        new_tokens = output[:, batch["input_ids"].shape[1] :]
        for i, text in zip(chunk, tokenizer.batch_decode(new_tokens, skip_special_tokens=True)):
            answers[i] = text.strip()
    if parallel is not None:
        mine = {i: answers[i] for chunk in chunks for i in chunk}
        for part in parallel.gather_objects(mine):
            for i, text in part.items():
                answers[i] = text
    return answers


def answer_log_likelihood(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Sum of log-probabilities of the labelled (answer) tokens per sequence, and their count.

    Differentiable; the building block of NLL, NPO and the membership-inference statistics.
    """
    inputs = {key: value for key, value in batch.items() if key != "labels"}
    logits = model(**inputs).logits[:, :-1].float()
    labels = batch["labels"][:, 1:]
    mask = labels != IGNORE_INDEX
    token_logp = torch.log_softmax(logits, dim=-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    return (token_logp * mask).sum(-1), mask.sum(-1)
