"""Tests of pebench.report: sweep construction and tables, example selection, answer tables, plots.

No model is trained here: runs are replaced by a fake runner whose metrics are a function of the
experiment, and answers by made-up prediction dicts, so the tests check the bookkeeping (which
runs, which columns, which examples) in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # tests only: the notebooks keep the inline backend

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pebench import report
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.experiment import Experiment
from pebench.metrics.fluency import known_answers
from pebench.plotting import upscaled
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import UnlearnConfig

SMALL = DatasetConfig(n_persons=10, n_events=5, n_real_persons=2, n_real_events=2, seed=1, caption_images=0)

#: The book's default unlearning budget: a sweep point at it is the default run.
BUDGET = UnlearnConfig().steps


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> PEBenchDataset:
    return PEBenchDataset.load(ensure_dataset(SMALL, tmp_path_factory.mktemp("data"), progress=False))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class FakeRunner:
    """Stands in for run_experiment: deterministic metrics from the experiment, and a call log."""

    def __init__(self, dataset: PEBenchDataset) -> None:
        self.dataset = dataset
        self.calls: list[Experiment] = []

    def __call__(self, pipeline: object, experiment: Experiment) -> dict:
        self.calls.append(experiment)
        split = ForgetSplit(self.dataset, experiment.forget)
        beta = float(experiment.hyperparameters.get("beta", 1))
        strength = experiment.unlearn.steps * experiment.unlearn.lr * 250 * beta
        metrics = {}
        for kind in experiment.forget.kinds:
            other = report.OTHER_KIND[kind]
            metrics |= {
                f"{kind}_efficacy": min(1.0, strength),
                f"{kind}_generality": min(1.0, strength) / 2,
                f"{kind}_retain": 1 - experiment.forget.ratio,
                f"{other}_scope": 0.9,
                f"{kind}_real": 0.8,
            }
        metrics |= {"world_fact": 0.6}
        return {
            "metrics": metrics,
            "forget_persons": sorted(split.persons),
            "forget_events": sorted(split.events),
            "predictions": {},
        }


# -- sensitivity -----------------------------------------------------------------------------------
def test_measure_metric_reads_the_other_concept_for_scope() -> None:
    assert report.measure_metric("person", "scope") == "event_scope"
    assert report.measure_metric("event", "scope") == "person_scope"
    assert report.measure_metric("event", "retain") == "event_retain"
    with pytest.raises(ValueError):
        report.measure_metric("joint", "retain")
    with pytest.raises(ValueError):
        report.measure_metric("person", "quality")


def test_non_default_drops_default_hyperparameters() -> None:
    assert report.non_default("npo", beta=0.1) == {}
    assert report.non_default("npo", beta=0.5) == {"beta": 0.5}
    assert report.non_default("simnpo", beta=2.5, gamma=0.0) == {}
    assert report.non_default("finetune", beta=1.0) == {"beta": 1.0}  # bounds take no hyper-parameters
    assert report.method_default("npo", "beta") == 0.1
    with pytest.raises(ValueError):
        report.method_default("gd", "beta")


def test_sweep_points_vary_one_setting_at_a_time() -> None:
    base = UnlearnConfig()
    points = report.sweep_points(
        ["gd", "npo"],
        ratio=0.1,
        unlearn=base,
        targets=["person", "event"],
        forget_ratios=[0.1, 0.2],
        budget_targets=["person"],
        step_counts=[10, BUDGET],
        learning_rates=[3e-5],
        betas={"npo": [0.1, 1.0]},
    )
    by_sweep = pd.Series([p.sweep for p in points]).value_counts().to_dict()
    assert by_sweep == {"forget_ratio": 8, "steps": 4, "lr": 2, "beta": 2}
    for point in points:
        changed = {
            "forget_ratio": point.ratio != 0.1,
            "steps": point.unlearn.steps != base.steps,
            "lr": point.unlearn.lr != base.lr,
            "beta": point.hyperparameters.get("beta", 0.1) != 0.1,
        }
        others = [name for name, flag in changed.items() if flag and name != point.sweep]
        assert not others, point
    with pytest.raises(ValueError):
        report.sweep_points(["gd"], betas={"gd": [0.1]})


def test_distinct_ratios_keeps_one_ratio_per_forget_size(dataset: PEBenchDataset) -> None:
    # 10 persons, 5 events: ratios 0.1 and 0.2 both forget one event; 0.05 and 0.1 one person
    assert report.distinct_ratios(dataset, "event", [0.05, 0.1, 0.2, 0.4]) == [0.1, 0.4]
    assert report.distinct_ratios(dataset, "person", [0.05, 0.1, 0.2, 0.4]) == [0.1, 0.2, 0.4]
    assert report.distinct_ratios(dataset, "person", [0.05, 0.2], prefer=0.1) == [0.05, 0.2]
    points = report.sweep_points(["gd"], targets=["person", "event"], forget_ratios={"person": [0.1, 0.2]})
    assert [(p.target, p.x) for p in points] == [("person", 0.1), ("person", 0.2)]


def test_default_points_of_different_sweeps_are_the_same_experiment() -> None:
    points = report.sweep_points(
        ["npo"],
        forget_ratios=[0.1],
        targets=["person"],
        step_counts=[BUDGET],
        learning_rates=[1e-4],
        betas={"npo": [0.1]},
    )
    experiments = {repr(p.experiment(seed=3)) for p in points}
    assert len(points) == 4 and len(experiments) == 1
    assert report.count_runs(points, ratio=0.1, unlearn=UnlearnConfig()) == (1, 1)
    more = report.sweep_points(["npo"], targets=["person"], forget_ratios=[0.1, 0.2], step_counts=[20, BUDGET])
    assert report.count_runs(more, ratio=0.1, unlearn=UnlearnConfig()) == (3, 1)
    experiment = points[0].experiment(seed=3)
    assert experiment.forget == ForgetSpec("person", 0.1, 3)
    assert experiment.unlearn.seed == 3 and experiment.compare_to_oracle is False


def test_run_sweep_runs_each_experiment_once_and_renames_metrics(dataset: PEBenchDataset) -> None:
    runner = FakeRunner(dataset)
    points = report.sweep_points(
        ["gd", "npo"],
        targets=["person", "event"],
        forget_ratios=[0.1, 0.3],
        step_counts=[20, BUDGET],
        betas={"npo": [0.1, 0.5]},
    )
    frame = report.run_sweep(None, points, seed=0, runner=runner)  # type: ignore[arg-type]
    assert len(frame) == len(points) * len(report.MEASURES)
    # the default-budget points of GD and NPO and NPO's beta=0.1 point are the person ratio-0.1 runs
    assert len(runner.calls) == len(points) - 3
    assert set(frame["method"]) == {"GD", "NPO"}
    event_scope = frame.query("sweep == 'forget_ratio' and target == 'event' and measure == 'scope'")
    assert set(event_scope["metric"]) == {"person_scope"}
    retain = frame.query("sweep == 'forget_ratio' and target == 'person' and measure == 'retain'")
    assert sorted(retain["value"].round(3).unique()) == [0.7, 0.9]
    forgotten = frame.query("sweep == 'forget_ratio' and target == 'person'").groupby("x")["forgotten"].first()
    assert forgotten.to_dict() == {0.1: 1, 0.3: 3}

    oracle = [e.compare_to_oracle for e in runner.calls]
    assert not any(oracle)
    runner.calls.clear()
    report.run_sweep(None, points, seed=0, oracle_ratio=0.1, runner=runner)  # type: ignore[arg-type]
    assert [e.compare_to_oracle for e in runner.calls] == [e.forget.ratio == 0.1 for e in runner.calls]
    # gd/npo x person/event at ratio 0.1, gd/npo at 20 steps, npo at beta 0.5
    assert sum(e.compare_to_oracle for e in runner.calls) == 4 + 2 + 1

    values = report.sweep_highlights(frame, keep_level=0.8)
    assert values["forget_ratio_person_gd_lo_x"] == 0.1 and values["forget_ratio_person_gd_hi_n"] == 3
    assert values["forget_ratio_person_gd_hi_retain"] == pytest.approx(0.7)
    assert values["forget_ratio_person_gd_retain_below"] == "0.3"
    assert values["steps_person_npo_retain_below"] == "none of the swept values"
    assert values["forget_ratio_person_gd_retain_above"] == "0.1"
    # the fake's retain does not depend on steps: a tie goes to the smallest swept value
    assert values["steps_person_gd_min_retain_x"] == float(min(20, BUDGET))
    assert all("." not in key for key in values)
    assert all(type(v) in (float, int, str) for v in values.values())

    table = report.sweep_table(frame, "steps")
    assert list(table.columns) == list(report.MEASURES)
    assert table.index.names == ["target", "method", "steps"]
    with pytest.raises(ValueError):
        report.sweep_table(frame, "lr")


def test_sweep_plots_have_a_panel_per_row_and_measure(dataset: PEBenchDataset) -> None:
    runner = FakeRunner(dataset)
    points = report.sweep_points(
        ["gd", "npo"], targets=["person", "event"], forget_ratios=[0.1, 0.3], step_counts=[20, BUDGET]
    )
    frame = report.run_sweep(None, points, runner=runner)  # type: ignore[arg-type]
    reference = report.reference_levels(None, ["person", "event"], runner=runner)  # type: ignore[arg-type]
    assert set(reference["measure"]) == set(report.MEASURES)
    fig = report.plot_sweep(frame, [("forget_ratio", "person"), ("forget_ratio", "event")], reference=reference)
    assert len(fig.axes) == 2 * len(report.MEASURES)
    fig = report.plot_tradeoff(frame, [("forget_ratio", "person"), ("steps", "person")], reference=reference)
    assert len(fig.axes) == 2
    with pytest.raises(ValueError):
        report.plot_sweep(frame, [("lr", "person")])


# -- qualitative -----------------------------------------------------------------------------------
def test_figure_one_image_shows_a_forgotten_person_in_a_forgotten_event(dataset: PEBenchDataset) -> None:
    persons = ForgetSplit(dataset, ForgetSpec("person", 0.2, 0))
    events = ForgetSplit(dataset, ForgetSpec("event", 0.2, 0))
    image_id = report.figure_one_image(persons, events)
    image = dataset.images[image_id]
    assert image.split == "train"
    assert image.person_id == min(persons.persons) and image.event_id == min(events.events)
    # both questions are evaluated by both runs: forget questions of one, scope questions of the other
    person_q, event_q = report.question(dataset, image_id, "person"), report.question(dataset, image_id, "event")
    assert person_q in persons.forget("person") and person_q in events.scope("person")
    assert event_q in events.forget("event") and event_q in persons.scope("event")
    with pytest.raises(ValueError):
        report.figure_one_image(events, events)


def test_spread_items_prefers_new_persons_and_events(dataset: PEBenchDataset) -> None:
    split = ForgetSplit(dataset, ForgetSpec("person", 0.2, 0))
    items = split.forget("person")
    picked = report.spread_items(items, 2)
    assert len(picked) == 2
    assert len({i.person_id for i in picked}) == 2 and len({i.event_id for i in picked}) == 2
    many = report.spread_items(items, 100)
    assert len(many) == len({i.image_id for i in items})
    assert report.spread_items(items, 3) == report.spread_items(items, 3)


def _results(items, answers_by_label):
    return {label: {"predictions": {i.qa_id: answer(i) for i in items}} for label, answer in answers_by_label.items()}


def test_answer_table_reads_stored_answers_and_refuses_missing_ones(dataset: PEBenchDataset) -> None:
    split = ForgetSplit(dataset, ForgetSpec("person", 0.2, 0))
    items = report.spread_items(split.scope("event"), 3)
    results = _results(
        items,
        {
            "Finetune": lambda i: i.answer,
            "GD": lambda i: "I do not know" if i.qa_id == items[0].qa_id else i.answer,
            "NPO": lambda i: "zzz",
        },
    )
    table = report.answer_table(dataset, items, results)
    assert list(table.columns[-3:]) == ["Finetune", "GD", "NPO"]
    assert table["reference"].tolist() == [i.answer for i in items]
    assert table.loc[0, "GD"] == "I do not know"
    matches = report.matches_reference(table, ["Finetune", "GD", "NPO"])
    assert matches["Finetune"].all() and not matches["NPO"].any() and matches["GD"].tolist() == [False, True, True]
    examples = report.interference_examples(table, "Finetune", ["GD", "NPO"], n=2)
    assert examples["qa_id"].tolist()[0] == items[0].qa_id and examples["changed_by"].tolist() == [2, 1]
    summary = report.answer_summary(table, "Finetune", ["Finetune", "GD", "NPO"])
    assert summary.loc["GD", "correct"] == pytest.approx(2 / 3) and summary.loc["GD", "changed"] == pytest.approx(1 / 3)
    assert summary.loc["Finetune", "changed"] == 0 and summary.loc["NPO", "correct"] == 0
    assert (summary["n"] == 3).all()
    unchanged = report.interference_examples(table, "Finetune", ["Finetune"], n=2)
    assert unchanged.empty

    missing = {"GD": {"predictions": {}}}
    with pytest.raises(report.MissingAnswerError, match="predict"):
        report.answer_table(dataset, items, missing)


def test_answer_plots_draw_every_answer(dataset: PEBenchDataset) -> None:
    persons = ForgetSplit(dataset, ForgetSpec("person", 0.2, 0))
    events = ForgetSplit(dataset, ForgetSpec("event", 0.2, 0))
    image_id = report.figure_one_image(persons, events)
    answers = pd.DataFrame(
        {"person": ["a name", "I do not know"], "event": ["some event", ""]},
        index=["Finetune", "after person unlearning"],
    )
    fig = report.plot_answer_panel(dataset, image_id, answers)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("I do not know" in t for t in texts) and any("(empty answer)" in t for t in texts)
    assert any(report.question(dataset, image_id, "person").answer in t for t in texts)

    items = report.spread_items(persons.forget("person"), 2)
    table = report.answer_table(dataset, items, _results(items, {"GD": lambda i: i.answer}))
    fig = report.plot_answer_grid(dataset, table, ["GD"])
    # a column per example beside the row names; rows: titles, images, the reference, GD's answers
    assert len(fig.axes) == 4 * (1 + len(table))
    assert sum(bool(ax.images) for ax in fig.axes) == len(table)
    assert fig.get_size_inches()[0] <= 10.5  # reads at page width
    assert upscaled(dataset, image_id, 3).shape[:2] == tuple(3 * s for s in dataset.image(image_id).size)


def test_image_answers_and_grid_results(dataset: PEBenchDataset) -> None:
    runner = FakeRunner(dataset)
    results = report.grid_results(
        None,
        ["finetune", "gd"],
        ["person", "event"],
        seed=2,
        runner=runner,  # type: ignore[arg-type]
    )
    assert list(results) == [("person", "finetune"), ("person", "gd"), ("event", "finetune"), ("event", "gd")]
    assert all(e.compare_to_oracle and e.unlearn.seed == 2 and e.forget.seed == 2 for e in runner.calls)
    # the same experiments as pebench.study.run_grid builds, so its cached runs are shared
    grid = [
        Experiment(m, ForgetSpec(t, 0.1, 2), {}, UnlearnConfig(seed=2))
        for t in ("person", "event")
        for m in ("finetune", "gd")
    ]
    assert runner.calls == grid

    persons = ForgetSplit(dataset, ForgetSpec("person", 0.2, 0))
    events = ForgetSplit(dataset, ForgetSpec("event", 0.2, 0))
    image_id = report.figure_one_image(persons, events)
    items = [report.question(dataset, image_id, kind) for kind in ("person", "event")]
    runs = _results(items, {"before": lambda i: i.answer, "after": lambda i: "x" if i.kind == "person" else i.answer})
    answers = report.image_answers(dataset, image_id, runs)
    assert list(answers.index) == ["before", "after"] and list(answers.columns) == ["person", "event"]
    assert answers.loc["after", "person"] == "x" and answers.loc["after", "event"] == items[1].answer


def test_answer_types_tell_forgotten_answers_apart() -> None:
    known = ["Ann Lee", "Bob Kim", "Cy Dunn"]
    words = known_answers(known)
    assert report.answer_type("ann lee", "Ann Lee", words) == "reference"
    assert report.answer_type("  ", "Ann Lee", words) == "empty"
    assert report.answer_type("I do not know who this person is", "Ann Lee", words) == "refusal"
    assert report.answer_type("bob kim", "Ann Lee", words) == "other known answer"
    assert report.answer_type("ann kim kim kim", "Ann Lee", words) == "loop"
    assert report.answer_type("ann kim kim", "Ann Lee", words) == "fragment"
    table = pd.DataFrame(
        {
            "reference": ["Ann Lee", "Bob Kim", "Cy Dunn", "Ann Lee"],
            "A": ["ann lee", "", "bob kim", "zz"],
            "B": ["cy dunn", "cy dunn", "cy dunn", "cy dunn"],
            "Goal": ["bob kim", "ann lee", "bob kim", "zz"],
        }
    )
    types = report.answer_types(table, ["A", "B"], words, goal="Goal")
    assert types.loc["A", list(report.ANSWER_TYPES)].tolist() == [0.25, 0.25, 0.0, 0.25, 0.0, 0.25]
    assert types.loc["B", "reference"] == 0.25 and types.loc["B", "other known answer"] == 0.75
    assert types.loc["A", "distinct"] == 4 and types.loc["B", "distinct"] == 1
    assert types.loc["A", "same as goal"] == 0.5 and types.loc["B", "same as goal"] == 0.0
    assert types[list(report.ANSWER_TYPES)].sum(axis=1).tolist() == [1.0, 1.0]
    assert report.first_answer_of_type(table, "A", "fragment", words) == "zz"
    assert report.first_answer_of_type(table, "B", "empty", words) is None


#: The widest a committed figure may be, in inches at the saving DPI: the book's column is about 7
#: inches, so a wider figure is scaled down and its 8-point labels fall below 6 points on the page.
MAX_FIGURE_INCHES = 10.5


def test_committed_figures_read_at_page_width() -> None:
    from PIL import Image

    from pebench.figures import DPI

    root = Path(__file__).resolve().parents[1] / "figures"
    wide = {}
    for path in sorted(root.glob("*.png")):
        with Image.open(path) as image:
            inches = image.size[0] / DPI
        if inches > MAX_FIGURE_INCHES:
            wide[path.name] = round(inches, 1)
    assert not wide, f"figures wider than {MAX_FIGURE_INCHES} inches: {wide}"
