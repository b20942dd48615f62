"""Which runs a sensitivity sweep makes: one setting changed at a time around the default.

A sweep varies the forget-set size, the number of unlearning steps, the learning rate or a
method's β while everything else keeps the default unlearning setting. The points are described
here without running anything (:class:`SweepPoint`, :func:`sweep_points`), so that a sweep can be
counted and deduplicated first (:func:`count_runs`, :func:`distinct_ratios`); a point at a default
value is built as the default run itself (:func:`non_default`), so that it shares that run's
cache entry instead of computing it again.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from pebench.arms import Arm
from pebench.cache import cache_key
from pebench.data import PEBenchDataset
from pebench.experiment import Experiment
from pebench.study import build_experiment
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import METHODS, UnlearnConfig


def non_default(method: str, **hyperparameters: object) -> dict[str, object]:
    """``hyperparameters`` without those equal to the method's own default.

    A sweep's point at the default value then *is* the default run (same experiment, same cache
    entry), instead of a second copy of it under another key.
    """
    if method not in METHODS:
        return dict(hyperparameters)
    defaults = {
        name: p.default
        for name, p in inspect.signature(METHODS[method].__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    return {k: v for k, v in hyperparameters.items() if k not in defaults or defaults[k] != v}


def method_default(method: str, name: str) -> object:
    """The default value of hyper-parameter ``name`` of ``method`` (read from its signature)."""
    parameter = inspect.signature(METHODS[method].__init__).parameters.get(name)
    if parameter is None or parameter.default is inspect.Parameter.empty:
        raise ValueError(f"method {method!r} has no hyper-parameter {name!r} with a default")
    return parameter.default


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: ``method`` on ``target`` with one setting changed from the default."""

    sweep: str
    x: float
    method: str
    target: str
    ratio: float
    unlearn: UnlearnConfig
    hyperparameters: Mapping[str, object] = field(default_factory=dict)

    def experiment(self, seed: int, *, compare_to_oracle: bool = False) -> Experiment:
        """The experiment of this point (:func:`pebench.study.build_experiment`): ``seed`` draws the
        forget set and orders the unlearning batches."""
        return build_experiment(
            Arm(self.method, non_default(self.method, **self.hyperparameters)),
            self.target,
            seed=seed,
            ratio=self.ratio,
            unlearn=self.unlearn,
            compare_to_oracle=compare_to_oracle,
        )


def sweep_points(
    methods: Sequence[str],
    *,
    ratio: float = 0.1,
    unlearn: UnlearnConfig | None = None,
    targets: Sequence[str] = ("person", "event"),
    forget_ratios: Sequence[float] | Mapping[str, Sequence[float]] = (),
    budget_targets: Sequence[str] = ("person",),
    step_counts: Sequence[int] = (),
    learning_rates: Sequence[float] = (),
    betas: Mapping[str, Sequence[float]] | None = None,
) -> list[SweepPoint]:
    """Every run of a one-setting-at-a-time sweep around (``ratio``, ``unlearn``, default β).

    * ``forget_ratios``: each method on each of ``targets`` at each ratio (a mapping gives each
      target its own ratios, e.g. from :func:`distinct_ratios`);
    * ``step_counts``, ``learning_rates``: each method on each of ``budget_targets``;
    * ``betas``: ``{method: values}`` of the method's ``beta`` on each of ``budget_targets``
      (methods without a ``beta`` raise ``ValueError``).
    """
    unlearn = unlearn or UnlearnConfig()
    points: list[SweepPoint] = []
    for target in targets:
        ratios = forget_ratios.get(target, ()) if isinstance(forget_ratios, Mapping) else forget_ratios
        for method in methods:
            points += [SweepPoint("forget_ratio", float(r), method, target, float(r), unlearn) for r in ratios]
    for target in budget_targets:
        for method in methods:
            points += [
                SweepPoint("steps", int(s), method, target, ratio, replace(unlearn, steps=int(s))) for s in step_counts
            ]
            points += [
                SweepPoint("lr", float(lr), method, target, ratio, replace(unlearn, lr=float(lr)))
                for lr in learning_rates
            ]
        for method, values in (betas or {}).items():
            method_default(method, "beta")  # validates
            points += [SweepPoint("beta", float(b), method, target, ratio, unlearn, {"beta": float(b)}) for b in values]
    return points


def distinct_ratios(
    dataset: PEBenchDataset, target: str, ratios: Sequence[float], *, prefer: float = 0.1, seed: int = 0
) -> list[float]:
    """``ratios`` without those that forget as many persons (events) as another one, sorted.

    A population of 10 events forgets 1 event at ratio 0.05 and at 0.1 (at least one is always
    forgotten); a sweep would then plot two runs of the same size. Of ratios that tie, ``prefer``
    (the default ratio, whose runs other sweeps share) is kept, else the smallest.
    """
    by_size: dict[int, float] = {}
    for ratio in sorted(set(map(float, ratios)), key=lambda r: (r != prefer, r)):
        split = ForgetSplit(dataset, ForgetSpec(target, ratio, seed))
        by_size.setdefault(len(split.persons) + len(split.events), ratio)
    return sorted(by_size.values())


def count_runs(points: Sequence[SweepPoint], *, ratio: float, unlearn: UnlearnConfig, seed: int = 0) -> tuple[int, int]:
    """How many distinct experiments ``points`` make, and how many of them are the default setting
    (``ratio``, ``unlearn``, default hyper-parameters): runs a main-results grid shares."""
    distinct: dict[str, SweepPoint] = {}
    for point in points:
        distinct.setdefault(cache_key(point.experiment(seed)), point)
    defaults = [
        p
        for p in distinct.values()
        if p.ratio == ratio and p.unlearn == unlearn and not non_default(p.method, **p.hyperparameters)
    ]
    return len(distinct), len(defaults)
