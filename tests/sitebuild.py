"""One build of the versioned website per test session, shared by test_book.py and test_browser.py.

``built_site`` builds the site exactly as ``make book`` does (``pebench_book.site.build_site``: jupyter-book
with ``--all -W -n --keep-going``, then the version folder, ``switcher.json`` and ``index.html``), but
into a temporary folder, never into the repository's ``_build``. The first caller builds; later
callers in the same session get the same folder.

So that the version switcher and the old-version banner have something to show, the site also gets
a stand-in for an earlier release: a copy of the current build relabelled as version ``OLD_VERSION``
(its pages' version and switcher match rewritten), as if it had been built from an older commit.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

import pebench
from pebench_book import site

ROOT = Path(__file__).resolve().parents[1]
OLD_VERSION = "0.0.0"
#: The repository the test build links to (a published build gets its own from the environment).
TEST_REPOSITORY = "https://github.com/example/pebench"
BUILD_TIMEOUT_S = 1200


@dataclass(frozen=True)
class SiteBuild:
    site: Path  # the site root: switcher.json, index.html, one folder per version
    version: str  # the version built from this checkout (pebench.__version__)
    old_version: str  # the stand-in earlier version

    @property
    def html(self) -> Path:
        """This version's book."""
        return self.site / self.version


_BUILDS: dict[str, SiteBuild] = {}


def relabel_version(folder: Path, old: str, new: str) -> None:
    """Make a copied build claim version ``new``: the version Sphinx records for the theme's JavaScript
    and the switcher's ``version_match`` on every page."""
    options = folder / "_static" / "documentation_options.js"
    text = options.read_text(encoding="utf-8")
    options.write_text(re.sub(r"VERSION: '[^']*'", f"VERSION: '{new}'", text), encoding="utf-8")
    for page in folder.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        html = html.replace(f"theme_switcher_version_match = '{old}'", f"theme_switcher_version_match = '{new}'")
        page.write_text(html, encoding="utf-8")


def built_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The session's site build (built on first use)."""
    if "site" in _BUILDS:
        return _BUILDS["site"]
    work = tmp_path_factory.mktemp("website")
    had_build = (ROOT / "_build").exists()
    links = {site.REPOSITORY_URL_ENV: TEST_REPOSITORY, site.REPOSITORY_REF_ENV: ""}
    try:
        with mock.patch.dict(os.environ, links):
            current = site.build_site(
                ROOT, work / "site", base_url="/", book_output=work / "book", timeout=BUILD_TIMEOUT_S
            )
    except RuntimeError as error:
        pytest.fail(f"the website build failed:\n{error}")
    assert had_build or not (ROOT / "_build").exists(), "the test build wrote into the repository's _build"
    version = pebench.__version__
    assert current == work / "site" / version
    old = work / "site" / OLD_VERSION
    shutil.copytree(current, old)
    relabel_version(old, version, OLD_VERSION)
    site.assemble(work / "site", base_url="/")
    _BUILDS["site"] = SiteBuild(work / "site", version, OLD_VERSION)
    return _BUILDS["site"]
