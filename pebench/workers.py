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

from pebench import profiling
from pebench.experiment import Experiment, is_cached, result_path, run_experiment
from pebench.pipeline import Pipeline, PipelineConfig, base_config
from pebench.setting import Setting
from pebench.targets import TARGETS, ForgetSpec, ForgetSplit

logger = logging.getLogger(__name__)

#: Environment variable with the number of worker processes (default: 2, at most the CPU count).
WORKERS_ENV = "PEBENCH_WORKERS"
DEFAULT_WORKERS = 2

#: The pipelines a worker process has loaded, one per base model it was asked about.
_worker_pipelines: dict[PipelineConfig, Pipeline] = {}
_worker_root: Path | None = None


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


def _start_worker(root: Path) -> None:
    global _worker_root
    logging.basicConfig(level=logging.WARNING)
    profiling.set_role(profiling.WORKER_ROLE)
    _worker_root = root


def _pipeline(config: PipelineConfig) -> Pipeline:
    if config not in _worker_pipelines:
        _worker_pipelines[config] = Pipeline(config, root=_worker_root)
    return _worker_pipelines[config]


def _train_finetuned(task: tuple[PipelineConfig, frozenset[str]]) -> None:
    config, exclude = task
    _pipeline(config).finetuned(exclude, progress=False)


def _pretrain(config: PipelineConfig) -> None:
    _pipeline(config).pretrained(progress=False)


def _run(task: tuple[PipelineConfig, Experiment]) -> None:
    config, experiment = task
    run_experiment(_pipeline(config), experiment, progress=False)


def _oracle_needs(tasks: Sequence[tuple[Pipeline, Experiment]]) -> list[tuple[Pipeline, frozenset[str]]]:
    """The base models (pipeline, excluded QA ids) that ``tasks`` start from: each pipeline's
    fine-tuned model and the retrain oracle of every forget set that needs one."""
    needs = []
    for pipeline, experiment in tasks:
        needs.append((pipeline, frozenset()))
        if experiment.method == "retrain" or experiment.compare_to_oracle:
            needs.append((pipeline, frozenset(ForgetSplit(pipeline.dataset, experiment.forget).forget_qa_ids)))
    return needs


def _pool(root: Path, count: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker, initargs=(root,))


def _run_all(
    pool: ProcessPoolExecutor, function: Callable[[Any], None], items: Sequence[Any], desc: str, progress: bool
) -> None:
    futures = [pool.submit(function, item) for item in items]
    with profiling.stage(profiling.WAITING):
        for future in tqdm(as_completed(futures), total=len(futures), desc=desc, disable=not progress):
            future.result()  # re-raises a worker's exception here


def _parallel(pipelines: Iterable[Pipeline], workers: int | None, tasks: int) -> int:
    """How many processes to use for ``tasks`` independent jobs (1: run them here)."""
    count = min(worker_count(workers), tasks)
    return count if count > 1 and all(p.device.type == "cpu" for p in pipelines) else 1


def _root(pipelines: Iterable[Pipeline]) -> Path:
    roots = {p.root for p in pipelines}
    if len(roots) != 1:
        raise ValueError(f"worker processes share one artifacts folder; these pipelines use {sorted(map(str, roots))}")
    return roots.pop()


def train_base_models(
    needs: Iterable[tuple[Pipeline, Collection[str]]],
    *,
    workers: int | None = None,
    progress: bool = True,
) -> None:
    """Train the fine-tuned models ``pipeline.finetuned(exclude)`` that the cache lacks, in parallel.

    An empty ``exclude`` is a base model's *Finetune* model, a forget set its retrain oracle. The
    pretrained checkpoints they start from are trained first (several base models: in parallel), then
    each fine-tuning (one CPU thread apiece) runs in its own worker process, so the chapters' base
    models take about half the time they take one after another, and come out byte-identical.
    """
    unique = {(p.config, frozenset(e)): (p, frozenset(e)) for p, e in needs}
    missing = [(p, e) for p, e in unique.values() if not p.has_finetuned(e)]
    if not missing:
        return
    pipelines = list({p.config: p for p, _ in missing}.values())
    # Base models that share a pretraining (``replicate_pretraining`` off) share its checkpoint: one each.
    unpretrained = list({p.pretrained_path(): p for p in pipelines if not p.has_pretrained()}.values())
    count = _parallel(pipelines, workers, len(missing))
    logger.info(
        "%d fine-tuned model(s) of %d base model(s) to train in %d process(es)", len(missing), len(pipelines), count
    )
    if count == 1:
        for pipeline, exclude in missing:
            pipeline.finetuned(exclude, progress=progress)
        return
    with _pool(_root(pipelines), count) as pool:
        if len(unpretrained) > 1:
            _run_all(pool, _pretrain, [p.config for p in unpretrained], "pretraining", progress)
        else:
            for pipeline in unpretrained:
                pipeline.pretrained(progress=progress)
        _run_all(pool, _train_finetuned, [(p.config, e) for p, e in missing], "base models", progress)


def run_experiments(
    tasks: Sequence[tuple[Pipeline, Experiment]],
    *,
    workers: int | None = None,
    progress: bool = True,
) -> list[dict]:
    """The result of every (pipeline, experiment), in order; uncached ones computed by ``workers`` processes.

    The base models the experiments start from (each pipeline's fine-tuned model and the retrain
    oracles they need) are trained first, in parallel (:func:`train_base_models`), then the
    experiments run; with one worker (or on a GPU) everything runs in this process instead.
    """
    todo = list({result_path(p, e): (p, e) for p, e in tasks if not is_cached(p, e)}.values())
    count = _parallel([p for p, _ in todo], workers, len(todo))
    if count > 1:
        train_base_models(_oracle_needs(todo), workers=workers, progress=progress)
        logger.info("%d experiment(s) to compute in %d processes", len(todo), count)
        with _pool(_root(p for p, _ in todo), count) as pool:
            _run_all(pool, _run, [(p.config, e) for p, e in todo], "experiments", progress)
    bar = tqdm(tasks, desc="experiments", disable=not progress or count > 1)
    return [run_experiment(pipeline, experiment, progress=False) for pipeline, experiment in bar]


def shared_needs(setting: Setting | None = None) -> list[tuple[Pipeline, frozenset[str]]]:
    """What the chapters at ``setting`` (default: the book's) fine-tune: for each base model, the
    model itself and one retrain oracle per target on its forget draw (chapters 3, 5 and 8)."""
    setting = setting or Setting()
    needs = []
    for seed in setting.base_seeds:
        pipeline = Pipeline(base_config(seed))
        needs.append((pipeline, frozenset()))
        draw = seed if setting.forget_seed is None else setting.forget_seed
        for target in TARGETS:
            split = ForgetSplit(pipeline.dataset, ForgetSpec(target, setting.forget_ratio, draw))
            needs.append((pipeline, frozenset(split.forget_qa_ids)))
    return needs


def train_shared_models(*, workers: int | None = None, progress: bool = True) -> None:
    """Train the base models the default chapters share, in parallel, before the first chapter runs.

    Run chapter by chapter, each chapter would train what it needs with a core idle; trained
    together first, the fine-tunings take half the time. The ablation's designs join them
    (:func:`pebench.ablation.ablation_models`): their pretrainings fill the core that the book's one
    pretraining leaves idle. The chapters then find them in the cache (the same files they would
    have trained).
    """
    from pebench.ablation import ablation_models  # imported here: the ablation runs its grids through this module

    train_base_models([*shared_needs(), *ablation_models()], workers=workers, progress=progress)
