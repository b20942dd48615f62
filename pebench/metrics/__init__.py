"""Metrics: each a function of (model, data) returning numbers; ``evaluate`` computes them all."""

from pebench.metrics.privacy import forget_quality, membership_auc
from pebench.metrics.quality import answer_quality
from pebench.metrics.refusal import is_refusal, refusal_rate
from pebench.metrics.suite import evaluate, forget_statistics
from pebench.metrics.text import exact_match, rouge_l_f1

__all__ = [
    "answer_quality",
    "evaluate",
    "exact_match",
    "forget_quality",
    "forget_statistics",
    "is_refusal",
    "membership_auc",
    "refusal_rate",
    "rouge_l_f1",
]
