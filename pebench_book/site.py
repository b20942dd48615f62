"""Build the versioned website: the book of each ``pebench`` version side by side, with a switcher.

Layout of the site folder (``_build/site`` by default)::

    _build/site/
        index.html        redirects to the latest version
        switcher.json     every version found here, newest first, the newest marked "preferred"
        .nojekyll         so that GitHub Pages serves the _static/ folders
        0.1.0/            the Jupyter Book of pebench 0.1.0, exactly as it was built
        0.2.0/            ...

``build_site`` builds the book of the *installed* version (``pebench.__version__``, which is also
the version in ``pyproject.toml``) with ``jupyter-book build --all -W -n --keep-going``, replaces that
version's folder with it, leaves every other version's folder as it is, and rewrites
``switcher.json`` and ``index.html`` from the folders it finds (``assemble``). A release assembles
its site apart, from the published versions and this one: :mod:`pebench_book.publish`.

Every page's version switcher reads ``../switcher.json`` (relative to its version's root), so an old
version always lists the versions published *after* it and shows pydata-sphinx-theme's "old
version" banner pointing to the newest one. The theme options that do this, the version and the
footer are set by the Sphinx extension :mod:`pebench_book.sphinxext`, from :func:`provenance`.

The entries' URLs in ``switcher.json`` are absolute paths below ``base_url`` (default ``/``: the
site served at the root of a host, as ``python -m http.server -d _build/site`` does). For a site
published below a path, pass it: ``--base-url /pebench/`` or a full URL.

The chapters' ``parameters`` cells, which the "Reproduce it" page tabulates, are read by
:mod:`pebench.chapter_parameters`.

Command line (:mod:`pebench.cli`, the one parser)::

    pebench site build [--site DIR] [--base-url URL]
    pebench site assemble [--site DIR] [--base-url URL]
    pebench site publish [--site DIR] [--published DIR] [--tag vX.Y.Z] [--html DIR] [--base-url URL]
    pebench site provenance
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from packaging.version import InvalidVersion, Version

import pebench
from pebench.paths import CHAPTERS_DIRNAME, find_repo_root
from pebench_book.chapters import list_chapters, recorded_provenance

log = logging.getLogger(__name__)

SITE_DIRNAME = "site"
SWITCHER_FILE = "switcher.json"
#: Where each built version looks for the switcher, relative to its own root folder.
SWITCHER_JSON_URL = f"../{SWITCHER_FILE}"
#: The repository the published site links to (repository button, Binder, commit links); unset or
#: empty, the site shows no repository button, no Binder button and unlinked commits.
REPOSITORY_URL_ENV = "PEBENCH_REPOSITORY_URL"
#: The git ref those links open; default: the tag ``v<version>`` when the built commit carries it,
#: else the built commit itself, so that a reader always lands on the code of the pages they read.
REPOSITORY_REF_ENV = "PEBENCH_REPOSITORY_REF"
BASE_URL_ENV = "PEBENCH_SITE_BASE_URL"
BUILD_FLAGS = ("--all", "-W", "-n", "--keep-going")


# -- provenance: what the footer says ---------------------------------------------------------------
@dataclass(frozen=True)
class Provenance:
    """Which code and which numbers a built page shows.

    ``commit`` is the short hash of ``HEAD`` (``"unknown"`` outside a git checkout), ``dirty`` whether
    tracked files differ from it. ``numbers_date`` is the date the chapters' numbers were produced
    and ``numbers_source`` how it was found (see :func:`numbers_produced`).
    """

    version: str
    commit: str
    commit_full: str
    dirty: bool
    numbers_date: str
    numbers_source: str
    #: What the chapters' numbers were computed with (CPU, kernels, libraries), from their metadata.
    numerics: str = "not recorded"

    def footer_html(self, repository_url: str = "") -> str:
        """One line of HTML for the page footer (the commit linked when a repository is given)."""
        commit = html.escape(self.commit)
        if self.commit_full and repository_url:
            commit = f'<a href="{html.escape(repository_url)}/commit/{html.escape(self.commit_full)}">{commit}</a>'
        if self.dirty:
            commit += " (with uncommitted changes)"
        return (
            f'<p class="pebench-provenance">pebench {html.escape(self.version)} · commit {commit} · '
            f"numbers produced {html.escape(self.numbers_date)} on {html.escape(self.numerics)}</p>"
        )


def _git(root: Path, *args: str) -> str | None:
    """``git args`` in ``root``: its stdout without trailing whitespace, or None when git is missing or fails."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.rstrip() if result.returncode == 0 else None


def numbers_produced(root: str | os.PathLike[str] | None = None) -> tuple[dt.date, str]:
    """The date the book's numbers were produced, and where that date comes from.

    The numbers are the outputs of the executed chapter notebooks (``notebooks/NN_*.ipynb``), which
    are executed ahead of time and committed; the book build never runs them. So the date is the
    latest of, for each chapter:

    * the date of the last commit that changed it, when the working copy is the committed one
      (stable: rebuilding the same commit anywhere gives the same footer);
    * otherwise (edited or re-executed and not yet committed, or not under git) the date its file
      was last modified, which is when ``pebench_book.chapters`` wrote it.

    Why not a results manifest or the notebook metadata: ``pebench_book.chapters`` strips execution
    timestamps from the notebooks so that reruns leave no churn, and the commit that records new
    outputs is what a reader can check out. The price: a commit that only edits a chapter's text also
    moves the date. Returns ``(date, source)`` with source ``"git"``, ``"files"`` or ``"git+files"``.
    """
    root = find_repo_root(root)
    chapters = list_chapters(root / CHAPTERS_DIRNAME)
    if not chapters:
        return dt.date.today(), "none"
    changed: set[Path] | None = None
    toplevel = _git(root, "rev-parse", "--show-toplevel")
    status = _git(
        root, "-c", "core.quotepath=off", "status", "--porcelain", "--untracked-files=all", "--", CHAPTERS_DIRNAME
    )
    if toplevel and status is not None:
        changed = {(Path(toplevel) / line[3:].split(" -> ")[-1].strip('"')).resolve() for line in status.splitlines()}
    dates, sources = [], set()
    for chapter in chapters:
        stamp = None
        if changed is not None and chapter.resolve() not in changed:
            stamp = _git(root, "log", "-1", "--format=%cI", "--", str(chapter)) or None
        if stamp:
            dates.append(dt.datetime.fromisoformat(stamp).date())
            sources.add("git")
        else:
            dates.append(dt.datetime.fromtimestamp(chapter.stat().st_mtime, tz=dt.UTC).date())
            sources.add("files")
    return max(dates), "+".join(sorted(sources))


def repository_links(root: Path) -> tuple[str, str]:
    """The repository URL (``$PEBENCH_REPOSITORY_URL``, "" when none) and the ref its links open
    (``$PEBENCH_REPOSITORY_REF``, else the version's tag ``v<version>`` when it points at ``HEAD``,
    else the commit, else ``main`` outside a git checkout)."""
    url = os.environ.get(REPOSITORY_URL_ENV, "").strip().rstrip("/")
    ref = os.environ.get(REPOSITORY_REF_ENV, "").strip()
    if not ref:
        tag = f"v{pebench.__version__}"
        head, tagged = _git(root, "rev-parse", "HEAD"), _git(root, "rev-parse", f"{tag}^{{commit}}")
        ref = tag if head and head == tagged else head or "main"
    return url, ref


def provenance(root: str | os.PathLike[str] | None = None) -> Provenance:
    """Version, commit and numbers date of the checkout at ``root`` (default: around the cwd)."""
    root = find_repo_root(root)
    full = _git(root, "rev-parse", "HEAD") or ""
    short = _git(root, "rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no")) if full else False
    date, source = numbers_produced(root)
    return Provenance(pebench.__version__, short, full, dirty, date.isoformat(), source, numerics_produced(root))


def numerics_produced(root: str | os.PathLike[str] | None = None) -> str:
    """One line on what the chapters' numbers were computed with, from their recorded provenance
    (:func:`pebench_book.chapters.record_provenance`): the CPU, ATen's kernels, MKL's branch, the numerics
    mode, torch's version and the fingerprint; ``"mixed machines"`` when the chapters disagree."""
    described = set()
    for chapter in list_chapters(find_repo_root(root) / CHAPTERS_DIRNAME):
        record = recorded_provenance(chapter)
        if not record:
            described.add("not recorded")
            continue
        torch_version = next((v for v in record["libraries"].split(",") if v.startswith("torch=")), "torch=?")
        described.add(
            f"{record['cpu_model']} ({record['cpu_vendor']}, {record['cpu_vector_extensions']}), "
            f"ATen {record['aten_kernels']} kernels, MKL {record['mkl_branch']} branch, "
            f"{record['numerics_mode']} numerics, {torch_version}, fingerprint {record['fingerprint']}"
        )
    if len(described) > 1:
        return "mixed machines: " + "; ".join(sorted(described))
    return described.pop() if described else "not recorded"


# -- the chapters' titles ---------------------------------------------------------------------------
def chapter_title(path: str | os.PathLike[str]) -> str:
    """The chapter's title: the first Markdown heading of the notebook (else its file name)."""
    nb = nbformat.read(Path(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                match = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
                if match:
                    return match[1]
    return Path(path).stem


# -- building and assembling the site ---------------------------------------------------------------
def default_site_dir(root: str | os.PathLike[str] | None = None) -> Path:
    """``<repo>/_build/site``."""
    return find_repo_root(root) / "_build" / SITE_DIRNAME


def jupyter_book_command() -> list[str]:
    """How to run this environment's ``jupyter-book`` (its script, else through the interpreter)."""
    script = Path(sys.executable).with_name("jupyter-book")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


def build_book(
    root: str | os.PathLike[str] | None = None,
    output: str | os.PathLike[str] | None = None,
    *,
    timeout: float | None = None,
    environment: Mapping[str, str] | None = None,
) -> Path:
    """Build the HTML book of the checkout at ``root`` with ``jupyter-book build --all -W -n --keep-going``.

    ``output`` is jupyter-book's ``--path-output`` (default: ``root``, so the HTML lands in
    ``<root>/_build/html``); ``environment`` adds variables for the build (such as
    ``$PEBENCH_REPOSITORY_REF``). Returns the HTML folder; raises ``RuntimeError`` with the end of the
    log when the build fails, warns or takes longer than ``timeout`` seconds.
    """
    root = find_repo_root(root)
    command = [*jupyter_book_command(), "build", *BUILD_FLAGS]
    if output is not None:
        command += ["--path-output", str(Path(output).resolve())]
    command.append(str(root))
    log.info("building the book: %s", " ".join(command))
    try:
        result = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(environment or {}), "PYTHONUNBUFFERED": "1"},
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"{' '.join(command)} took longer than {timeout} s") from error
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {result.returncode}:\n{(result.stdout + result.stderr)[-8000:]}"
        )
    html_dir = (Path(output).resolve() if output is not None else root) / "_build" / "html"
    if not (html_dir / "index.html").is_file():
        raise RuntimeError(f"the build reported success but {html_dir}/index.html is missing")
    return html_dir


def parse_version(name: str) -> Version | None:
    """``name`` as a version, or None when it is not one (``latest``, ``_static``, ...)."""
    try:
        return Version(name)
    except InvalidVersion:
        return None


def site_versions(site: str | os.PathLike[str]) -> list[str]:
    """The versions built into ``site``: sub-folders named like a version holding an ``index.html``,
    newest first."""
    folder = Path(site)
    if not folder.is_dir():
        return []
    found = [
        child.name
        for child in folder.iterdir()
        if child.is_dir() and parse_version(child.name) is not None and (child / "index.html").is_file()
    ]
    return sorted(found, key=Version, reverse=True)


def normalize_base_url(base_url: str | None) -> str:
    """``base_url`` (default ``$PEBENCH_SITE_BASE_URL``, else ``/``) with exactly one trailing slash."""
    base = base_url if base_url is not None else os.environ.get(BASE_URL_ENV, "/")
    base = base.strip() or "/"
    if "://" not in base and not base.startswith("/"):
        raise ValueError(f"base URL must be an absolute path (/pebench/) or a full URL, got {base!r}")
    return base.rstrip("/") + "/"


def switcher_entries(versions: Sequence[str], base_url: str | None = None) -> list[dict[str, object]]:
    """The ``switcher.json`` entries for ``versions``: newest first, the newest ``preferred``."""
    base = normalize_base_url(base_url)
    ordered = sorted(versions, key=Version, reverse=True)
    entries: list[dict[str, object]] = []
    for position, version in enumerate(ordered):
        entry: dict[str, object] = {
            "name": f"{version} (latest)" if position == 0 else version,
            "version": version,
            "url": f"{base}{version}/",
        }
        if position == 0:
            entry["preferred"] = True
        entries.append(entry)
    return entries


REDIRECT_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PEBench companion</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}">
</head>
<body>
<p>The latest version of this book is <a href="{target}">{version}</a>.</p>
</body>
</html>
"""


def assemble(site: str | os.PathLike[str], base_url: str | None = None) -> list[str]:
    """Write ``switcher.json``, ``index.html`` and ``.nojekyll`` of ``site`` from the version folders
    in it; returns the versions, newest first. Raises ``FileNotFoundError`` when there are none."""
    folder = Path(site)
    versions = site_versions(folder)
    if not versions:
        raise FileNotFoundError(f"no built version (a folder like 0.1.0/ with an index.html) in {folder}")
    entries = switcher_entries(versions, base_url)
    _write_text(folder / SWITCHER_FILE, json.dumps(entries, indent=2) + "\n")
    _write_text(folder / "index.html", REDIRECT_HTML.format(target=f"{versions[0]}/index.html", version=versions[0]))
    (folder / ".nojekyll").touch()
    log.info("site %s: versions %s (latest %s)", folder, ", ".join(versions), versions[0])
    return versions


def install_version(html_dir: str | os.PathLike[str], site: str | os.PathLike[str], version: str) -> Path:
    """Copy a built book into ``site/<version>``, replacing only that version's folder."""
    if parse_version(version) is None:
        raise ValueError(f"not a version: {version!r}")
    folder = Path(site)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / version
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=folder))
    try:
        shutil.copytree(html_dir, staging / version)
        if target.exists():
            target.rename(staging / "previous")
        (staging / version).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def build_site(
    root: str | os.PathLike[str] | None = None,
    site: str | os.PathLike[str] | None = None,
    *,
    base_url: str | None = None,
) -> Path:
    """Build the book of this version into ``site/<version>`` and reassemble the site; returns that
    version's folder. ``site`` defaults to ``<repo>/_build/site``; the repository's ``_build/html``
    also holds the book."""
    root = find_repo_root(root)
    site_dir = Path(site) if site is not None else default_site_dir(root)
    html_dir = build_book(root)
    target = install_version(html_dir, site_dir, pebench.__version__)
    assemble(site_dir, base_url)
    return target


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
