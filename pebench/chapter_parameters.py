"""A chapter's ``parameters`` cell: the names, defaults and descriptions a reader may change.

Every chapter notebook (``notebooks/NN_*.ipynb``) starts with one code cell tagged ``parameters``
(papermill's convention): plain ``name = value`` assignments whose values are the book's defaults.
That cell is the one place those defaults are written. The library reads it to tell a reader's
variant from the book's own run (:mod:`pebench.outputs`); the book tooling reads it to check
``-p`` names (:mod:`pebench_book.chapters`) and to tabulate them on the "Reproduce it" page.
"""

from __future__ import annotations

import ast
import io
import json
import os
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: papermill's tag of a chapter's parameters cell.
PARAMETERS_TAG = "parameters"


@dataclass(frozen=True)
class Parameter:
    """One assignment of a chapter's ``parameters`` cell: its name, default (as written) and comment."""

    name: str
    default: str
    description: str


def parameters_cell(path: str | os.PathLike[str]) -> str | None:
    """The source of the first code cell tagged ``parameters`` in notebook ``path``, if any.

    Read as the notebook format's JSON (a cell's source is a string or a list of lines), so that the
    library needs no ``nbformat``: that belongs to the book's tooling.
    """
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return source if isinstance(source, str) else "".join(source)
    return None


def _comments(source: str) -> dict[int, str]:
    """Line number -> text of the comment on that line."""
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("#").strip()
    return found


def parse_parameters(source: str) -> list[Parameter]:
    """The parameters a ``parameters`` cell defines, in order.

    Each top-level ``name = value`` is one parameter. Its description is the comment at the end of
    its line or, without one, the block of comment lines right above the group of assignments it
    belongs to (assignments not separated by a blank line).
    """
    tree = ast.parse(source)
    comments = _comments(source)
    lines = source.splitlines()
    parameters = []
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        value = getattr(node, "value", None)
        if not targets or value is None or not all(isinstance(t, ast.Name) for t in targets):
            continue
        description = comments.get(node.end_lineno, "")
        if not description:
            line = node.lineno - 1  # 1-based number of the line above
            while line >= 1 and lines[line - 1].strip() and not lines[line - 1].lstrip().startswith("#"):
                line -= 1  # climb over the other assignments of this group
            block = []
            while line >= 1 and lines[line - 1].lstrip().startswith("#"):
                block.insert(0, comments.get(line, ""))
                line -= 1
            description = " ".join(part for part in block if part)
        default = ast.get_source_segment(source, value) or ast.unparse(value)
        for target in targets:
            parameters.append(Parameter(target.id, default, description))
    return parameters


def chapter_parameters(path: str | os.PathLike[str]) -> list[Parameter]:
    """The parameters of chapter notebook ``path`` (empty when it has no ``parameters`` cell)."""
    source = parameters_cell(path)
    return parse_parameters(source) if source else []


def default_values(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Each parameter of chapter ``path`` with its default as a Python value.

    A chapter's defaults are literals (numbers, strings, lists, dicts, ``None``); one that is not
    raises ``ValueError`` naming it, since a run's values could not be compared with it.
    """
    values = {}
    for parameter in chapter_parameters(path):
        try:
            values[parameter.name] = ast.literal_eval(parameter.default)
        except (ValueError, SyntaxError):
            raise ValueError(
                f"parameter {parameter.name!r} of {Path(path).name} has the default {parameter.default!r}, "
                "which is not a literal; a parameters cell holds literal values only"
            ) from None
    return values
