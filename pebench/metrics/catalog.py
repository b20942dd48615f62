"""Every metric once: its name, the paper's column and scorer, its direction and what it measures.

The names in :func:`pebench.metrics.suite.evaluate`'s result, the order the command line prints
them in, the Table 1 columns the verdicts read and the summary table of the glossary page all come
from :data:`CATALOG`. A name with ``{k}`` is one metric per forgotten kind (``person``, ``event``);
``{o}`` is the *other* kind, measured when ``{k}`` is forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("person", "event")
OTHER_KIND = {"person": "event", "event": "person"}


@dataclass(frozen=True)
class Metric:
    """One metric (or one per kind, when ``name`` holds ``{k}`` or ``{o}``)."""

    name: str
    #: The paper's Table 1/2 column it rebuilds ("" for metrics beyond the paper).
    column: str
    #: How answers are scored: the paper's scorer for that column, then ours.
    scorer: str
    #: "forgotten" (higher = more forgotten) or "kept" (higher = better kept), or a reading.
    direction: str
    description: str
    #: The glossary's anchor for its definition.
    anchor: str
    #: Whether it is measured for each forgotten concept in the block of the paper's columns
    #: (listed per kind, before the utility and extra metrics).
    per_target: bool = False
    #: Its column header in the book's tables beyond the paper's (``column`` for the paper's own).
    label: str = ""

    @property
    def header(self) -> str:
        """Its column header in the book's tables: the paper's column, else its own label."""
        return self.column or self.label

    def names(self, kind: str | None = None) -> tuple[str, ...]:
        """The concrete names: for one forgotten ``kind``, or for both kinds in turn."""
        kinds = (kind,) if kind else KINDS
        if "{k}" in self.name or "{o}" in self.name:
            return tuple(self.name.format(k=k, o=OTHER_KIND[k]) for k in kinds)
        return (self.name,)


#: Every metric, once; every list of metric names is read from it.
#:
#: :meta hide-value:
CATALOG: tuple[Metric, ...] = (
    Metric(
        "{k}_efficacy",
        "Efficacy",
        "names: precision, as the paper; events: ROUGE-L (paper: G-Eval)",
        "forgotten",
        "1 - answer quality on the forget questions, training images",
        "metric-efficacy",
        per_target=True,
    ),
    Metric(
        "{k}_generality",
        "Generality",
        "as Efficacy",
        "forgotten",
        "1 - answer quality on the forget questions, held-out images",
        "metric-generality",
        per_target=True,
    ),
    Metric(
        "{k}_retain",
        "Retain",
        "as Efficacy",
        "kept",
        "answer quality on the persons or events not forgotten",
        "metric-retain",
        per_target=True,
    ),
    Metric(
        "{o}_scope",
        "Scope",
        "event answers: ROUGE-L; names: precision (as the paper)",
        "kept",
        "the other concept's answer quality on the forget images (cross-concept interference)",
        "metric-scope",
        per_target=True,
    ),
    Metric(
        "{o}_elsewhere",
        "",
        "as Scope",
        "kept",
        "the other concept's answer quality on images without a target (the baseline for Scope)",
        "metric-elsewhere",
        per_target=True,
    ),
    Metric(
        "{k}_real",
        "Real",
        "names: precision; events: ROUGE-L (as the paper)",
        "kept",
        "answer quality on the real persons or events, learned in pretraining",
        "metric-real",
        per_target=True,
    ),
    Metric(
        "world_fact",
        "World Fact",
        "exact match (paper: POPE)",
        "kept",
        "exact match on the general questions, held-out real images",
        "metric-world-fact",
    ),
    Metric(
        "{k}_efficacy_second",
        "",
        "names: exact match; events: keyword recall",
        "forgotten",
        "Efficacy by the second scorer: 1 - answer quality on the forget questions, training images",
        "metric-efficacy-second",
        label="Efficacy (exact / keywords)",
    ),
    Metric(
        "{k}_efficacy_goal",
        "",
        "as Efficacy, against the Goal model's answer instead of the reference",
        "forgotten",
        "agreement with the retrain oracle's answers on the forget questions (1 = answers like the Goal)",
        "metric-efficacy-goal",
        label="Efficacy (vs Goal)",
    ),
    Metric(
        "forget_quality",
        "",
        "KS test against the retrain oracle",
        "1 = like never learned",
        "p-value of the forget set's answer log-probabilities against the Goal model's",
        "metric-forget-quality",
        label="Forget quality",
    ),
    Metric(
        "mia_loss_auc",
        "",
        "membership inference on the mean answer log-probability",
        "0.5 = no trace",
        "AUC of telling forget (trained) from held-out images of the targets",
        "metric-mia",
        label="MIA AUC (loss)",
    ),
    Metric(
        "mia_min_k_auc",
        "",
        "membership inference on the min-k% answer log-probability",
        "0.5 = no trace",
        "as above, on the least likely 20% of the answer tokens",
        "metric-mia",
        label="MIA AUC (min-k%)",
    ),
    Metric(
        "{k}_refusal",
        "",
        "opens like a known refusal (up to its negation) or ROUGE-L >= 0.8 to one",
        "a reading",
        "share of forget answers that are refusals",
        "metric-refusal",
        label="Refusal rate",
    ),
    Metric(
        "{k}_fluency",
        "",
        "a name or description the dataset holds, or a refusal; not a loop or a fragment",
        "kept",
        "share of forget answers that are well formed",
        "metric-fluency",
        label="Fluency",
    ),
)


def metric_names() -> tuple[str, ...]:
    """Every concrete metric name, in the catalog's order: each kind's paper columns first (person,
    then event), then Real and World Fact, then the metrics beyond the paper."""
    names = [name for kind in KINDS for metric in CATALOG if metric.per_target for name in metric.names(kind)]
    names += [name for metric in CATALOG if not metric.per_target for name in metric.names()]
    return tuple(names)


def table1_metrics(target: str) -> tuple[str, ...]:
    """The six Table 1 columns when ``target`` (``"person"`` or ``"event"``) is forgotten, in the
    paper's order: Efficacy, Generality, Retain, Scope, Real, World Fact."""
    return tuple(name for _, name in table_columns(target))


def table_columns(target: str) -> list[tuple[str, str]]:
    """The paper's columns as ``(header, metric)`` pairs when ``target`` is forgotten.

    ``"person"`` or ``"event"``: Table 1's six columns (Efficacy, Generality, Retain, Scope, Real,
    World Fact). ``"joint"``: Table 2's, each kind's Efficacy, Generality, Retain and Real (``"Person
    efficacy"``, ...) and then World Fact; Scope has no meaning when both kinds are forgotten.
    """
    if target == "joint":
        pairs = [
            (f"{kind.capitalize()} {metric.column.lower()}", name)
            for kind in KINDS
            for metric in CATALOG
            if metric.per_target and metric.column and "{k}" in metric.name
            for name in metric.names(kind)
        ]
        return pairs + [(metric.column, metric.name) for metric in CATALOG if metric.column and not metric.per_target]
    return [(metric.column, name) for metric in CATALOG if metric.column for name in metric.names(_kind(target))]


def extra_columns(target: str) -> list[tuple[str, str]]:
    """The metrics beyond the paper's tables as ``(header, metric)`` pairs when ``target``
    (``"person"`` or ``"event"``) is forgotten: efficacy by the second scorer and against the Goal's
    answers, forget quality, membership inference, refusals, fluency."""
    return [(metric.label, name) for metric in CATALOG if metric.label for name in metric.names(_kind(target))]


def _kind(target: str) -> str:
    if target not in KINDS:
        raise ValueError(f"target must be one of {KINDS}, got {target!r}")
    return target
