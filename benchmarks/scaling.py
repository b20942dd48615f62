"""How the cost of the book's pipeline grows with persons x events (several sizes, fitted trends).

For each size the script generates the dataset, builds the tokenizer and tiny model, trains a short
fine-tuning stage (``--train-steps``, far fewer than the book's 400 + 800: the time per step is what
is measured, and it does not depend on the dataset size because the batch size is fixed), runs one
unlearning run (GA, ``--unlearn-steps``) and evaluates it with every metric. Each component's
seconds are fitted against the number of QA items with a least-squares line (and a power law, whose
exponent says "linear" when it is near 1), and the book-scale cost of one pipeline plus one
experiment is projected from the measured rates.

    .venv/bin/python benchmarks/scaling.py [--sizes 10x4 20x5 30x8 40x10] [--threads 1]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import THREADS_HELP, start, table, write_result

from pebench.data import PEBenchDataset, ensure_dataset
from pebench.encoding import Encoder
from pebench.metrics import evaluate
from pebench.model import build_tiny_llava, build_tiny_processor
from pebench.pipeline import PipelineConfig, build_tokenizer
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.stages import finetuning_items, pretraining_items, train_stage
from pebench.unlearn import UnlearnConfig, make_method, unlearn

BOOK = PipelineConfig()
BOOK_TRAIN_STEPS = BOOK.pretrain.steps + BOOK.finetune.steps
BOOK_UNLEARN_STEPS = UnlearnConfig().steps


def measure(persons: int, events: int, args, root: Path) -> dict[str, float]:
    data_config = replace(BOOK.data, n_persons=persons, n_events=events)
    began = time.perf_counter()
    dataset = PEBenchDataset.load(ensure_dataset(data_config, root / f"{persons}x{events}", progress=False))
    data_s = time.perf_counter() - began

    began = time.perf_counter()
    processor = build_tiny_processor(build_tokenizer(dataset, BOOK.model.tokenizer), BOOK.model)
    model = build_tiny_llava(processor, BOOK.model, seed=0)
    encoder = Encoder(processor, dataset.image)
    build_s = time.perf_counter() - began

    stage = replace(BOOK.finetune, steps=args.train_steps, lr=3e-3, warmup_steps=10)
    began = time.perf_counter()
    train_stage(model, encoder, finetuning_items(dataset), stage, replay=pretraining_items(dataset), progress=False)
    train_s = time.perf_counter() - began

    split = ForgetSplit(dataset, ForgetSpec())
    began = time.perf_counter()
    unlearn(model, encoder, split, make_method("ga"), UnlearnConfig(steps=args.unlearn_steps), progress=False)
    unlearn_s = time.perf_counter() - began

    began = time.perf_counter()
    _, predictions = evaluate(model, encoder, split)
    evaluate_s = time.perf_counter() - began
    return {
        "persons": persons,
        "events": events,
        "qa_items": len(dataset.qa),
        "real_qa_items": len(dataset.select(population="real")),
        "eval_items": len(predictions),
        "data_s": data_s,
        "build_s": build_s,
        "train_s_per_step": train_s / args.train_steps,
        "unlearn_s_per_step": unlearn_s / args.unlearn_steps,
        "evaluate_s": evaluate_s,
        "measured_total_s": data_s + build_s + train_s + unlearn_s + evaluate_s,
        "answer_words": float(predictions["prediction"].str.split().str.len().mean()),
    }


def fit(x: list[float], y: list[float]) -> dict[str, float]:
    """Least-squares line ``y = a + b x`` with R^2, and the exponent ``k`` of ``y ~ c x^k``."""
    xs, ys = np.asarray(x, float), np.asarray(y, float)
    b, a = np.polyfit(xs, ys, 1)
    residual = ys - (a + b * xs)
    total = ((ys - ys.mean()) ** 2).sum()
    r2 = 1.0 - (residual**2).sum() / total if total > 0 else 1.0
    k = float(np.polyfit(np.log(xs), np.log(np.maximum(ys, 1e-9)), 1)[0])
    return {"intercept_s": float(a), "slope_s_per_qa": float(b), "r2": float(r2), "power_exponent": k}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10x4", "20x5", "30x8", "40x10"], help="PERSONSxEVENTS")
    parser.add_argument("--train-steps", type=int, default=60)
    parser.add_argument("--unlearn-steps", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    if len(args.sizes) < 3:
        parser.error("give at least 3 sizes to fit a trend")
    env = start(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            persons, events = (int(n) for n in size.lower().split("x"))
            rows.append(measure(persons, events, args, Path(tmp)))
            print(f"{size}: {rows[-1]['measured_total_s']:.1f} s", flush=True)
    for row in rows:  # one book pipeline (fixed steps) plus one experiment, from the measured rates
        row["book_pipeline_plus_experiment_s"] = (
            row["data_s"]
            + row["build_s"]
            + BOOK_TRAIN_STEPS * row["train_s_per_step"]
            + BOOK_UNLEARN_STEPS * row["unlearn_s_per_step"]
            + row["evaluate_s"]
        )
    print()
    print(table(rows, list(rows[0])))
    qa = [row["qa_items"] for row in rows]
    fits = {
        component: fit(qa, [row[component] for row in rows])
        for component in (
            "data_s",
            "train_s_per_step",
            "unlearn_s_per_step",
            "evaluate_s",
            "book_pipeline_plus_experiment_s",
        )
    }
    print("\nfits against QA items (y = a + b * QA; exponent k of y ~ QA^k):")
    print(
        table(
            [{"component": c, **f} for c, f in fits.items()],
            ["component", "intercept_s", "slope_s_per_qa", "r2", "power_exponent"],
        )
    )
    book = fits["book_pipeline_plus_experiment_s"]
    last = rows[-1]  # the "real" population is fixed; the fictitious QA grow with persons x events
    per_pair = (last["qa_items"] - last["real_qa_items"]) / (last["persons"] * last["events"])
    paper_qa = last["real_qa_items"] + per_pair * 200 * 40
    print(
        f"\nextrapolated, tiny model at 200x40 (~{paper_qa:.0f} QA, far outside the fitted range): "
        f"{book['intercept_s'] + book['slope_s_per_qa'] * paper_qa:.0f} s for one pipeline + one experiment"
    )
    print(
        f"train {args.train_steps} steps, unlearn {args.unlearn_steps} steps per size (book: {BOOK_TRAIN_STEPS}, "
        f"{BOOK_UNLEARN_STEPS}); threads={env['torch_threads']}, load average at start "
        f"{env['load_average_1min_at_start']}"
    )
    path = write_result(
        "scaling",
        {
            "description": "pipeline cost per component vs persons x events; book projection uses the book's step counts",
            "train_steps": args.train_steps,
            "unlearn_steps": args.unlearn_steps,
            "book_train_steps": BOOK_TRAIN_STEPS,
            "book_unlearn_steps": BOOK_UNLEARN_STEPS,
            "rows": rows,
            "fits": fits,
            "extrapolated_200x40_qa": paper_qa,
            "extrapolated_200x40_s": book["intercept_s"] + book["slope_s_per_qa"] * paper_qa,
        },
    )
    print(f"wrote {path.relative_to(path.parents[2])}")
    assert all(math.isfinite(f["slope_s_per_qa"]) for f in fits.values())


if __name__ == "__main__":
    main()
