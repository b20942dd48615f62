"""Cache keys follow the code that computes a result, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from pebench.cache import class_code_digest, module_sources, source_fingerprint
from pebench.experiment import RESULT_SOURCES, UNLEARNING_SOURCES
from pebench.pipeline import MODEL_SOURCES
from pebench.unlearn import make_method
from pebench.unlearn.ga import GradientAscent

CODE = '''"""A module."""


def step(x):
    """Double it."""
    return 2 * x
'''


def fingerprint(tmp_path: Path, text: str) -> str:
    folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "module.py").write_text(text)
    return source_fingerprint("module.py", root=folder)


def test_docstrings_comments_and_layout_change_no_key(tmp_path: Path) -> None:
    reference = fingerprint(tmp_path, CODE)
    edited = CODE.replace('"""Double it."""', '"""Double it, because the paper does."""  # a comment')
    reformatted = CODE.replace("return 2 * x", "return (\n        2 * x\n    )")
    assert fingerprint(tmp_path, edited) == reference
    assert fingerprint(tmp_path, reformatted) == reference


def test_a_change_to_the_code_changes_the_key(tmp_path: Path) -> None:
    assert fingerprint(tmp_path, CODE.replace("2 * x", "3 * x")) != fingerprint(tmp_path, CODE)


def test_checkpoints_and_results_are_keyed_by_computing_code_only() -> None:
    """Tables, plots and the real-checkpoint helpers retrain and re-score nothing when edited."""
    keyed = set(MODEL_SOURCES) | set(RESULT_SOURCES)
    presentation_modules = (
        "data/summary",
        "report",
        "study.py",
        "setting.py",
        "arms.py",
        "verdicts.py",
        "figures.py",
        "model/lora.py",
        "model/summary.py",
        "metrics/catalog.py",
    )
    for presentation in presentation_modules:
        assert presentation not in keyed
        assert not any(presentation.startswith(f"{name}/") for name in keyed)
        assert not any(name.startswith(f"{presentation}/") for name in keyed)  # nor a module of a package
    assert "train" in MODEL_SOURCES and "inference.py" in RESULT_SOURCES


def test_an_unlearning_run_is_keyed_by_its_own_methods_code() -> None:
    """A method's runs follow its module and what it imports, not the other methods' code."""
    gd, balanced = make_method("gd"), make_method("balanced", base="kl")
    assert gd.sources() == ("unlearn/base.py", "unlearn/ga.py", "unlearn/gd.py")
    assert {"unlearn/balanced.py", "unlearn/kl.py", "unlearn/ga.py"} <= set(balanced.sources())
    assert not {"unlearn/gd.py", "unlearn/registry.py"} & set(balanced.sources())
    assert not set(UNLEARNING_SOURCES) & set(RESULT_SOURCES)


def test_a_method_defined_outside_pebench_is_keyed_by_its_own_code() -> None:
    """A method written in a notebook or a test has no pebench file: its class's code is keyed."""

    class Half(GradientAscent):
        scale = 0.5

    class Third(GradientAscent):
        scale = 1 / 3

    with pytest.raises(ValueError, match="not defined in pebench"):
        module_sources(Half)
    assert Half().sources() == ("unlearn",)
    assert class_code_digest(Half) != class_code_digest(Third)
