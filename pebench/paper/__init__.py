"""The paper's own Tables 1 and 2, as data, on the book's scale and in the book's vocabulary.

Source: Xu et al., *PEBench: A Fictitious Dataset to Benchmark Machine Unlearning for Multimodal
Large Language Models*, arXiv 2503.12545v1 (CC BY 4.0), Tables 1 and 2, transcribed from the
paper's HTML tables into ``table1.csv`` and ``table2.csv`` beside this file (see ``README.md``
there).

The paper prints Precision and POPE as percentages (0-100) and ROUGE-L and G-Eval on 0-1; the book
puts every score on 0-1, so a percentage is divided by 100 (:data:`PERCENT_SCORERS`). The paper's
columns map to the catalog's metrics (:func:`pebench.metrics.catalog.table_columns`): Table 1's
Efficacy, Generality, Retain, Scope and Real of each target (Real: the real persons, or the real
events, with that concept's scorer), and its World Fact. Table 2 prints Real and World Fact once per
concept; Real maps to each concept's, and since the book measures one World Fact, it maps the
paper's World Fact of the person row (the two differ by at most 0.4 points).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from pebench.arms import BOUND_LABELS, balanced_label
from pebench.metrics.catalog import KINDS, table_columns

#: The paper's unlearning methods of Table 1, in its row order (its bounds are Finetune and Goal).
PAPER_METHODS = ("PO", "GA", "GD", "KL", "SIU", "DPO")
#: Scorers the paper prints as percentages.
PERCENT_SCORERS = ("Precision", "POPE")
#: The paper's row names that the book labels otherwise (the Goal row is the retrain oracle; the
#: paper's "+BGD" rows are its balanced method on a base).
_ROW_LABELS = {"Goal": BOUND_LABELS["retrain"]} | {f"{b.upper()}+BGD": balanced_label(b) for b in ("gd", "kl")}

CITATION = "Xu et al., PEBench, arXiv 2503.12545v1 (CC BY 4.0), Tables 1 and 2"


def _read(name: str) -> pd.DataFrame:
    with resources.files(__package__).joinpath(name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype={"value": float})


def _label(row: str) -> str:
    return _ROW_LABELS.get(row, row)


@cache
def table1() -> pd.DataFrame:
    """The paper's Table 1 as a summary (columns ``method``, ``target``, ``metric``, ``mean``,
    ``scorer``, ``printed``): one row per cell, ``mean`` on 0-1, ``printed`` as the paper prints it."""
    raw = _read("table1.csv")
    metric_of = {target: dict(table_columns(target)) for target in KINDS}
    return pd.DataFrame(
        {
            "method": raw["method"].map(_label),
            "target": raw["target"],
            "metric": [metric_of[t][m] for t, m in zip(raw["target"], raw["metric"])],
            "mean": raw["value"].where(~raw["scorer"].isin(PERCENT_SCORERS), raw["value"] / 100),
            "scorer": raw["scorer"],
            "printed": raw["value"],
        }
    )


@cache
def table2() -> pd.DataFrame:
    """The paper's Table 2 as a summary of the joint target (columns as :func:`table1`'s).

    Each concept's Efficacy, Generality, Retain and Real map to ``<kind>_efficacy`` and so on; World
    Fact is the person row's (see the module's note). Each cell's scorer is that of the same
    concept's column in Table 1, whose file names it."""
    raw = _read("table2.csv")
    scorer = _read("table1.csv").drop_duplicates(["target", "metric"]).set_index(["target", "metric"])["scorer"]
    joint = dict(table_columns("joint"))
    rows = []
    for method, kind, metric, value in raw[["method", "target", "metric", "value"]].itertuples(index=False):
        if metric == "World Fact" and kind != "person":
            continue
        header = metric if metric == "World Fact" else f"{kind.capitalize()} {metric.lower()}"
        name = joint[header]
        cell_scorer = scorer[(kind, metric)]
        mean = value / 100 if cell_scorer in PERCENT_SCORERS else value
        rows.append((_label(method), "joint", name, mean, cell_scorer, value))
    return pd.DataFrame(rows, columns=["method", "target", "metric", "mean", "scorer", "printed"])
