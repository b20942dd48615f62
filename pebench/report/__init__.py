"""Analyses of unlearning runs beyond the main tables: sensitivity sweeps and the answers models give.

Two questions the aggregated metrics leave open are answered here. How do a method's forgetting
and keeping move when one setting changes (forget-set size, number of steps, learning rate, a
method's β)? And what does a model answer once it has unlearned, in place of the reference? Both
read the cached runs of :func:`pebench.experiment.run_experiment`: a sweep computes only the runs
not cached yet, and every answer shown is one a run stored.

The package is split by job:

* :mod:`~pebench.report.measures`: the paper's measures and the metric behind each, per target;
* :mod:`~pebench.report.sweeps`: which runs a sweep makes, without running them;
* :mod:`~pebench.report.runs`: running them (or reading them back from the cache), as tidy frames;
* :mod:`~pebench.report.sweep_tables`: a sweep as tables and as numbers for prose;
* :mod:`~pebench.report.sweep_plots`: a sweep's figures;
* :mod:`~pebench.report.examples`: which questions to show as examples;
* :mod:`~pebench.report.answers`: the answers runs stored, as tables;
* :mod:`~pebench.report.answer_analysis`: what those answers are (right, changed, of which kind);
* :mod:`~pebench.report.answer_plots`: images with their answers;
* :mod:`~pebench.report.stored_answers`: one forget draw's runs and their answers, read back;
* :mod:`~pebench.report.sensitivity`: a whole sensitivity study in one call;
* :mod:`~pebench.report.grid_plots`, :mod:`~pebench.report.training_plots`: the figures of a grid
  of runs and of training a base model (each in its own style, :mod:`~pebench.report.style`);
* :mod:`~pebench.report.highlights`, :mod:`~pebench.report.answer_highlights`: the numbers the
  chapters' prose quotes, computed from their tables;
* :mod:`~pebench.report.verdict_summary`: the verdicts on the paper's claims, as the book shows them.

The names the chapters call are re-exported here, so that ``from pebench import report`` reaches
them as ``report.run_sweep``, ``report.answer_table`` and so on.
"""

from pebench.report.answer_analysis import (
    ANSWER_TYPES,
    answer_summary,
    answer_type,
    answer_types,
    first_answer_of_type,
    fluency_examples,
    interference_examples,
    matches_reference,
)
from pebench.report.answer_highlights import (
    answer_type_highlights,
    figure_one_highlights,
    fluency_highlights,
    generality_highlights,
    scope_highlights,
)
from pebench.report.answer_plots import interference_caption, plot_answer_grid, plot_answer_panel
from pebench.report.answers import MissingAnswerError, answer_table, image_answers
from pebench.report.examples import figure_one_image, question, spread_items
from pebench.report.grid_plots import (
    plot_alone_vs_together,
    plot_budget_calibration,
    plot_curves_alone_vs_together,
    plot_forgetting_vs_keeping,
    plot_interference,
    plot_metric_bars,
)
from pebench.report.highlights import (
    accuracy_highlights,
    budget_highlights,
    chance_highlights,
    claim_reading_highlights,
    curves_highlights,
    goal_at_chance_highlights,
    interference_highlights,
    joint_budget_highlights,
    joint_highlights,
    reading_highlights,
    setting_highlights,
    table1_highlights,
    verdict_highlights,
)
from pebench.report.measures import MEASURES, OTHER_KIND, measure_metric
from pebench.report.runs import grid_results, reference_levels, run_sweep
from pebench.report.sensitivity import Sensitivity, SweepDesign, run_sensitivity
from pebench.report.stored_answers import StoredAnswers
from pebench.report.sweep_plots import plot_sweep, plot_tradeoff
from pebench.report.sweep_tables import forget_sizes, present_panels, sweep_highlights, sweep_table
from pebench.report.sweeps import count_runs, distinct_ratios, method_default, non_default, sweep_points
from pebench.report.training_plots import plot_accuracy, plot_learning_curves
from pebench.report.verdict_summary import verdict_box, verdict_summary

__all__ = [
    "ANSWER_TYPES",
    "MEASURES",
    "MissingAnswerError",
    "OTHER_KIND",
    "Sensitivity",
    "StoredAnswers",
    "SweepDesign",
    "accuracy_highlights",
    "budget_highlights",
    "chance_highlights",
    "curves_highlights",
    "answer_summary",
    "answer_table",
    "answer_type",
    "answer_type_highlights",
    "answer_types",
    "count_runs",
    "distinct_ratios",
    "figure_one_highlights",
    "figure_one_image",
    "first_answer_of_type",
    "fluency_examples",
    "fluency_highlights",
    "forget_sizes",
    "generality_highlights",
    "goal_at_chance_highlights",
    "joint_budget_highlights",
    "grid_results",
    "image_answers",
    "interference_caption",
    "interference_examples",
    "interference_highlights",
    "joint_highlights",
    "reading_highlights",
    "matches_reference",
    "measure_metric",
    "method_default",
    "non_default",
    "plot_accuracy",
    "plot_alone_vs_together",
    "plot_budget_calibration",
    "plot_curves_alone_vs_together",
    "plot_answer_grid",
    "plot_answer_panel",
    "plot_forgetting_vs_keeping",
    "plot_interference",
    "plot_learning_curves",
    "plot_metric_bars",
    "plot_sweep",
    "plot_tradeoff",
    "present_panels",
    "question",
    "reference_levels",
    "run_sensitivity",
    "run_sweep",
    "scope_highlights",
    "setting_highlights",
    "spread_items",
    "sweep_highlights",
    "sweep_points",
    "sweep_table",
    "table1_highlights",
    "verdict_box",
    "claim_reading_highlights",
    "verdict_highlights",
    "verdict_summary",
]
