"""How PEBench differs from earlier multimodal unlearning benchmarks, as a table.

Earlier benchmarks forget one entity per image, a person; PEBench pictures a person *in an event*
and can forget either concept, which is what makes cross-concept interference measurable. This is
the one table of the package that quotes numbers rather than computing them: the rows for other
benchmarks state what their own papers say; the companion's row is computed from the dataset.
"""

from __future__ import annotations

import pandas as pd

from pebench.data.dataset import PEBenchDataset
from pebench.data.summary.statistics import IDENTITY_KINDS, dataset_statistics

_COMPARISON_COLUMNS = (
    "identities",
    "forgets persons",
    "forgets events",
    "concepts per image",
    "persons",
    "events",
    "images",
    "source",
)
UNKNOWN = "—"


def _with_real(fictitious: int, real: int) -> str:
    return f"{fictitious:,}" if not real else f"{fictitious:,} (+{real:,} real)"


def benchmark_comparison(dataset: PEBenchDataset) -> pd.DataFrame:
    """Properties of multimodal unlearning benchmarks (the paper's Figure 2, as a table).

    Why: the paper's point is that earlier benchmarks (MLLMU-Bench, CLEAR, FIUBench) forget one
    entity per image, a person, while PEBench pictures a person *in an event* and can forget
    either concept, which is what makes cross-concept interference measurable.

    The rows for other benchmarks state only what their own papers say (abstracts: MLLMU-Bench
    has 500 fictitious profiles plus 153 real celebrities; CLEAR 200 fictitious individuals and
    about 3,700 images); counts not checked here are ``"—"``. The PEBench row is the paper's
    200 persons × 40 events = 8,000 images; this companion's row is computed from ``dataset``
    (fictitious counts, with the "real" pretraining population in parentheses).
    """
    stats = dataset_statistics(dataset)
    companion = (
        "fictitious (procedural drawings)",
        "yes",
        "yes",
        len(IDENTITY_KINDS),
        _with_real(int(stats.loc["persons", "fictitious"]), int(stats.loc["persons", "real"])),
        _with_real(int(stats.loc["events", "fictitious"]), int(stats.loc["events", "real"])),
        _with_real(int(stats.loc["images", "fictitious"]), int(stats.loc["images", "real"])),
        "this book",
    )
    rows = {
        "MLLMU-Bench": (
            "fictitious (+ real celebrities)",
            "yes",
            "no",
            1,
            _with_real(500, 153),
            "none",
            UNKNOWN,
            "Liu et al., NAACL 2025",
        ),
        "CLEAR": ("fictitious", "yes", "no", 1, "200", "none", "≈3,700", "Dontsov et al., ACL Findings 2025"),
        "FIUBench": ("fictitious faces", "yes", "no", 1, UNKNOWN, "none", UNKNOWN, "Ma et al., ICLR 2025"),
        "PEBench (paper)": (
            "fictitious (text-to-image)",
            "yes",
            "yes",
            2,
            "200",
            "40",
            "8,000",
            "Xu et al., arXiv 2503.12545",
        ),
        "PEBench companion (this book)": companion,
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(_COMPARISON_COLUMNS))
    table.index.name = "benchmark"
    return table
