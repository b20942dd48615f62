"""The one optimisation loop every stage and every unlearning method runs through.

A stage or method only supplies batches and a loss over a batch; the loop owns the optimiser,
learning-rate schedule, gradient clipping, determinism, progress bar and history. Writing it once
keeps fine-tuning, the retrain oracle and all unlearning methods strictly comparable.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
from tqdm.auto import tqdm

from pebench.train.distributed import data_parallel

logger = logging.getLogger(__name__)

SCHEDULES = ("cosine", "constant")

LossFn = Callable[[Any], tuple[torch.Tensor, dict[str, float]]]


@dataclass(frozen=True)
class LoopConfig:
    """Optimiser settings shared by every stage and method."""

    steps: int
    lr: float
    weight_decay: float = 0.0
    warmup_steps: int = 0
    grad_clip: float | None = 1.0
    schedule: str = "cosine"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError(f"steps must be >= 1, got {self.steps}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.warmup_steps < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {self.warmup_steps}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")

    def lr_factor(self, step: int) -> float:
        """Linear warm-up, then cosine decay to zero or a constant rate."""
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        if self.schedule == "constant":
            return 1.0
        progress = (step - self.warmup_steps) / max(1, self.steps - self.warmup_steps)
        return 0.5 * (1.0 + math.cos(math.pi * progress))


def _fused_adam_supported(parameters: list[torch.nn.Parameter]) -> bool:
    """Whether AdamW can update all ``parameters`` in one fused kernel (about 10% of a tiny step)."""
    return bool(parameters) and all(p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in parameters)


def run_loop(
    model: torch.nn.Module,
    batches: Iterator[Any],
    loss_fn: LossFn,
    config: LoopConfig,
    *,
    desc: str = "training",
    progress: bool = True,
    eval_fn: Callable[[], dict[str, float]] | None = None,
    eval_every: int = 0,
) -> list[dict[str, float]]:
    """Run ``config.steps`` optimiser steps of ``loss_fn`` over ``batches``; return per-step logs.

    ``loss_fn(batch)`` returns the scalar loss to *minimise* and a dict of numbers to log.
    Only parameters with ``requires_grad`` are trained (so LoRA and frozen towers just work).
    With ``eval_fn`` and ``eval_every``, the numbers ``eval_fn()`` returns join the log every
    ``eval_every`` steps and after the last one (learning curves).

    Under ``accelerate launch`` with several processes (``pebench.train.distributed``) each process
    trains on its share of every batch and gradients are averaged before clipping, as DDP does;
    the logged numbers are means over processes. Launched without it, nothing changes.
    """
    torch.manual_seed(config.seed)
    parallel = data_parallel()
    parameters = [p for p in model.parameters() if p.requires_grad]
    if parallel is not None:
        parallel.broadcast_(parameters)
    optimizer = torch.optim.AdamW(
        parameters, lr=config.lr, weight_decay=config.weight_decay, fused=_fused_adam_supported(parameters)
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, config.lr_factor)
    model.train()
    history: list[dict[str, float]] = []
    show = progress and (parallel is None or parallel.is_main)
    bar = tqdm(range(config.steps), desc=desc, disable=not show, leave=False)
    for step in bar:
        batch = next(batches)
        loss, logs = loss_fn(batch if parallel is None else parallel.shard(batch))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if parallel is not None:
            parallel.average_gradients_(parameters)
            loss_value, *values = parallel.mean([float(loss.detach()), *logs.values()])
            logs = dict(zip(logs, values))
        else:
            loss_value = float(loss.detach())
        if config.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(parameters, config.grad_clip)
        optimizer.step()
        scheduler.step()
        record = {"step": float(step + 1), "loss": loss_value, "lr": scheduler.get_last_lr()[0], **logs}
        if eval_fn is not None and eval_every and ((step + 1) % eval_every == 0 or step + 1 == config.steps):
            record.update(eval_fn())
            model.train()
        history.append(record)
        bar.set_postfix(loss=f"{record['loss']:.3f}")
    model.eval()
    logger.info("%s: %d steps, final loss %.4f", desc, config.steps, history[-1]["loss"])
    return history
