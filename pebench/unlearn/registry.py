"""Every unlearning method by name, and one constructor that validates names and hyper-parameters."""

from __future__ import annotations

import inspect

from pebench.unlearn.balanced import Balanced
from pebench.unlearn.base import UnlearningMethod
from pebench.unlearn.dpo import DirectPreferenceOptimization
from pebench.unlearn.ga import GradientAscent
from pebench.unlearn.gd import GradientDifference
from pebench.unlearn.kl import KLMinimization
from pebench.unlearn.npo import NegativePreferenceOptimization
from pebench.unlearn.po import PreferenceOptimization
from pebench.unlearn.rmu import RepresentationMisdirection
from pebench.unlearn.simnpo import SimNPO
from pebench.unlearn.siu import SingleImageUnlearning

#: Every unlearning method by registry name, in the order of the tables.
#:
#: :meta hide-value:
METHODS: dict[str, type[UnlearningMethod]] = {
    cls.name: cls
    for cls in (
        GradientAscent,
        GradientDifference,
        KLMinimization,
        PreferenceOptimization,
        SingleImageUnlearning,
        DirectPreferenceOptimization,
        NegativePreferenceOptimization,
        SimNPO,
        RepresentationMisdirection,
        Balanced,
    )
}


def make_method(name: str, **hyperparameters: object) -> UnlearningMethod:
    """Instantiate method ``name``; unknown names or hyper-parameters raise ``ValueError``."""
    if name not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {name!r}")
    cls = METHODS[name]
    accepted = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    unknown = sorted(set(hyperparameters) - set(accepted) - {"self"})
    if unknown and not takes_any:
        allowed = sorted(set(accepted) - {"self"})
        raise ValueError(f"unknown hyper-parameter(s) {unknown} for method {name!r}; allowed: {allowed}")
    return cls(**hyperparameters)
