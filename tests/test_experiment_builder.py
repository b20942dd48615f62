"""Every run of the book is built by one function, :func:`pebench.study.build_experiment`.

An experiment's cache key decides which cached run a chapter reads back, so grids, sweeps, the
report's read-backs and ``pebench unlearn`` must build the same experiment for the same setting.
Here the builder is wrapped by a recorder in every module that calls it and the runs are replaced
by stubs: nothing is trained or run, each test checks that what would have run is exactly what the
builder returned, and that it equals an explicitly written ``Experiment``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import pebench.cli.science  # noqa: F401  (imported so that the recorder wraps every caller)
import pebench.experiment
from pebench import cli, report, study
from pebench.arms import Arm
from pebench.cache import cache_key
from pebench.chapter_parameters import chapter_parameters
from pebench.data import DatasetConfig
from pebench.experiment import Experiment
from pebench.metrics.catalog import metric_names
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.setting import Setting, is_setting
from pebench.study import build_experiment, run_grid
from pebench.targets import ForgetSpec
from pebench.unlearn import UnlearnConfig

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SMALL = DatasetConfig(n_persons=10, n_events=5, n_real_persons=2, n_real_events=2, seed=1)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    """A pipeline over a small dataset; no model is ever trained from it here."""
    return Pipeline(PipelineConfig(data=SMALL), root=tmp_path_factory.mktemp("artifacts"))


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[Experiment]:
    """Every experiment ``build_experiment`` returns, whichever module calls it."""
    made: list[Experiment] = []
    real = study.build_experiment

    def recording(*args: object, **kwargs: object) -> Experiment:
        experiment = real(*args, **kwargs)
        made.append(experiment)
        return experiment

    callers = [m for m in list(sys.modules.values()) if getattr(m, "build_experiment", None) is real]
    assert {m.__name__ for m in callers} >= {"pebench.study", "pebench.report.runs", "pebench.report.sweeps"}
    for module in callers:
        monkeypatch.setattr(module, "build_experiment", recording)
    return made


def fake_result(*_: object, **__: object) -> dict:
    """What a run returns, with every metric, so that the tables built from it can be computed."""
    return {
        "metrics": {name: 0.5 for name in metric_names()},
        "forget_persons": ["p"],
        "forget_events": ["e"],
        "seconds": 0.0,
        "history": [],
        "predictions": {},
    }


class Recorder:
    """Stands in for every way a run is started, and logs each (pipeline, experiment) instead."""

    def __init__(self) -> None:
        self.calls: list[tuple[Pipeline | None, Experiment]] = []

    def run_experiments(
        self, tasks: list[tuple[Pipeline, Experiment]], *, workers: int | None = None, progress: bool = True
    ) -> list[dict]:
        """Replaces ``pebench.workers.run_experiments`` (grids)."""
        self.calls.extend(tasks)
        return [fake_result() for _ in tasks]

    def __call__(self, pipeline: Pipeline | None, experiment: Experiment, *, progress: bool = True) -> dict:
        """Replaces ``pebench.experiment.run_experiment`` (the command line), and is the report's runner."""
        self.calls.append((pipeline, experiment))
        return fake_result()

    def experiments(self) -> list[Experiment]:
        return [experiment for _, experiment in self.calls]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """What a grid, a report function or the command line would have run."""
    recorder = Recorder()
    monkeypatch.setattr(study, "run_experiments", recorder.run_experiments)
    monkeypatch.setattr(pebench.experiment, "run_experiment", recorder)  # the command line imports it when called
    return recorder


def assert_all_built(ran: Recorder, built: list[Experiment]) -> None:
    """Every experiment run is one the builder returned (the same object, not a look-alike)."""
    assert ran.calls and all(any(e is b for b in built) for e in ran.experiments())


def test_the_builder_maps_the_book_vocabulary() -> None:
    # the default setting is Experiment's own default
    assert build_experiment(Arm("finetune"), "person", seed=0) == Experiment("finetune")
    # seed orders the batches; the base model's seed draws the forget set ...
    assert build_experiment(
        Arm("npo", {"beta": 0.5}, "NPO β=0.5"), "event", seed=1, base_seed=2, ratio=0.2, unlearn=UnlearnConfig(steps=10)
    ) == Experiment("npo", ForgetSpec("event", 0.2, 2), {"beta": 0.5}, UnlearnConfig(steps=10, seed=1))
    # ... unless forget_seed fixes one draw for all; without a base seed, seed draws it
    assert build_experiment(Arm("gd"), "joint", seed=1, base_seed=2, forget_seed=0).forget == ForgetSpec(
        "joint", 0.1, 0
    )
    assert build_experiment(Arm("gd"), "joint", seed=3, compare_to_oracle=False) == Experiment(
        "gd", ForgetSpec("joint", 0.1, 3), {}, UnlearnConfig(seed=3), compare_to_oracle=False
    )


def test_grids_build_their_runs_with_the_builder(pipeline: Pipeline, built: list[Experiment], ran: Recorder) -> None:
    rows = [Arm("finetune"), Arm("balanced", {"base": "gd"}, "GD + balanced")]
    unlearn = UnlearnConfig(steps=5)
    results = run_grid(pipeline, rows, ["person", "joint"], [0, 1], base_seeds=[0, 2], unlearn=unlearn, progress=False)
    assert_all_built(ran, built)
    assert len(ran.calls) == 2 * 2 * 2 * 2 and set(results["method"]) == {"Finetune", "GD + balanced"}
    assert all(
        p.config.finetune.seed == e.forget.seed for p, e in ran.calls
    )  # each base model draws its own forget set
    assert (ran.calls[-1][0].config.finetune.seed, ran.calls[-1][1]) == (
        2,
        Experiment("balanced", ForgetSpec("joint", 0.1, 2), {"base": "gd"}, UnlearnConfig(steps=5, seed=1)),
    )


def test_sweeps_and_read_backs_build_their_runs_with_the_builder(built: list[Experiment], ran: Recorder) -> None:
    points = report.sweep_points(["gd"], targets=["person"], forget_ratios=[0.2], step_counts=[10])
    report.run_sweep(None, points, seed=3, runner=ran)
    report.reference_levels(None, ["event"], seed=3, runner=ran)
    report.grid_results(None, ["kl"], ["person"], seed=3, forget_seed=1, runner=ran)
    assert_all_built(ran, built)
    assert ran.experiments() == [
        Experiment("gd", ForgetSpec("person", 0.2, 3), {}, UnlearnConfig(seed=3), compare_to_oracle=False),
        Experiment("gd", ForgetSpec("person", 0.1, 3), {}, UnlearnConfig(steps=10, seed=3), compare_to_oracle=False),
        Experiment("finetune", ForgetSpec("event", 0.1, 3), {}, UnlearnConfig(seed=3), compare_to_oracle=False),
        Experiment("kl", ForgetSpec("person", 0.1, 1), {}, UnlearnConfig(seed=3)),
    ]


def test_the_command_line_builds_its_run_with_the_builder(
    pipeline: Pipeline,
    built: list[Experiment],
    ran: Recorder,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli.science, "make_pipeline", lambda args: pipeline)
    options = ["--seed", "1", "--base-seed", "2", "--steps", "10", "-H", "beta", "0.5", "--no-oracle"]
    assert cli.main(["unlearn", "--method", "npo", "--target", "event", *options, "--json"]) == 0
    assert cli.main(["unlearn", "--method", "gd", "--target", "person", "--json"]) == 0
    capsys.readouterr()
    assert_all_built(ran, built)
    assert ran.experiments() == [
        # --seed draws the forget set and orders the batches; --base-seed only chooses the base model
        Experiment(
            "npo", ForgetSpec("event", 0.1, 1), {"beta": 0.5}, UnlearnConfig(steps=10, seed=1), compare_to_oracle=False
        ),
        Experiment("gd", ForgetSpec("person", 0.1, 0), {}, UnlearnConfig(), compare_to_oracle=True),
    ]


def chapter_setting(number: str) -> tuple[Setting, dict[str, object]]:
    """The setting of chapter ``number`` at its default parameters, and those parameters as values."""
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    values = {p.name: ast.literal_eval(p.default) for p in chapter_parameters(path)}
    return Setting.from_parameters(**{k: v for k, v in values.items() if is_setting(k)}), values


def test_the_chapters_read_back_the_main_results_runs(pipeline: Pipeline, ran: Recorder) -> None:
    """At their default parameters, chapter 6's default runs and reference levels and chapter 7's
    answers are chapter 3's runs on its first base model: the chapters' calls, runs stubbed."""

    def keys(calls: list[tuple[Pipeline, Experiment]]) -> set[str]:
        return {cache_key(p.config, e) for p, e in calls}

    main, _ = chapter_setting("03")
    run_grid(pipeline, main.rows, ["person", "event"], **main.grid(), progress=False)
    grid = keys(ran.calls)
    ran.calls.clear()

    setting, sweep = chapter_setting("06")
    design = report.SweepDesign(
        sweep["sweep_methods"],
        seed=sweep["seed"],
        targets=sweep["targets"],
        forget_ratios=sweep["forget_ratios"],
        budget_targets=sweep["budget_targets"],
        step_counts=sweep["step_counts"],
        learning_rates=sweep["learning_rates"],
        betas=sweep["betas"],
    )
    study_runs = report.run_sensitivity(pipeline, setting, design, runner=ran)
    n_default = study_runs.highlights["n_default_runs"]
    references = keys([(p, e) for p, e in ran.calls if e.method == "finetune"])  # each target's reference level
    assert n_default > 0 and len(references) == len(set(design.targets) | set(design.budget_targets))
    assert references <= grid and len(keys(ran.calls) & grid) == n_default + len(references)
    ran.calls.clear()

    answers, values = chapter_setting("07")
    report.StoredAnswers.read(pipeline, answers, seed=values["seed"], forget_seed=values["forget_seed"], runner=ran)
    assert len(ran.calls) == 2 * len(answers.rows) and keys(ran.calls) <= grid
