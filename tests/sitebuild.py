"""One build of the versioned website per test session, shared by test_book.py and test_browser.py.

The site is what a release deploys, assembled by the dry run of the release workflow
(``pebench_book.publish.publish``, behind ``pebench site publish``), into a temporary folder, never
into the repository's ``_build``:

1. a first release: ``publish`` with no published site builds this version's book (jupyter-book with
   ``--all -W -n --keep-going``) with its links opening the release tag ``v<version>``;
2. a stand-in for the site as published before: a copy of that build relabelled as version
   ``OLD_VERSION`` (its pages' version and switcher match rewritten), as if built from an older tag;
3. the release: ``publish`` from that published site, installing the book built in step 1, gives the
   two-version tree with ``switcher.json`` and ``index.html`` that the tests read.

The first caller builds; later callers in the same session get the same folder.
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
from pebench_book import publish, site

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
    ref: str  # the git ref this version's repository and Binder links open: its release tag

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
    version, tag = pebench.__version__, publish.release_tag()
    try:
        with mock.patch.dict(os.environ, {site.REPOSITORY_URL_ENV: TEST_REPOSITORY}):
            publish.publish(work / "first", tag=tag, base_url="/", root=ROOT, timeout=BUILD_TIMEOUT_S)
    except RuntimeError as error:
        pytest.fail(f"the website build failed:\n{error}")
    assert had_build or not (ROOT / "_build").exists(), "the test build wrote into the repository's _build"
    published = work / "published"
    shutil.copytree(work / "first" / version, published / OLD_VERSION)
    relabel_version(published / OLD_VERSION, version, OLD_VERSION)
    versions = publish.publish(work / "site", published, tag=tag, html=work / "first" / version, base_url="/")
    assert versions == [version, OLD_VERSION]
    _BUILDS["site"] = SiteBuild(work / "site", version, OLD_VERSION, tag)
    return _BUILDS["site"]
