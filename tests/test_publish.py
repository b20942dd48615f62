"""What a release deploys (pebench_book.publish), on stand-in books: which versions it keeps, the tag
check, and that a failed or refused run leaves the target as it was. The real build, assembled the
same way, is read by test_book.py and test_browser.py (tests/sitebuild.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pebench
from pebench.cli import main
from pebench_book import publish, site

VERSION = pebench.__version__


def fake_book(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(text, encoding="utf-8")
    (folder / "_static").mkdir()
    (folder / "_static" / "page.css").write_text(f"/* {text} */", encoding="utf-8")
    return folder


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A published site: an older version, an earlier build of this one, and files that are rewritten."""
    folder = tmp_path / "published"
    fake_book(folder / "0.0.1", "old release")
    fake_book(folder / VERSION, "this version, built before")
    (folder / "switcher.json").write_text("[]", encoding="utf-8")
    (folder / "index.html").write_text("stale", encoding="utf-8")
    fake_book(folder / "latest", "not a version")
    return folder


def test_a_release_tag_names_this_version() -> None:
    publish.check_tag(f"v{VERSION}")
    assert publish.release_tag() == f"v{VERSION}"
    with pytest.raises(ValueError, match=f"expected 'v{VERSION}'"):
        publish.check_tag("v99.0.0")
    with pytest.raises(ValueError, match="expected"):
        publish.check_tag(VERSION)  # the tag carries the v


def test_publish_keeps_earlier_versions_and_replaces_this_one(tmp_path: Path, published: Path) -> None:
    html = fake_book(tmp_path / "html", "this version, built now")
    target = tmp_path / "out" / "site"
    versions = publish.publish(target, published, tag=f"v{VERSION}", html=html, base_url="/pebench/")
    assert versions == [VERSION, "0.0.1"]
    assert sorted(p.name for p in target.iterdir()) == sorted([".nojekyll", "index.html", "switcher.json", *versions])
    assert (target / VERSION / "index.html").read_text() == "this version, built now"
    assert (target / "0.0.1" / "_static" / "page.css").read_text() == "/* old release */"
    switcher = json.loads((target / site.SWITCHER_FILE).read_text())
    assert [entry["url"] for entry in switcher] == [f"/pebench/{VERSION}/", "/pebench/0.0.1/"]
    assert f"{VERSION}/index.html" in (target / "index.html").read_text()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site"], "a staging folder was left behind"


def test_publish_replaces_an_assembled_site_and_refuses_anything_else(tmp_path: Path, published: Path) -> None:
    html = fake_book(tmp_path / "html", "new")
    target = tmp_path / "site"
    publish.publish(target, None, html=html)
    assert site.site_versions(target) == [VERSION]
    publish.publish(target, published, html=html)  # a second dry run replaces the first
    assert site.site_versions(target) == [VERSION, "0.0.1"]

    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="something else than an assembled site"):
        publish.publish(other, published, html=html)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]


def test_a_failed_publish_leaves_the_target_as_it_was(tmp_path: Path, published: Path) -> None:
    target = tmp_path / "site"
    publish.publish(target, None, html=fake_book(tmp_path / "html", "first"))
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    with pytest.raises(FileNotFoundError, match="is not a folder holding a built book"):
        publish.publish(target, published, html=tmp_path / "missing")
    with pytest.raises(ValueError, match="expected"):
        publish.publish(target, published, tag="v0.0.0-wrong", html=tmp_path / "html")
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html", "published", "site"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--tag", "v99.0.0"], f"--tag: tag 'v99.0.0' does not release pebench {VERSION}"),
        (["--published", "/nonexistent/site"], "--published /nonexistent/site is not a folder"),
        (["--html", "/nonexistent/html"], "--html /nonexistent/html is not a folder"),
        (["--base-url", "pebench"], "base URL must be an absolute path"),
    ],
)
def test_the_command_fails_early_on_bad_input(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["site", "publish", "--site", str(tmp_path / "site"), *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_the_command_assembles_a_dry_run(tmp_path: Path, published: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = fake_book(tmp_path / "html", "built")
    argv = ["site", "publish", "--no-progress", "--site", str(tmp_path / "site"), "--published", str(published)]
    assert main([*argv, "--html", str(html), "--tag", f"v{VERSION}"]) == 0
    assert f"versions {VERSION}, 0.0.1 (latest {VERSION})" in capsys.readouterr().out
    assert site.site_versions(tmp_path / "site") == [VERSION, "0.0.1"]
