"""The handlers of ``pebench cache info`` and ``pebench cache prune``: what the cache holds, and
removing what the current code can never ask for again (:mod:`pebench.cache_folder`)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _root(args: argparse.Namespace) -> Path:
    from pebench.paths import artifacts_dir

    return args.artifacts.resolve() if args.artifacts is not None else artifacts_dir()


def cmd_cache_info(args: argparse.Namespace) -> int:
    """Where the cache is, and its entries and size per kind, with the unused ones."""
    from pebench.cache_folder import human_bytes, summary
    from pebench.paths import ARTIFACTS_ENV

    root = _root(args)
    origin = "--artifacts" if args.artifacts is not None else ARTIFACTS_ENV if _env_set(ARTIFACTS_ENV) else "default"
    print(f"cache: {root} ({origin})")
    if not root.is_dir():
        print("empty: nothing has been generated, trained or run yet")
        return 0
    rows = summary(root)
    print(f"{'kind':<8} {'entries':>8} {'size':>9}   {'unused by the current code and settings':<40}")
    for row in rows:
        unused = f"{row.unused_entries} ({human_bytes(row.unused_bytes)})"
        print(f"{row.kind:<8} {row.entries:>8} {human_bytes(row.bytes):>9}   {unused}")
    total, unused = sum(r.bytes for r in rows), sum(r.unused_bytes for r in rows)
    print(f"{'total':<8} {sum(r.entries for r in rows):>8} {human_bytes(total):>9}   {human_bytes(unused)} unused")
    if unused:
        print("pebench cache prune lists them; pebench cache prune --yes removes them")
    return 0


def cmd_cache_prune(args: argparse.Namespace) -> int:
    """List (dry run) or remove the unused entries, and those not read for ``--older-than`` days."""
    from pebench.cache_folder import human_bytes, prunable, prune

    root = _root(args)
    if not root.is_dir():
        print(f"cache: {root} is empty")
        return 0
    removals = prunable(root, older_than_days=args.older_than)
    for removal in removals:
        print(f"{human_bytes(removal.bytes):>9}  {removal.path.relative_to(root)}: {removal.reason}")
    size = human_bytes(sum(r.bytes for r in removals))
    if not args.yes:
        print(f"dry run: {len(removals)} entries ({size}) in {root} would be removed; add --yes to remove them")
        return 0
    removed = prune(removals)
    kept = len(removals) - len(removed)
    print(
        f"removed {len(removed)} entries ({human_bytes(sum(r.bytes for r in removed))}) from {root}"
        + (f"; {kept} in use by another process were kept" if kept else "")
    )
    return 0


def _env_set(name: str) -> bool:
    import os

    return bool(os.environ.get(name))
