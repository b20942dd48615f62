"""The ``pebench`` command: the companion's steps from a shell, and the project's one argument parser.

::

    pebench data                     generate the fictitious dataset (cached)
    pebench train                    pretrain and fine-tune the tiny LLaVA (cached)
    pebench unlearn --method npo --target person --forget 0.1
                                     run one unlearning experiment and print its metrics
    pebench recipe --checkpoint DIR --out DIR
                                     the paper's setting on a real LLaVA checkpoint, with LoRA
    pebench chapters list|warm|run   list the chapters, train their shared models, execute them
    pebench run-chapter 02 -p seed 1 re-execute one chapter notebook in place
    pebench verify --only 02         re-execute chapters and compare them with the published numbers
    pebench numerics                 print this machine's numerics provenance
    pebench site build|assemble|provenance
                                     build the versioned website, or rewrite its switcher
    pebench book                     execute the chapters and build the versioned website

Every subcommand has ``--help``; ``python -m pebench.cli`` is the same command (``accelerate
launch -m pebench.cli recipe ...`` runs the recipe on several GPUs). The command is a thin layer:
it builds the same objects the chapters build (:func:`pebench.pipeline.make_config`,
:class:`pebench.pipeline.Pipeline`, :class:`pebench.experiment.Experiment`,
:func:`pebench.recipe.make_config`) and calls the same functions
(:func:`pebench.experiment.run_experiment`, :func:`pebench_book.chapters.run_all`,
:func:`pebench_book.site.build_site`), so its results share the on-disk cache with the book's.

The book's commands (``chapters``, ``run-chapter``, ``verify``, ``site``, ``book``) import the
tooling, :mod:`pebench_book`, inside their handlers only: importing this module loads no Sphinx,
papermill or nbformat. Bad arguments stop before any work with a message that names the argument
and what it accepts, and exit status 2; a failure while working exits 1. The method and target
choices come from the registries (:func:`pebench.experiment.method_names`,
:data:`pebench.targets.TARGETS`), which are imported only when a command needs them, so
``pebench --help`` answers at once.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import inspect
import json
import logging
import math
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pebench

if TYPE_CHECKING:  # torch: imported by the recipe command only
    from pebench.recipe import RecipeConfig

log = logging.getLogger("pebench")

#: The order the metrics are printed in (the glossary's); others follow alphabetically.


class UsageError(Exception):
    """An argument that parsed but is not acceptable; reported like an argparse error (status 2)."""


# -- argument types -----------------------------------------------------------------------------------
class LazyChoices(Sequence[str]):
    """Choices read from a registry the first time argparse looks at them.

    The registries live in modules that import torch; loading them only when ``--method`` or
    ``--target`` is parsed (or their help shown) keeps ``pebench --help`` and the other commands fast.
    """

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load, self._items = load, None

    def _get(self) -> tuple[str, ...]:
        if self._items is None:
            self._items = tuple(self._load())
        return self._items

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __contains__(self, value: object) -> bool:
        return value in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())


def _method_names() -> tuple[str, ...]:
    from pebench.experiment import method_names

    return method_names()


def _target_names() -> tuple[str, ...]:
    from pebench.targets import TARGETS

    return TARGETS


def _recipe_dtypes() -> tuple[str, ...]:
    from pebench.recipe import DTYPES

    return tuple(DTYPES)


def _recipe_methods() -> tuple[str, ...]:
    from pebench.recipe import BOUNDS
    from pebench.unlearn import METHODS

    return BOUNDS + tuple(METHODS)


def _number(kind: type, text: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected {'an integer' if kind is int else 'a number'}, got {text!r}"
        ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _number(int, text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    """An integer >= 0."""
    value = _number(int, text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _number(float, text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {value}")
    return value


def open_ratio(text: str) -> float:
    """A fraction strictly between 0 and 1."""
    value = _number(float, text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in (0, 1), exclusive, got {value}")
    return value


def replay_ratio(text: str) -> float:
    """A fraction in [0, 1)."""
    value = _number(float, text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be a fraction in [0, 1), got {value}")
    return value


# -- progress -----------------------------------------------------------------------------------------
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


# -- commands -----------------------------------------------------------------------------------------
def _root(args: argparse.Namespace) -> Path | None:
    return args.artifacts.resolve() if args.artifacts is not None else None


def cmd_data(args: argparse.Namespace) -> int:
    """Generate (or find in the cache) the dataset of the given settings."""
    from pebench.data import ensure_dataset
    from pebench.data.dataset import PEBenchDataset
    from pebench.paths import artifacts_dir
    from pebench.pipeline import PipelineConfig

    overrides = {
        name: getattr(args, name)
        for name in (
            "n_persons",
            "n_events",
            "n_real_persons",
            "n_real_events",
            "train_images_per_pair",
            "heldout_images_per_pair",
            "image_size",
            "seed",
        )
        if getattr(args, name) is not None
    }
    try:
        config = dataclasses.replace(PipelineConfig().data, **overrides)
    except ValueError as error:
        raise UsageError(str(error)) from None
    root = (_root(args) or artifacts_dir()) / "data"
    folder = ensure_dataset(config, root, progress=not args.no_progress)
    dataset = PEBenchDataset.load(folder)
    print(f"dataset {config.key()} in {folder}")
    print(
        f"  {config.n_persons} fictitious persons x {config.n_events} events, "
        f"{config.n_real_persons} real persons x {config.n_real_events} real events, "
        f"{len(dataset.qa)} questions"
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


def parse_parameter(value: str) -> Any:
    """A command-line parameter value as papermill's own ``-p`` reads it: True/False/None, int, float,
    else str; and, unlike papermill, a list or dict written as a Python literal (``'["gd", "kl"]'``),
    which papermill would pass on as a string to be iterated character by character."""
    constants = {"True": True, "False": False, "None": None}
    if value in constants:
        return constants[value]
    if value.strip().startswith(("[", "{", "(")):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError(f"{value!r} looks like a list or dict but is not a valid Python literal") from None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _parse_parameters(pairs: Sequence[Sequence[str]]) -> dict[str, Any]:
    """``-p``/``-H NAME VALUE`` pairs, values read as papermill reads them (lists as literals)."""
    try:
        return {name: parse_parameter(value) for name, value in pairs}
    except ValueError as error:
        raise UsageError(str(error)) from None


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
    from pebench.experiment import Experiment, run_experiment
    from pebench.targets import ForgetSpec
    from pebench.unlearn import UnlearnConfig

    hyperparameters = _parse_parameters(args.hyperparameter)
    defaults = UnlearnConfig()
    try:
        experiment = Experiment(
            method=args.method,
            forget=ForgetSpec(target=args.target, ratio=args.forget, seed=args.seed),
            hyperparameters=hyperparameters,
            compare_to_oracle=not args.no_oracle,
            unlearn=UnlearnConfig(
                steps=args.steps if args.steps is not None else defaults.steps,
                lr=args.lr if args.lr is not None else defaults.lr,
                batch_size=args.batch_size if args.batch_size is not None else defaults.batch_size,
                seed=args.seed,
            ),
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


def _recipe_config(args: argparse.Namespace) -> RecipeConfig:
    from pebench.recipe import make_config

    # The options carry make_config's keyword names; those left out keep the recipe's defaults.
    keywords = inspect.signature(make_config).parameters
    options = {name: value for name, value in vars(args).items() if name in keywords and value is not None}
    try:
        return make_config(**options)
    except ValueError as error:
        raise UsageError(str(error)) from None


def parse_recipe(argv: Sequence[str]) -> tuple[RecipeConfig, Path]:
    """The configuration and output folder that ``pebench recipe ARGV`` would run, for scripts that
    describe their runs as command lines (``benchmarks/gpu_smoke.py``); a bad one exits 2, as the
    command does."""
    args = build_parser().parse_args(["recipe", *argv])
    try:
        return _recipe_config(args), args.out
    except UsageError as error:
        args.command_parser.error(str(error))  # exits 2


def cmd_recipe(args: argparse.Namespace) -> int:
    """The paper's setting on a real checkpoint (:func:`pebench.recipe.run_recipe`); alone or under
    ``accelerate launch``, where every process runs this and the main one writes the files."""
    config = _recipe_config(args)
    from pebench.recipe import run_recipe
    from pebench.train.distributed import data_parallel

    logging.getLogger("pebench.recipe").setLevel(logging.INFO)  # each method's metrics as it finishes
    results = run_recipe(config, args.out, progress=not args.no_progress)
    parallel = data_parallel()
    if parallel is None or parallel.is_main:
        print(f"{len(results)} method(s): {', '.join(results)}; results in {args.out / 'results.json'}")
    return 0


def _chapter_parameters(chapter: Path, given: dict[str, Any]) -> None:
    from pebench_book.chapters import check_parameters

    try:
        check_parameters(chapter, given)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _chapters(numbers: Sequence[str] | None, folder: Path | None = None) -> list[Path]:
    """The chapters in ``folder`` (default: the repository's ``notebooks/``), or those numbered."""
    from pebench_book.chapters import UnknownChapterError, chapters_dir, list_chapters, select_chapters

    try:
        chapters = list_chapters(folder)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    if not chapters:
        raise UsageError(f"no chapter notebooks (NN_*.ipynb) in {folder or chapters_dir()}")
    try:
        return select_chapters(numbers, chapters) if numbers else chapters
    except UnknownChapterError as error:
        raise UsageError(str(error)) from None


def _execute_chapters(
    args: argparse.Namespace, parameters: dict[str, Any], folder: Path | None = None, cwd: Path | None = None
) -> None:
    """Execute the chapters (``--only`` ones, else all) in place, through the one loop that runs the
    book (:func:`pebench_book.chapters.run_all`). A full run at default parameters is the book's:
    its shared base models are trained first and its time per chapter is recorded."""
    from pebench_book import chapters

    full_run = not args.only and not parameters
    chapters.run_all(
        folder,
        parameters,
        only=args.only,
        times_path=chapters.times_path(folder) if full_run else None,
        progress=not args.no_progress,
        cwd=cwd,
        log_output=args.log_output,
    )


def cmd_chapters_list(args: argparse.Namespace) -> int:
    """Print the chapter notebooks, with their numbers."""
    from pebench_book.chapters import chapter_number

    for chapter in _chapters(None, args.dir):
        print(f"{chapter_number(chapter)}  {chapter}")
    return 0


def cmd_chapters_warm(args: argparse.Namespace) -> int:
    """Train the base models the chapters share at default parameters (a full run does this first)."""
    from pebench_book.chapters import warm_shared_models

    seconds = warm_shared_models()
    print(f"the chapters' shared base models are ready ({seconds:.0f} s)")
    return 0


def cmd_chapters_run(args: argparse.Namespace) -> int:
    """Execute chapters in place, all of them by default, with ``-p`` overrides checked against each."""
    chapters = _chapters(args.only, args.dir)
    parameters = _parse_parameters(args.parameter)
    for chapter in chapters:  # a typo fails before anything runs
        _chapter_parameters(chapter, parameters)
    _execute_chapters(args, parameters, args.dir, args.cwd)
    print(f"executed {len(chapters)} chapter(s) in place: {', '.join(chapter.name for chapter in chapters)}")
    return 0


def cmd_run_chapter(args: argparse.Namespace) -> int:
    """Execute one chapter with papermill, in place (or into ``--output``), with ``-p`` overrides."""
    (chapter,) = _chapters([args.chapter])
    parameters = _parse_parameters(args.parameter)
    _chapter_parameters(chapter, parameters)
    from pebench_book.chapters import run_chapter

    run_chapter(chapter, args.output, parameters, cwd=args.cwd, log_output=args.log_output)
    print(f"executed {chapter.name} -> {args.output or chapter}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Re-execute chapters into a scratch folder and compare their tables with the published ones."""
    from pebench import numerics
    from pebench.cache import atomic_write_json
    from pebench_book.verify import report_record, same_numerics, verify

    chapters = _chapters(args.only or [])
    print(
        f"this machine: {numerics.cpu_description()['cpu_model']}, {numerics.mode()} numerics, "
        f"fingerprint {numerics.fingerprint()}"
    )
    failed, reports = 0, []
    for chapter in chapters:
        expect = "the same bits" if same_numerics(chapter) else "other bits (another CPU or numerics)"
        print(f"chapter {chapter.name}: re-executing; expecting {expect}", flush=True)
        (report,) = verify([chapter], keep=args.keep / chapter.stem if args.keep else None)
        print(report.describe(limit=args.show), flush=True)
        failed += not report.ok
        reports.append(report)
        if args.report:
            atomic_write_json(args.report, {"provenance": numerics.provenance(), "chapters": report_record(reports)})
    print(f"{len(chapters) - failed} of {len(chapters)} chapter(s) agree with the published numbers")
    return 1 if failed else 0


def cmd_numerics(args: argparse.Namespace) -> int:
    """Print this machine's numerics provenance (what a chapter executed here would record)."""
    from pebench import numerics

    for key, value in numerics.provenance().items():
        print(f"{key}: {value}")
    return 0


def _check_base_url(base_url: str | None) -> None:
    from pebench_book.site import normalize_base_url

    try:
        normalize_base_url(base_url)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _build_site(args: argparse.Namespace) -> None:
    from pebench_book.site import build_site

    with progress_bar(1, "building the website", enabled=not args.no_progress) as bar:
        target = build_site(site=args.site, base_url=args.base_url)
        bar.update()
    print(f"built {target}; read it with: python -m http.server -d {target.parent} 8000")


def cmd_site_build(args: argparse.Namespace) -> int:
    """Build this version's book into the versioned site and reassemble the site."""
    _check_base_url(args.base_url)
    _build_site(args)
    return 0


def cmd_site_assemble(args: argparse.Namespace) -> int:
    """Rewrite the site's switcher.json and index.html from the version folders it holds."""
    from pebench_book.site import assemble, default_site_dir

    _check_base_url(args.base_url)
    folder = args.site if args.site is not None else default_site_dir()
    versions = assemble(folder, args.base_url)
    print(f"assembled {folder}: versions {', '.join(versions)} (latest {versions[0]})")
    return 0


def cmd_site_provenance(args: argparse.Namespace) -> int:
    """Print the version, commit and numbers date (and numerics) that the pages' footer shows."""
    from pebench_book.site import provenance

    print(json.dumps(dataclasses.asdict(provenance()), indent=2))
    return 0


def cmd_book(args: argparse.Namespace) -> int:
    """``make book`` without the installation: execute the chapters, then build the versioned site."""
    _check_base_url(args.base_url)
    if not args.no_execute:
        _chapters(args.only)  # a typo in --only fails before anything runs
        _execute_chapters(args, {})
    _build_site(args)
    return 0


# -- parser -------------------------------------------------------------------------------------------
def _text(*paragraphs: str) -> str:
    """Help text: prose paragraphs wrapped to 79 columns, ``example:`` lines kept as they are."""
    return "\n\n".join(p if p.startswith("example") else textwrap.fill(p, 79) for p in paragraphs)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-progress", action="store_true", help="no progress bars")
    common.add_argument("-v", "--verbose", action="store_true", help="log what pebench does, and tracebacks on errors")
    return common


def _artifacts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=None,
        metavar="DIR",
        help="cache folder for data, models and results (default: $PEBENCH_ARTIFACTS, else <repo>/artifacts)",
    )


def _pipeline_options(parser: argparse.ArgumentParser, *, seed_flag: str) -> None:
    group = parser.add_argument_group(
        "base model", "the pretrained + fine-tuned model (default: the book's, pebench.pipeline.PipelineConfig())"
    )
    group.add_argument(
        seed_flag,
        dest="base_seed",
        type=non_negative_int,
        default=None,
        help="reseeds the dataset, the initial weights and both stages' batch order",
    )
    group.add_argument("--n-persons", type=positive_int, default=None, help="fictitious persons")
    group.add_argument("--n-events", type=positive_int, default=None, help="fictitious events")
    group.add_argument("--pretrain-steps", type=positive_int, default=None, help="pretraining steps")
    group.add_argument("--finetune-steps", type=positive_int, default=None, help="fine-tuning steps")
    group.add_argument(
        "--finetune-lr", type=positive_float, default=None, metavar="LR", help="peak learning rate of both stages"
    )
    group.add_argument(
        "--replay-fraction",
        type=replay_ratio,
        default=None,
        metavar="F",
        help="share of each fine-tuning batch replaying pretraining data, in [0, 1)",
    )
    group.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    _artifacts(parser)


def _parameter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter (values read as papermill -p does, lists as Python literals); repeatable",
    )


def _chapters_commands(chapters: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``pebench chapters list|warm|run``."""
    actions = chapters.add_subparsers(dest="action", metavar="ACTION", required=True)
    folder_help = "chapter folder (default: notebooks/ of the repository around the working directory)"
    text = "print the chapters with their numbers"
    listing = actions.add_parser("list", parents=[common], help=text, description=text)
    listing.add_argument("--dir", type=Path, default=None, help=folder_help)
    listing.set_defaults(handler=cmd_chapters_list, command_parser=listing)
    text = "train the base models the chapters share at default parameters (a full run does this first)"
    warm = actions.add_parser("warm", parents=[common], help=text, description=text)
    warm.set_defaults(handler=cmd_chapters_warm, command_parser=warm)
    text = "execute chapters in place (all by default); a full default run records its time per chapter"
    run = actions.add_parser("run", parents=[common], help=text, description=text)
    run.add_argument("--dir", type=Path, default=None, help=folder_help)
    run.add_argument("--only", action="append", metavar="NN", help="run only chapter NN (e.g. 02 or 2); repeatable")
    _parameter_option(run)
    run.add_argument("--cwd", type=Path, default=None, help="kernel working directory (default: the notebook's folder)")
    run.add_argument("--log-output", action="store_true", help="log the notebooks' outputs as they run")
    run.set_defaults(handler=cmd_chapters_run, command_parser=run)


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=None, help="site folder (default: _build/site)")
    parser.add_argument(
        "--base-url",
        default=None,
        help="URL path (/pebench/) or full URL the site is served under (default: $PEBENCH_SITE_BASE_URL, else /)",
    )


def _site_commands(site: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``pebench site build|assemble|provenance``."""
    actions = site.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text, handler in (
        ("build", "build this version's book into the site and reassemble it", cmd_site_build),
        ("assemble", "rewrite switcher.json and index.html from the version folders in the site", cmd_site_assemble),
    ):
        action = actions.add_parser(name, parents=[common], help=text, description=text)
        _site_options(action)
        action.set_defaults(handler=handler, command_parser=action)
    text = "print the version, commit, numbers date and numerics the pages' footer shows, as JSON"
    provenance = actions.add_parser("provenance", parents=[common], help=text, description=text)
    provenance.set_defaults(handler=cmd_site_provenance, command_parser=provenance)


def _recipe_options(recipe: argparse.ArgumentParser) -> None:
    """The options of ``pebench recipe``; their names are :func:`pebench.recipe.make_config`'s keywords."""
    recipe.add_argument("--checkpoint", required=True, help="local LLaVA folder or a cached Hugging Face id")
    recipe.add_argument("--out", type=Path, required=True, help="folder for data, checkpoints and results.json")
    data = recipe.add_argument_group("data")
    data.add_argument("--persons", type=positive_int, default=None, help="fictitious persons")
    data.add_argument("--events", type=positive_int, default=None, help="fictitious events")
    data.add_argument(
        "--real-persons", type=positive_int, default=None, help='"real" persons, the pretraining population'
    )
    data.add_argument("--real-events", type=positive_int, default=None, help='"real" events')
    data.add_argument("--image-size", type=positive_int, default=None, help="side of the square images, in pixels")
    training = recipe.add_argument_group("training")
    training.add_argument(
        "--dtype", choices=LazyChoices(_recipe_dtypes), metavar="DTYPE", default=None, help="one of: %(choices)s"
    )
    training.add_argument("--pretrain-steps", type=non_negative_int, default=None, help="0 skips the stage")
    training.add_argument("--finetune-steps", type=positive_int, default=None)
    training.add_argument("--batch-size", type=positive_int, default=None, help="global batch of every stage")
    training.add_argument("--lr", type=positive_float, default=None, help="peak learning rate of pretrain/finetune")
    training.add_argument("--unlearn-steps", type=positive_int, default=None)
    training.add_argument("--unlearn-lr", type=positive_float, default=None)
    training.add_argument(
        "--lora-r", type=non_negative_int, default=None, help="LoRA rank; 0 trains every weight (no LoRA)"
    )
    training.add_argument("--lora-alpha", type=positive_float, default=None, help="LoRA scaling numerator")
    training.add_argument("--freeze-projector", action="store_true", help="train only the adapters, not the projector")
    training.add_argument("--gradient-checkpointing", action="store_true")
    training.add_argument("--shared-reference", action="store_true", help="reference = adapters off (no model copy)")
    unlearning = recipe.add_argument_group("unlearning and evaluation")
    unlearning.add_argument(
        "--target", choices=LazyChoices(_target_names), metavar="TARGET", default=None, help="one of: %(choices)s"
    )
    unlearning.add_argument("--ratio", type=open_ratio, default=None, help="share of the target to forget, in (0, 1)")
    unlearning.add_argument(
        "--methods",
        nargs="+",
        choices=LazyChoices(_recipe_methods),
        metavar="METHOD",
        default=None,
        help="methods to run, in order, among: %(choices)s",
    )
    unlearning.add_argument(
        "--eval-batch-size",
        type=positive_int,
        default=None,
        help="largest evaluation batch (generation and likelihood statistics); lower it if evaluation runs out of memory",
    )
    recipe.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="reseeds the data, every stage, the adapters and the forget set (default: 0)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``pebench`` argument parser, the project's only one (subcommands data, train, unlearn,
    recipe, chapters, run-chapter, verify, numerics, site, book)."""
    parser = argparse.ArgumentParser(
        prog="pebench",
        description="A laptop-scale companion to PEBench (arXiv 2503.12545): data, training, "
        "unlearning, chapters and the book.",
        epilog="Run 'pebench COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"pebench {pebench.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _common()
    formatter = argparse.RawDescriptionHelpFormatter

    data = commands.add_parser(
        "data",
        parents=[common],
        formatter_class=formatter,
        help="generate the fictitious dataset (cached)",
        description=_text(
            "Generate the procedural PEBench dataset, or find it in the cache. Options left out "
            "keep the dataset every chapter uses (pebench.pipeline.PipelineConfig().data).",
            "example: pebench data --n-persons 20 --seed 1",
        ),
    )
    for flag, text in (
        ("--n-persons", "fictitious persons (fine-tuned on, then partly unlearned)"),
        ("--n-events", "fictitious events"),
        ("--n-real-persons", '"real" persons (learned in pretraining, never forgotten)'),
        ("--n-real-events", '"real" events'),
        ("--train-images-per-pair", "training pictures of each (person, event) pair"),
        ("--heldout-images-per-pair", "held-out pictures of each pair"),
    ):
        data.add_argument(flag, type=positive_int, default=None, help=text)
    data.add_argument("--image-size", type=positive_int, default=None, help="side of the square images, in pixels")
    data.add_argument("--seed", type=non_negative_int, default=None, help="seed of everything random in the data")
    _artifacts(data)
    data.set_defaults(handler=cmd_data, command_parser=data)

    train = commands.add_parser(
        "train",
        parents=[common],
        formatter_class=formatter,
        help="pretrain and fine-tune the tiny LLaVA (cached)",
        description=_text(
            "Pretrain the tiny LLaVA on the 'real' population and fine-tune it on the fictitious "
            "one (each stage is trained once per setting, then read from the cache). Options "
            "left out keep the book's model (pebench.pipeline.PipelineConfig()).",
            "example: pebench train --seed 1 --finetune-steps 400",
        ),
    )
    _pipeline_options(train, seed_flag="--seed")
    train.set_defaults(handler=cmd_train, command_parser=train)

    unlearn = commands.add_parser(
        "unlearn",
        parents=[common],
        formatter_class=formatter,
        help="run one unlearning method on one forget set and print its metrics",
        description=_text(
            "Unlearn a share of the fictitious persons, events or both from the fine-tuned model "
            "with one method, evaluate every metric (see the book's glossary) and print them. "
            "Results are cached: the same arguments twice cost nothing the second time.",
            "example: pebench unlearn --method npo --target person --forget 0.1",
        ),
    )
    # An explicit metavar: argparse would otherwise read the choices (importing torch) at once.
    unlearn.add_argument(
        "--method",
        required=True,
        choices=LazyChoices(_method_names),
        metavar="METHOD",
        help="unlearning method, or a bound (finetune: before unlearning; retrain: the goal "
        "model); one of: %(choices)s",
    )
    unlearn.add_argument(
        "--target",
        required=True,
        choices=LazyChoices(_target_names),
        metavar="TARGET",
        help="what to forget: persons, events, or both at once; one of: %(choices)s",
    )
    unlearn.add_argument(
        "--forget",
        type=open_ratio,
        default=0.1,
        metavar="RATIO",
        help="share of the fictitious persons (and/or events) to forget, in (0, 1) (default: 0.1)",
    )
    unlearn.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="draws the forget set and the unlearning batch order (default: 0)",
    )
    unlearn.add_argument(
        "--steps",
        type=positive_int,
        default=None,
        help="unlearning steps (default: pebench.unlearn.UnlearnConfig().steps)",
    )
    unlearn.add_argument(
        "--lr",
        type=positive_float,
        default=None,
        help="unlearning learning rate (default: pebench.unlearn.UnlearnConfig().lr)",
    )
    unlearn.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        help="unlearning batch size, >= 2 (default: pebench.unlearn.UnlearnConfig().batch_size)",
    )
    unlearn.add_argument(
        "-H",
        "--hyperparameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a method hyper-parameter, e.g. -H retain_weight 2.0; repeatable",
    )
    unlearn.add_argument(
        "--no-oracle",
        action="store_true",
        help="skip forget_quality, which trains the retrain oracle once per forget set",
    )
    unlearn.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    _pipeline_options(unlearn, seed_flag="--base-seed")
    unlearn.set_defaults(handler=cmd_unlearn, command_parser=unlearn)

    recipe = commands.add_parser(
        "recipe",
        parents=[common],
        formatter_class=formatter,
        help="the paper's setting on a real LLaVA checkpoint: fine-tune with LoRA, unlearn, evaluate",
        description=_text(
            "Run the book's pipeline on any LlavaForConditionalGeneration checkpoint (a local "
            "folder, or a Hugging Face id already in the local cache; nothing is downloaded) with "
            "LoRA: pretrain, fine-tune, unlearn with each method, evaluate every metric "
            "(pebench.recipe). Checkpoints and results.json go under --out; an interrupted run "
            "resumes after its last finished stage. Options left out keep the paper's setting "
            "(pebench.recipe.RecipeConfig). Several GPUs: accelerate launch -m pebench.cli recipe ...",
            "example: pebench recipe --checkpoint llava-hf/llava-1.5-7b-hf --out runs/paper --shared-reference",
        ),
    )
    _recipe_options(recipe)
    recipe.set_defaults(handler=cmd_recipe, command_parser=recipe)

    chapters = commands.add_parser(
        "chapters",
        formatter_class=formatter,
        help="list the chapter notebooks, train their shared base models, or execute them in place",
        description=_text(
            "The book's chapters (notebooks/NN_*.ipynb), through pebench_book.chapters: list them, "
            "train the base models they share (what a full run does first), or execute them in "
            "place with papermill, stopping at the first failure.",
            "example: pebench chapters run --only 02 -p seed 1",
        ),
    )
    _chapters_commands(chapters, common)

    run = commands.add_parser(
        "run-chapter",
        parents=[common],
        formatter_class=formatter,
        help="re-execute one chapter notebook in place, optionally with other parameters",
        description=_text(
            "Execute chapter NN (notebooks/NN_*.ipynb) with papermill through pebench_book.chapters: "
            "in place by default (a failed run leaves the notebook untouched), with -p "
            "overriding values of its parameters cell (names are checked against it).",
            "example: pebench run-chapter 02 -p seed 1 -p finetune_steps 300",
        ),
    )
    run.add_argument("chapter", metavar="NN", help="chapter number, e.g. 02 or 2")
    _parameter_option(run)
    run.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="write the executed notebook here instead of replacing the chapter",
    )
    run.add_argument("--cwd", type=Path, default=None, help="kernel working directory (default: the notebook's folder)")
    run.add_argument("--log-output", action="store_true", help="log the notebook's outputs as it runs")
    run.set_defaults(handler=cmd_run_chapter, command_parser=run)

    verify = commands.add_parser(
        "verify",
        parents=[common],
        formatter_class=formatter,
        help="re-execute chapters and compare their numbers with the published book",
        description=_text(
            "Re-execute every chapter (or those given with --only) into a scratch folder, "
            "leaving the committed notebooks and figures alone, and compare each table it "
            "saves with the published one: bit-identical, within tolerance (the run-to-run "
            "variation the book measures, pebench_book.verify) or beyond it, with the numbers. "
            "Exits 1 when a chapter is beyond tolerance.",
            "example: pebench verify --only 02",
        ),
    )
    verify.add_argument("--only", action="append", metavar="NN", help="verify only chapter NN; repeatable")
    verify.add_argument("--keep", type=Path, default=None, help="keep each rerun (notebook and tables) in this folder")
    verify.add_argument("--report", type=Path, default=None, help="also write the comparison to this JSON file")
    verify.add_argument("--show", type=positive_int, default=10, help="differences to print per chapter (default 10)")
    verify.set_defaults(handler=cmd_verify, command_parser=verify)

    numerics_parser = commands.add_parser(
        "numerics",
        parents=[common],
        formatter_class=formatter,
        help="print this machine's numerics: CPU, kernels, libraries, mode and fingerprint",
        description=_text(
            "What a chapter executed here records in its metadata (pebench.numerics.provenance); "
            "chapters re-executed on a machine with the same fingerprint give the same bits.",
            "example: pebench numerics (under PEBENCH_NUMERICS=portable: that mode's fingerprint)",
        ),
    )
    numerics_parser.set_defaults(handler=cmd_numerics, command_parser=numerics_parser)

    site = commands.add_parser(
        "site",
        formatter_class=formatter,
        help="build the versioned website, rewrite its version switcher, or print the footer's provenance",
        description=_text(
            "The versioned website (pebench_book.site): build this version's book with "
            "jupyter-book build --all -W -n --keep-going into _build/site/<version>/ from the "
            "committed notebooks (nothing is executed), rewrite switcher.json and index.html from "
            "the version folders the site holds, or print what the pages' footer states.",
            "example: pebench site build --base-url /pebench/",
        ),
    )
    _site_commands(site, common)

    book = commands.add_parser(
        "book",
        parents=[common],
        formatter_class=formatter,
        help="execute the chapters, then build the versioned website (what make book does)",
        description=_text(
            "Execute every chapter in place (pebench chapters run), then build the book with "
            "jupyter-book build --all -W -n --keep-going into the versioned site "
            "_build/site/<version>/ (pebench site build). make book does the same after "
            "installing the environment.",
            "example: pebench book --no-execute",
        ),
    )
    book.add_argument("--no-execute", action="store_true", help="build from the committed notebooks, run nothing")
    book.add_argument("--only", action="append", metavar="NN", help="execute only chapter NN; repeatable")
    _site_options(book)
    book.add_argument("--log-output", action="store_true", help="log the notebooks' outputs as they run")
    book.set_defaults(handler=cmd_book, command_parser=book)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pebench`` console script; returns the exit status (0, 1 or 2)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.verbose:
        for name in ("pebench", "pebench_book"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        return args.handler(args)
    except UsageError as error:
        args.command_parser.error(str(error))  # exits 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - one line for the user; the traceback with -v
        log.debug("failure", exc_info=True)
        print(f"{args.command_parser.prog}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
