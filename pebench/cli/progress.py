"""The progress bar the command shows while a long step runs.

A single step can take minutes (building the website), so the bar redraws itself every second:
its elapsed time shows that the command is still working.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def progress_bar(total: int, desc: str, *, enabled: bool = True, unit: str = "step") -> Iterator[Any]:
    """A tqdm bar that also redraws itself every second, so a long single step shows its elapsed time."""
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, disable=not enabled, dynamic_ncols=True)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(1.0):
            bar.refresh()

    ticker = threading.Thread(target=tick, name="pebench-progress-ticker", daemon=True)
    if enabled:
        ticker.start()
    try:
        yield bar
    finally:
        stop.set()
        if enabled:
            ticker.join()
        bar.close()
