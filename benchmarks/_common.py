"""Shared helpers of the benchmark scripts: peak-memory sampling, the run's environment, tables, results.

Memory is the process's resident set size (RSS), sampled every 2 ms by a background thread from
``/proc/self/statm`` (Linux). It counts every allocation that touches memory (PyTorch's CPU
tensors are allocated with ``malloc``, which ``tracemalloc`` does not see). Before each measured
block, freed heap memory is handed back to the OS (``malloc_trim``) so the block's *increase over
its starting RSS* is its own; the absolute peak is reported too.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import platform
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """The current resident set size of this process."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * _PAGE


def release_memory() -> None:
    """Collect garbage and return free heap pages to the OS, so RSS reflects live memory."""
    gc.collect()
    with contextlib.suppress(OSError):  # not glibc: RSS may then include freed-but-kept memory
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass
class PeakRSS:
    """``with PeakRSS() as mem: ...`` -> ``mem.start``, ``mem.peak``, ``mem.increase`` in bytes."""

    interval: float = 0.002
    start: int = 0
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> PeakRSS:
        release_memory()
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def increase(self) -> int:
        return self.peak - self.start


def mib(n_bytes: float) -> float:
    return n_bytes / 2**20


def set_threads(threads: int | None) -> int:
    """Use ``threads`` intra-op threads (``None``: PyTorch's default); return the number in use."""
    if threads:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def environment() -> dict[str, Any]:
    """What the numbers depend on: hardware, threads, load from other processes, versions, commit."""
    import transformers

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):  # a copy without .git, e.g. on a GPU machine
        commit = os.environ.get("PEBENCH_COMMIT", "unknown")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "commit": commit,
    }


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table of ``rows`` (floats with 3 significant digits)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
        return str(value)

    cells = [[cell(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Write ``benchmarks/results/<name>.json`` (with the environment) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    env = {**environment_at_start, "load_average_1min_at_end": round(os.getloadavg()[0], 2)}
    path.write_text(json.dumps({"environment": env, **payload}, indent=1, default=str) + "\n")
    return path


#: Filled by ``start()``: the environment as it was when the benchmark began (load average above all).
environment_at_start: dict[str, Any] = {}


def start(threads: int | None) -> dict[str, Any]:
    """Set the thread count and record the environment; call first in every benchmark."""
    set_threads(threads)
    environment_at_start.clear()
    environment_at_start.update(environment())
    return environment_at_start


THREADS_HELP = (
    "intra-op threads (default 1: these models are tiny, and on a shared 2-core machine two OpenMP "
    "threads measured up to 15x slower than one; 0 = PyTorch's default)"
)
