"""Pin torch's CPU numerics so that a rerun on another x86-64 machine gives the same bits.

Training a model amplifies the last bit of every sum: the same code gives different checkpoints,
and so different tables, when a kernel adds in another order. On the CPU that order depends on
which vectorised kernels run (AVX-512 here, AVX2 there: ATen's dispatch, MKL's GEMM and oneDNN
each choose by CPU; oneDNN also by cache size) and on how many threads split a reduction. The
book's numbers are checked by re-executing the chapters in CI on a machine we do not choose, so
``configure`` fixes both before torch computes anything: AVX2 code paths (every x86-64 CPU of the
last decade has them), no oneDNN, and one thread. The published numbers were produced
this way.

Set ``PEBENCH_NATIVE_NUMERICS=1`` to leave torch's defaults alone (a little faster on wide CPUs;
same statistics, other bits), or ``PEBENCH_NUM_THREADS`` for another, equally fixed, thread count.
"""

from __future__ import annotations

import logging
import os
import platform
import sys

logger = logging.getLogger(__name__)

#: Set to 1 to keep torch's own choice of kernels and threads.
NATIVE_ENV = "PEBENCH_NATIVE_NUMERICS"
#: Threads for torch's intra-op pool (results depend on it). One: the tiny model's steps are too
#: short to gain from a second thread, so the chapters use the cores as parallel processes instead
#: (:mod:`pebench.workers`).
THREADS_ENV = "PEBENCH_NUM_THREADS"
DEFAULT_THREADS = 1
#: Kernel choices read by ATen, MKL and oneDNN the first time each computes something.
PORTABLE_KERNELS = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
#: The libraries whose versions the bits of a trained model or a result depend on.
NUMERIC_LIBRARIES = ("torch", "transformers")


def thread_count() -> int:
    """The pinned thread count: ``PEBENCH_NUM_THREADS`` if set (a positive integer), else 1."""
    raw = os.environ.get(THREADS_ENV, str(DEFAULT_THREADS))
    try:
        threads = int(raw)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} must be a positive integer, got {raw!r}")
    return threads


def _native() -> bool:
    return os.environ.get(NATIVE_ENV, "") not in ("", "0")


def configure() -> None:
    """Pin kernels and threads through the environment, before torch loads (``import pebench``).

    Environment variables already set by the user win, except the thread counts, which follow
    ``PEBENCH_NUM_THREADS``. torch itself is not imported here (``pebench --help`` stays fast);
    :func:`configure_torch` finishes the job when a module that computes is imported, or at once
    if torch is already loaded.
    """
    if _native():
        return
    threads = thread_count()
    if platform.machine().lower() in ("x86_64", "amd64"):
        for name, value in PORTABLE_KERNELS.items():
            os.environ.setdefault(name, value)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        configure_torch()


def configure_torch() -> None:
    """Apply the settings torch reads at run time: the thread count, and oneDNN off (its kernels
    are chosen by CPU model and cache size, not only by instruction set; ATen and MKL then do its
    work, at no measurable cost here). Logs a warning if torch already chose its CPU kernels."""
    if _native():
        return
    import torch

    torch.set_num_threads(thread_count())
    torch.backends.mkldnn.enabled = False
    wanted = os.environ.get("ATEN_CPU_CAPABILITY", "").upper()
    if wanted and torch.backends.cpu.get_cpu_capability() != wanted:
        logger.warning(
            "torch computed before pebench was imported, so its CPU kernels are not pinned to %s: results "
            "are statistically the same but not bit-identical to the published ones (import pebench first)",
            wanted,
        )


def signature() -> str:
    """What the bits depend on beyond the code: part of every cache key, so runs don't mix.

    The kernel settings and thread count, and the versions of the libraries that compute (torch's
    kernels, transformers' model code): upgrading either recomputes instead of reusing old results.
    """
    from pebench.cache import library_versions  # not at import: pebench imports this module first

    libraries = library_versions(*NUMERIC_LIBRARIES)
    if _native():
        return f"native-{libraries}"
    kernels = "-".join(os.environ.get(name, "") for name in PORTABLE_KERNELS)
    return f"{kernels}-threads{thread_count()}-{libraries}"
