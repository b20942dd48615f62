"""The unlearning budget: how many steps the book's runs take, and the rule that chose it.

A budget at which every method has forgotten every forget answer hides whatever acts on efficacy:
the paper's claims that forgetting both concepts at once lowers efficacy, and that its balancing
raises it again (chapter 5), can only show where efficacy is not already 1. At the book's former
budget of 40 steps gradient difference had long forgotten every probed name (chapter 3 shows the
calibration curve). The rule, written down before any verdict was computed at the budget it gives:

    *The budget is the first step at which gradient difference (GD), forgetting persons from base
    model 0 on a calibration forget draw that no chapter reports, reaches a person efficacy of at
    least* :data:`TARGET_EFFICACY` *on the probe set* (:mod:`pebench.metrics.probe`).

0.8 is the lower end of "most of the forget set is forgotten": at the budget GD forgets most, not
all, so a method or a setting that forgets more, or less, can still show it. The calibration draw is
a forget set of its own (:data:`CALIBRATION_FORGET_SEED`), so the budget is not fitted to the forget
sets whose results the book reports. ``UnlearnConfig().steps`` holds the rule's value;
:func:`calibrate_budget` recomputes it, and the book shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pebench.experiment import Experiment, run_experiment
from pebench.pipeline import Pipeline, base_config
from pebench.targets import ForgetSpec
from pebench.unlearn import UnlearnConfig

#: Person efficacy GD must reach on the probe set.
TARGET_EFFICACY = 0.8
#: The method, target and base model of the calibration run.
CALIBRATION_METHOD, CALIBRATION_TARGET, CALIBRATION_BASE_SEED = "gd", "person", 0
#: The calibration run's forget draw: a seed no chapter draws with (they use the base models' seeds).
CALIBRATION_FORGET_SEED = 1000
#: The longest budget the rule considers: the book's former one.
CALIBRATION_STEPS = 40


@dataclass(frozen=True)
class BudgetCalibration:
    """The rule's budget (``None``: GD never reached the target within ``CALIBRATION_STEPS``) and the
    calibration run's probe curve (``step``, ``efficacy``, ``retain``)."""

    steps: int | None
    curve: pd.DataFrame


def calibration_experiment(ratio: float = ForgetSpec().ratio) -> Experiment:
    """The calibration run: GD on persons, probed after every step."""
    return Experiment(
        CALIBRATION_METHOD,
        ForgetSpec(CALIBRATION_TARGET, ratio, CALIBRATION_FORGET_SEED),
        unlearn=UnlearnConfig(steps=CALIBRATION_STEPS, seed=CALIBRATION_BASE_SEED),
        compare_to_oracle=False,
        probes=CALIBRATION_STEPS,
    )


def calibrate_budget(pipeline: Pipeline, *, progress: bool = True) -> BudgetCalibration:
    """Apply the rule with ``pipeline``'s settings (its base model 0; cached like every run)."""
    base = Pipeline(
        base_config(CALIBRATION_BASE_SEED, pipeline.config), root=pipeline.root, device=str(pipeline.device)
    )
    history = run_experiment(base, calibration_experiment(), progress=progress)["history"]
    prefix = f"probe_{CALIBRATION_TARGET}"
    curve = pd.DataFrame(
        {"step": int(h["step"]), "efficacy": h[f"{prefix}_efficacy"], "retain": h[f"{prefix}_retain"]}
        for h in history
        if f"{prefix}_efficacy" in h
    )
    return BudgetCalibration(rule_steps(curve), curve)


def rule_steps(curve: pd.DataFrame) -> int | None:
    """The rule on a probe ``curve`` (``step``, ``efficacy``): the first step whose efficacy is at
    least :data:`TARGET_EFFICACY`, or None when no step reaches it."""
    reached = curve.loc[curve["efficacy"] >= TARGET_EFFICACY, "step"]
    return int(reached.min()) if len(reached) else None
