"""The book's setting is written once (:mod:`pebench.setting`); chapters read it, never copy it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pebench.arms import BOUND_LABELS
from pebench.chapter_parameters import chapter_parameters
from pebench.setting import FIELDS, Setting, check_parameter, single_concept_methods
from pebench.targets import ForgetSpec
from pebench.unlearn import METHODS, UnlearnConfig
from pebench_book.chapters import list_chapters

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_no_chapter_copies_a_default_of_the_setting() -> None:
    """A chapter parameter named like a setting defaults to None: the setting's value, not a copy."""
    seen = set()
    for chapter in list_chapters(NOTEBOOKS):
        for parameter in chapter_parameters(chapter):
            if parameter.name in FIELDS:
                assert parameter.default == "None", (chapter.name, parameter.name, parameter.default)
                seen.add(parameter.name)
    assert {"base_seeds", "seeds", "forget_ratio", "methods", "unlearn_steps"} <= seen


def test_the_defaults_come_from_where_each_fact_lives() -> None:
    setting = Setting()
    assert setting.unlearn == UnlearnConfig() and setting.forget_ratio == ForgetSpec().ratio
    assert setting.methods == single_concept_methods() and "balanced" not in setting.methods
    assert set(setting.methods) | {"balanced"} == set(METHODS)
    assert setting.n_runs == len(setting.base_seeds) * len(setting.seeds)
    rows = [arm.name for arm in setting.rows]
    assert rows[0] == BOUND_LABELS["finetune"] and rows[-1] == BOUND_LABELS["retrain"]
    assert [arm.name for arm in setting.balanced_rows] == ["GD", "GD + balanced", "KL", "KL + balanced"]


def test_none_keeps_the_default_and_values_are_normalised() -> None:
    assert Setting.from_parameters(methods=None, forget_ratio=None) == Setting()
    setting = Setting.from_parameters(base_seeds=[3, 1], methods=["rmu", "ga"], forget_ratio=1 / 4, unlearn_lr=1)
    assert setting.base_seeds == (3, 1) and setting.methods == ("rmu", "ga")
    assert setting.forget_ratio == 0.25 and isinstance(setting.unlearn_lr, float)
    assert setting.grid()["unlearn"] == UnlearnConfig(lr=1.0)


def test_a_joint_run_at_equal_exposure_has_one_concepts_budget_per_concept() -> None:
    """Equal exposure: 2 concepts x the one-concept budget (6 steps at the defaults), so that each
    concept sees as many forget examples as alone; equal steps: one concept's budget (dilution)."""
    setting = Setting(unlearn_steps=6)
    assert setting.grid(joint="equal exposure")["unlearn"].steps == 12
    assert setting.grid(joint="equal steps")["unlearn"].steps == 6 == setting.grid()["unlearn"].steps
    with pytest.raises(ValueError, match="joint must be one of"):
        setting.grid(joint="epochs")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("forget_ratio", "abc", "'forget_ratio' must be a number in (0, 1), got 'abc'"),
        ("forget_ratio", 1.0, "'forget_ratio' must be a number in (0, 1)"),
        ("methods", ["zz"], "'zz' is not one of ('ga', 'gd'"),
        ("methods", "ga", "'methods' must be a list of names"),
        ("methods", [], "non-empty list of distinct names"),
        ("joint_bases", ["po"], "'po' is not one of ('gd', 'kl', 'npo')"),
        ("base_seeds", [0, 0], "non-empty list of distinct non-negative integers"),
        ("seeds", [True], "non-empty list of distinct non-negative integers"),
        ("forget_seed", -1, "'forget_seed' must be None or a non-negative integer"),
        ("unlearn_steps", 2.5, "'unlearn_steps' must be an integer >= 1"),
        ("unlearn_batch_size", 1, "'unlearn_batch_size' must be an integer >= 2"),
        ("unlearn_lr", 0, "'unlearn_lr' must be a positive number"),
    ],
)
def test_a_wrong_value_names_the_parameter_and_what_it_accepts(name: str, value: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        Setting.from_parameters(**{name: value})
    assert message in str(error.value)
    with pytest.raises(ValueError):
        check_parameter(name, value)  # the command line's check, before a kernel starts


def test_an_unknown_setting_lists_the_settings() -> None:
    with pytest.raises(ValueError, match="no setting named 'ratio'; settings: base_seeds, seeds"):
        Setting.from_parameters(ratio=0.1)


def test_a_chapter_states_which_methods_its_prose_needs() -> None:
    with pytest.raises(ValueError, match="'methods' must include 'ga': the text quotes GA"):
        Setting(methods=("gd",)).require(["ga"], "the text quotes GA")
    Setting().require(["ga", "rmu"], "every default method is there")
