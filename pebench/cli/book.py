"""The handlers of the commands that make the book: ``chapters``, ``run-chapter``, ``verify``,
``site``, ``book``.

They call the book's tooling, :mod:`pebench_book`, which they import inside the handlers only: a
reader who uses the library, or its other commands, needs no Sphinx, papermill or nbformat.
Chapter numbers, parameters and the site's base URL are checked before anything runs, so that a
typo fails at once rather than after an hour of execution.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pebench.cli.arguments import UsageError, parse_parameters
from pebench.cli.progress import progress_bar


def _chapter_parameters(chapter: Path, given: dict[str, Any]) -> None:
    from pebench_book.chapters import check_parameters

    try:
        check_parameters(chapter, given)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _chapters(numbers: Sequence[str] | None, folder: Path | None = None) -> list[Path]:
    """The chapters in ``folder`` (default: the repository's ``notebooks/``), or those numbered."""
    from pebench_book.chapters import UnknownChapterError, chapters_dir, list_chapters, select_chapters

    try:
        chapters = list_chapters(folder)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    if not chapters:
        raise UsageError(f"no chapter notebooks (NN_*.ipynb) in {folder or chapters_dir()}")
    try:
        return select_chapters(numbers, chapters) if numbers else chapters
    except UnknownChapterError as error:
        raise UsageError(str(error)) from None


def _execute_chapters(
    args: argparse.Namespace, parameters: dict[str, Any], folder: Path | None = None, cwd: Path | None = None
) -> list[Path]:
    """Execute the chapters (``--only`` ones, else all) through the one loop that runs the book
    (:func:`pebench_book.chapters.run_all`): in place at their defaults, into ``variants/`` with other
    parameters. A full run at default parameters is the book's: its shared base models are trained
    first and its time per chapter is recorded. Returns the notebooks written."""
    from pebench_book import chapters

    full_run = not args.only and not parameters
    return chapters.run_all(
        folder,
        parameters,
        only=args.only,
        times_path=chapters.times_path(folder) if full_run else None,
        progress=not args.no_progress,
        cwd=cwd,
        log_output=args.log_output,
    )


def cmd_chapters_list(args: argparse.Namespace) -> int:
    """Print the chapter notebooks, with their numbers."""
    from pebench_book.chapters import chapter_number

    for chapter in _chapters(None, args.dir):
        print(f"{chapter_number(chapter)}  {chapter}")
    return 0


def cmd_chapters_warm(args: argparse.Namespace) -> int:
    """Train the base models the chapters share at default parameters (a full run does this first)."""
    from pebench_book.chapters import warm_shared_models

    seconds = warm_shared_models()
    print(f"the chapters' shared base models are ready ({seconds:.0f} s)")
    return 0


def cmd_chapters_run(args: argparse.Namespace) -> int:
    """Execute chapters in place, all of them by default, with ``-p`` overrides checked against each."""
    chapters = _chapters(args.only, args.dir)
    parameters = parse_parameters(args.parameter)
    for chapter in chapters:  # a typo fails before anything runs
        _chapter_parameters(chapter, parameters)
    written = _execute_chapters(args, parameters, args.dir, args.cwd)
    for chapter, notebook in zip(chapters, written, strict=True):
        print(_where(chapter, notebook, parameters))
    return 0


def cmd_run_chapter(args: argparse.Namespace) -> int:
    """Execute one chapter with papermill, in place (or into ``--output``), with ``-p`` overrides."""
    (chapter,) = _chapters([args.chapter])
    parameters = parse_parameters(args.parameter)
    _chapter_parameters(chapter, parameters)
    from pebench_book.chapters import run_chapter

    notebook = run_chapter(chapter, args.output, parameters, cwd=args.cwd, log_output=args.log_output)
    print(_where(chapter, notebook, parameters))
    return 0


def _where(chapter: Path, notebook: Path, parameters: dict[str, Any]) -> str:
    """Whose run of ``chapter`` this was and where its figures and tables went (:mod:`pebench.outputs`),
    as the chapter's last cell says it."""
    from pebench.outputs import ChapterRun, changed_parameters

    return ChapterRun.planned(chapter, notebook, changed_parameters(chapter, parameters)).describe()


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-execute chapters into a scratch folder and compare their tables with the published ones."""
    from pebench import numerics
    from pebench.cache import atomic_write_json
    from pebench_book.verify import report_record, same_numerics, verify

    chapters = _chapters(args.only or [])
    print(
        f"this machine: {numerics.cpu_description()['cpu_model']}, {numerics.mode()} numerics, "
        f"fingerprint {numerics.fingerprint()}"
    )
    failed, reports = 0, []
    for chapter in chapters:
        expect = "the same bits" if same_numerics(chapter) else "other bits (another CPU or numerics)"
        print(f"chapter {chapter.name}: re-executing; expecting {expect}", flush=True)
        (report,) = verify([chapter], keep=args.keep / chapter.stem if args.keep else None)
        print(report.describe(limit=args.show), flush=True)
        failed += not report.ok
        reports.append(report)
        if args.report:
            atomic_write_json(args.report, {"provenance": numerics.provenance(), "chapters": report_record(reports)})
    print(f"{len(chapters) - failed} of {len(chapters)} chapter(s) agree with the published numbers")
    return 1 if failed else 0


def _check_base_url(base_url: str | None) -> None:
    from pebench_book.site import normalize_base_url

    try:
        normalize_base_url(base_url)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _build_site(args: argparse.Namespace) -> float:
    """Build the site; return the seconds it took."""
    from pebench_book.site import build_site

    start = time.perf_counter()
    with progress_bar(1, "building the website", enabled=not args.no_progress) as bar:
        target = build_site(site=args.site, base_url=args.base_url)
        bar.update()
    print(f"built {target}; read it with: python -m http.server -d {target.parent} 8000")
    return time.perf_counter() - start


def cmd_site_build(args: argparse.Namespace) -> int:
    """Build this version's book into the versioned site and reassemble the site."""
    _check_base_url(args.base_url)
    _build_site(args)
    return 0


def cmd_site_assemble(args: argparse.Namespace) -> int:
    """Rewrite the site's switcher.json and index.html from the version folders it holds."""
    from pebench_book.site import assemble, default_site_dir

    _check_base_url(args.base_url)
    folder = args.site if args.site is not None else default_site_dir()
    versions = assemble(folder, args.base_url)
    print(f"assembled {folder}: versions {', '.join(versions)} (latest {versions[0]})")
    return 0


def cmd_site_publish(args: argparse.Namespace) -> int:
    """Assemble what a release deploys: the published site's versions plus this version's book."""
    from pebench_book.publish import check_tag, default_publish_dir, publish

    _check_base_url(args.base_url)
    if args.tag is not None:
        try:
            check_tag(args.tag)
        except ValueError as error:
            raise UsageError(f"--tag: {error}") from None
    target = args.site if args.site is not None else default_publish_dir()
    with progress_bar(1, "assembling the release", enabled=not args.no_progress) as bar:
        try:  # publish checks its folders before it builds anything
            versions = publish(target, args.published, tag=args.tag, html=args.html, base_url=args.base_url)
        except (FileExistsError, FileNotFoundError) as error:
            raise UsageError(str(error)) from None
        bar.update()
    print(f"assembled {target}: versions {', '.join(versions)} (latest {versions[0]})")
    print(f"read it with: python -m http.server -d {target} 8000")
    return 0


def cmd_site_provenance(args: argparse.Namespace) -> int:
    """Print the version, commit and numbers date (and numerics) that the pages' footer shows."""
    from pebench_book.site import provenance

    print(json.dumps(dataclasses.asdict(provenance()), indent=2))
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    """``make book`` without the installation: execute the chapters, then build the versioned site."""
    from pebench_book import chapters, profile

    _check_base_url(args.base_url)
    if not args.no_execute:
        _chapters(args.only)  # a typo in --only fails before anything runs
        _execute_chapters(args, {})
    seconds = _build_site(args)
    if not args.no_execute and not args.only:  # the book's own run: its profile gains the site build
        profile.add_site_build(profile.profile_path(chapters.times_path()), seconds)
    return 0
