"""The methods page is written from the registry: every method has its objective and a source."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from pebench.unlearn import METHODS
from pebench_book.methods_page import citations, hyperparameters, method_markdown, objectives, summary, to_markdown

ROOT = Path(__file__).resolve().parents[1]
BIBLIOGRAPHY = ROOT / "book" / "references.bib"
CITE_ROLE = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")


def bibliography_keys() -> set[str]:
    return set(re.findall(r"^@\w+\{([^,]+),", BIBLIOGRAPHY.read_text(encoding="utf-8"), flags=re.MULTILINE))


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_states_its_objective_and_its_source(name: str) -> None:
    cls = METHODS[name]
    assert len(objectives(cls)) == 1, f"{name}: its class docstring needs exactly one `.. math::` objective"
    assert "\\mathcal{L}(\\theta)" in objectives(cls)[0], f"{name}: the objective should define L(theta)"
    keys = citations(cls)
    assert keys, f"{name}: its class docstring cites no source (a :cite:p: role)"
    assert set(keys) <= bibliography_keys(), (
        f"{name}: cites {sorted(set(keys) - bibliography_keys())}, not in {BIBLIOGRAPHY}"
    )
    assert summary(cls) and "`" not in summary(cls), f"{name}: its summary keeps markup: {summary(cls)!r}"


@pytest.mark.parametrize("name", list(METHODS))
def test_every_hyperparameter_is_named_in_the_docstring(name: str) -> None:
    cls = METHODS[name]
    for parameter, _ in hyperparameters(cls):
        if not parameter.startswith("**"):
            assert f"``{parameter}``" in (cls.__doc__ or ""), f"{name}: the docstring does not say what {parameter} is"


def test_a_section_holds_the_defaults_and_the_objective() -> None:
    text = method_markdown("npo", METHODS["npo"])
    assert text.startswith("(method-npo)=\n### NPO")
    assert "| `beta` | `0.1` |" in text and "| `retain_weight` | `1.0` |" in text
    assert "```{math}" in text and "{cite:p}`zhang2024npo`" in text
    assert ".. math::" not in text and ":cite:" not in text


def test_to_markdown_converts_roles_and_math_blocks() -> None:
    rst = "A :math:`x` and :py:class:`y`.\n\n.. math::\n\n    a = b\n    + c\n\nafter ``z``"
    assert to_markdown(rst) == "A {math}`x` and {py:class}`y`.\n\n```{math}\na = b\n+ c\n```\n\nafter ``z``"


def test_every_cited_key_is_in_the_bibliography() -> None:
    keys = bibliography_keys()
    pages = [*ROOT.joinpath("book").glob("*.md")]
    texts = [page.read_text(encoding="utf-8") for page in pages]
    for notebook in sorted(ROOT.joinpath("notebooks").glob("*.ipynb")):
        cells = nbformat.read(notebook, as_version=4).cells
        texts += [cell.source for cell in cells if cell.cell_type == "markdown"]
    cited = {key.strip() for text in texts for match in CITE_ROLE.findall(text) for key in match.split(",")}
    cited |= {key for cls in METHODS.values() for key in citations(cls)}
    assert cited <= keys, f"cited but not in {BIBLIOGRAPHY.name}: {sorted(cited - keys)}"
    assert keys <= cited, f"in {BIBLIOGRAPHY.name} but cited nowhere: {sorted(keys - cited)}"
