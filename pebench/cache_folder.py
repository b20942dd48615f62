"""What the cache folder holds, and which of it can go: ``pebench cache info`` and ``pebench cache prune``.

The cache (:func:`pebench.paths.artifacts_dir`) has one folder per kind of entry: ``data`` (a
generated dataset per folder), ``models`` (a checkpoint per folder) and ``results`` (a run's
metrics and answers, or a retrain oracle's reference, per JSON file). Every key names the code,
numerics and parameters that determine the entry, so an entry made by code that has since changed
can never be asked for again: it only takes space. Each entry records what it was made with
(:func:`pebench.cache.stamp`); an entry is *unused* when that differs from what the current code
and settings would make (:func:`unused_reason`). Unused entries, and with ``older_than`` entries
not read for that many days, are what :func:`prune` removes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pebench.cache import STAMP, STAMP_FILE, lock_path, read_json

#: The kinds of entry, each a folder of the cache.
KINDS = ("data", "models", "results")
#: A hidden file or folder older than this is the leftover of an interrupted write.
LEFTOVER_SECONDS = 24 * 3600
DAY = 24 * 3600


@dataclass(frozen=True)
class Entry:
    """One cache entry: its kind, where it is, its size and when it was last used."""

    kind: str
    path: Path
    bytes: int
    last_used: float  # seconds since the epoch (the entry's modification time, touched on every read)

    def age_days(self, now: float) -> float:
        return (now - self.last_used) / DAY


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def entries(root: Path) -> list[Entry]:
    """Every entry in the cache at ``root``, by kind and name (hidden lock and staging files left out)."""
    found = []
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.name.startswith("."):
                found.append(Entry(kind, path, _size(path), path.stat().st_mtime))
    return found


def leftovers(root: Path, now: float | None = None) -> list[Path]:
    """Staging files and folders of writes that were interrupted (hidden, not a lock, a day old)."""
    now = time.time() if now is None else now
    found = []
    for kind in KINDS:
        folder = root / kind
        if folder.is_dir():
            for path in sorted(folder.glob(".*")):
                if not path.name.endswith(".lock") and now - path.stat().st_mtime > LEFTOVER_SECONDS:
                    found.append(path)
    return found


class CurrentCode:
    """What the current code and settings would stamp an entry with (computed once, when first asked)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._methods: dict[tuple[str, str], str | None] = {}

    def value(self, name: str) -> str | None:
        if name not in self._values:
            self._values[name] = _current(name)
        return self._values[name]

    def unlearning_code(self, method: str, hyperparameters: dict) -> str | None:
        from pebench.experiment import unlearning_code

        key = (method, json.dumps(hyperparameters, sort_keys=True, default=str))
        if key not in self._methods:
            try:
                self._methods[key] = unlearning_code(method, hyperparameters)
            except (ValueError, TypeError):  # no longer registered, or its hyper-parameters changed
                self._methods[key] = None
        return self._methods[key]


def _current(name: str) -> str | None:
    import pebench
    from pebench import numerics
    from pebench.cache import source_fingerprint

    if name == "version":
        return pebench.__version__
    if name == "numerics":
        return numerics.signature()
    if name == "model_code":
        from pebench.pipeline import MODEL_SOURCES

        return source_fingerprint(*MODEL_SOURCES)
    if name == "result_code":
        from pebench.experiment import RESULT_SOURCES

        return source_fingerprint(*RESULT_SOURCES)
    return None


#: Why an entry's recorded ingredient differs from the current one, by ingredient.
DIFFERENCES = {
    "version": "made by another pebench version",
    "numerics": "made under other numerics (another machine, mode or library version)",
    "model_code": "made by other model-training code",
    "result_code": "made by other evaluation code",
    "unlearning_code": "made by other code of its unlearning method",
}


def unused_reason(entry: Entry, current: CurrentCode) -> str | None:
    """Why the current code and settings can never ask for ``entry`` (None: they can)."""
    if entry.kind == "data":
        return _data_reason(entry.path)
    source = entry.path / STAMP_FILE if entry.kind == "models" else entry.path
    if not source.is_file():
        return "records nothing of what made it (written before pebench recorded it)"
    try:
        record = read_json(source)
    except (OSError, ValueError):
        return "unreadable"
    made = record if entry.kind == "models" else record.get(STAMP) if isinstance(record, dict) else None
    if not isinstance(made, dict):
        return "records nothing of what made it (written before pebench recorded it)"
    for name, value in made.items():
        if name == "method":
            continue
        if name == "unlearning_code":
            hyperparameters = record.get("experiment", {}).get("hyperparameters", {})
            now = current.unlearning_code(made.get("method", ""), hyperparameters)
            if now is None:
                return f"its method {made.get('method')!r} is not registered (or rejects its hyper-parameters)"
        else:
            now = current.value(name)
        if now != value:
            return DIFFERENCES.get(name, f"made with another {name}")
    return None


def _data_reason(folder: Path) -> str | None:
    """A dataset folder is named by its config's key, which follows the generator's code and libraries."""
    from pebench.data import DatasetConfig

    try:
        config = DatasetConfig(**read_json(folder / "metadata.json")["config"])
    except (OSError, ValueError, KeyError, TypeError):
        return "not a dataset this code can read"
    return None if config.key() == folder.name else "drawn by other generator code or libraries"


@dataclass(frozen=True)
class KindSummary:
    kind: str
    entries: int
    bytes: int
    unused_entries: int
    unused_bytes: int


def summary(root: Path, *, with_unused: bool = True) -> list[KindSummary]:
    """Entries and bytes per kind, and of them the unused ones (:func:`unused_reason`)."""
    current = CurrentCode()
    listed = entries(root)
    rows = []
    for kind in KINDS:
        mine = [e for e in listed if e.kind == kind]
        unused = [e for e in mine if with_unused and unused_reason(e, current) is not None]
        rows.append(KindSummary(kind, len(mine), sum(e.bytes for e in mine), len(unused), sum(e.bytes for e in unused)))
    return rows


@dataclass(frozen=True)
class Removal:
    """An entry (or an interrupted write's leftover) that prune removes, and why."""

    path: Path
    bytes: int
    reason: str


def prunable(root: Path, *, older_than_days: float | None = None, now: float | None = None) -> list[Removal]:
    """What :func:`prune` removes: unused entries, entries not read for ``older_than_days`` days,
    and leftovers of interrupted writes."""
    now = time.time() if now is None else now
    current = CurrentCode()
    removals = []
    for entry in entries(root):
        reason = unused_reason(entry, current)
        if reason is None and older_than_days is not None and entry.age_days(now) >= older_than_days:
            reason = f"not used for {entry.age_days(now):.0f} days"
        if reason is not None:
            removals.append(Removal(entry.path, entry.bytes, reason))
    for path in leftovers(root, now):
        removals.append(Removal(path, _size(path), "left by an interrupted write"))
    return removals


def prune(
    removals: Iterable[Removal], *, on_removed: Callable[[Removal], None] = lambda removal: None
) -> list[Removal]:
    """Remove ``removals`` (from :func:`prunable`); an entry another process holds locked is kept.
    Returns what was removed."""
    removed = []
    for removal in removals:
        with _unlocked(removal.path) as free:
            if not free:
                continue
            if removal.path.is_dir():
                shutil.rmtree(removal.path, ignore_errors=True)
            else:
                removal.path.unlink(missing_ok=True)
            removed.append(removal)
            on_removed(removal)
    return removed


@contextlib.contextmanager
def _unlocked(path: Path):
    """Take the entry's lock without waiting: yields False when another process holds it."""
    lock = lock_path(path)
    if not lock.exists():
        yield True
        return
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            lock.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def human_bytes(count: int) -> str:
    """``1234567`` -> ``"1.2 MB"``."""
    size = float(count)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
