"""Beyond the paper: forget quality (KS test against the retrain oracle) and membership inference.

* **Forget quality** (TOFU, Maini et al., 2024): the two-sample Kolmogorov-Smirnov test between
  the per-item statistic (mean answer log-prob) on the forget set under the unlearned model and
  under the retrain oracle. Reported as the p-value: high (near 1) = indistinguishable from a
  model that never saw the forget set; low = still different.
* **Membership-inference AUC**: how well a likelihood threshold separates forget items (seen in
  fine-tuning) from held-out items of the same targets (never seen). 0.5 = no signal, which is
  what a retrained model gives; 1.0 = members fully exposed. Two attacks: loss (mean log-prob)
  and Min-K% log-prob.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats


def forget_quality(unlearned: Sequence[float], oracle: Sequence[float]) -> float:
    """KS-test p-value between the unlearned model's and the oracle's forget statistics."""
    if len(unlearned) == 0 or len(oracle) == 0:
        raise ValueError("forget_quality needs non-empty samples")
    return float(stats.ks_2samp(np.asarray(unlearned), np.asarray(oracle)).pvalue)


def membership_auc(members: Sequence[float], non_members: Sequence[float]) -> float:
    """AUC of "higher statistic = member" (Mann-Whitney U / (n_members * n_non_members))."""
    if len(members) == 0 or len(non_members) == 0:
        raise ValueError("membership_auc needs members and non-members")
    u = stats.mannwhitneyu(np.asarray(members), np.asarray(non_members), alternative="two-sided").statistic
    return float(u / (len(members) * len(non_members)))
