"""Which CPU kernels compute the book's numbers, and a fingerprint that tells whether two machines agree.

Training a model amplifies the last bit of every sum: the same code gives different checkpoints,
and so different tables, when a kernel adds in another order. On the CPU that order depends on
which vectorised kernels run (ATen's dispatch, MKL's GEMM and oneDNN each choose by CPU; oneDNN
also by cache size) and on how many threads split a reduction. ``configure`` fixes these choices
before torch computes anything, in one of three modes (``PEBENCH_NUMERICS``):

``pinned`` (the default)
    ATen's AVX2 kernels, MKL's AVX2 branch (``MKL_CBWR=AVX2``), no oneDNN, one thread. Measured
    here: the same bits whatever kernel settings the environment asks for. MKL honours the branch
    only on Intel CPUs; on other CPUs it runs its automatic branch (measured on AMD EPYC: the
    ``MKL_CBWR`` branches AVX2, AVX512 and unset all give one result, COMPATIBLE another), so an
    AMD machine and an Intel machine can disagree in the last bit.
``portable``
    The same, with MKL's COMPATIBLE branch, which Intel documents as giving the same results on
    every Intel or compatible x86-64 CPU. ATen's AVX2 kernels are the same compiled code (with their
    own bundled ``exp``/``log``) on every CPU that has AVX2. Measured, the two CPUs it ran on still
    disagree: fingerprint ``bc4eabac13e696e8`` on an AMD EPYC (``benchmarks/results/numerics_cost.json``),
    ``239c8bd3380e8fa8`` on an Intel Xeon with AVX-512. Costs about 2x per training step here
    (``benchmarks/numerics_cost.py``), which puts the book over its time budget: a documented mode.
``native``
    torch's own choices and thread count (fastest on wide CPUs; same statistics, other bits).

``fingerprint`` runs a small fixed computation (GEMMs of the model's shapes, the element-wise
kernels it uses, a few optimiser steps) and hashes the result: two machines with the same
fingerprint compute the same bits, so the test suite compares a rerun with the published book bit
for bit where the fingerprints match and within the measured run-to-run variation where they do
not (:mod:`pebench_book.verify`). ``provenance`` is what each executed chapter records.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import platform
import sys

logger = logging.getLogger(__name__)

#: ``pinned`` (default), ``portable`` or ``native``.
MODE_ENV = "PEBENCH_NUMERICS"
MODES = ("pinned", "portable", "native")
DEFAULT_MODE = "pinned"
#: Threads for torch's intra-op pool (results depend on it). One: the tiny model's steps are too
#: short to gain from a second thread, so the chapters use the cores as parallel processes instead
#: (:mod:`pebench.workers`).
THREADS_ENV = "PEBENCH_NUM_THREADS"
DEFAULT_THREADS = 1
#: Kernel choices read by ATen, MKL and oneDNN the first time each computes something, per mode.
KERNELS = {
    "pinned": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
    "portable": {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "AVX2"},
}
#: The libraries whose versions the bits of a trained model or a result depend on.
NUMERIC_LIBRARIES = ("torch", "transformers")


def mode() -> str:
    """The numerics mode: ``PEBENCH_NUMERICS`` if set, else ``pinned``."""
    value = os.environ.get(MODE_ENV, "") or DEFAULT_MODE
    if value not in MODES:
        raise ValueError(f"{MODE_ENV} must be one of {MODES}, got {value!r}")
    return value


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


def configure() -> None:
    """Set the mode's kernels and threads through the environment, before torch loads (``import pebench``).

    In ``pinned`` and ``portable`` mode the kernel variables are overridden whatever the environment
    says (a machine must not pick its own: that is the point of the mode; ``native`` leaves them
    alone). torch itself is not imported here (``pebench --help`` stays fast): :func:`configure_torch`
    finishes the job when a module that computes is imported, or at once if torch is already loaded.
    """
    current = mode()
    if current == "native":
        return
    threads = thread_count()
    if platform.machine().lower() in ("x86_64", "amd64"):
        for name, value in KERNELS[current].items():
            if os.environ.get(name, value) != value:
                logger.info("%s=%s overridden by %s numerics (%s)", name, os.environ[name], current, value)
            os.environ[name] = value
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    if "torch" in sys.modules:
        configure_torch()


def configure_torch() -> None:
    """Apply the settings torch reads at run time: the thread count, and oneDNN off (its kernels
    are chosen by CPU model and cache size, not only by instruction set; ATen and MKL then do its
    work, at no measurable cost here). Logs a warning if torch already chose its CPU kernels."""
    if mode() == "native":
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

    The mode, its kernel settings and thread count, the versions of the libraries that compute
    (torch's kernels, transformers' model code) and this machine's :func:`fingerprint`: a cache
    copied from a machine that computes other bits is recomputed rather than reused.
    """
    from pebench.cache import library_versions  # not at import: pebench imports this module first

    libraries = library_versions(*NUMERIC_LIBRARIES)
    current = mode()
    if current == "native":
        return f"native-{libraries}-{fingerprint()}"
    kernels = "-".join(KERNELS[current].values())
    return f"{current}-{kernels}-threads{thread_count()}-{libraries}-{fingerprint()}"


@functools.cache
def fingerprint() -> str:
    """A 16-hex-digit hash of a fixed computation under this process's numerics (about 0.1 s).

    The computation exercises what training the tiny model does: random initialisation
    (``torch.randn``), GEMMs of the model's shapes, softmax attention, RMS and layer norms, GELU and
    SiLU, cross-entropy, a backward pass and AdamW steps. Inputs come from NumPy's generator, which is
    the same on every machine, so any difference in the hash is a difference in torch's kernels.
    """
    import numpy as np
    import torch

    configure_torch()  # the thread count and oneDNN switch the computations below run under
    rng = np.random.default_rng(0)

    def tensor(*shape: int, scale: float = 1.0) -> torch.Tensor:
        return torch.from_numpy((rng.standard_normal(shape) * scale).astype(np.float32))

    digest = hashlib.sha256()

    def add(value: torch.Tensor) -> None:
        digest.update(value.detach().contiguous().numpy().tobytes())

    add(torch.randn(1000, generator=torch.Generator().manual_seed(0)))
    add(tensor(256, 1000) @ tensor(1000, 300))
    width, hidden, vocab, heads = 192, 768, 300, 4
    weights = [
        tensor(*shape, scale=0.05).requires_grad_()
        for shape in [(width, hidden), (hidden, width), (width, 3 * width), (width, vocab)]
    ]
    optimiser = torch.optim.AdamW(weights, lr=1e-3)
    tokens, targets = tensor(8, 84, width), torch.from_numpy(rng.integers(0, vocab, (8 * 84,)))
    for _ in range(3):
        up, down, qkv, head = weights
        x = tokens * torch.rsqrt(tokens.pow(2).mean(-1, keepdim=True) + 1e-6)
        q, k, v = (x @ qkv).view(8, 84, 3, heads, width // heads).permute(2, 0, 3, 1, 4)
        x = x + torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(
            8, 84, width
        )
        x = torch.nn.functional.layer_norm(x, (width,))
        x = x + torch.nn.functional.silu(x @ up) @ down + torch.nn.functional.gelu(x @ up) @ down
        loss = torch.nn.functional.cross_entropy((x @ head).reshape(-1, vocab), targets)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        add(loss)
    for weight in weights:
        add(weight)
    return digest.hexdigest()[:16]


def cpu_description() -> dict[str, str]:
    """The CPU's vendor, model name and widest vector extension, from ``/proc/cpuinfo`` where it exists."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
                if key.strip() == "flags":
                    break
    except OSError:
        pass
    flags = set(fields.get("flags", "").split())
    vector = next((name for name in ("avx512f", "avx2", "avx", "sse4_2") if name in flags), "unknown")
    return {
        "cpu_vendor": fields.get("vendor_id", platform.processor() or "unknown"),
        "cpu_model": fields.get("model name", platform.processor() or "unknown"),
        "cpu_vector_extensions": vector,
        "machine": platform.machine(),
    }


def provenance() -> dict[str, str]:
    """What a chapter's numbers were computed with: CPU, kernels, libraries, mode and fingerprint."""
    import torch

    from pebench.cache import library_versions

    return {
        **cpu_description(),
        "numerics_mode": mode(),
        "aten_kernels": torch.backends.cpu.get_cpu_capability(),
        "mkl_branch": os.environ.get("MKL_CBWR", "automatic"),
        "threads": str(torch.get_num_threads()),
        "libraries": library_versions("torch", "transformers", "numpy", "pillow"),
        "python": platform.python_version(),
        "fingerprint": fingerprint(),
    }
