"""What a release deploys: the published site's earlier versions plus this version's book.

A release is a tag ``v<version>`` whose version is ``pebench.__version__``. The release workflow
(``.github/workflows/publish.yml``) checks out the published site (the ``gh-pages`` branch), runs
``pebench site publish`` and pushes the folder it assembles back to that branch. The same command,
run here on any folder of earlier versions, is the dry run: it assembles exactly the tree the
workflow deploys, so that the published site can be read and tested offline before a tag is pushed.

:func:`publish` builds in a staging folder beside the target and renames it into place once it is
complete, so an interrupted or failed run leaves no half-assembled site::

    published/            the site as published: 0.1.0/, 0.2.0/, switcher.json, index.html, ...
        |  version folders copied as they are (other files are rewritten, not copied)
        v
    <site>/               0.1.0/, 0.2.0/, <version>/ (built now, or --html), switcher.json, index.html

The book of this version is built from the committed chapters, never re-executed (they are executed
and checked by the test suite before the tag), with its repository and Binder links opening the
release's tag (``$PEBENCH_REPOSITORY_REF``, :func:`pebench_book.site.repository_links`).

Command line: ``pebench site publish [--site DIR] [--published DIR] [--tag vX.Y.Z] [--html DIR]
[--base-url URL]`` (``--site`` defaults to ``_build/publish``).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import pebench
from pebench.paths import find_repo_root
from pebench_book import site

log = logging.getLogger(__name__)

PUBLISH_DIRNAME = "publish"


def release_tag(version: str | None = None) -> str:
    """The git tag that releases ``version`` (default: this one): ``v<version>``."""
    return f"v{version or pebench.__version__}"


def check_tag(tag: str, version: str | None = None) -> None:
    """Raise ``ValueError`` unless ``tag`` releases ``version`` (default ``pebench.__version__``): a tag
    pushed before the version was bumped would otherwise overwrite the previous release's pages."""
    expected = release_tag(version)
    if tag != expected:
        raise ValueError(
            f"tag {tag!r} does not release pebench {version or pebench.__version__}: expected {expected!r} "
            "(bump pebench.__version__ in pebench/__init__.py, or tag the right commit)"
        )


def default_publish_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``<repo>/_build/publish``: where the dry run assembles (apart from ``make book``'s ``_build/site``)."""
    return find_repo_root(root) / "_build" / PUBLISH_DIRNAME


def earlier_versions(published: str | os.PathLike[str] | None) -> list[str]:
    """The versions in the published site that a release of this version keeps: all but this one
    (a rebuilt version replaces its folder), newest first."""
    versions = site.site_versions(published) if published is not None else []
    return [found for found in versions if found != pebench.__version__]


def is_assembled_site(folder: str | os.PathLike[str]) -> bool:
    """Whether ``folder`` is a site this module (or :func:`pebench_book.site.assemble`) wrote."""
    return (Path(folder) / site.SWITCHER_FILE).is_file() and (Path(folder) / "index.html").is_file()


def publish(
    site_dir: str | os.PathLike[str],
    published: str | os.PathLike[str] | None = None,
    *,
    tag: str | None = None,
    html: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    root: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
) -> list[str]:
    """Assemble into ``site_dir`` what a release deploys; returns its versions, newest first.

    ``published`` holds the site as published (its version folders are copied unchanged; None: a
    first release). ``tag``, when given, must be this version's release tag (:func:`check_tag`) and
    is the ref the pages' repository and Binder links open. ``html`` is an already built book of this
    version to install instead of building one now (the test suite builds once for all its uses).
    ``site_dir`` is absent, empty or an earlier assembled site (replaced once the new tree is
    complete); anything else is refused, since the tree is the deployment.
    """
    if tag is not None:
        check_tag(tag)
    base_url = site.normalize_base_url(base_url)
    target = Path(site_dir).resolve()
    if target.exists() and not (target.is_dir() and (is_assembled_site(target) or not any(target.iterdir()))):
        raise FileExistsError(f"--site {target} holds something else than an assembled site: give a new folder")
    if published is not None and not Path(published).is_dir():
        raise FileNotFoundError(f"--published {published} is not a folder")
    if html is not None and not (Path(html) / "index.html").is_file():
        raise FileNotFoundError(f"--html {html} is not a folder holding a built book (index.html)")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        tree = staging / "site"
        tree.mkdir()
        for version in earlier_versions(published):
            shutil.copytree(Path(published) / version, tree / version, symlinks=True)
            log.info("kept published version %s", version)
        if html is None:
            links = {site.REPOSITORY_REF_ENV: tag} if tag else None
            html = site.build_book(root, staging / "book", timeout=timeout, environment=links)
        site.install_version(html, tree, pebench.__version__)
        versions = site.assemble(tree, base_url)
        if target.exists():
            target.rename(staging / "replaced")
        tree.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return versions
