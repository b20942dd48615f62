"""Load and save any LLaVA-compatible checkpoint, tiny or real, from local files only.

One entry point serves the book's tiny model and a user's LLaVA checkpoint on a GPU, so the
unlearning code never needs to know which one it runs on. Nothing is ever downloaded: a Hugging
Face id works only if it is already in the local cache.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from transformers import AutoProcessor, LlavaForConditionalGeneration, ProcessorMixin
from transformers.utils import logging as hf_logging

logger = logging.getLogger(__name__)


def load_model(
    name_or_path: str | os.PathLike[str],
    *,
    dtype: torch.dtype | None = None,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> tuple[LlavaForConditionalGeneration, ProcessorMixin]:
    """Load ``(model, processor)`` from a local folder or an already-cached Hugging Face id.

    ``progress=False`` hides transformers' weight-loading bar: worth watching for a 7B model,
    noise for the tiny ones the book loads many times. Raises ``FileNotFoundError`` naming the
    checkpoint when it is neither a folder nor cached.
    """
    source = str(name_or_path)
    try:
        with _progress_bars(progress):
            processor = AutoProcessor.from_pretrained(source, local_files_only=True)
            model = LlavaForConditionalGeneration.from_pretrained(source, local_files_only=True, dtype=dtype)
    except OSError as error:
        raise FileNotFoundError(
            f"checkpoint {source!r} not found: give a local folder written by save_model/save_pretrained "
            "or a Hugging Face id already in the local cache (pebench never downloads)"
        ) from error
    if device is not None:
        model.to(device)
    logger.info("loaded %s (%.1f M parameters)", source, sum(p.numel() for p in model.parameters()) / 1e6)
    return model, processor


@contextmanager
def _progress_bars(show: bool) -> Iterator[None]:
    """Show or hide transformers' progress bars for the block, then restore the previous state."""
    was_enabled = hf_logging.is_progress_bar_enabled()
    (hf_logging.enable_progress_bar if show else hf_logging.disable_progress_bar)()
    try:
        yield
    finally:
        (hf_logging.enable_progress_bar if was_enabled else hf_logging.disable_progress_bar)()


def save_model(
    model: LlavaForConditionalGeneration,
    processor: ProcessorMixin,
    path: str | os.PathLike[str],
    *,
    extra_json: dict[str, object] | None = None,
    progress: bool = True,
) -> Path:
    """Save model and processor into ``path`` atomically (a temp folder renamed into place).

    ``extra_json`` maps file names to JSON-able objects stored beside the weights (e.g. the
    training history), so a checkpoint and its record appear together or not at all.
    ``progress=False`` hides transformers' shard-writing bar.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    with _progress_bars(progress):
        model.save_pretrained(staging)
        processor.save_pretrained(staging)
    for name, data in (extra_json or {}).items():
        (staging / name).write_text(json.dumps(data, indent=1), encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    os.replace(staging, target)
    return target
