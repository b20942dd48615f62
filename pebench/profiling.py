"""Where the seconds of a run go: named stages, timed in every process that works for it.

Why: the book's cold build is the project's scarcest resource, and the work is spread over a
kernel per chapter and the worker processes each kernel starts. A stage (:data:`STAGES`) is a
block of library code timed with :func:`stage`; when the folder ``$PEBENCH_PROFILE`` is set, every
process appends its stages' seconds there (one JSON line per stage, one file per process), with
what the process works for (``$PEBENCH_PROFILE_CONTEXT``: a chapter, the shared models) and its
role (the process a chapter runs in, or a worker it started). Unset, :func:`stage` costs nothing.

Stages nest (the probes inside the unlearning steps, the learning-curve answers inside
fine-tuning): each records its *own* seconds, without those of the stages inside it, so that the
stages of a process add up to the time it spent in library code. The book run gathers the files
(:mod:`pebench_book.profile`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Folder the processes of a profiled run write their stage times into.
PROFILE_ENV = "PEBENCH_PROFILE"
#: What the process works for (a chapter's file name, the shared models); inherited by its workers.
CONTEXT_ENV = "PEBENCH_PROFILE_CONTEXT"
#: The stage of a main process that waits for the worker processes it started (no work of its own).
WAITING = "waiting for workers"
#: The stages, in the order of the pipeline, and what each covers.
STAGES = {
    "dataset": "generating the dataset or reading it from the cache (pictures, questions)",
    "pretraining": "the pretraining steps of a base model",
    "fine-tuning": "the fine-tuning steps of a base model or a retrain oracle",
    "learning curves": "answering the fine-tuning curves' probe questions along the way",
    "loading models": "reading checkpoints from the cache",
    "unlearning steps": "the optimiser steps of an unlearning run (its loss, backward pass and update)",
    "probes": "answering the probe questions along an unlearning run",
    "evaluation: answers": "greedy answers to every evaluation question (and their scores)",
    "evaluation: likelihoods": "teacher-forced answer log-likelihoods (membership inference, forget quality)",
    "evaluation: retrain oracle": "the retrain oracle's answers and likelihoods on the forget set",
    WAITING: "a chapter process waiting for the worker processes it started",
}
#: A process started by :mod:`pebench.workers` says so; any other is a "main" process.
WORKER_ROLE, MAIN_ROLE = "worker", "main"

_role = MAIN_ROLE
_stack: list[list[float]] = []  # per open stage: [start, seconds spent in stages inside it]


def set_role(role: str) -> None:
    """Mark this process as a worker (:data:`WORKER_ROLE`) or a main process."""
    global _role
    if role not in (WORKER_ROLE, MAIN_ROLE):
        raise ValueError(f"role must be one of {(WORKER_ROLE, MAIN_ROLE)}, got {role!r}")
    _role = role


def enabled() -> bool:
    """Whether this process records its stages (``$PEBENCH_PROFILE`` is set)."""
    return bool(os.environ.get(PROFILE_ENV))


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` (one of :data:`STAGES`), when profiling is on."""
    if name not in STAGES:
        raise ValueError(f"stage must be one of {tuple(STAGES)}, got {name!r}")
    if not enabled():
        yield
        return
    _stack.append([time.perf_counter(), 0.0])
    try:
        yield
    finally:
        start, inner = _stack.pop()
        elapsed = time.perf_counter() - start
        if _stack:
            _stack[-1][1] += elapsed
        _write(name, elapsed - inner)


def _write(name: str, seconds: float) -> None:
    folder = Path(os.environ[PROFILE_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "stage": name,
        "seconds": round(seconds, 4),
        "context": os.environ.get(CONTEXT_ENV, ""),
        "role": _role,
        "pid": os.getpid(),
    }
    with (folder / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
