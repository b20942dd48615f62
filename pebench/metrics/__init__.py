"""Metrics: each a function of (model, data) returning numbers; ``evaluate`` computes them all."""

from pathlib import Path

from pebench.metrics.privacy import forget_quality, membership_auc
from pebench.metrics.quality import answer_quality
from pebench.metrics.refusal import is_refusal, refusal_rate
from pebench.metrics.suite import GoalReference, evaluate, goal_reference
from pebench.metrics.text import exact_match, rouge_l_f1

#: The metric modules whose code computes results (``pebench.experiment.RESULT_SOURCES``): all of
#: them but the catalog, which only names and describes the metrics, and the chance levels, which
#: are computed from the dataset alone, never from a model's answers.
METRIC_SOURCES = tuple(
    f"metrics/{file.name}"
    for file in sorted(Path(__file__).parent.glob("*.py"))
    if file.name not in ("catalog.py", "chance.py")
)

__all__ = [
    "GoalReference",
    "METRIC_SOURCES",
    "answer_quality",
    "evaluate",
    "exact_match",
    "forget_quality",
    "goal_reference",
    "is_refusal",
    "membership_auc",
    "refusal_rate",
    "rouge_l_f1",
]
