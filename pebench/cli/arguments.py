"""What the command's arguments accept: checked types, registry choices read late, parameter values.

An argument is checked where it is parsed, so that a bad one stops before any work with a message
that names what it accepts (exit status 2); one that parses but is refused later raises
:class:`UsageError`, which the command reports the same way. The method, target and dtype choices
come from registries in modules that import torch: :class:`LazyChoices` reads them only when an
option that needs them is parsed or its help shown.
"""

from __future__ import annotations

import argparse
import ast
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any


class UsageError(Exception):
    """An argument that parsed but is not acceptable; reported like an argparse error (status 2)."""


class LazyChoices(Sequence[str]):
    """Choices read from a registry the first time argparse looks at them.

    The registries live in modules that import torch; loading them only when ``--method`` or
    ``--target`` is parsed (or their help shown) keeps ``pebench --help`` and the other commands fast.
    """

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load, self._items = load, None

    def _get(self) -> tuple[str, ...]:
        if self._items is None:
            self._items = tuple(self._load())
        return self._items

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())


def method_choices() -> tuple[str, ...]:
    """What ``unlearn --method`` accepts: the bounds and the registered methods."""
    from pebench.experiment import method_names

    return method_names()


def event_kind_choices() -> tuple[str, ...]:
    """What ``data --events`` accepts: the kinds of event a dataset can have."""
    from pebench.data.generate import EVENT_KINDS

    return EVENT_KINDS


def target_choices() -> tuple[str, ...]:
    """What ``--target`` accepts: persons, events, or both."""
    from pebench.targets import TARGETS

    return TARGETS


def recipe_dtype_choices() -> tuple[str, ...]:
    """What ``recipe --dtype`` accepts."""
    from pebench.recipe import DTYPES

    return tuple(DTYPES)


def recipe_method_choices() -> tuple[str, ...]:
    """What ``recipe --methods`` accepts: the recipe's bounds and the registered methods."""
    from pebench.recipe import BOUNDS
    from pebench.unlearn import METHODS

    return BOUNDS + tuple(METHODS)


def _number(kind: type, text: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}, got {text!r}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    value = _number(int, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _number(float, text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {value}")
    return value


def non_negative_float(text: str) -> float:
    """A finite number >= 0."""
    value = _number(float, text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {value}")
    return value


def open_ratio(text: str) -> float:
    """A fraction strictly between 0 and 1."""
    value = _number(float, text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1), exclusive, got {value}")
    return value


def replay_ratio(text: str) -> float:
    """A fraction in [0, 1)."""
    value = _number(float, text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {value}")
    return value


def parse_parameter(value: str) -> Any:
    """A command-line parameter value as papermill's own ``-p`` reads it: True/False/None, int, float,
    else str; and, unlike papermill, a list or dict written as a Python literal (``'["gd", "kl"]'``),
    which papermill would pass on as a string to be iterated character by character."""
    constants = {"True": True, "False": False, "None": None}
    if value in constants:
        return constants[value]
    if value.strip().startswith(("[", "{", "(")):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError(f"{value!r} looks like a list or dict but is not a valid Python literal") from None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def parse_parameters(pairs: Sequence[Sequence[str]]) -> dict[str, Any]:
    """``-p``/``-H NAME VALUE`` pairs, values read as papermill reads them (lists as literals)."""
    try:
        return {name: parse_parameter(value) for name, value in pairs}
    except ValueError as error:
        raise UsageError(str(error)) from None
