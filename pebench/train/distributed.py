"""Data parallelism for the one training loop, through ``accelerate``, active only when launched.

Under ``accelerate launch --num_processes N`` (or ``torchrun``) every process runs the same script:
it builds the same batch stream, loads the same weights, and ``run_loop`` gives each process its
contiguous ``1/N`` share of every global batch, averages the gradients across processes after
``backward`` and before clipping, and logs the mean loss. That is what DDP computes, so the result
matches a single-process run with the same global batch (exactly so for losses that are means over
equally sized shards; up to token weighting for token-mean losses over answers of different lengths).

Why not wrap the model in ``DistributedDataParallel``: stages and unlearning methods call the model
they were given inside their loss closures (and a reference model besides), which DDP would not see.
All-reducing the gradients explicitly needs no change to any method and no wrapped model. The cost is
no overlap of communication with the backward pass, which is negligible for LoRA adapters (the
setting this exists for: a few million parameters) and acceptable for the tiny model.

Without the launcher's environment (``WORLD_SIZE`` unset or 1) nothing here is used: single-process
behaviour and results are exactly those of the plain loop.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from typing import Any

import torch

#: Gradients are all-reduced in flat buckets of at most this many elements (DDP uses 25 MB).
BUCKET_ELEMENTS = 1 << 23


def launched() -> bool:
    """Whether this process is one of several started by ``accelerate launch`` / ``torchrun``."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


class DataParallel:
    """This process's place among the data-parallel processes, and the collective operations."""

    def __init__(self) -> None:
        from accelerate import Accelerator  # imported only when launched

        # Without a GPU, say so: accelerate then joins the launcher's processes over gloo
        # (otherwise it falls back to a single process on a CPU-only machine).
        self.accelerator = Accelerator(cpu=not torch.cuda.is_available())
        expected = int(os.environ["WORLD_SIZE"])
        if self.accelerator.num_processes != expected:
            raise RuntimeError(
                f"launched with WORLD_SIZE={expected} but accelerate joined {self.accelerator.num_processes} "
                "process(es); start the run with `accelerate launch` or `torchrun`"
            )
        if self.accelerator.mixed_precision != "no":
            raise ValueError(
                f"mixed_precision must be 'no' for pebench's loop, got {self.accelerator.mixed_precision!r}: "
                "load the model in bfloat16 instead (load_model(..., dtype=torch.bfloat16))"
            )
        self.rank = self.accelerator.process_index
        self.world = self.accelerator.num_processes
        self.is_main = self.accelerator.is_main_process
        self.device = self.accelerator.device

    def broadcast_(self, parameters: Sequence[torch.Tensor]) -> None:
        """Copy process 0's values into every process (as DDP does at construction)."""
        for parameter in parameters:
            torch.distributed.broadcast(parameter.data, src=0)

    def shard(self, batch: Any) -> Any:
        """This process's contiguous share of every tensor's first dimension, recursively.

        Works on dicts of tensors, dataclasses such as ``UnlearnBatch``, lists and tuples; ``None``
        and scalars pass through. A batch size that does not divide evenly raises ``ValueError``:
        unequal shards would weigh the processes' gradients unequally.
        """
        if isinstance(batch, torch.Tensor):
            size = batch.shape[0]
            if size % self.world:
                raise ValueError(f"batch_size must be a multiple of the {self.world} processes, got a batch of {size}")
            per = size // self.world
            return batch[self.rank * per : (self.rank + 1) * per]
        if isinstance(batch, dict):
            return {key: self.shard(value) for key, value in batch.items()}
        if dataclasses.is_dataclass(batch) and not isinstance(batch, type):
            return dataclasses.replace(
                batch, **{f.name: self.shard(getattr(batch, f.name)) for f in dataclasses.fields(batch) if f.init}
            )
        if isinstance(batch, (list, tuple)):
            return type(batch)(self.shard(value) for value in batch)
        return batch

    def average_gradients_(self, parameters: Sequence[torch.Tensor]) -> None:
        """Replace each gradient by its mean over processes (flat buckets, one all-reduce each).

        Every process must have gradients for the same parameters, which holds because they run the
        same loss on same-shaped batches.
        """
        grads = [p.grad for p in parameters if p.grad is not None]
        bucket: list[torch.Tensor] = []
        size = 0
        for grad in grads:
            if bucket and (size + grad.numel() > BUCKET_ELEMENTS or grad.dtype != bucket[0].dtype):
                self._reduce_bucket(bucket)
                bucket, size = [], 0
            bucket.append(grad)
            size += grad.numel()
        if bucket:
            self._reduce_bucket(bucket)

    def _reduce_bucket(self, grads: list[torch.Tensor]) -> None:
        flat = self.accelerator.reduce(torch.cat([g.reshape(-1) for g in grads]), reduction="mean")
        offset = 0
        for grad in grads:
            grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
            offset += grad.numel()

    def mean(self, values: Sequence[float]) -> list[float]:
        """The mean of each number over processes (for the logged loss)."""
        tensor = torch.tensor(list(values), dtype=torch.float64, device=self.device)
        return self.accelerator.reduce(tensor, reduction="mean").tolist()

    def gather_objects(self, obj: Any) -> list[Any]:
        """Every process's ``obj``, in process order, on every process."""
        gathered: list[Any] = [None] * self.world
        torch.distributed.all_gather_object(gathered, obj)
        return gathered

    def barrier(self) -> None:
        self.accelerator.wait_for_everyone()


@functools.cache
def _data_parallel() -> DataParallel:
    return DataParallel()


def data_parallel() -> DataParallel | None:
    """The process group's ``DataParallel`` when launched with several processes, else ``None``."""
    return _data_parallel() if launched() else None


def process_device() -> torch.device:
    """The device this process should put its model on (its own GPU under the launcher)."""
    parallel = data_parallel()
    if parallel is not None:
        return parallel.device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
