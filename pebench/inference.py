"""Batched greedy answers and per-sequence answer log-likelihoods.

Evaluation generates an answer for every QA item, so this is the hot path of every metric.
Examples are grouped by prompt length, so each batch needs no padding, and a LLaVA model computes
each picture's share of the prompt once for all the questions about it (:mod:`pebench.decoding`).
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm

from pebench import decoding
from pebench.encoding import IGNORE_INDEX, Encoder, Example
from pebench.train.distributed import DataParallel, data_parallel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationSettings:
    """Process-wide overrides of ``generate_answers``, set with ``generation_settings``."""

    across_processes: bool = False
    max_batch_size: int | None = None
    share_prefixes: bool = True


_settings = GenerationSettings()


@contextmanager
def generation_settings(
    *, across_processes: bool = False, max_batch_size: int | None = None, share_prefixes: bool = True
) -> Iterator[None]:
    """Inside this block, ``generate_answers`` (and every metric built on it) uses these settings.

    ``across_processes``: under ``accelerate launch`` each data-parallel process generates every
    ``N``-th batch and the answers are gathered, so evaluation takes ``1/N`` of the time; every
    process must make the same calls (the gather waits for all). Without the launcher it does
    nothing. ``max_batch_size`` caps the batch size of evaluation, both generation and the
    teacher-forced likelihood statistics (:func:`evaluation_batch_size`): a 7B model's KV cache for
    256 prompts of ~600 tokens is ~86 GB, its logits for 256 such sequences ~51 GB. Neither changes
    any answer. ``share_prefixes=False`` answers every model with ``model.generate`` (what the
    tests and ``benchmarks/evaluation.py`` compare the shared-prefix answers with).
    """
    global _settings
    if max_batch_size is not None and max_batch_size < 1:
        raise ValueError(f"max_batch_size must be >= 1 or None, got {max_batch_size}")
    previous = _settings
    _settings = GenerationSettings(across_processes, max_batch_size, share_prefixes)
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
    """Greedy-decode an answer to each example's question (its ``answer`` is ignored).

    A LLaVA-architecture model shares each picture's prompt prefix across its questions
    (:mod:`pebench.decoding`); any other model, or one whose generation settings that sharing does
    not apply, is answered by ``model.generate``, with a warning that says why.
    """
    if not examples:
        return []
    model.eval()
    batch_size = evaluation_batch_size(batch_size)
    tokenizer = encoder.tokenizer
    parallel = data_parallel() if _settings.across_processes else None
    obstacle = decoding.prefix_sharing_obstacle(model) if _settings.share_prefixes else "asked for"
    prefix = None
    if obstacle is None:
        prompts = [encoder.prompt_ids(example.question) for example in examples]
        prefix = decoding.shared_prefix(prompts, model.config.image_token_id)
        if prefix is None:
            obstacle = "its prompts do not share one prefix that ends with the image"
    if obstacle is not None:
        if _settings.share_prefixes:
            _warn_fallback(obstacle)
        tokens = _generate_tokens(model, encoder, examples, batch_size, max_new_tokens, parallel, progress)
    else:
        share = (parallel.rank, parallel.world) if parallel is not None else (0, 1)
        tokens = decoding.shared_prefix_answers(
            model,
            encoder,
            examples,
            prefix,
            batch_size=batch_size,
            max_new_tokens=max_new_tokens,
            share=share,
            progress=progress,
        )
    answers = {
        i: text.strip()
        for i, text in zip(tokens, tokenizer.batch_decode(list(tokens.values()), skip_special_tokens=True))
    }
    if parallel is not None:
        for part in parallel.gather_objects(answers):
            answers.update(part)
    return [answers.get(i, "") for i in range(len(examples))]


@functools.cache
def _warn_fallback(reason: str) -> None:
    logger.warning("answering with model.generate, without shared image prefixes: %s", reason)


def _generate_tokens(
    model: torch.nn.Module,
    encoder: Encoder,
    examples: Sequence[Example],
    batch_size: int,
    max_new_tokens: int,
    parallel: DataParallel | None,
    progress: bool,
) -> dict[int, list[int]]:
    """``model.generate``'s greedy answer tokens by example index, in batches of one prompt length."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_length[len(encoder.prompt_ids(example.question))].append(index)
    chunks = [
        indices[start : start + batch_size]
        for _, indices in sorted(by_length.items())
        for start in range(0, len(indices), batch_size)
    ]
    if parallel is not None:
        chunks = chunks[parallel.rank :: parallel.world]
    tokenizer = encoder.tokenizer
    device = next(model.parameters()).device
    tokens: dict[int, list[int]] = {}
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
        for i, row in zip(chunk, output[:, batch["input_ids"].shape[1] :].tolist()):
            tokens[i] = row
    return tokens


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
