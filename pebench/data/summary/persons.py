"""Who the persons are: their profiles, and how each tokenizer cuts their names.

The paper's persons are made-up identities with a job and a birthplace (its Tables 4 and 5), whose
names a real MLLM's subword tokenizer cuts into pieces shared with other names. These tables show
both for a generated dataset.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pebench.data.dataset import PEBenchDataset
from pebench.data.profiles import PROFILE_KEYS
from pebench.model.tokenizer import TOKENIZER_KINDS, WORD_START
from pebench.pipeline import build_tokenizer


def person_profiles(dataset: PEBenchDataset, population: str = "fictitious") -> pd.DataFrame:
    """The persons of ``population`` with their profiles (one row each, indexed by person id)."""
    rows = [
        {"person id": pid, "name": dataset.persons[pid].name, **dataset.persons[pid].profile}
        for pid in dataset.person_ids(population)
    ]
    table = pd.DataFrame(rows, columns=["person id", "name", *PROFILE_KEYS])
    return table.rename(columns=lambda c: c.replace("_", " ")).set_index("person id")


def name_tokens(dataset: PEBenchDataset, count: int) -> pd.DataFrame:
    """The first ``count`` fictitious names as each tokenizer kind cuts them (pieces joined by "|").

    Each tokenizer is the pipeline's (:func:`pebench.pipeline.build_tokenizer`); a subword
    tokenizer's word-start marker is dropped.
    """
    tokenizers = {kind: build_tokenizer(dataset, kind) for kind in TOKENIZER_KINDS}
    rows = []
    for pid in dataset.person_ids("fictitious")[:count]:
        name = dataset.persons[pid].name
        row = {"name": name}
        for kind, tokenizer in tokenizers.items():
            pieces = [piece.lstrip(WORD_START) for piece in tokenizer.tokenize(name)]
            row[f"{kind} tokens"] = " | ".join(pieces)
            row[f"{kind} count"] = len(pieces)
        rows.append(row)
    return pd.DataFrame(rows).set_index("name")


def name_token_sharing(dataset: PEBenchDataset, kind: str) -> dict[str, float]:
    """How a ``kind`` tokenizer cuts the fictitious names: tokens per name, and the share of the
    distinct pieces that appear in at least two names (names share tokens as real names do)."""
    tokenizer = build_tokenizer(dataset, kind)
    names = [dataset.persons[pid].name for pid in dataset.person_ids("fictitious")]
    cuts = [tokenizer.tokenize(name) for name in names]
    users = Counter(piece for cut in cuts for piece in set(cut))
    return {
        f"{kind}_tokens_per_name": sum(map(len, cuts)) / len(cuts),
        f"{kind}_shared_pieces": sum(n >= 2 for n in users.values()) / len(users),
    }
