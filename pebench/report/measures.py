"""The measures a sweep reports, and the metric behind each for a person or an event target.

The paper's columns (efficacy, generality, retain, scope, real, world fact) are named the same
whatever is forgotten, while the metric suite names its metrics by concept (``person_efficacy``,
``event_scope``). Sweeps, their tables and their figures speak in measures so that one frame holds
both targets; the metric behind each is read from the catalog's Table 1 columns
(:func:`pebench.metrics.catalog.table_columns`).
"""

from __future__ import annotations

from pebench.metrics.catalog import KINDS, OTHER_KIND, table_columns


def _measure(header: str) -> str:
    return header.lower().replace(" ", "_")


#: The measures plotted, in the paper's column order: two of forgetting, four of keeping.
MEASURES = tuple(_measure(header) for header, _ in table_columns(KINDS[0]))
MEASURE_TITLES = {
    "efficacy": "Efficacy (forgotten, train images)",
    "generality": "Generality (forgotten, held-out)",
    "retain": "Retain (other persons/events)",
    "scope": "Scope (other concept, same images)",
    "real": "Real (pretraining population)",
    "world_fact": "World Fact (general questions)",
}

__all__ = ["MEASURES", "MEASURE_TITLES", "OTHER_KIND", "measure_metric"]


def measure_metric(target: str, measure: str) -> str:
    """The metric name of ``pebench.metrics.suite`` behind a measure for a single-concept target.

    Scope is the *other* concept's question on the forget images (``event_scope`` when persons
    are forgotten), so the same measure name reads the right column for either target.
    """
    if target not in KINDS:
        raise ValueError(f"target must be 'person' or 'event', got {target!r}")
    names = {_measure(header): metric for header, metric in table_columns(target)}
    if measure not in names:
        raise ValueError(f"measure must be one of {tuple(names)}, got {measure!r}")
    return names[measure]
