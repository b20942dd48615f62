"""Run many experiments in parallel processes, with the same results as one after another.

The chapters run dozens of small unlearning experiments and a few retrain oracles. Each uses one
CPU thread about as well as two (the tiny model's steps are short), so two processes finish a
grid nearly twice as fast as one process with two threads. The results do not depend on the
number of workers: every experiment starts from a checkpoint on disk, seeds its own random
generators, and runs with the same pinned thread count (:mod:`pebench.numerics`); workers only
fill the on-disk cache (atomic writes), and the caller then reads every result back from it.

Workers are started with ``spawn`` (safe after torch's thread pools exist, and inside a Jupyter
kernel, since the work functions live in this module). ``PEBENCH_WORKERS`` sets their number.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm.auto import tqdm

from pebench.experiment import Experiment, is_cached, result_path, run_experiment
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.targets import ForgetSplit

logger = logging.getLogger(__name__)

#: Environment variable with the number of worker processes (default: 2, at most the CPU count).
WORKERS_ENV = "PEBENCH_WORKERS"
DEFAULT_WORKERS = 2

_worker_pipeline: Pipeline | None = None


def worker_count(workers: int | None = None) -> int:
    """``workers`` if given, else ``PEBENCH_WORKERS``, else 2 capped at the CPU count; at least 1."""
    if workers is None:
        raw = os.environ.get(WORKERS_ENV)
        if raw is None:
            return max(1, min(DEFAULT_WORKERS, os.cpu_count() or 1))
        try:
            workers = int(raw)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a positive integer, got {raw!r}") from None
    if workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers}")
    return workers


def _start_worker(config: PipelineConfig, root: Path) -> None:
    global _worker_pipeline
    logging.basicConfig(level=logging.WARNING)
    _worker_pipeline = Pipeline(config, root=root)


def _train_oracle(exclude: frozenset[str]) -> None:
    assert _worker_pipeline is not None
    _worker_pipeline.finetuned(exclude, progress=False)


def _run(experiment: Experiment) -> None:
    assert _worker_pipeline is not None
    run_experiment(_worker_pipeline, experiment, progress=False)


def _oracles_needed(pipeline: Pipeline, experiments: Sequence[Experiment]) -> list[frozenset[str]]:
    """The distinct forget sets whose retrain oracle some experiment needs and the cache lacks."""
    needed: dict[frozenset[str], None] = {}
    for experiment in experiments:
        if experiment.method == "retrain" or experiment.compare_to_oracle:
            exclude = frozenset(ForgetSplit(pipeline.dataset, experiment.forget).forget_qa_ids)
            if not pipeline.has_finetuned(exclude):
                needed[exclude] = None
    return list(needed)


def run_experiments(
    pipeline: Pipeline,
    experiments: Sequence[Experiment],
    *,
    workers: int | None = None,
    progress: bool = True,
) -> list[dict]:
    """The result of every experiment, in order; uncached ones computed by ``workers`` processes.

    The retrain oracles the experiments need are trained first, each once, then the experiments
    run; with one worker (or on a GPU) everything runs in this process instead.
    """
    todo = list({result_path(pipeline, e): e for e in experiments if not is_cached(pipeline, e)}.values())
    count = min(worker_count(workers), len(todo))
    if count > 1 and pipeline.device.type == "cpu":
        pipeline.finetuned(progress=False)  # the shared starting point, trained once, here
        oracles = _oracles_needed(pipeline, todo)
        logger.info("%d experiment(s), %d oracle(s) to compute in %d processes", len(todo), len(oracles), count)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker,
                                 initargs=(pipeline.config, pipeline.root)) as pool:  # fmt: skip
            for stage, function, items in (("oracles", _train_oracle, oracles), ("experiments", _run, todo)):
                futures = [pool.submit(function, item) for item in items]
                for future in tqdm(as_completed(futures), total=len(futures), desc=stage, disable=not progress):
                    future.result()  # re-raises a worker's exception here
    bar = tqdm(experiments, desc="experiments", disable=not progress or count > 1)
    return [run_experiment(pipeline, experiment, progress=False) for experiment in bar]
