"""Per-item likelihood statistics of the reference answers: inputs of forget quality and MIA.

For each QA item: the mean log-probability of its answer tokens (a length-normalised
log-likelihood, higher = more familiar) and the Min-K% statistic (mean of the lowest ``k``
fraction of token log-probabilities; Shi et al., 2024), computed teacher-forced, no generation.
Logits are computed only at the positions that predict an answer token (``logits_to_keep``): the
prompt's positions are about half of each sequence and their logits would never be read.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch

from pebench.data import QAItem
from pebench.encoding import IGNORE_INDEX, Encoder, as_examples
from pebench.inference import evaluation_batch_size


@torch.no_grad()
def likelihood_statistics(
    model: torch.nn.Module, encoder: Encoder, items: Sequence[QAItem], *, k: float = 0.2, batch_size: int = 256
) -> pd.DataFrame:
    """A row per item: ``qa_id``, ``mean_logp`` and ``min_k_logp`` of its reference answer.

    ``batch_size`` is capped by ``pebench.inference.generation_settings(max_batch_size=...)``, as
    generation is: at 7B the full-vocabulary logits of 256 sequences would take ~51 GB.
    """
    if not 0 < k <= 1:
        raise ValueError(f"k must be in (0, 1], got {k}")
    batch_size = evaluation_batch_size(batch_size)
    model.eval()
    device = next(model.parameters()).device
    examples = as_examples(items)
    rows = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        batch = {key: value.to(device) for key, value in encoder.training_batch(chunk).items()}
        inputs = {key: value for key, value in batch.items() if key != "labels"}
        # Logits only where they are read: each position that predicts an answer token.
        reads = torch.zeros_like(batch["labels"], dtype=torch.bool)
        reads[:, :-1] = batch["labels"][:, 1:] != IGNORE_INDEX
        logits = model(**inputs, logits_to_keep=reads).logits.float()
        targets = batch["labels"][:, 1:][reads[:, :-1]]
        token_logp = torch.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        counts = reads.sum(1).tolist()
        for item, values in zip(items[start : start + batch_size], token_logp.split(counts)):
            values = values.sort().values
            lowest = values[: max(1, int(round(k * len(values))))]
            rows.append({"qa_id": item.qa_id, "mean_logp": float(values.mean()), "min_k_logp": float(lowest.mean())})
    return pd.DataFrame(rows, columns=["qa_id", "mean_logp", "min_k_logp"])
