"""The ``pebench`` argument parser, the project's only one: every command line is one of its subcommands.

One parser means one place where options are named, checked and documented: the book's pages,
the Makefile and the benchmark scripts all describe their runs as ``pebench`` command lines, and
:func:`parse_recipe` lets a script read such a line back as the configuration it would run. Each
subcommand names its handler (:mod:`pebench.cli.science`, :mod:`pebench.cli.book`), which
:func:`pebench.cli.main` calls.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pebench
from pebench.cli.arguments import (
    LazyChoices,
    UsageError,
    event_kind_choices,
    method_choices,
    non_negative_float,
    non_negative_int,
    open_ratio,
    positive_float,
    positive_int,
    target_choices,
)
from pebench.cli.book import (
    cmd_book,
    cmd_chapters_list,
    cmd_chapters_run,
    cmd_chapters_warm,
    cmd_run_chapter,
    cmd_site_assemble,
    cmd_site_build,
    cmd_site_provenance,
    cmd_site_publish,
    cmd_verify,
)
from pebench.cli.cache import cmd_cache_info, cmd_cache_prune
from pebench.cli.options import (
    add_artifacts_option,
    add_parameter_option,
    add_pipeline_options,
    add_recipe_options,
    add_site_options,
)
from pebench.cli.science import cmd_data, cmd_numerics, cmd_recipe, cmd_train, cmd_unlearn, recipe_config

if TYPE_CHECKING:  # torch: imported by the recipe command only
    from pebench.recipe import RecipeConfig


def _text(*paragraphs: str) -> str:
    """Help text: prose paragraphs wrapped to 79 columns, ``example:`` lines kept as they are."""
    return "\n\n".join(p if p.startswith("example") else textwrap.fill(p, 79) for p in paragraphs)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-progress", action="store_true", help="no progress bars")
    common.add_argument("-v", "--verbose", action="store_true", help="log what pebench does, and tracebacks on errors")
    return common


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
    text = (
        "execute chapters (all by default): in place at their defaults, into variants/ with -p; "
        "a full default run records its time per chapter"
    )
    run = actions.add_parser("run", parents=[common], help=text, description=text)
    run.add_argument("--dir", type=Path, default=None, help=folder_help)
    run.add_argument("--only", action="append", metavar="NN", help="run only chapter NN (e.g. 02 or 2); repeatable")
    add_parameter_option(run)
    run.add_argument("--cwd", type=Path, default=None, help="kernel working directory (default: the notebook's folder)")
    run.add_argument("--log-output", action="store_true", help="log the notebooks' outputs as they run")
    run.set_defaults(handler=cmd_chapters_run, command_parser=run)


def _site_commands(site: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``pebench site build|assemble|publish|provenance``."""
    actions = site.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, text, handler in (
        ("build", "build this version's book into the site and reassemble it", cmd_site_build),
        ("assemble", "rewrite switcher.json and index.html from the version folders in the site", cmd_site_assemble),
    ):
        action = actions.add_parser(name, parents=[common], help=text, description=text)
        add_site_options(action)
        action.set_defaults(handler=handler, command_parser=action)
    text = (
        "assemble what a release deploys into --site (default _build/publish): the version folders of "
        "--published (the site as published) plus this version's book, built now from the committed "
        "chapters (or taken from --html), with switcher.json and index.html; the release workflow runs "
        "it, and run here it is the dry run"
    )
    publish = actions.add_parser("publish", parents=[common], help=text, description=text)
    add_site_options(publish, default="_build/publish")
    publish.add_argument("--published", type=Path, default=None, help="the published site (default: none yet)")
    publish.add_argument(
        "--tag", default=None, help="the release tag, checked against this version (vX.Y.Z); the links open it"
    )
    publish.add_argument("--html", type=Path, default=None, help="install this built book instead of building one")
    publish.set_defaults(handler=cmd_site_publish, command_parser=publish)
    text = "print the version, commit, numbers date and numerics the pages' footer shows, as JSON"
    provenance = actions.add_parser("provenance", parents=[common], help=text, description=text)
    provenance.set_defaults(handler=cmd_site_provenance, command_parser=provenance)


def _cache_commands(cache: argparse.ArgumentParser, common: argparse.ArgumentParser) -> None:
    """``pebench cache info|prune``."""
    actions = cache.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = "where the cache is, its entries and size per kind, and how much of it the current code no longer uses"
    info = actions.add_parser("info", parents=[common], help=text, description=text)
    add_artifacts_option(info)
    info.set_defaults(handler=cmd_cache_info, command_parser=info)
    text = (
        "list the entries the current code and settings can never ask for again (made by other code, "
        "numerics or version), and with --older-than those not used for that many days; --yes removes them"
    )
    prune = actions.add_parser("prune", parents=[common], help=text, description=text)
    prune.add_argument(
        "--older-than",
        type=non_negative_float,
        default=None,
        metavar="DAYS",
        help="also entries not read or written for DAYS days (0: every entry)",
    )
    prune.add_argument("--yes", action="store_true", help="remove them (without it: a dry run that lists them)")
    add_artifacts_option(prune)
    prune.set_defaults(handler=cmd_cache_prune, command_parser=prune)


def build_parser() -> argparse.ArgumentParser:
    """The ``pebench`` argument parser, the project's only one (subcommands data, train, unlearn,
    recipe, chapters, run-chapter, verify, numerics, cache, site, book)."""
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
        ("--real-heldout-images-per-pair", "held-out pictures of each real pair (World Fact's images)"),
    ):
        data.add_argument(flag, type=positive_int, default=None, help=text)
    data.add_argument("--image-size", type=positive_int, default=None, help="side of the square images, in pixels")
    data.add_argument("--seed", type=non_negative_int, default=None, help="seed of everything random in the data")
    data.add_argument(
        "--caption-images",
        type=non_negative_int,
        default=None,
        help="captioned pictures of random persons in random scenes, for pretraining",
    )
    data.add_argument(
        "--events",
        choices=LazyChoices(event_kind_choices),
        metavar="KIND",
        default=None,
        help="what an event is, one of: %(choices)s (labels: a scene of its own; scenes: the paper's 40 from shared parts)",
    )
    add_artifacts_option(data)
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
    add_pipeline_options(train, seed_flag="--seed")
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
        choices=LazyChoices(method_choices),
        metavar="METHOD",
        help="unlearning method, or a bound (finetune: before unlearning; retrain: the goal "
        "model); one of: %(choices)s",
    )
    unlearn.add_argument(
        "--target",
        required=True,
        choices=LazyChoices(target_choices),
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
    add_pipeline_options(unlearn, seed_flag="--base-seed")
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
    add_recipe_options(recipe)
    recipe.set_defaults(handler=cmd_recipe, command_parser=recipe)

    chapters = commands.add_parser(
        "chapters",
        formatter_class=formatter,
        help="list the chapter notebooks, train their shared base models, or execute them",
        description=_text(
            "The book's chapters (notebooks/NN_*.ipynb), through pebench_book.chapters: list them, "
            "train the base models they share (what a full run does first), or execute them with "
            "papermill, stopping at the first failure: in place at their defaults; with -p, a variant "
            "written to variants/NN_*.ipynb with its figures and tables in variants/NN_*_figures/.",
            "example: pebench chapters run --only 02 -p seed 1",
        ),
    )
    _chapters_commands(chapters, common)

    run = commands.add_parser(
        "run-chapter",
        parents=[common],
        formatter_class=formatter,
        help="execute one chapter notebook, optionally with other parameters",
        description=_text(
            "Execute chapter NN (notebooks/NN_*.ipynb) with papermill through pebench_book.chapters, "
            "with -p overriding values of its parameters cell (names are checked against it). At its "
            "defaults it runs in place (a failed run leaves the notebook untouched). A variant (-p, or "
            "-o) never touches the book: its notebook goes to -o (default variants/NN_*.ipynb) and its "
            "figures and tables beside it, in <output stem>_figures/; the command prints where.",
            "example: pebench run-chapter 02 -p seed 1 -p finetune_steps 300",
        ),
    )
    run.add_argument("chapter", metavar="NN", help="chapter number, e.g. 02 or 2")
    add_parameter_option(run)
    run.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="write the executed notebook here (a variant: its figures go beside it, in <stem>_figures/)",
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

    cache = commands.add_parser(
        "cache",
        formatter_class=formatter,
        help="what the cache of data, models and results holds, and pruning what no longer serves",
        description=_text(
            "The cache of generated data, checkpoints and results: $PEBENCH_ARTIFACTS, else "
            "$XDG_CACHE_HOME/pebench, else ~/.cache/pebench (pebench.paths.artifacts_dir). Every "
            "entry's key names the code, numerics and parameters that made it; an entry made by "
            "other code or numerics can never be read again (pebench.cache_folder).",
            "example: pebench cache prune --older-than 30 --yes",
        ),
    )
    _cache_commands(cache, common)

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
    add_site_options(book)
    book.add_argument("--log-output", action="store_true", help="log the notebooks' outputs as they run")
    book.set_defaults(handler=cmd_book, command_parser=book)
    return parser


def parse_recipe(argv: Sequence[str]) -> tuple[RecipeConfig, Path]:
    """The configuration and output folder that ``pebench recipe ARGV`` would run, for scripts that
    describe their runs as command lines (``benchmarks/gpu_smoke.py``); a bad one exits 2, as the
    command does."""
    args = build_parser().parse_args(["recipe", *argv])
    try:
        return recipe_config(args), args.out
    except UsageError as error:
        args.command_parser.error(str(error))  # exits 2
