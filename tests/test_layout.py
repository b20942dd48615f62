"""The code layout: the library holds the science, the book's tooling lives beside it, one command line.

``pebench`` (data, model, training, unlearning, metrics, experiments and their cache, analysis,
plots) must not load the tooling that makes the book: a reader who imports it to run an experiment
needs no Sphinx, docutils, papermill or nbformat, and ``pebench_book`` is reached only from the
handlers of the ``pebench`` command's book commands. And only ``pebench/cli/parser.py`` builds an
argument parser, so that every command line of the project is a subcommand of ``pebench``.

Both tests were checked to fail: with ``import nbformat`` added to ``pebench/report/answers.py``,
the first failed naming ``nbformat``; with an ``argparse.ArgumentParser(...)`` call added to
``pebench_book/site.py`` (and, once the command became a package, to ``pebench/cli/book.py``), the
second failed naming that file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: What the library must not load: the book's build and execution stack, and the tooling package.
BOOK_TOOLING = ("sphinx", "docutils", "papermill", "nbformat", "myst_nb", "jupyter_book", "pebench_book")


def library_modules() -> list[str]:
    """Every module of the ``pebench`` package, from its source files (``pkgutil.walk_packages``
    skips the modules of namespace packages such as ``pebench.train``, a folder without ``__init__.py``)."""
    names = []
    for path in sorted((ROOT / "pebench").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_library_imports_no_book_tooling() -> None:
    modules = library_modules()
    assert {"pebench.cli", "pebench.train.stages", "pebench.recipe"} <= set(modules)
    code = textwrap.dedent(
        """
        import importlib, json, sys

        for name in sys.argv[1:]:
            importlib.import_module(name)
        print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
        """
    )
    # A fresh interpreter, so that nothing this test session imported counts.
    result = subprocess.run(
        [sys.executable, "-c", code, *modules], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-4000:]
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "pebench" in loaded and "torch" in loaded  # it did import the library
    assert not loaded & set(BOOK_TOOLING), f"importing pebench loads {sorted(loaded & set(BOOK_TOOLING))}"


def test_only_the_cli_builds_an_argument_parser() -> None:
    sources = sorted((ROOT / "pebench").rglob("*.py")) + sorted((ROOT / "pebench_book").rglob("*.py"))
    parsers = [str(path.relative_to(ROOT)) for path in sources if "ArgumentParser(" in path.read_text()]
    assert parsers == ["pebench/cli/parser.py"], f"argument parsers outside pebench/cli/parser.py: {parsers}"
