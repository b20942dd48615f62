"""The shared loop under ``accelerate launch`` (2 CPU processes, gloo) matches the single-process run.

One test launches ``tests/accelerate_worker.py`` with the ``accelerate`` CLI, exactly as a user would
on GPUs, and compares its histories and final weights with the same function run in this process.
The helpers of ``pebench.train.distributed`` are checked on their own with a fake process group.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from pebench.data import DatasetConfig, ensure_dataset
from pebench.train.distributed import DataParallel, data_parallel, launched
from pebench.unlearn import UnlearnBatch

HERE = Path(__file__).parent
DATA = DatasetConfig(n_persons=8, n_events=2, n_real_persons=2, n_real_events=2, seed=0)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One intra-op thread: these models are tiny, and on a busy 2-core machine two OpenMP threads
    wait on each other for far longer than the arithmetic takes (measured: 0.4 s vs 16 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def fake_parallel(rank: int, world: int) -> DataParallel:
    parallel = DataParallel.__new__(DataParallel)  # no process group needed for shard()
    parallel.rank, parallel.world = rank, world
    return parallel


def test_not_launched_means_single_process(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert not launched() and data_parallel() is None
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert data_parallel() is None


def test_shard_splits_every_tensor_of_nested_batches_and_checks_divisibility():
    batch = UnlearnBatch(
        forget={"input_ids": torch.arange(8).view(4, 2)},
        retain=None,
        forget_by_kind={"person": {"x": torch.arange(4)}},
    )
    first, second = fake_parallel(0, 2).shard(batch), fake_parallel(1, 2).shard(batch)
    assert first.forget["input_ids"].tolist() == [[0, 1], [2, 3]]
    assert second.forget["input_ids"].tolist() == [[4, 5], [6, 7]]
    assert second.forget_by_kind["person"]["x"].tolist() == [2, 3] and second.retain is None
    assert dataclasses.is_dataclass(first)
    x, y = fake_parallel(1, 2).shard((torch.arange(4), torch.arange(4) * 10))
    assert x.tolist() == [2, 3] and y.tolist() == [20, 30]
    with pytest.raises(ValueError, match="batch_size must be a multiple of the 3 processes"):
        fake_parallel(0, 3).shard({"x": torch.arange(4)})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_cpu_processes_match_one(tmp_path):
    sys.path.insert(0, str(HERE))
    import accelerate_worker

    data = ensure_dataset(DATA, tmp_path / "data")
    out = tmp_path / "ddp"
    port = str(free_port())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(HERE.parent), "CUDA_VISIBLE_DEVICES": ""}
    env.pop("WORLD_SIZE", None)
    command = [
        # `--cpu` with several processes needs MPI in accelerate; `--multi_gpu` is its torchrun
        # launcher, which on a machine without GPUs joins the processes over gloo.
        str(Path(sys.executable).parent / "accelerate"),
        "launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--main_process_port",
        port,
        str(HERE / "accelerate_worker.py"),
        "--data",
        str(data),
        "--out",
        str(out),
    ]
    launch = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    single_histories, single_weights = accelerate_worker.run(data)  # meanwhile, the same in this process
    log, _ = launch.communicate(timeout=240)
    assert launch.returncode == 0, log[-4000:]

    ddp = json.loads((out / "histories.json").read_text())
    assert ddp.pop("world") == 2
    rank0, rank1 = (torch.load(out / f"weights-{rank}.pt") for rank in (0, 1))
    for phase in rank0:  # the processes stay in sync: gradients really are averaged
        assert all(torch.equal(rank0[phase][name], rank1[phase][name]) for name in rank0[phase]), phase

    assert ddp["answers"] == single_histories["answers"], "sharded generation must gather every answer in order"
    # finetune and ga: same-length answers, so sharded means equal the global mean: match to float
    # precision. npo's retain term is a token mean over answers of different lengths: a shard's mean
    # weighs tokens differently (as in DDP), so loss and weights agree only approximately.
    previous = {"finetune": "init", "ga": "finetune", "npo": "ga"}
    for phase, loss_rtol, weight_rtol in (("finetune", 1e-5, 1e-4), ("ga", 1e-5, 1e-4), ("npo", 2e-2, 0.2)):
        single = [record["loss"] for record in single_histories[phase]]
        parallel = [record["loss"] for record in ddp[phase]]
        assert parallel == pytest.approx(single, rel=loss_rtol), phase
        difference = distance(rank0[phase], single_weights[phase])
        update = distance(single_weights[phase], single_weights[previous[phase]])
        assert difference < weight_rtol * update, (phase, difference, update)


def distance(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    """Euclidean distance between two state dicts, all parameters together."""
    return float(sum(((a[name].double() - b[name].double()) ** 2).sum() for name in a) ** 0.5)
