"""pyproject.toml (pip) and environment.yml (conda, Binder) must pin the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

# PyPI name -> conda-forge name, where they differ (names are compared after PEP 503 normalisation).
CONDA_NAME = {
    "torch": "pytorch-cpu",  # conda-forge's CPU-only build of torch
    "matplotlib": "matplotlib-base",  # matplotlib without the Qt GUI stack
}
PYPI_NAME = {conda: pypi for pypi, conda in CONDA_NAME.items()}
# Entries of environment.yml that are the environment itself, not a pinned package of the project.
CONDA_ONLY = {"python", "pip"}
# Packages conda-forge does not have: environment.yml installs them from PyPI in its ``pip:`` section
# (repo2docker runs it), pinned like the rest. Nothing else may go there.
PIP_ONLY = {"sphinx-mathjax-offline"}

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;,]+)\s*$")
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(==?)\s*([^\s=]+))?\s*$")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    pins: dict[str, str] = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"pyproject.toml: {requirement!r} is not pinned exactly (name==version)"
        name, version = normalize(match[1]), match[2]
        assert pins.get(name, version) == version, f"pyproject.toml pins {name} twice with different versions"
        pins[name] = version
    return pins


def environment_entries() -> dict[str, tuple[str | None, str | None]]:
    """Name -> (operator, version) for each dependency of environment.yml: conda names, then the
    PyPI names of its ``pip:`` section (only :data:`PIP_ONLY` packages, pinned exactly)."""
    env = yaml.safe_load(ENVIRONMENT.read_text())
    entries: dict[str, tuple[str | None, str | None]] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"environment.yml: unexpected entry {dep!r}"
            for requirement in dep["pip"]:
                match = PIN.match(requirement)
                assert match and normalize(match[1]) in PIP_ONLY, (
                    f"environment.yml: pip entry {requirement!r} must be one of {sorted(PIP_ONLY)}, pinned with '==' "
                    "(install pebench itself in postBuild)"
                )
                entries[normalize(match[1])] = ("==", match[2])
            continue
        match = CONDA_SPEC.match(dep)
        assert match, f"environment.yml: cannot parse {dep!r}"
        entries[normalize(match[1])] = (match[2], match[3])
    return entries


def environment_pins() -> dict[str, str]:
    """PyPI name -> version for the packages environment.yml pins (python and pip excluded)."""
    pins = {}
    for conda_name, (op, version) in environment_entries().items():
        if conda_name in CONDA_ONLY:
            continue
        assert op == "==", f"environment.yml: {conda_name} must be pinned exactly with '==' (got {op or 'no pin'})"
        pins[PYPI_NAME.get(conda_name, conda_name)] = version
    return pins


def test_torch_is_pinned_to_the_cpu_release() -> None:
    assert pyproject_pins().get("torch") == "2.13.0", "pyproject.toml must pin torch==2.13.0 (a bare torch pulls CUDA)"
    assert environment_entries().get("pytorch-cpu") == ("==", "2.13.0"), "environment.yml must pin pytorch-cpu==2.13.0"
    assert "pytorch" not in environment_entries(), "environment.yml: use pytorch-cpu (CPU-only), not pytorch"


def test_every_pyproject_pin_is_in_environment_yml() -> None:
    env = environment_pins()
    for name, version in sorted(pyproject_pins().items()):
        conda = CONDA_NAME.get(name, name)
        assert name in env, (
            f"{name}=={version} is pinned in pyproject.toml but missing from environment.yml (as {conda})"
        )
        assert env[name] == version, f"{name}: pyproject.toml pins {version}, environment.yml pins {conda}=={env[name]}"


def test_every_environment_yml_pin_is_in_pyproject() -> None:
    pins = pyproject_pins()
    for name, version in sorted(environment_pins().items()):
        conda = CONDA_NAME.get(name, name)
        assert name in pins, (
            f"{conda}=={version} is pinned in environment.yml but missing from pyproject.toml (as {name})"
        )
        assert pins[name] == version, f"{name}: environment.yml pins {version}, pyproject.toml pins {pins[name]}"


def test_environment_is_conda_forge_python_311() -> None:
    env = yaml.safe_load(ENVIRONMENT.read_text())
    assert env["channels"][0] == "conda-forge"
    assert "defaults" not in env["channels"]
    assert environment_entries()["python"] == ("=", "3.11")
    requires = tomllib.loads(PYPROJECT.read_text())["project"]["requires-python"]
    assert requires == ">=3.11", requires


def test_binder_reads_the_root_configuration() -> None:
    # A  folder would make Binder ignore environment.yml and postBuild at the root.
    assert not (ROOT / "binder").exists(), " would hide the root environment.yml and postBuild from Binder"
    assert not (ROOT / "requirements.txt").exists(), "Binder would install requirements.txt beside environment.yml"


def test_postbuild_installs_the_package_without_dependencies() -> None:
    post_build = ROOT / "postBuild"
    text = post_build.read_text()
    assert text.startswith("#!"), "postBuild needs a shebang"
    assert re.search(r"^set -e", text, re.MULTILINE), "postBuild must stop on the first error"
    assert "pip install --no-deps -e ." in text
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
