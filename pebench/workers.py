"""Run many experiments in parallel processes, with the same results as one after another.

The chapters run dozens of small unlearning experiments on a few base models (the fine-tuned model
and the retrain oracles, :func:`train_base_models`, :func:`train_shared_models`). Each uses one
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
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from pebench.experiment import Experiment, is_cached, result_path, run_experiment
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.targets import TARGETS, ForgetSpec, ForgetSplit

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


def _train_finetuned(exclude: frozenset[str]) -> None:
    assert _worker_pipeline is not None
    _worker_pipeline.finetuned(exclude, progress=False)


def _run(experiment: Experiment) -> None:
    assert _worker_pipeline is not None
    run_experiment(_worker_pipeline, experiment, progress=False)


def _oracle_exclusions(pipeline: Pipeline, experiments: Sequence[Experiment]) -> list[frozenset[str]]:
    """The distinct forget sets (QA ids) whose retrain oracle some of ``experiments`` needs."""
    needed: dict[frozenset[str], None] = {}
    for experiment in experiments:
        if experiment.method == "retrain" or experiment.compare_to_oracle:
            needed[frozenset(ForgetSplit(pipeline.dataset, experiment.forget).forget_qa_ids)] = None
    return list(needed)


def _pool(pipeline: Pipeline, count: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker,
                               initargs=(pipeline.config, pipeline.root))  # fmt: skip


def _run_all(pool: ProcessPoolExecutor, function: Callable[[Any], None], items: Sequence[Any], desc: str,
             progress: bool) -> None:  # fmt: skip
    futures = [pool.submit(function, item) for item in items]
    for future in tqdm(as_completed(futures), total=len(futures), desc=desc, disable=not progress):
        future.result()  # re-raises a worker's exception here


def _parallel(pipeline: Pipeline, workers: int | None, tasks: int) -> int:
    """How many processes to use for ``tasks`` independent jobs (1: run them here)."""
    count = min(worker_count(workers), tasks)
    return count if count > 1 and pipeline.device.type == "cpu" else 1


def train_base_models(
    pipeline: Pipeline,
    exclusions: Iterable[Collection[str]],
    *,
    workers: int | None = None,
    progress: bool = True,
) -> None:
    """Train the fine-tuned models ``pipeline.finetuned(exclude)`` that the cache lacks, in parallel.

    An empty ``exclude`` is the *Finetune* model, a forget set its retrain oracle. All of them start
    from the pretrained checkpoint, trained first, here; then each fine-tuning (one CPU thread
    apiece) runs in its own worker process, so the chapters' base models take about half the time
    they take one after another, and come out byte-identical.
    """
    missing = [e for e in dict.fromkeys(map(frozenset, exclusions)) if not pipeline.has_finetuned(e)]
    if not missing:
        return
    pipeline.pretrained(progress=progress)
    count = _parallel(pipeline, workers, len(missing))
    logger.info("%d fine-tuned model(s) to train in %d process(es)", len(missing), count)
    if count == 1:
        for exclude in missing:
            pipeline.finetuned(exclude, progress=progress)
        return
    with _pool(pipeline, count) as pool:
        _run_all(pool, _train_finetuned, missing, "base models", progress)


def run_experiments(
    pipeline: Pipeline,
    experiments: Sequence[Experiment],
    *,
    workers: int | None = None,
    progress: bool = True,
) -> list[dict]:
    """The result of every experiment, in order; uncached ones computed by ``workers`` processes.

    The base models the experiments start from (the fine-tuned model and the retrain oracles they
    need) are trained first, in parallel (:func:`train_base_models`), then the experiments run;
    with one worker (or on a GPU) everything runs in this process instead.
    """
    todo = list({result_path(pipeline, e): e for e in experiments if not is_cached(pipeline, e)}.values())
    count = _parallel(pipeline, workers, len(todo))
    if count > 1:
        train_base_models(pipeline, [frozenset(), *_oracle_exclusions(pipeline, todo)], workers=workers,
                          progress=progress)  # fmt: skip
        logger.info("%d experiment(s) to compute in %d processes", len(todo), count)
        with _pool(pipeline, count) as pool:
            _run_all(pool, _run, todo, "experiments", progress)
    bar = tqdm(experiments, desc="experiments", disable=not progress or count > 1)
    return [run_experiment(pipeline, experiment, progress=False) for experiment in bar]


def shared_exclusions(pipeline: Pipeline) -> list[frozenset[str]]:
    """What the chapters at their default parameters fine-tune on: everything, and everything but
    each default forget set (``ForgetSpec(target)``: the retrain oracles of chapters 3, 5 and 8)."""
    oracles = [ForgetSplit(pipeline.dataset, ForgetSpec(target)).forget_qa_ids for target in TARGETS]
    return [frozenset(), *map(frozenset, oracles)]


def train_shared_models(pipeline: Pipeline | None = None, *, workers: int | None = None, progress: bool = True) -> None:
    """Train the base models the default chapters share, in parallel, before the first chapter runs.

    Run chapter by chapter, chapter 2 fine-tunes alone and chapter 5 trains its one oracle alone,
    each leaving the second core idle; trained together, four fine-tunings take the time of two.
    The chapters then find them in the cache (the same files they would have trained).
    """
    pipeline = pipeline or Pipeline()
    train_base_models(pipeline, shared_exclusions(pipeline), workers=workers, progress=progress)
