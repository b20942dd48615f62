"""Unlearning methods (one module each) behind one interface, a registry and a shared runner."""

from pebench.unlearn.base import UnlearnBatch, UnlearningMethod
from pebench.unlearn.registry import METHODS, make_method
from pebench.unlearn.runner import UnlearnConfig, unlearn

__all__ = ["METHODS", "UnlearnBatch", "UnlearnConfig", "UnlearningMethod", "make_method", "unlearn"]
