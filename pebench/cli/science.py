"""The handlers of the commands that run the science: ``data``, ``train``, ``unlearn``, ``recipe``,
``numerics``.

Each builds the same objects the chapters build (``unlearn`` its run with
:func:`pebench.study.build_experiment`, as the chapters' grids do) and calls the same library
functions, so that its results share the on-disk cache with the book's. The library (and torch
with it) is imported inside the handlers, so that parsing and ``--help`` stay fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import logging
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pebench.cli.arguments import UsageError, parse_parameters

if TYPE_CHECKING:  # torch: imported by the recipe command only
    from pebench.recipe import RecipeConfig


def _root(args: argparse.Namespace) -> Path | None:
    return args.artifacts.resolve() if args.artifacts is not None else None


def cmd_data(args: argparse.Namespace) -> int:
    """Generate (or find in the cache) the dataset of the given settings."""
    from pebench.data import ensure_dataset
    from pebench.data.dataset import PEBenchDataset
    from pebench.paths import artifacts_dir
    from pebench.pipeline import PipelineConfig

    default = PipelineConfig().data
    # One option per field of the dataset's configuration, under the field's name.
    names = [field.name for field in dataclasses.fields(default)]
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    try:
        config = dataclasses.replace(default, **overrides)
    except ValueError as error:
        raise UsageError(str(error)) from None
    root = (_root(args) or artifacts_dir()) / "data"
    folder = ensure_dataset(config, root, progress=not args.no_progress)
    dataset = PEBenchDataset.load(folder)
    print(f"dataset {config.key()} in {folder}")
    print(
        f"  {config.n_persons} fictitious persons x {config.n_events} events, "
        f"{config.n_real_persons} real persons x {config.n_real_events} real events, "
        f"{len(dataset.qa)} questions, {len(dataset.captions)} captioned pictures"
    )
    return 0


def make_pipeline(args: argparse.Namespace) -> Any:
    """The :class:`pebench.pipeline.Pipeline` that ``train`` and ``unlearn`` work on."""
    from pebench.pipeline import Pipeline, make_config

    if args.no_progress:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bars
    try:
        config = make_config(
            seed=args.base_seed,
            n_persons=args.n_persons,
            n_events=args.n_events,
            pretrain_steps=args.pretrain_steps,
            finetune_steps=args.finetune_steps,
            learning_rate=args.finetune_lr,
            replay_fraction=args.replay_fraction,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    return Pipeline(config, root=_root(args), device=args.device)


def cmd_train(args: argparse.Namespace) -> int:
    """Pretrain and fine-tune (each stage is trained once per setting, then loaded from the cache)."""
    pipeline = make_pipeline(args)
    start = time.perf_counter()
    pipeline.finetuned(progress=not args.no_progress)
    config = pipeline.config
    print(
        f"fine-tuned model ready in {time.perf_counter() - start:.1f} s "
        f"(pretrain {config.pretrain.steps} steps, fine-tune {config.finetune.steps} steps, "
        f"lr {config.finetune.lr:g}); checkpoints under {pipeline.root / 'models'}"
    )
    return 0


def format_metrics(metrics: dict[str, float]) -> str:
    """The metrics as a two-column text table, in the glossary's order."""
    from pebench.metrics.catalog import metric_names

    order = metric_names()
    names = [m for m in order if m in metrics] + sorted(set(metrics) - set(order))
    width = max(len("metric"), *(len(n) for n in names)) if names else len("metric")
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    for name in names:
        value = metrics[name]
        shown = "nan" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
        lines.append(f"{name:<{width}}  {shown}")
    return "\n".join(lines)


def cmd_unlearn(args: argparse.Namespace) -> int:
    """One experiment: the method on the forget set, evaluated with every metric (cached)."""
    from pebench.arms import Arm
    from pebench.experiment import run_experiment
    from pebench.study import build_experiment
    from pebench.unlearn import UnlearnConfig

    hyperparameters = parse_parameters(args.hyperparameter)
    optimisation = {"steps": args.steps, "lr": args.lr, "batch_size": args.batch_size}
    try:
        experiment = build_experiment(
            Arm(args.method, hyperparameters),
            args.target,
            seed=args.seed,  # --seed draws the forget set and orders the batches
            ratio=args.forget,
            unlearn=UnlearnConfig(**{name: value for name, value in optimisation.items() if value is not None}),
            compare_to_oracle=not args.no_oracle,
        )
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None
    pipeline = make_pipeline(args)
    start = time.perf_counter()
    result = run_experiment(pipeline, experiment, progress=not args.no_progress)
    wall = time.perf_counter() - start
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k not in ("predictions", "history")}, indent=2))
        return 0
    unlearn = experiment.unlearn
    print(
        f"{experiment.method} on target {args.target} (forget {args.forget:g}, seed {args.seed}); "
        f"{unlearn.steps} steps, lr {unlearn.lr:g}, batch {unlearn.batch_size}"
        + (f", {hyperparameters}" if hyperparameters else "")
    )
    for kind in ("persons", "events"):
        forgotten = result.get(f"forget_{kind}") or []
        if forgotten:
            print(f"forgotten {kind} ({len(forgotten)}): {', '.join(forgotten)}")
    print(f"computed in {result.get('seconds', float('nan')):.1f} s (this call: {wall:.1f} s, results are cached)")
    print()
    print(format_metrics(result["metrics"]))
    return 0


def recipe_config(args: argparse.Namespace) -> RecipeConfig:
    """The :class:`pebench.recipe.RecipeConfig` that parsed ``recipe`` arguments describe."""
    from pebench.recipe import make_config

    # The options carry make_config's keyword names; those left out keep the recipe's defaults.
    keywords = inspect.signature(make_config).parameters
    options = {name: value for name, value in vars(args).items() if name in keywords and value is not None}
    try:
        return make_config(**options)
    except ValueError as error:
        raise UsageError(str(error)) from None


def cmd_recipe(args: argparse.Namespace) -> int:
    """The paper's setting on a real checkpoint (:func:`pebench.recipe.run_recipe`); alone or under
    ``accelerate launch``, where every process runs this and the main one writes the files."""
    config = recipe_config(args)
    from pebench.recipe import run_recipe
    from pebench.train.distributed import data_parallel

    logging.getLogger("pebench.recipe").setLevel(logging.INFO)  # each method's metrics as it finishes
    results = run_recipe(config, args.out, progress=not args.no_progress)
    parallel = data_parallel()
    if parallel is None or parallel.is_main:
        print(f"{len(results)} method(s): {', '.join(results)}; results in {args.out / 'results.json'}")
    return 0


def cmd_numerics(args: argparse.Namespace) -> int:
    """Print this machine's numerics provenance (what a chapter executed here would record)."""
    from pebench import numerics

    for key, value in numerics.provenance().items():
        print(f"{key}: {value}")
    return 0
