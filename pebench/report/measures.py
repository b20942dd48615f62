"""The measures a sweep reports, and the metric behind each for a person or an event target.

The paper's columns (efficacy, generality, retain, scope, real, world fact) are named the same
whatever is forgotten, while the metric suite names its metrics by concept (``person_efficacy``,
``event_scope``). Sweeps, their tables and their figures speak in measures so that one frame holds
both targets; this module is the one place that maps a measure to its metric.
"""

from __future__ import annotations

#: The other concept of a single-concept target: scope asks about it on the forget images.
OTHER_KIND = {"person": "event", "event": "person"}


#: The measures plotted, in the paper's column order: two of forgetting, four of keeping.
MEASURES = ("efficacy", "generality", "retain", "scope", "real", "world_fact")
MEASURE_TITLES = {
    "efficacy": "Efficacy (forgotten, train images)",
    "generality": "Generality (forgotten, held-out)",
    "retain": "Retain (other persons/events)",
    "scope": "Scope (other concept, same images)",
    "real": "Real (pretraining population)",
    "world_fact": "World Fact (general questions)",
}


def measure_metric(target: str, measure: str) -> str:
    """The metric name of ``pebench.metrics.suite`` behind a measure for a single-concept target.

    Scope is the *other* concept's question on the forget images (``event_scope`` when persons
    are forgotten), so the same measure name reads the right column for either target.
    """
    if target not in OTHER_KIND:
        raise ValueError(f"target must be 'person' or 'event', got {target!r}")
    names = {
        "efficacy": f"{target}_efficacy",
        "generality": f"{target}_generality",
        "retain": f"{target}_retain",
        "scope": f"{OTHER_KIND[target]}_scope",
        "real": "real",
        "world_fact": "world_fact",
    }
    if measure not in names:
        raise ValueError(f"measure must be one of {tuple(names)}, got {measure!r}")
    return names[measure]
