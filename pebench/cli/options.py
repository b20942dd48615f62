"""Option groups that several commands share, and the recipe's many options.

The base model's options (``train``, ``unlearn``), the cache folder, a chapter's ``-p`` overrides
and the site's options are each declared once here, so that every command that takes them spells
and documents them the same way. The recipe's options carry the keyword names of
:func:`pebench.recipe.make_config`, which reads them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pebench.cli.arguments import (
    LazyChoices,
    non_negative_int,
    open_ratio,
    positive_float,
    positive_int,
    recipe_dtype_choices,
    recipe_method_choices,
    replay_ratio,
    target_choices,
)


def add_artifacts_option(parser: argparse.ArgumentParser) -> None:
    """``--artifacts DIR``: the cache folder of data, models and results."""
    parser.add_argument(
        "--artifacts",
        type=Path,
        default=None,
        metavar="DIR",
        help="cache folder for data, models and results (default: $PEBENCH_ARTIFACTS, else $XDG_CACHE_HOME/pebench, else ~/.cache/pebench)",
    )


def add_pipeline_options(parser: argparse.ArgumentParser, *, seed_flag: str) -> None:
    """The base model's options (its seed under the name ``seed_flag``), the device and ``--artifacts``."""
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
    add_artifacts_option(parser)


def add_parameter_option(parser: argparse.ArgumentParser) -> None:
    """``-p NAME VALUE``: a chapter parameter's override, repeatable."""
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a parameter (values read as papermill -p does, lists as Python literals); repeatable",
    )


def add_site_options(parser: argparse.ArgumentParser, default: str = "_build/site") -> None:
    """``--site DIR`` and ``--base-url URL``: where the website is built and where it is served."""
    parser.add_argument("--site", type=Path, default=None, help=f"site folder (default: {default})")
    parser.add_argument(
        "--base-url",
        default=None,
        help="URL path (/pebench/) or full URL the site is served under (default: $PEBENCH_SITE_BASE_URL, else /)",
    )


def add_recipe_options(recipe: argparse.ArgumentParser) -> None:
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
        "--dtype", choices=LazyChoices(recipe_dtype_choices), metavar="DTYPE", default=None, help="one of: %(choices)s"
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
        "--target", choices=LazyChoices(target_choices), metavar="TARGET", default=None, help="one of: %(choices)s"
    )
    unlearning.add_argument("--ratio", type=open_ratio, default=None, help="share of the target to forget, in (0, 1)")
    unlearning.add_argument(
        "--methods",
        nargs="+",
        choices=LazyChoices(recipe_method_choices),
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
