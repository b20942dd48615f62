"""Run one unlearning method on one forget split: the batch streams and the shared loop.

The runner turns a ``ForgetSplit`` into the data a method declares it needs (forget questions,
their alternative answers, retain questions, per-concept forget batches), makes the frozen reference
copy when asked, and hands everything to ``pebench.train.loop.run_loop``. Methods never see
sampling or optimisation code.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from pebench.encoding import Encoder, Example, as_examples
from pebench.model.lora import AdaptersOff, LoraSettings, maybe_lora
from pebench.targets import ForgetSplit
from pebench.train.loop import LoopConfig, run_loop
from pebench.train.sampling import shuffled_batches
from pebench.unlearn.base import UnlearnBatch, UnlearningMethod

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnlearnConfig:
    """Optimisation of an unlearning run: steps, constant learning rate, batch size, seed.

    With ``lora`` the run trains LoRA adapters (``pebench.model.lora``) instead of every weight and
    merges them into the model at the end; ``None`` (the book's default) trains the full model.
    """

    #: The book's budget, from the rule in :mod:`pebench.budget` (which recomputes it; chapter 3 shows both).
    steps: int = 6
    lr: float = 1e-4
    batch_size: int = 16
    seed: int = 0
    lora: LoraSettings | None = None

    def __post_init__(self) -> None:
        if self.batch_size < 2:
            raise ValueError(f"batch_size must be >= 2, got {self.batch_size}")
        self.loop()

    def loop(self) -> LoopConfig:
        return LoopConfig(steps=self.steps, lr=self.lr, schedule="constant", seed=self.seed)


def unlearning_batches(
    encoder: Encoder, split: ForgetSplit, method: UnlearningMethod, config: UnlearnConfig, device: torch.device
) -> Iterator[UnlearnBatch]:
    """Endless ``UnlearnBatch`` stream holding exactly what ``method`` uses."""
    items = split.forget()
    kinds = [item.kind for item in items]
    forget = as_examples(items)
    alternatives = method.alternatives(forget, kinds, config.seed)
    pairs = list(zip(forget, alternatives or forget, kinds))
    retain_stream = (
        shuffled_batches(as_examples(split.unlearning_retain_items()), config.batch_size, config.seed + 1)
        if method.uses_retain
        else None
    )
    if method.balances_kinds:
        by_kind = {kind: [p for p in pairs if p[2] == kind] for kind in split.spec.kinds}
        per_kind = max(1, config.batch_size // len(by_kind))
        kind_streams = {kind: shuffled_batches(group, per_kind, config.seed + 2) for kind, group in by_kind.items()}
    forget_stream = shuffled_batches(pairs, config.batch_size, config.seed)

    def encode(examples: list[Example]) -> dict[str, torch.Tensor]:
        return {key: value.to(device) for key, value in encoder.training_batch(examples).items()}

    while True:
        parts = None
        if method.balances_kinds:
            drawn = {kind: next(stream) for kind, stream in kind_streams.items()}
            chosen = [pair for group in drawn.values() for pair in group]
            parts = {kind: encode([p[0] for p in group]) for kind, group in drawn.items()}
        else:
            chosen = next(forget_stream)
        yield UnlearnBatch(
            forget=encode([p[0] for p in chosen]),
            retain=encode(next(retain_stream)) if retain_stream is not None else None,
            alternative=encode([p[1] for p in chosen]) if alternatives is not None else None,
            forget_by_kind=parts,
        )


def unlearn(
    model: torch.nn.Module,
    encoder: Encoder,
    split: ForgetSplit,
    method: UnlearningMethod,
    config: UnlearnConfig,
    *,
    progress: bool = True,
    probe: Callable[[], dict[str, float]] | None = None,
    probe_every: int = 0,
) -> list[dict[str, float]]:
    """Apply ``method`` to ``model`` in place; return the per-step log, with ``probe()``'s numbers
    every ``probe_every`` steps and after the last (:mod:`pebench.metrics.probe`).

    The frozen reference (KL, NPO, RMU) is a deep copy taken before any adapter exists, or, with
    ``config.lora.shared_reference``, the same model with its adapters switched off (no copy).
    """
    if method.balances_kinds and len(split.spec.kinds) < 2:
        raise ValueError(f"method {method.name!r} balances persons and events: use target='joint'")
    shared_reference = config.lora is not None and config.lora.shared_reference
    reference = None
    if method.uses_reference and not shared_reference:
        reference = copy.deepcopy(model).eval().requires_grad_(False)
    device = next(model.parameters()).device
    logger.info("unlearning %s with %r for %d steps", split, method, config.steps)
    with maybe_lora(model, config.lora) as trained:
        if method.uses_reference and shared_reference:
            reference = AdaptersOff(trained)
        method.setup(trained, reference)
        return run_loop(
            trained,
            unlearning_batches(encoder, split, method, config, device),
            lambda batch: method.loss(trained, batch),
            config.loop(),
            desc=f"unlearning ({method.name})",
            progress=progress,
            eval_fn=probe,
            eval_every=probe_every,
        )
