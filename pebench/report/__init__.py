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
* :mod:`~pebench.report.answer_plots`: images with their answers.

The names the chapters call are re-exported here, so that ``from pebench import report`` reaches
them as ``report.run_sweep``, ``report.answer_table`` and so on.
"""

from pebench.report.answer_analysis import (
    ANSWER_TYPES,
    answer_summary,
    answer_type,
    answer_types,
    first_answer_of_type,
    interference_examples,
    matches_reference,
)
from pebench.report.answer_plots import plot_answer_grid, plot_answer_panel
from pebench.report.answers import MissingAnswerError, answer_table, image_answers
from pebench.report.examples import figure_one_image, question, spread_items
from pebench.report.measures import MEASURES, OTHER_KIND, measure_metric
from pebench.report.runs import grid_results, reference_levels, run_sweep
from pebench.report.sweep_plots import plot_sweep, plot_tradeoff
from pebench.report.sweep_tables import sweep_highlights, sweep_table
from pebench.report.sweeps import count_runs, distinct_ratios, method_default, non_default, sweep_points

__all__ = [
    "ANSWER_TYPES",
    "MEASURES",
    "OTHER_KIND",
    "MissingAnswerError",
    "answer_summary",
    "answer_table",
    "answer_type",
    "answer_types",
    "count_runs",
    "distinct_ratios",
    "figure_one_image",
    "first_answer_of_type",
    "grid_results",
    "image_answers",
    "interference_examples",
    "matches_reference",
    "measure_metric",
    "method_default",
    "non_default",
    "plot_answer_grid",
    "plot_answer_panel",
    "plot_sweep",
    "plot_tradeoff",
    "question",
    "reference_levels",
    "run_sweep",
    "spread_items",
    "sweep_highlights",
    "sweep_points",
    "sweep_table",
]
