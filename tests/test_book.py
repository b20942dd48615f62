"""The Jupyter Book builds warning-free from the committed notebooks, and every page's images exist.

The build is the versioned website's (tests/sitebuild.py, shared with test_browser.py), made in a
temporary folder, never in the repository's ``_build``.
Deselect with ``-m "not book"`` when iterating on something else; ``make test`` runs it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from sitebuild import built_site

from pebench_book.chapters import list_chapters

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This version's book, as ``make book`` builds it (``pebench_book.site.build_site``, ``-W -n``)."""
    missing = [doc for doc in TOC_FILES if source_of(doc) is None]
    if missing:
        pytest.fail(f"_toc.yml lists pages that do not exist: {', '.join(missing)}")
    return built_site(tmp_path_factory).html


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
            f"{doc}: papermill's injected-parameters cell is shown; rerun it with pebench run-chapter"
        )
