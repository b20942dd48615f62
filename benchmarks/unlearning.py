"""Seconds per unlearning run and per step, and peak memory, for every method on the default pipeline.

Issue 3's budget: one unlearning run (method x target) at default scale in under 60 s on 2 cores.
Each method runs ``UnlearnConfig()`` (the book's default: 40 steps, batch 16) on a fresh copy of
``Pipeline()``'s fine-tuned model (trained and cached in ``artifacts/`` on first use, a few minutes),
forgetting persons (``ForgetSpec()``), or persons and events for the joint method. The run is timed
alone (``unlearn``), then with its evaluation (``evaluate``, every metric), which is what a book
experiment costs. The encoder's token and pixel caches are warmed first, as they are in a chapter
after its first experiment.

Also measured, for the GPU estimates in ``book/gpu.md``: forward passes per step, and the sequences
they process, with and without gradients (counted by a hook on the model, which the reference copy
inherits).

    .venv/bin/python benchmarks/unlearning.py [--steps 40] [--methods ga npo] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from _common import THREADS_HELP, PeakRSS, mib, start, table, write_result

from pebench.encoding import as_examples
from pebench.metrics import evaluate
from pebench.pipeline import Pipeline
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import METHODS, UnlearnConfig, make_method, unlearn

BUDGET_SECONDS = 60.0


def count_forwards(model: torch.nn.Module) -> dict[str, int]:
    """Count forward calls and the sequences and (unpadded) tokens they process, with and without autograd.

    Copies of ``model`` (the reference) inherit the hook and share the counter.
    """
    counts = {f"{mode}{unit}": 0 for mode in ("grad", "no_grad") for unit in ("", "_sequences", "_tokens")}

    def hook(_module, _args, kwargs, _output):
        mode = "grad" if torch.is_grad_enabled() else "no_grad"
        counts[mode] += 1
        counts[f"{mode}_sequences"] += int(kwargs["input_ids"].shape[0])
        mask = kwargs.get("attention_mask")  # absent: nothing is padded
        counts[f"{mode}_tokens"] += int(mask.sum()) if mask is not None else kwargs["input_ids"].numel()

    model.register_forward_hook(hook, with_kwargs=True)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=UnlearnConfig().steps)
    parser.add_argument("--methods", nargs="+", default=sorted(METHODS), choices=sorted(METHODS))
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    parser.add_argument("--no-evaluate", action="store_true", help="time the unlearning runs only")
    args = parser.parse_args()
    env = start(args.threads)

    pipeline = Pipeline()
    setup = time.perf_counter()
    base = pipeline.finetuned(progress=True)
    print(f"base model ready in {time.perf_counter() - setup:.1f} s (cached after the first run)")
    config = UnlearnConfig(steps=args.steps)
    splits = {target: ForgetSplit(pipeline.dataset, ForgetSpec(target)) for target in ("person", "joint")}
    for split in splits.values():  # warm the encoder's caches (tokens, pixels) outside the timings
        pipeline.encoder.training_batch(as_examples(split.forget() + split.unlearning_retain_items()))

    rows = []
    for name in args.methods:
        method = make_method(name)
        target = "joint" if method.balances_kinds else "person"
        split = splits[target]
        model = copy.deepcopy(base)
        counts = count_forwards(model)
        with PeakRSS() as memory:
            began = time.perf_counter()
            history = unlearn(model, pipeline.encoder, split, method, config, progress=False)
            seconds = time.perf_counter() - began
        row = {
            "method": name,
            "target": target,
            "steps": len(history),
            "unlearn_s": seconds,
            "s_per_step": seconds / len(history),
            "fwd_grad_per_step": counts["grad"] / len(history),
            "fwd_nograd_per_step": counts["no_grad"] / len(history),
            "seq_grad_per_step": counts["grad_sequences"] / len(history),
            "seq_nograd_per_step": counts["no_grad_sequences"] / len(history),
            "tokens_grad_per_step": counts["grad_tokens"] / len(history),
            "tokens_nograd_per_step": counts["no_grad_tokens"] / len(history),
            "peak_rss_increase_mib": mib(memory.increase),
            "peak_rss_mib": mib(memory.peak),
        }
        if not args.no_evaluate:
            began = time.perf_counter()
            evaluate(model, pipeline.encoder, split)
            row["evaluate_s"] = time.perf_counter() - began
            row["run_with_eval_s"] = seconds + row["evaluate_s"]
        row["within_60s"] = row.get("run_with_eval_s", seconds) < BUDGET_SECONDS
        rows.append(row)
        print(f"{name}: {seconds:.1f} s", flush=True)
        del model

    columns = [
        "method",
        "target",
        "steps",
        "unlearn_s",
        "s_per_step",
        "fwd_grad_per_step",
        "fwd_nograd_per_step",
        "seq_grad_per_step",
        "seq_nograd_per_step",
        "peak_rss_increase_mib",
        "peak_rss_mib",
    ]
    if not args.no_evaluate:
        columns += ["evaluate_s", "run_with_eval_s"]
    columns.append("within_60s")
    print()
    print(table(rows, columns))
    slowest = max(r.get("run_with_eval_s", r["unlearn_s"]) for r in rows)
    verdict = "met" if slowest < BUDGET_SECONDS else "MISSED"
    print(
        f"\nbudget: one run < {BUDGET_SECONDS:.0f} s -> {verdict} (slowest {slowest:.1f} s"
        f"{' incl. evaluation' if not args.no_evaluate else ''}); threads={env['torch_threads']}, "
        f"load average at start {env['load_average_1min_at_start']}"
    )
    print("memory: process RSS sampled every 2 ms; increase = peak minus RSS at the run's start")
    path = write_result(
        "unlearning",
        {
            "description": "per method: one unlearning run of UnlearnConfig() on Pipeline()'s fine-tuned model",
            "config": {"steps": config.steps, "batch_size": config.batch_size, "lr": config.lr},
            "memory_measure": "RSS sampled every 2 ms from /proc/self/statm; increase = peak - start of run",
            "budget_seconds": BUDGET_SECONDS,
            "median_s_per_step": statistics.median(r["s_per_step"] for r in rows),
            "rows": rows,
        },
    )
    print(f"wrote {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
