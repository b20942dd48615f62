"""pebench fixes torch's CPU kernels and thread count at import, so reruns elsewhere give the same bits."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from pebench import numerics

PROBE = (
    "import pebench.model, torch; "
    "print(torch.get_num_threads(), torch.backends.cpu.get_cpu_capability(), torch.backends.mkldnn.enabled, flush=True)"
)


def run_probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEBENCH_", "ATEN_", "OMP_", "MKL_", "ONEDNN_"))}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env={**clean, **env}, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.split()


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="kernel pinning is x86-64 only")
def test_import_pins_avx2_kernels_one_thread_and_no_onednn() -> None:
    threads, capability, onednn = run_probe()
    assert threads == str(numerics.DEFAULT_THREADS)
    assert capability == "AVX2"
    assert onednn == "False"  # oneDNN picks kernels by CPU model: off


def test_thread_count_follows_the_environment_variable() -> None:
    threads, _, _ = run_probe(PEBENCH_NUM_THREADS="2", OMP_NUM_THREADS="1")
    assert threads == "2"


def test_native_numerics_leave_torch_alone() -> None:
    threads, _, onednn = run_probe(PEBENCH_NUMERICS="native", OMP_NUM_THREADS="2")
    assert onednn == "True"
    assert threads == "2"  # the user's own setting, not pebench's 1


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_bad_thread_count_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(numerics.THREADS_ENV, value)
    with pytest.raises(ValueError, match=numerics.THREADS_ENV):
        numerics.thread_count()


def test_signature_separates_thread_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(numerics.MODE_ENV, "pinned")  # whatever mode the suite itself runs under
    monkeypatch.setenv(numerics.THREADS_ENV, "1")
    one = numerics.signature()
    monkeypatch.setenv(numerics.THREADS_ENV, "2")
    assert numerics.signature() != one
    monkeypatch.setenv(numerics.MODE_ENV, "native")
    assert numerics.signature().startswith("native-")
    monkeypatch.setenv(numerics.MODE_ENV, "portable")
    assert numerics.signature().startswith("portable-")


def test_bad_mode_names_the_variable_and_the_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(numerics.MODE_ENV, "fast")
    with pytest.raises(ValueError, match=f"{numerics.MODE_ENV} must be one of .*pinned.*portable.*native"):
        numerics.mode()


def fingerprint_under(**env: str) -> str:
    """This machine's numerics fingerprint in a fresh process whose environment also holds ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PEBENCH_", "ATEN_", "OMP_", "MKL_", "ONEDNN_"))}
    code = "import pebench; from pebench import numerics; print(numerics.fingerprint())"
    done = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


#: What a machine's environment (or another CPU's automatic choices) could ask of ATen and MKL:
#: every ATen capability level and every MKL branch a machine of this project's kind may pick, one
#: at a time (each process costs a torch import).
KERNEL_CHOICES = [
    *({"ATEN_CPU_CAPABILITY": aten} for aten in ("default", "avx2", "avx512")),
    *({"MKL_CBWR": mkl} for mkl in ("AUTO", "AVX2", "COMPATIBLE")),
]
#: The instruction sets ATen's ``avx512`` kernels need.
AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq"}


def cpu_flags() -> set[str]:
    """This CPU's instruction-set flags (empty where ``/proc/cpuinfo`` does not say)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return set()
    return set(next((line for line in lines if line.startswith("flags")), "").partition(":")[2].split())


#: The choices a process can run when nothing pins the kernels: an ``avx512`` request only on a CPU
#: that has AVX-512 (elsewhere ATen executes illegal instructions and the process dies).
RUNNABLE_CHOICES = [
    choice for choice in KERNEL_CHOICES if choice.get("ATEN_CPU_CAPABILITY") != "avx512" or cpu_flags() >= AVX512
]


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="kernel choices are x86-64 only")
@pytest.mark.parametrize("mode", ["pinned", "portable"])
def test_fixed_modes_compute_the_same_bits_whatever_kernels_the_environment_asks_for(mode: str) -> None:
    fingerprints = {fingerprint_under(PEBENCH_NUMERICS=mode, **choice) for choice in KERNEL_CHOICES}
    assert len(fingerprints) == 1, fingerprints


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="kernel choices are x86-64 only")
def test_the_fingerprint_tells_kernel_choices_apart() -> None:
    """The check above can fail: left to the environment, these kernel choices give other bits,
    and the fingerprint sees it (as it would on a CPU that picks other kernels)."""
    fingerprints = {fingerprint_under(PEBENCH_NUMERICS="native", **choice) for choice in RUNNABLE_CHOICES}
    assert len(fingerprints) >= 3, fingerprints
    assert fingerprint_under(PEBENCH_NUMERICS="pinned") != fingerprint_under(PEBENCH_NUMERICS="portable")


def test_signature_follows_the_numeric_libraries_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    before = numerics.signature()
    assert f"torch={importlib.metadata.version('torch')}" in before
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9" if name == "transformers" else real(name))
    assert numerics.signature() != before  # an upgraded transformers does not reuse old checkpoints
