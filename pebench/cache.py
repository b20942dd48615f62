"""On-disk cache of experiment results and checkpoints, keyed by every parameter and the code version.

A key is a hash of the JSON of everything that determines a result, plus the ``pebench`` version,
so a rerun with the same parameters reuses the stored result and a changed parameter (or a new
release) recomputes. Writes are atomic (temp file, then rename), so an interrupted run never leaves
a half-written entry that a later run would trust; an entry is filled under a lock
(:func:`entry_lock`), so that two processes asking for it at once compute it once, and reading it
marks it used (:func:`touch`). Each entry records the code and numerics it was made with
(:func:`stamp`), so that :mod:`pebench.cache_folder` can tell which entries the current code can
never ask for again.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import importlib.metadata
import inspect
import json
import os
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pebench


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__, **_jsonable(dataclasses.asdict(value))}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def cache_key(*parts: Any, length: int = 16) -> str:
    """A stable hex digest of ``parts`` (dataclasses, dicts, sets, scalars) and the code version."""
    payload = json.dumps([pebench.__version__, _jsonable(list(parts))], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:length]


def library_versions(*names: str) -> str:
    """The installed versions of the distributions ``names``, e.g. ``"torch=2.13.0,transformers=5.24.0"``.

    Part of cache keys: another version of a library that computes a result (its kernels, its model
    code, its image drawing) may change the result's bits, so results made with it are not reused.
    """
    return ",".join(f"{name}={importlib.metadata.version(name)}" for name in names)


@functools.cache
def source_fingerprint(*names: str, root: Path | None = None) -> str:
    """Digest of the code of ``pebench`` modules/packages ``names`` (e.g. ``"train"``, ``"experiment.py"``).

    Part of cache keys, so editing the code that computes a result invalidates it: a published
    number always follows from the code as it is, not from an older version of it. What is hashed
    is each file's syntax tree without its docstrings (:func:`code_digest`): an edited docstring or
    comment, or reformatted code, recomputes nothing. ``root`` defaults to the package's folder.
    """
    root = root or Path(pebench.__file__).parent
    digest = hashlib.sha256()
    for name in names:
        path = root / name
        if not path.exists():
            raise ValueError(f"no pebench module or package named {name!r}")
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(code_digest(file))
    return digest.hexdigest()[:16]


def code_digest(file: Path) -> bytes:
    """The code of a Python file as its syntax tree, without comments, layout or docstrings."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).digest()


def module_sources(cls: type) -> tuple[str, ...]:
    """The ``pebench`` file that defines ``cls`` and every module of the same package that it
    imports at module level, transitively, as names for :func:`source_fingerprint`.

    A cache key built from them follows the code of one component (one unlearning method and the
    helpers it imports) rather than of its whole package: editing or adding one method recomputes
    that method's results and no other's.
    """
    root = Path(pebench.__file__).parent
    file = Path(inspect.getfile(cls)).resolve()
    if not file.is_relative_to(root.resolve()):
        raise ValueError(f"{cls.__name__} is not defined in pebench but in {file}")
    start = file.relative_to(root.resolve()).as_posix()
    package = Path(start).parent
    seen: list[str] = []
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        for node in ast.parse((root / name).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pebench."):
                candidate = Path(*node.module.split(".")[1:]).with_suffix(".py")
                if candidate.parent == package and (root / candidate).exists():
                    todo.append(candidate.as_posix())
    return tuple(sorted(seen))


def class_code_digest(cls: type) -> str:
    """Digest of the code of class ``cls`` alone (read with ``inspect.getsource``), for a class
    defined outside ``pebench`` (a notebook, a test) whose file :func:`source_fingerprint` cannot name."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()[:16]


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and an atomic rename, so an
    interrupted write never leaves a half-written file. The file keeps the mode it had (a new one
    gets the umask's default; ``mkstemp`` alone would make it private)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            mode = path.stat().st_mode & 0o777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True))


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


#: The field (a result's JSON) or file (a checkpoint's folder) that holds an entry's :func:`stamp`.
STAMP = "cache_entry"
STAMP_FILE = f"{STAMP}.json"


def stamp(**made_with: str) -> dict[str, str]:
    """What an entry was made with, beyond its parameters: the ``pebench`` version and the named
    code fingerprints and numerics signature its key holds (``model_code=...``, ``numerics=...``)."""
    return {"version": pebench.__version__, **made_with}


def lock_path(path: Path) -> Path:
    """The lock file of the cache entry at ``path`` (beside it, hidden)."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def entry_lock(path: Path) -> Iterator[None]:
    """Hold the lock of the cache entry at ``path`` (blocking): inside, check whether the entry
    exists and fill it if not. A second process asking for the same entry waits, then finds it
    filled, instead of computing it again or replacing it while a third process reads it.
    (``fcntl.flock``: released when the process ends, whatever the reason.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path(path).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fill_once(path: Path, fill: Callable[[], object]) -> None:
    """Make sure the entry at ``path`` exists: if it does not, call ``fill`` (which writes it) under
    the entry's lock, unless another process has written it meanwhile. An entry that exists is
    read without any lock (a read-only cache works)."""
    if path.exists():
        return
    with entry_lock(path):
        if not path.exists():
            fill()


def touch(path: Path) -> None:
    """Mark the entry at ``path`` as used now (its modification time), for ``pebench cache prune
    --older-than``. A cache on a read-only disk is read all the same."""
    with contextlib.suppress(OSError):
        now = time.time()
        os.utime(path, (now, now))
