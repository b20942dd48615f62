"""The Jupyter Book builds warning-free from the committed notebooks, and every page's images exist.

The build goes to a temporary folder (``--path-output``), never to the repository's ``_build``.
Deselect with ``-m "not book"`` when iterating on something else; ``make test`` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from pebench.chapters import list_chapters

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_S = 1200


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """The documents of _toc.yml (root first), without extensions, in order."""
    toc = yaml.safe_load(toc_path.read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk([toc])
    return [str(Path(f).with_suffix("")) if Path(f).suffix in {".md", ".ipynb"} else f for f in files]


TOC_FILES = toc_files()


def source_of(doc: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        if (ROOT / f"{doc}{suffix}").is_file():
            return ROOT / f"{doc}{suffix}"
    return None


class ImageSources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.sources.append(src)


def jupyter_book_command() -> list[str]:
    script = Path(sys.executable).with_name("jupyter-book")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [doc for doc in TOC_FILES if source_of(doc) is None]
    if missing:
        pytest.fail(f"_toc.yml lists pages that do not exist: {', '.join(missing)}")
    out = tmp_path_factory.mktemp("book")
    had_build = (ROOT / "_build").exists()
    command = [*jupyter_book_command(), "build", "--all", "-W", "-n", "--keep-going", "--path-output", str(out), "."]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{log[-6000:]}"
    assert had_build or not (ROOT / "_build").exists(), "the test build wrote into the repository's _build"
    return out / "_build" / "html"


def test_toc_lists_every_chapter_and_nothing_else() -> None:
    chapters = [str(p.relative_to(ROOT).with_suffix("")) for p in list_chapters(ROOT / "notebooks")]
    listed = [doc for doc in TOC_FILES if doc.startswith("notebooks/")]
    assert listed == chapters, f"_toc.yml chapters {listed} != notebooks/NN_*.ipynb {chapters}"


@pytest.mark.parametrize("doc", TOC_FILES)
def test_toc_page_exists(doc: str) -> None:
    assert source_of(doc) is not None, f"_toc.yml lists {doc}, but neither {doc}.md nor {doc}.ipynb exists"


@pytest.mark.parametrize("doc", TOC_FILES)
def test_page_is_built_and_its_images_exist(built_book: Path, doc: str) -> None:
    page = built_book / f"{doc}.html"
    assert page.is_file(), f"no HTML page for {doc}"
    parser = ImageSources()
    parser.feed(page.read_text(encoding="utf-8"))
    for src in parser.sources:
        parts = urlsplit(src)
        if parts.scheme in {"data", "http", "https"} or parts.netloc:
            continue
        image = (page.parent / unquote(parts.path)).resolve()
        assert image.is_file(), f"{doc}.html shows {src}, which is not in the build"


def test_injected_parameters_are_hidden(built_book: Path) -> None:
    for doc in TOC_FILES:
        source = source_of(doc)
        if source is None or source.suffix != ".ipynb":
            continue
        html = (built_book / f"{doc}.html").read_text(encoding="utf-8")
        assert "tag_injected-parameters" not in html or "# Parameters" not in html, (
            f"{doc}: papermill's injected-parameters cell is shown; rerun it with python -m pebench.chapters"
        )
