"""The versioned website's building blocks (pebench_book.site, pebench_book.sphinxext) and the reader pages'
consistency with the code: metric glossary, citation, changelog, license, the Reproduce page's
commands. Fast: nothing here builds the book (test_book.py and test_browser.py do)."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

import pebench
from pebench.chapter_parameters import Parameter, chapter_parameters, parse_parameters
from pebench_book import site
from pebench_book.chapters import list_chapters
from pebench_book.sphinxext import api_groups, package_modules

ROOT = Path(__file__).resolve().parents[1]


# -- parameters cells -----------------------------------------------------------------------------
CELL = """# Dataset parameters. None means the default.
n_persons = None  # fictitious persons
n_events = 10

# Figures: rows and columns of the grid.
grid_rows = 4
grid_cols: int = 5
methods = ["ga", "npo"]  # which methods
a = b = 0.5
print("not a parameter")
"""


def test_parse_parameters_reads_names_defaults_and_comments() -> None:
    params = {p.name: p for p in parse_parameters(CELL)}
    assert list(params) == ["n_persons", "n_events", "grid_rows", "grid_cols", "methods", "a", "b"]
    assert params["n_persons"].default == "None"
    assert params["n_persons"].description == "fictitious persons"
    # No comment of its own: the comment block above its group of assignments.
    assert params["n_events"].description == "Dataset parameters. None means the default."
    assert (
        params["grid_rows"].description == params["grid_cols"].description == "Figures: rows and columns of the grid."
    )
    assert params["grid_cols"].default == "5"
    assert params["methods"].default == '["ga", "npo"]'
    assert params["methods"].description == "which methods"
    assert params["a"].default == params["b"].default == "0.5"


def write_notebook(path: Path, parameters: str | None, title: str = "# A chapter\n\ntext") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(title))
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, path)
    return path


def test_chapter_parameters_and_title(tmp_path: Path) -> None:
    chapter = write_notebook(tmp_path / "01_x.ipynb", "seed = 0  # the seed\n", "# The fictitious dataset\n\nmore")
    assert chapter_parameters(chapter) == [Parameter("seed", "0", "the seed")]
    assert site.chapter_title(chapter) == "The fictitious dataset"
    bare = write_notebook(tmp_path / "02_y.ipynb", None, "no heading")
    assert chapter_parameters(bare) == []
    assert site.chapter_title(bare) == "02_y"


@pytest.mark.parametrize("chapter", list_chapters(ROOT / "notebooks"), ids=lambda p: p.name)
def test_every_chapter_has_a_readable_parameters_cell(chapter: Path) -> None:
    parameters = chapter_parameters(chapter)
    assert parameters, f"{chapter.name} has no code cell tagged 'parameters' (the Reproduce page tabulates it)"
    assert len({p.name for p in parameters}) == len(parameters), f"{chapter.name} assigns a parameter twice"


# -- versions, switcher, assembly -----------------------------------------------------------------
def fake_build(folder: Path, text: str = "book") -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text)
    return folder


def test_switcher_entries_newest_first_with_one_preferred() -> None:
    entries = site.switcher_entries(["0.9.0", "0.10.0", "0.1.0"], "/pebench")
    assert [e["version"] for e in entries] == ["0.10.0", "0.9.0", "0.1.0"]  # versions, not strings
    assert [e.get("preferred", False) for e in entries] == [True, False, False]
    assert entries[0]["name"] == "0.10.0 (latest)" and entries[1]["name"] == "0.9.0"
    assert [e["url"] for e in entries] == ["/pebench/0.10.0/", "/pebench/0.9.0/", "/pebench/0.1.0/"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "/"),
        ("/", "/"),
        ("/pebench", "/pebench/"),
        ("/pebench/", "/pebench/"),
        ("https://example.org/pebench", "https://example.org/pebench/"),
    ],
)
def test_base_url(given: str | None, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(site.BASE_URL_ENV, raising=False)
    assert site.normalize_base_url(given) == expected


def test_base_url_from_the_environment_and_bad_base_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(site.BASE_URL_ENV, "/docs")
    assert site.normalize_base_url(None) == "/docs/"
    with pytest.raises(ValueError, match="absolute path"):
        site.normalize_base_url("pebench/")


def test_site_versions_are_version_folders_with_a_book(tmp_path: Path) -> None:
    fake_build(tmp_path / "0.1.0")
    fake_build(tmp_path / "0.2.0")
    fake_build(tmp_path / "latest")  # not a version
    (tmp_path / "0.3.0").mkdir()  # no book in it
    assert site.site_versions(tmp_path) == ["0.2.0", "0.1.0"]
    assert site.site_versions(tmp_path / "missing") == []


def test_assemble_writes_switcher_redirect_and_nojekyll(tmp_path: Path) -> None:
    fake_build(tmp_path / "0.1.0")
    fake_build(tmp_path / "0.2.0")
    assert site.assemble(tmp_path, "/") == ["0.2.0", "0.1.0"]
    switcher = json.loads((tmp_path / "switcher.json").read_text())
    assert switcher == site.switcher_entries(["0.1.0", "0.2.0"], "/")
    index = (tmp_path / "index.html").read_text()
    assert 'content="0; url=0.2.0/index.html"' in index
    assert (tmp_path / ".nojekyll").exists()


def test_assemble_needs_a_version(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no built version"):
        site.assemble(tmp_path)


def test_install_version_replaces_only_its_folder(tmp_path: Path) -> None:
    site_dir = tmp_path / "site"
    fake_build(site_dir / "0.1.0", "old release")
    fake_build(site_dir / "0.2.0", "stale build")
    (site_dir / "0.2.0" / "gone.html").write_text("from the stale build")
    new = fake_build(tmp_path / "html", "fresh build")
    target = site.install_version(new, site_dir, "0.2.0")
    assert target == site_dir / "0.2.0"
    assert (target / "index.html").read_text() == "fresh build"
    assert not (target / "gone.html").exists()
    assert (site_dir / "0.1.0" / "index.html").read_text() == "old release"
    assert sorted(p.name for p in site_dir.iterdir()) == ["0.1.0", "0.2.0"]  # no staging left behind
    with pytest.raises(ValueError, match="not a version"):
        site.install_version(new, site_dir, "latest")


# -- provenance -----------------------------------------------------------------------------------
def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "notebooks").mkdir()
    write_notebook(tmp_path / "notebooks" / "01_a.ipynb", "seed = 0\n")
    write_notebook(tmp_path / "notebooks" / "02_b.ipynb", "seed = 0\n")
    return tmp_path


def test_numbers_date_from_files_outside_git(repo: Path) -> None:
    stamp = dt.datetime(2024, 5, 6, 12, tzinfo=dt.UTC).timestamp()
    os.utime(repo / "notebooks" / "01_a.ipynb", (stamp, stamp))
    os.utime(repo / "notebooks" / "02_b.ipynb", (stamp - 86400 * 3, stamp - 86400 * 3))
    assert site.numbers_produced(repo) == (dt.date(2024, 5, 6), "files")
    info = site.provenance(repo)
    assert (info.commit, info.commit_full, info.dirty) == ("unknown", "", False)


def test_numbers_date_from_the_commits_of_unchanged_chapters(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first", date="2024-01-02T10:00:00+00:00")
    write_notebook(repo / "notebooks" / "02_b.ipynb", "seed = 1\n")
    git(repo, "commit", "-q", "-am", "rerun 02", date="2024-03-04T10:00:00+00:00")
    assert site.numbers_produced(repo) == (dt.date(2024, 3, 4), "git")
    info = site.provenance(repo)
    assert info.commit == git(repo, "rev-parse", "--short", "HEAD").strip()
    assert info.commit_full == git(repo, "rev-parse", "HEAD").strip()
    assert not info.dirty and info.numbers_date == "2024-03-04"

    # A chapter re-executed but not committed: its file's date counts, and the commit is marked dirty.
    write_notebook(repo / "notebooks" / "01_a.ipynb", "seed = 2\n")
    stamp = dt.datetime(2025, 7, 8, 12, tzinfo=dt.UTC).timestamp()
    os.utime(repo / "notebooks" / "01_a.ipynb", (stamp, stamp))
    assert site.numbers_produced(repo) == (dt.date(2025, 7, 8), "files+git")
    assert site.provenance(repo).dirty


def test_footer_names_version_commit_date_and_machine() -> None:
    info = site.Provenance("1.2.3", "abc1234", "abc1234" + "0" * 33, False, "2024-03-04", "git", "CPU X, pinned")
    footer = info.footer_html("https://github.com/o/r")
    assert "pebench 1.2.3" in footer and "numbers produced 2024-03-04 on CPU X, pinned" in footer
    assert f'href="https://github.com/o/r/commit/{info.commit_full}">abc1234</a>' in footer
    assert "uncommitted" not in footer
    dirty = site.Provenance("1.2.3", "abc1234", "x", True, "2024-03-04", "git").footer_html()
    assert "uncommitted changes" in dirty and "href" not in dirty  # no repository: no link


def test_repository_links_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No repository configured: no URL. A configured one opens the version's tag when the built
    commit carries it, else the commit; an explicit ref wins."""
    monkeypatch.delenv(site.REPOSITORY_URL_ENV, raising=False)
    monkeypatch.delenv(site.REPOSITORY_REF_ENV, raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    assert site.repository_links(repo) == ("", head)
    monkeypatch.setenv(site.REPOSITORY_URL_ENV, "https://github.com/o/r/")
    subprocess.run([*git, "tag", f"v{pebench.__version__}"], check=True)
    assert site.repository_links(repo) == ("https://github.com/o/r", f"v{pebench.__version__}")
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "two"], check=True)
    assert site.repository_links(repo)[1] != f"v{pebench.__version__}"
    monkeypatch.setenv(site.REPOSITORY_REF_ENV, "main")
    assert site.repository_links(repo) == ("https://github.com/o/r", "main")


def test_footer_describes_the_chapters_recorded_numerics(tmp_path: Path) -> None:
    """The machine line comes from the chapters' metadata; chapters from two machines say so."""
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    record = {
        "cpu_vendor": "GenuineIntel",
        "cpu_model": "Xeon",
        "cpu_vector_extensions": "avx512f",
        "aten_kernels": "AVX2",
        "mkl_branch": "AVX2",
        "numerics_mode": "pinned",
        "libraries": "torch=2.13.0+cpu,numpy=2.4.6",
        "fingerprint": "f" * 16,
    }
    for number, fingerprint in (("01", "f" * 16), ("02", "e" * 16)):
        nb = nbformat.v4.new_notebook()
        nb.metadata["pebench"] = {"numerics": {**record, "fingerprint": fingerprint}}
        nbformat.write(nb, tmp_path / "notebooks" / f"{number}_x.ipynb")
        if number == "01":
            assert site.numerics_produced(tmp_path) == (
                "Xeon (GenuineIntel, avx512f), ATen AVX2 kernels, MKL AVX2 branch, pinned numerics, "
                f"torch=2.13.0+cpu, fingerprint {'f' * 16}"
            )
    assert site.numerics_produced(tmp_path).startswith("mixed machines: ")


# -- the Sphinx extension -------------------------------------------------------------------------
def test_every_module_is_in_the_api_reference() -> None:
    for package in ("pebench", "pebench_book"):
        on_disk = {
            ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for p in (ROOT / package).rglob("*.py")
            if p.stem != "__main__"  # a package's ``python -m`` entry point, not a module to document
        }
        assert on_disk <= set(package_modules(ROOT / package)), package
    page = (ROOT / "book" / "api.md").read_text()
    assert "```{pebench-api}\n" in page and "```{pebench-api} pebench_book\n" in page  # the library, the tooling
    modules = package_modules()
    assert {"pebench.cli", "pebench.train"} <= set(modules)
    assert {"pebench_book.site", "pebench_book.sphinxext"} <= set(package_modules(ROOT / "pebench_book"))
    groups = api_groups(modules)
    assert groups["pebench.data"][0] == "pebench.data"  # the package before its modules
    assert all(m.startswith(group) for group, members in groups.items() for m in members)


def test_nitpick_ignore_silences_outside_types_only(tmp_path: Path) -> None:
    """The ``nitpick_ignore_regex`` of ``_config.yml``, in a tiny nitpicky Sphinx project: references
    to types from outside the book give no warning; a reference to a pebench object that is not
    documented (a typo, a rename) still does, which fails the book's ``-W -n`` build."""
    from sphinx.application import Sphinx

    ignore = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["nitpick_ignore_regex"]
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(f"nitpicky = True\nnitpick_ignore_regex = {ignore!r}\n")
    outside = [
        "torch.Tensor",
        "pandas.DataFrame",
        "pd.DataFrame",
        "collections.abc.Sequence",
        "pebench.data.schema._Record",
    ]
    wrong = ["pebench.metrics.no_such_metric", "pebench.Figure", "torch_extras.Tensor"]
    (source / "index.rst").write_text("".join(f":py:class:`{target}`\n\n" for target in outside + wrong))
    warnings = io.StringIO()
    app = Sphinx(source, source, tmp_path / "out", tmp_path / "doctrees", "dummy", status=None, warning=warnings)
    app.build()
    unresolved = re.findall(r"py:class reference target not found: ([\w.]+)", warnings.getvalue())
    assert unresolved == wrong


# -- the reader pages agree with the code ---------------------------------------------------------
def test_config_loads_the_extension_and_points_the_switcher_at_the_site_root() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "pebench_book.sphinxext" in config["sphinx"]["extra_extensions"]
    options = config["sphinx"]["config"]["html_theme_options"]
    assert options["switcher"]["json_url"] == site.SWITCHER_JSON_URL
    assert options["show_version_warning_banner"] is True
    assert "version-switcher.html" in config["sphinx"]["config"]["html_sidebars"]["**"]
    assert "url" not in config["repository"], (
        "the repository URL comes from $PEBENCH_REPOSITORY_URL, never a made-up one"
    )
    assert config["html"]["use_repository_button"] is False  # turned on only with a configured repository
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"


def test_toc_has_the_reader_pages() -> None:
    toc = (ROOT / "_toc.yml").read_text()
    for page in ("book/reproduce", "book/glossary", "book/api", "book/changelog", "book/citation", "book/license"):
        assert f"- file: {page}\n" in toc, page


def test_the_glossary_defines_every_metric() -> None:
    from pebench.metrics.catalog import CATALOG, metric_names

    glossary = (ROOT / "book" / "glossary.md").read_text()
    names = set(metric_names())
    assert "```{pebench-metrics}" in glossary  # the summary table, generated from the catalog
    assert all(f"({metric.anchor})=" in glossary for metric in CATALOG)
    assert {"person_efficacy", "event_scope", "world_fact", "mia_min_k_auc", "forget_quality"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in glossary)
    assert not missing, f"book/glossary.md does not define {missing}"


def test_citation_and_changelog_follow_the_version() -> None:
    version = pebench.__version__
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["version"] == version and cff["license"] == "MIT"
    assert cff["references"][0]["url"] == "https://arxiv.org/abs/2503.12545"
    assert cff["references"][0]["license"] == "CC-BY-4.0"
    citation = (ROOT / "book" / "citation.md").read_text()
    assert re.search(rf"version\s*=\s*\{{{re.escape(version)}\}}", citation), (
        "book/citation.md: companion BibTeX version"
    )
    assert "eprint        = {2503.12545}" in citation
    assert re.search(rf"^## {re.escape(version)}\b", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE), (
        f"CHANGELOG.md has no section '## {version}': say what changed in the numbers"
    )
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def commands_in(page: Path) -> list[list[str]]:
    """The shell commands in a Markdown page's bash code blocks, without comments."""
    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(), re.DOTALL)
    return [shlex.split(line, comments=True) for block in blocks for line in block.splitlines() if line.strip()]


def test_reproduce_commands_work_with_the_cli_and_the_chapters() -> None:
    from pebench.cli import build_parser
    from pebench_book.chapters import select_chapters

    chapters = list_chapters(ROOT / "notebooks")
    checked = 0
    for words in commands_in(ROOT / "book" / "reproduce.md"):
        if not words:
            continue
        if words[0] == "pebench":
            args = build_parser().parse_args(words[1:])  # exits (fails the test) on a bad command line
            if args.command == "run-chapter" or getattr(args, "action", None) == "run":
                numbers = [args.chapter] if args.command == "run-chapter" else args.only or []
                for chapter in select_chapters(numbers, chapters) if numbers else chapters:
                    known = {p.name for p in chapter_parameters(chapter)}
                    assert {name for name, _ in args.parameter} <= known, words
            checked += 1
        elif words[0] == "papermill":
            notebook = ROOT / words[1]
            assert notebook.is_file(), words
            names = [words[i + 1] for i, word in enumerate(words) if word == "-p"]
            assert set(names) <= {p.name for p in chapter_parameters(notebook)}, words
            checked += 1
    assert checked >= 4


def test_the_gpu_page_runs_the_recipe_through_the_one_command_line() -> None:
    """``pebench recipe ...`` and ``accelerate launch ... -m pebench.cli recipe ...`` parse as written."""
    from pebench.cli import build_parser

    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "book" / "gpu.md").read_text(), re.DOTALL)
    lines = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    launches = [shlex.split(line, comments=True) for line in lines if re.search(r"pebench(\.cli)? recipe ", line)]
    assert len(launches) == 3 and sum("accelerate" in words for words in launches) == 1
    for words in launches:
        args = build_parser().parse_args(words[words.index("recipe") :])  # exits (fails the test) on a bad one
        assert args.command == "recipe" and args.checkpoint and args.out


def test_console_script_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["pebench"] == "pebench.cli:main"
