"""The ``pebench`` command: the companion's steps from a shell, and the project's one argument parser.

::

    pebench data                     generate the fictitious dataset (cached)
    pebench train                    pretrain and fine-tune the tiny LLaVA (cached)
    pebench unlearn --method npo --target person --forget 0.1
                                     run one unlearning experiment and print its metrics
    pebench recipe --checkpoint DIR --out DIR
                                     the paper's setting on a real LLaVA checkpoint, with LoRA
    pebench chapters list|warm|run   list the chapters, train their shared models, execute them
    pebench run-chapter 02 -p seed 1 run a variant of one chapter (into variants/, never over the book)
    pebench verify --only 02         re-execute chapters and compare them with the published numbers
    pebench numerics                 print this machine's numerics provenance
    pebench site build|assemble|publish|provenance
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
tooling, :mod:`pebench_book`, inside their handlers only: importing this package loads no Sphinx,
papermill or nbformat. Bad arguments stop before any work with a message that names the argument
and what it accepts, and exit status 2; a failure while working exits 1. The method and target
choices come from the registries (:func:`pebench.experiment.method_names`,
:data:`pebench.targets.TARGETS`), which are imported only when a command needs them, so
``pebench --help`` answers at once.

The package is split by job:

* :mod:`~pebench.cli.arguments`: argument types and the lazily read registry choices;
* :mod:`~pebench.cli.options`: option groups several commands share;
* :mod:`~pebench.cli.parser`: the parser, the project's only one;
* :mod:`~pebench.cli.science`: the handlers of the commands that run the science;
* :mod:`~pebench.cli.book`: the handlers of the commands that make the book;
* :mod:`~pebench.cli.progress`: the progress bar they show;
* this module: :func:`main`, which parses, runs a handler and turns its failure into an exit status.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from pebench.cli.arguments import UsageError, parse_parameter
from pebench.cli.parser import build_parser, parse_recipe
from pebench.cli.progress import progress_bar

__all__ = ["build_parser", "main", "parse_parameter", "parse_recipe", "progress_bar"]

log = logging.getLogger("pebench")


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
