"""Sphinx extension of the book (listed in ``_config.yml`` under ``sphinx: extra_extensions``).

It adds what a static ``_config.yml`` cannot hold:

* **Version.** ``version``/``release`` become ``pebench.__version__``, and the theme's version
  switcher is configured for it: it reads ``../switcher.json`` (written next to the version folders
  by :mod:`pebench_book.site`) and matches this version; pydata-sphinx-theme's banner then marks every
  version but the newest as old, with a link to the newest.
* **Footer.** Every page's footer names the pebench version, the git commit and the date the
  numbers were produced (:func:`pebench_book.site.provenance`), after any ``extra_footer`` of
  ``_config.yml``.
* **Links.** The repository and Binder buttons point at ``$PEBENCH_REPOSITORY_URL`` at the ref of
  :func:`pebench_book.site.repository_links` (the version's tag, else the commit); with no repository
  configured the site shows neither button.
* **Directives** for the reader-facing pages:

  - ``pebench-parameters`` -- a table per chapter of the parameters in its ``parameters`` cell,
    read from the notebooks at build time, so the "Reproduce it" page cannot fall out of date;
  - ``pebench-benchmarks`` -- the performance targets against the committed benchmark results
    (:func:`pebench_book.performance.headlines`), so the page shows the last measured numbers;
  - ``pebench-profile`` -- where the seconds of the last full book run went, stage by stage;
  - ``pebench-metrics`` -- the catalog of metrics, each linking to its definition;
  - ``pebench-methods`` -- the registry of unlearning methods, each linking to its section of the
    methods page;
  - ``pebench-method-objectives`` -- those sections: each method's objective, hyper-parameters and
    data, written from its class (:mod:`pebench_book.methods_page`);
  - ``pebench-gpu-smoke`` -- the last end-to-end GPU run of the recipe, from its results file;
  - ``pebench-gpu-estimate`` -- the projection of the recipe's GPU time and memory, with its checks;
  - ``pebench-api`` -- the API reference: ``automodule`` for every module of a package
    (``pebench``, or the one named as the directive's argument: ``pebench_book``), one section per
    top-level module or subpackage, found by walking the source tree (so a new module is
    documented without editing the page).

Cross-references need nothing from it: the ``-n`` build resolves them with Sphinx alone, and the
objects this book does not document (``torch``, ``pandas``, the standard library: no intersphinx
offline) are listed in ``_config.yml`` under ``nitpick_ignore_regex``.
"""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util.docutils import SphinxDirective

import pebench
from pebench.chapter_parameters import chapter_parameters
from pebench.paths import CHAPTERS_DIRNAME, find_repo_root
from pebench_book.chapters import chapter_number, list_chapters
from pebench_book.performance import GPU_ESTIMATE_COLUMNS, gpu_estimate, gpu_smoke, headlines, suite_headlines
from pebench_book.site import SWITCHER_JSON_URL, chapter_title, provenance, repository_links

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(pebench.__file__).resolve().parent
#: The book's own static files: its style sheet and icon.
STATIC_DIR = Path(__file__).resolve().parent / "static"


# -- configuration --------------------------------------------------------------------------------
def configure(app: Sphinx, config: Config) -> None:
    """``config-inited``: the version, the switcher options and the provenance footer."""
    version = pebench.__version__
    config.version = config.release = version
    options = dict(config.html_theme_options or {})
    switcher = dict(options.get("switcher") or {})
    switcher.setdefault("json_url", SWITCHER_JSON_URL)
    switcher["version_match"] = version
    options["switcher"] = switcher
    # The switcher file only exists in the assembled site, not in the source tree the theme checks.
    options["check_switcher"] = False
    options.setdefault("show_version_warning_banner", True)
    url, ref = repository_links(Path(app.srcdir))
    if url:
        options.update(repository_url=url, repository_branch=ref, use_repository_button=True)
    else:  # no made-up links: no repository button, no Binder button
        options.update(repository_url="", use_repository_button=False)
        options["launch_buttons"] = {
            k: v for k, v in (options.get("launch_buttons") or {}).items() if k != "binderhub_url"
        }
    footer = provenance(app.srcdir).footer_html(url)
    options["extra_footer"] = f"{options.get('extra_footer') or ''}{footer}"
    config.html_theme_options = options


# -- parameter tables -----------------------------------------------------------------------------
def _table(header: list[str], rows: list[list[nodes.Node]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["pebench-parameters"])
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row([nodes.Text(text) for text in header])
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", cell)
        row += entry
    return row


class ParametersDirective(SphinxDirective):
    """``pebench-parameters``: one table of parameters per chapter, with a link to the chapter.

    Reads the chapters ``notebooks/NN_*.ipynb`` that the book contains when the page is built.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        root = find_repo_root(self.env.srcdir)
        result: list[nodes.Node] = []
        for chapter in list_chapters(root / CHAPTERS_DIRNAME):
            docname = chapter.relative_to(root).with_suffix("").as_posix()
            if docname not in self.env.found_docs:
                continue  # not in _toc.yml (yet): not part of the book
            self.env.note_dependency(str(chapter))
            number, title = chapter_number(chapter), chapter_title(chapter)
            heading = nodes.paragraph(classes=["pebench-parameters-chapter"])
            heading += nodes.strong(text=f"Chapter {number}: ")
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{docname}", refexplicit=True, refwarn=True
            )
            link += nodes.inline(text=title)
            heading += link
            heading += nodes.Text(f" ({chapter.name})")
            result.append(heading)
            parameters = chapter_parameters(chapter)
            if not parameters:
                result.append(nodes.paragraph(text="This chapter has no parameters cell."))
                continue
            rows = [
                [nodes.literal(text=p.name), nodes.literal(text=p.default), nodes.Text(p.description or "–")]
                for p in parameters
            ]
            result.append(_table(["parameter", "default", "what it sets (the cell's comment)"], rows, [20, 20, 60]))
        return result


class MetricsDirective(SphinxDirective):
    """``pebench-metrics``: the catalog of metrics (:data:`pebench.metrics.catalog.CATALOG`) as a
    table, each row linking to its definition on the page."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pebench.metrics.catalog import CATALOG

        rows = []
        for metric in CATALOG:
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="ref", reftarget=metric.anchor, refexplicit=True, refwarn=True
            )
            link += nodes.literal(text=", ".join(metric.names()))
            rows.append(
                [
                    link,
                    nodes.Text(metric.column or "–"),
                    nodes.Text(metric.scorer),
                    nodes.Text(metric.direction),
                    nodes.Text(metric.description),
                ]
            )
        return [_table(["metric", "paper's column", "scored by", "higher =", "measures"], rows, [18, 10, 27, 10, 35])]


class MethodsDirective(SphinxDirective):
    """``pebench-methods``: the registered unlearning methods (:data:`pebench.unlearn.registry.METHODS`) as a
    table, in registry order, each linking to its section of the methods page and summarised by its
    docstring's first clause."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pebench.paper import table1
        from pebench.unlearn import METHODS
        from pebench_book.methods_page import summary

        in_paper = set(table1()["method"])
        rows = []
        for name, cls in METHODS.items():
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="ref", reftarget=f"method-{name}", refexplicit=True, refwarn=True
            )
            link += nodes.literal(text=name)
            paper = "yes" if cls.label in in_paper else "–"
            rows.append([link, nodes.Text(cls.label), nodes.Text(paper), nodes.Text(summary(cls))])
        return [_table(["name", "label", "in the paper's Table 1", "what it does"], rows, [14, 10, 12, 64])]


class MethodObjectivesDirective(SphinxDirective):
    """``pebench-method-objectives``: a section per registered method with its objective (from its
    class docstring), its hyper-parameters and defaults (from its constructor) and the data it uses
    (:func:`pebench_book.methods_page.method_markdown`)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pebench.unlearn import METHODS
        from pebench_book.methods_page import method_markdown

        text = "\n\n".join(method_markdown(name, cls) for name, cls in METHODS.items())
        container = nodes.container()
        self.state.nested_parse(
            StringList(text.splitlines(), source=self.get_source_info()[0]), 0, container, match_titles=True
        )
        return container.children


class BenchmarksDirective(SphinxDirective):
    """``pebench-benchmarks``: each performance target with the value ``benchmarks/`` measured."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = find_repo_root(self.env.srcdir) / "benchmarks" / "results"
        for path in folder.glob("*.json"):
            self.env.note_dependency(str(path))
        verdict = {True: "met", False: "missed", None: "not measured"}
        rows = [
            [
                nodes.Text(h.measure),
                nodes.Text(h.value),
                nodes.Text(h.target),
                nodes.strong(text=verdict[h.met]),
                nodes.literal(text=h.source),
            ]
            for h in [*headlines(folder), *suite_headlines(folder)]
        ]
        return [_table(["measure", "measured", "target", "", "from"], rows, [30, 25, 17, 8, 20])]


class ProfileDirective(SphinxDirective):
    """``pebench-profile``: where the seconds of the last full book run went, stage by stage
    (``benchmarks/results/book_profile.json``, :func:`pebench_book.profile.profile_rows`)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pebench_book.profile import profile_rows

        path = find_repo_root(self.env.srcdir) / "benchmarks" / "results" / "book_profile.json"
        self.env.note_dependency(str(path))
        if not path.is_file():
            return [
                nodes.paragraph(text="No full book run has been profiled yet (benchmarks/results/book_profile.json).")
            ]
        record = json.loads(path.read_text(encoding="utf-8"))
        machine = record["machine"]
        intro = nodes.paragraph(
            text=(
                f"Measured by the {record['cache']} run of {machine['date']} at commit {machine['commit']}, on "
                f"{machine['cpu_count']} cores of an {machine['cpu_model']} ({machine['numerics_mode']} numerics, "
                f"fingerprint {machine['fingerprint']}). Core minutes add up a stage over the processes that ran it, "
                "two at a time, so a column adds up to about twice its wall clock where both cores were busy."
            )
        )
        columns, rows = profile_rows(record)
        cells = [[nodes.Text(cell) for cell in row] for row in rows]
        return [intro, _table(columns, cells, [34, 16, 16, 22, 12])]


class GpuSmokeDirective(SphinxDirective):
    """``pebench-gpu-smoke``: the last end-to-end GPU run of the recipe (``benchmarks/gpu_smoke.py``)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        path = find_repo_root(self.env.srcdir) / "benchmarks" / "results"
        self.env.note_dependency(str(path / "gpu_smoke.json"))
        smoke = gpu_smoke(path)
        if smoke is None:
            return [nodes.paragraph(text="benchmarks/gpu_smoke.py has not been run: no results to show.")]
        summary = ", ".join(
            f"{variant}: {smoke.seconds[variant]:.0f} s, peak {smoke.peak_memory_mib[variant]:.0f} MiB"
            for variant in smoke.seconds
        )
        intro = nodes.paragraph(text=f"Ran on {smoke.environment}. Whole run per variant: {summary}.")
        # Two tables that fit the page: the seconds, then the metrics, each row named by variant and method.
        keys, rest = smoke.columns[:2], smoke.columns[2:]
        seconds = [column for column in rest if column.endswith("_s")]
        tables = []
        for group in (seconds, [column for column in rest if column not in seconds]):
            header = [*keys, *group]
            rows = [[nodes.Text(row[smoke.columns.index(column)]) for column in header] for row in smoke.rows]
            tables.append(_table(header, rows, [100 // len(header)] * len(header)))
        return [intro, *tables]


class GpuEstimateDirective(SphinxDirective):
    """``pebench-gpu-estimate``: the projection of ``benchmarks/gpu_estimate.py`` and its tiny-model checks."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from pebench.arms import LABELS  # torch (the method registry): only when a page uses this directive

        path = find_repo_root(self.env.srcdir) / "benchmarks" / "results"
        self.env.note_dependency(str(path / "gpu_estimate.json"))
        estimate = gpu_estimate(path, LABELS)
        if estimate is None:
            return [nodes.paragraph(text="benchmarks/gpu_estimate.py has not been run: no estimate to show.")]
        steps = "; ".join(
            f"{LABELS.get(m, m)} {measured:.2f}× measured, {by_sequences:.2f}× predicted"
            + ("" if by_tokens is None else f" by sequences, {by_tokens:.2f}× by tokens")
            for m, measured, by_sequences, by_tokens in estimate.step_checks
        )
        checks = nodes.paragraph(
            text=(
                f"Checks on the tiny model. Step time relative to GA's: {steps}. Memory: the formula gives "
                f"{estimate.formula_mib[0]:.0f}–{estimate.formula_mib[1]:.0f} MiB where the measured peak RSS rose by "
                f"{estimate.measured_mib[0]:.0f}–{estimate.measured_mib[1]:.0f} MiB, so the calibrated columns scale "
                f"everything but the weights by {estimate.calibration:.2f} (the median ratio)."
            )
        )
        rows = [[nodes.Text(cell) for cell in row] for row in estimate.rows]
        widths = [18, 6, 12, 9, 7, 8, 13, 13, 14]
        return [checks, _table(list(GPU_ESTIMATE_COLUMNS), rows, widths)]


# -- API reference --------------------------------------------------------------------------------
def package_modules(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Every importable module of the package, dotted, packages before their modules, sorted.

    Folders without ``__init__.py`` (namespace packages such as ``pebench.train``) count as
    packages; ``__main__`` modules and private (``_name``) modules are left out.
    """
    names = []
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir.parent).with_suffix("")
        parts = list(relative.parts)
        if any(part.startswith("_") and part != "__init__" for part in parts) or "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    for folder in sorted(p for p in package_dir.rglob("*") if p.is_dir() and p.name != "__pycache__"):
        if not (folder / "__init__.py").exists() and any(folder.glob("*.py")):
            names.append(".".join(folder.relative_to(package_dir.parent).parts))
    return sorted(set(names), key=lambda name: name.split("."))


def api_groups(modules: list[str]) -> dict[str, list[str]]:
    """Modules grouped by their top-level module or subpackage of the package (the package itself
    is its own group)."""
    groups: dict[str, list[str]] = {}
    for name in modules:
        parts = name.split(".")
        key = ".".join(parts[:2])
        groups.setdefault(key, []).append(name)
    return groups


class ApiDirective(SphinxDirective):
    """``pebench-api [PACKAGE]``: a section per top-level module or subpackage of ``PACKAGE``
    (default ``pebench``), autodoc for each module."""

    has_content = False
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        package = self.arguments[0] if self.arguments else pebench.__name__
        folder = Path(importlib.import_module(package).__file__).resolve().parent
        sections: list[nodes.Node] = []
        for group, modules in api_groups(package_modules(folder)).items():
            if group == package:
                continue  # the page's prose introduces the package
            section = nodes.section(ids=[nodes.make_id(f"api-{group}")])
            section += nodes.title(text=group)
            lines = ["```{eval-rst}"]
            for module in modules:
                # :ignore-module-all: documents what a module defines, not what its __all__
                # re-exports (which would document each re-exported object twice).
                lines += [f".. automodule:: {module}", "   :members:", "   :ignore-module-all:", ""]
            lines.append("```")
            self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), 0, section)
            sections.append(section)
        return sections


def add_static(app: Sphinx, config: Config) -> None:
    """``config-inited``: the book's style sheet and icon (:data:`STATIC_DIR`) in every page."""
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]
    config.html_favicon = config.html_favicon or str(STATIC_DIR / "favicon.svg")


def is_thebe_script(script: Any) -> bool:
    """Whether a page script is sphinx-thebe's (its loader, or the inline lines naming its CDN URL)."""
    name = str(getattr(script, "filename", script) or "")
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return name.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """``html-page-context``: no sphinx-thebe scripts on the pages.

    Jupyter Book always loads sphinx-thebe, whose inline script names a CDN (unpkg) and is added twice
    by a full build, a ``SyntaxError`` in the console of every page. The book runs no code in the
    browser (it has no thebe button), so its pages carry neither script and read fully offline.
    """
    scripts = context.get("script_files")
    if scripts:  # in place: the theme's own handlers add this page's scripts to the same list
        scripts[:] = [script for script in scripts if not is_thebe_script(script)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.connect("config-inited", add_static)
    app.connect("html-page-context", drop_thebe)
    app.add_css_file("pebench.css")
    app.add_directive("pebench-parameters", ParametersDirective)
    app.add_directive("pebench-benchmarks", BenchmarksDirective)
    app.add_directive("pebench-profile", ProfileDirective)
    app.add_directive("pebench-metrics", MetricsDirective)
    app.add_directive("pebench-methods", MethodsDirective)
    app.add_directive("pebench-method-objectives", MethodObjectivesDirective)
    app.add_directive("pebench-gpu-smoke", GpuSmokeDirective)
    app.add_directive("pebench-gpu-estimate", GpuEstimateDirective)
    app.add_directive("pebench-api", ApiDirective)
    return {"version": pebench.__version__, "parallel_read_safe": True, "parallel_write_safe": True}
