"""The two training stages that give the tiny model the paper's history.

*Pretraining* stands in for what a real MLLM knew before PEBench: the "real" population's
persons and events and a general visual skill (shirt colours, object counts), and, when the dataset
has captioned pictures (:mod:`pebench.data.captions`), the visual prior of describing what a picture
shows, a fixed share of every batch. *Fine-tuning*
teaches the fictitious persons and events (the paper's fine-tuning on PEBench), with a share of
each batch replayed from pretraining so the model keeps that knowledge, as a large model does
through a short fine-tune. The retrain oracle ("Goal") is the fine-tuning stage rerun without
the forget set.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import torch

from pebench.data import PEBenchDataset, QAItem
from pebench.encoding import Asked, Encoder, as_examples
from pebench.train.loop import LoopConfig, run_loop
from pebench.train.sampling import mixed_batches

IDENTITY_KINDS = ("person", "event")


@dataclass(frozen=True)
class StageConfig:
    """One training stage: steps, batch size, peak learning rate, replay share, seed."""

    steps: int
    batch_size: int = 32
    lr: float = 2e-3
    replay_fraction: float = 0.0
    warmup_steps: int = 20
    seed: int = 0

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if not 0.0 <= self.replay_fraction < 1.0:
            raise ValueError(f"replay_fraction must be in [0, 1), got {self.replay_fraction}")
        self.loop()  # validates steps, lr and warm-up early

    def loop(self) -> LoopConfig:
        return LoopConfig(steps=self.steps, lr=self.lr, warmup_steps=min(self.warmup_steps, self.steps), seed=self.seed)


def pretraining_items(dataset: PEBenchDataset) -> list[QAItem]:
    """What the model "knew before": real persons, real events and the general skill (the
    pretraining stage mixes in the dataset's captioned pictures too, ``PEBenchDataset.captions``)."""
    return dataset.select(population="real", split="train")


def finetuning_items(dataset: PEBenchDataset, exclude: Collection[str] = frozenset()) -> list[QAItem]:
    """The fictitious person and event questions on training images, minus ``exclude`` (QA ids)."""
    return [
        item
        for kind in IDENTITY_KINDS
        for item in dataset.select(population="fictitious", split="train", kind=kind)
        if item.qa_id not in exclude
    ]


def nll_loss(model: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    """Mean next-token negative log-likelihood of the answer tokens (HF's own label shift)."""
    return model(**batch).loss


def train_stage(
    model: torch.nn.Module,
    encoder: Encoder,
    items: Sequence[Asked],
    config: StageConfig,
    *,
    replay: Sequence[Asked] | None = None,
    desc: str = "training",
    progress: bool = True,
    eval_fn: Callable[[], dict[str, float]] | None = None,
    eval_every: int = 0,
) -> list[dict[str, float]]:
    """Minimise answer NLL on ``items`` (plus replayed items) for ``config.steps`` steps."""
    stream = mixed_batches(
        as_examples(items), as_examples(replay or []), config.batch_size, config.replay_fraction, config.seed
    )
    device = next(model.parameters()).device

    def batches():
        for examples in stream:
            yield {k: v.to(device) for k, v in encoder.training_batch(examples).items()}

    return run_loop(
        model,
        batches(),
        lambda batch: (nll_loss(model, batch), {}),
        config.loop(),
        desc=desc,
        progress=progress,
        eval_fn=eval_fn,
        eval_every=eval_every,
    )
