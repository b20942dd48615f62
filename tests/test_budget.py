"""The budget rule, the probe along a run and the curves built from it."""

from __future__ import annotations

import pandas as pd
import pytest

from pebench import report
from pebench.budget import CALIBRATION_STEPS, TARGET_EFFICACY, BudgetCalibration, rule_steps
from pebench.experiment import Experiment, run_experiment
from pebench.metrics.probe import PREFIX, PROBE_SIZE, probe_groups
from pebench.setting import Setting
from pebench.study import curves_alone_vs_together
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import UnlearnConfig


def calibration(efficacy: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"step": range(len(efficacy)), "efficacy": efficacy, "retain": [1.0] * len(efficacy)})


def test_the_budget_is_the_first_step_at_the_target_efficacy():
    assert rule_steps(calibration([0.0, 0.5, TARGET_EFFICACY, 1.0, 0.7])) == 2
    assert rule_steps(calibration([0.0, 0.5, 0.79])) is None


def test_budget_highlights_say_whether_the_runs_follow_the_rule():
    curve = calibration([0.0] * 3 + [0.9] * (CALIBRATION_STEPS - 2))
    values = report.budget_highlights(BudgetCalibration(rule_steps(curve), curve), Setting(unlearn_steps=3))
    assert values["budget_rule_steps"] == 3 and values["budget_follows_rule"] == "yes"
    assert values["budget_rule_efficacy"] == pytest.approx(0.9)
    other = report.budget_highlights(BudgetCalibration(None, calibration([0.0] * 41)), Setting(unlearn_steps=3))
    assert other["budget_rule_steps"] == "not reached" and other["budget_follows_rule"] == "no"
    assert "budget_rule_efficacy" not in other and other["budget_last_efficacy"] == 0.0
    assert report.plot_budget_calibration(BudgetCalibration(rule_steps(curve), curve)).axes


def test_a_run_probes_before_its_first_step_and_evenly_after(small_pipeline):
    experiment = Experiment(
        "gd", ForgetSpec("person", 0.25, 0), unlearn=UnlearnConfig(steps=8, lr=3e-4), compare_to_oracle=False, probes=4
    )
    history = run_experiment(small_pipeline, experiment, progress=False)["history"]
    probed = [record for record in history if f"{PREFIX}person_efficacy" in record]
    assert [int(record["step"]) for record in probed] == [0, 2, 4, 6, 8]
    assert probed[0][f"{PREFIX}person_efficacy"] < probed[-1][f"{PREFIX}person_efficacy"]
    assert all(0.0 <= value <= 1.0 for record in probed for key, value in record.items() if key.startswith(PREFIX))
    groups = probe_groups(ForgetSplit(small_pipeline.dataset, experiment.forget))
    assert set(groups) == {"person_efficacy", "person_retain"}
    assert all(0 < len(items) <= PROBE_SIZE for items in groups.values())
    with pytest.raises(ValueError, match="probes"):
        Experiment("gd", ForgetSpec("person", 0.25, 0), probes=-1)


def test_curves_put_each_concept_alone_beside_both_together():
    def run(method: str, target: str, kinds: list[str], value: float) -> list[dict]:
        return [
            {
                "method": method,
                "target": target,
                "base_seed": 0,
                "seed": seed,
                "step": step,
                "metric": f"{k}_{m}",
                "value": value * step,
            }
            for seed in (0, 1)
            for step in (0, 1)
            for k in kinds
            for m in ("efficacy", "retain")
        ]

    single = pd.DataFrame(run("GD", "person", ["person"], 1.0) + run("GD", "event", ["event"], 0.5))
    joint = pd.DataFrame(
        run("GD", "joint", ["person", "event"], 0.2) + run("GD + balanced", "joint", ["person", "event"], 0.4)
    )
    curves = curves_alone_vs_together(single, joint, ["gd"])
    last = curves[curves["step"] == 1].set_index(["concept", "metric", "setting"])["mean"]
    assert last[("person", "efficacy", "alone")] == 1.0 and last[("event", "efficacy", "alone")] == 0.5
    assert last[("event", "retain", "together")] == 0.2 and last[("person", "efficacy", "together, balanced")] == 0.4
    assert set(curves["runs"]) == {2}
    # a joint step shows each concept half a batch of its own: half a one-concept step of exposure
    exposure = curves.set_index(["concept", "metric", "setting", "step"])["exposure"]
    assert (
        exposure[("person", "efficacy", "alone", 1)] == 1.0 and exposure[("person", "efficacy", "together", 1)] == 0.5
    )
    assert len(report.plot_curves_alone_vs_together(curves).axes) == 4
    assert report.curves_highlights(curves) == {"probe_size": PROBE_SIZE, "n_probes": 1}
