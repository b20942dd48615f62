"""The book's setting: the one place its default choices are written down.

Every chapter that unlearns asks for the same runs unless its parameters say otherwise: which base
models, how many unlearning runs on each, which forget draw, what share of the fictitious persons
(events) is forgotten, which methods, and how long and how fast they unlearn. A chapter parameter
left at ``None`` means "the value here" (:meth:`Setting.from_parameters`), so the defaults are not
copied into each notebook, and a parameter of the wrong kind fails before anything runs, on every
entry point (the command line checks it before a kernel starts; :func:`check_parameter`).

Why base models with one unlearning run each, rather than fewer with several runs each: the runs
of a table cell are then independent replicates of the whole pipeline (pretraining, fine-tuning,
forget draw, unlearning run), so their standard deviation estimates a rerun's spread without the
bias of a nested design (two runs on one base model agree more than two runs on two base models),
at about the same cost.

Why five: a verdict's interval over *n* replicates is t(0.975, n − 1) · s / √n wide on
each side. With three (the book's former number) that is 2.48 standard deviations of the
replicates, and the smallest effect the intervals could call definite exceeded the paper's own
distance from the threshold for six of its eight claims (0.17 to 0.62 against 0.05 to 0.34, in the
first runs with a pretraining per replicate); with five it is 1.24, half as wide, for the cost of two
more base models (a cold book on two cores took 39.6 minutes instead of 29.1, within its
45-minute budget). The number was raised after the three replicates' intervals were seen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

from pebench.arms import Arm, balanced_arms, bounded
from pebench.targets import ForgetSpec
from pebench.unlearn import METHODS, UnlearnConfig
from pebench.unlearn.balanced import BALANCEABLE


def single_concept_methods() -> tuple[str, ...]:
    """Every registered method that forgets one concept at a time, in registry order (the balanced
    wrapper, which needs both concepts at once, is compared in the joint setting instead)."""
    return tuple(name for name, cls in METHODS.items() if not cls.balances_kinds)


_UNLEARN = UnlearnConfig()
#: The budgets of a joint run (:meth:`Setting.grid`): the book's reading first.
EQUAL_EXPOSURE, EQUAL_STEPS = "equal exposure", "equal steps"
JOINT_BUDGETS = (EQUAL_EXPOSURE, EQUAL_STEPS)


@dataclass(frozen=True)
class Setting:
    """The runs a chapter makes, at the book's defaults unless told otherwise."""

    #: Base models, each pretrained and fine-tuned with its own seed (see
    #: ``PipelineConfig.replicate_pretraining``) and drawing its own forget set.
    base_seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    #: Unlearning seeds (batch order) on each base model.
    seeds: tuple[int, ...] = (0,)
    #: ``None``: each base model draws its own forget set; an integer: one draw shared by all.
    forget_seed: int | None = None
    #: Share of the fictitious persons (events) forgotten; at least one of each.
    forget_ratio: float = ForgetSpec().ratio
    #: The methods compared one concept at a time (Table 1), between the two bounds.
    methods: tuple[str, ...] = field(default_factory=single_concept_methods)
    #: The methods compared with and without the paper's balancing when both concepts are forgotten.
    joint_bases: tuple[str, ...] = ("gd", "kl")
    unlearn_steps: int = _UNLEARN.steps
    unlearn_lr: float = _UNLEARN.lr
    unlearn_batch_size: int = _UNLEARN.batch_size

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            object.__setattr__(self, item.name, _checked(item.name, getattr(self, item.name)))
        self.unlearn  # noqa: B018  (UnlearnConfig checks the optimisation settings together)

    @classmethod
    def from_parameters(cls, **parameters: Any) -> Setting:
        """The setting of a chapter's parameters: each ``None`` keeps the default, every other
        value is checked (:func:`check_parameter`); an unknown name is an error."""
        unknown = sorted(set(parameters) - set(FIELDS))
        if unknown:
            raise ValueError(f"no setting named {', '.join(map(repr, unknown))}; settings: {', '.join(FIELDS)}")
        return cls(**{name: value for name, value in parameters.items() if value is not None})

    @property
    def unlearn(self) -> UnlearnConfig:
        """The unlearning optimisation (steps, learning rate, batch size)."""
        return UnlearnConfig(steps=self.unlearn_steps, lr=self.unlearn_lr, batch_size=self.unlearn_batch_size)

    @property
    def rows(self) -> list[Arm]:
        """The rows of the one-concept comparison: Finetune, the methods, Goal (retrain)."""
        return bounded(self.methods)

    @property
    def balanced_rows(self) -> list[Arm]:
        """Each joint base method without and with the paper's balancing."""
        return balanced_arms(self.joint_bases)

    @property
    def joint_rows(self) -> list[Arm]:
        """The rows of the joint comparison (Table 2): Finetune, :attr:`balanced_rows`, Goal."""
        return [Arm("finetune"), *self.balanced_rows, Arm("retrain")]

    @property
    def n_runs(self) -> int:
        """Runs per table cell: one per base model and unlearning seed."""
        return len(self.base_seeds) * len(self.seeds)

    @property
    def joint_unlearn(self) -> UnlearnConfig:
        """A joint run's optimisation at equal exposure: one concept's budget per concept forgotten.

        A joint run draws each batch from the union of the forget sets, as the paper's epochs over
        the union do, so in one concept's budget each concept would see about half its forget
        examples (the two forget sets are the same size at the book's defaults): *dilution*, which
        alone lowers each one's efficacy. With the budgets of the two one-concept runs added up, the
        joint run sees as many forget examples as both of them together, each concept as many as
        when it is forgotten alone (in expectation; the balanced method draws half of each batch
        from each concept, exactly so)."""
        return dataclasses.replace(self.unlearn, steps=self.unlearn_steps * len(ForgetSpec("joint").kinds))

    def grid(self, *, joint: str | None = None) -> dict[str, Any]:
        """The keyword arguments of :func:`pebench.study.grid_runs` (and of ``run_grid``, ``run_curves``)
        for this setting. ``joint``: the budget of joint runs, ``"equal exposure"`` (the book's
        reading, :attr:`joint_unlearn`) or ``"equal steps"`` (one concept's budget: dilution)."""
        if joint is not None and joint not in JOINT_BUDGETS:
            raise ValueError(f"joint must be one of {JOINT_BUDGETS}, got {joint!r}")
        return {
            "seeds": self.seeds,
            "base_seeds": self.base_seeds,
            "ratio": self.forget_ratio,
            "unlearn": self.joint_unlearn if joint == EQUAL_EXPOSURE else self.unlearn,
            "forget_seed": self.forget_seed,
        }

    def require(self, methods: Iterable[str], why: str) -> None:
        """Fail unless every one of ``methods`` is compared (a chapter whose prose discusses them)."""
        missing = [m for m in methods if m not in self.methods]
        if missing:
            raise ValueError(f"parameter 'methods' must include {', '.join(map(repr, missing))}: {why}")


FIELDS = tuple(item.name for item in dataclasses.fields(Setting))


def _seeds(name: str, value: Any) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"parameter {name!r} must be a list of non-negative integers, got {value!r}")
    seeds = tuple(value)
    if not seeds or not all(_is_int(s) and s >= 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise ValueError(
            f"parameter {name!r} must be a non-empty list of distinct non-negative integers, got {value!r}"
        )
    return tuple(int(s) for s in seeds)


def _names(name: str, value: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValueError(f"parameter {name!r} must be a list of names from {allowed}, got {value!r}")
    names = tuple(value)
    for entry in names:
        if entry not in allowed:
            raise ValueError(f"parameter {name!r}: {entry!r} is not one of {allowed}")
    if not names or len(set(names)) != len(names):
        raise ValueError(f"parameter {name!r} must be a non-empty list of distinct names from {allowed}, got {value!r}")
    return names


def _is_int(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _checked(name: str, value: Any) -> Any:
    """``value`` as the setting ``name`` holds it, or a ``ValueError`` naming the parameter and what
    it accepts."""
    if name in ("base_seeds", "seeds"):
        return _seeds(name, value)
    if name == "forget_seed":
        if value is not None and not (_is_int(value) and value >= 0):
            raise ValueError(f"parameter 'forget_seed' must be None or a non-negative integer, got {value!r}")
        return value if value is None else int(value)
    if name == "forget_ratio":
        if not (isinstance(value, Real) and not isinstance(value, bool) and 0 < value < 1):
            raise ValueError(f"parameter 'forget_ratio' must be a number in (0, 1), got {value!r}")
        return float(value)
    if name == "methods":
        return _names(name, value, tuple(METHODS))
    if name == "joint_bases":
        return _names(name, value, BALANCEABLE)
    if name in ("unlearn_steps", "unlearn_batch_size"):
        least = 2 if name == "unlearn_batch_size" else 1
        if not (_is_int(value) and value >= least):
            raise ValueError(f"parameter {name!r} must be an integer >= {least}, got {value!r}")
        return int(value)
    if name == "unlearn_lr":
        if not (isinstance(value, Real) and not isinstance(value, bool) and value > 0):
            raise ValueError(f"parameter 'unlearn_lr' must be a positive number, got {value!r}")
        return float(value)
    raise ValueError(f"no setting named {name!r}; settings: {', '.join(FIELDS)}")


def check_parameter(name: str, value: Any) -> None:
    """Fail with a clear error if ``value`` is not a valid value of the setting ``name`` (``None``,
    the default, always is). For the command line, which checks parameters before a kernel starts."""
    if value is not None:
        _checked(name, value)


def is_setting(name: str) -> bool:
    """Whether a chapter parameter called ``name`` is one of the book's settings."""
    return name in FIELDS
