"""Evaluation throughput: batched greedy generation against one example at a time, same answers.

Issue 6's target: batched evaluation >= 5x one-by-one, with identical metrics. Evaluation answers
every question of the evaluation groups (``pebench.metrics.suite.evaluation_groups``) by greedy
generation; ``pebench.inference.generate_answers`` groups examples by prompt length so batches need
no padding, hence the same answers. Both ways run on the same items (a seeded sample of the default
split's evaluation items; one-by-one on all of them would take minutes), the predictions are
asserted equal, and the metrics computed from both tables are compared. The batched pass over the
full evaluation set is timed as well.

    .venv/bin/python benchmarks/eval_batching.py [--items 480] [--threads 1]
"""

from __future__ import annotations

import argparse
import random
import time

from _common import THREADS_HELP, start, table, write_result

from pebench.metrics.predictions import predict
from pebench.metrics.quality import answer_quality
from pebench.metrics.suite import evaluation_groups
from pebench.pipeline import Pipeline
from pebench.targets import ForgetSpec, ForgetSplit

TARGET_SPEEDUP = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=480, help="sample size for the one-by-one comparison")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    env = start(args.threads)
    pipeline = Pipeline()
    model = pipeline.finetuned(progress=True)
    split = ForgetSplit(pipeline.dataset, ForgetSpec())
    unique = {item.qa_id: item for items in evaluation_groups(split).values() for item in items}
    everything = list(unique.values())
    sample = random.Random(0).sample(everything, min(args.items, len(everything)))
    encoder = pipeline.encoder
    predict(model, encoder, sample[:4], batch_size=4)  # warm caches and kernels for both

    timings = {}
    tables = {}
    for name, batch_size in (("one_by_one", 1), ("batched", args.batch_size)):
        began = time.perf_counter()
        tables[name] = predict(model, encoder, sample, batch_size=batch_size)
        timings[name] = time.perf_counter() - began
    identical = tables["one_by_one"]["prediction"].tolist() == tables["batched"]["prediction"].tolist()
    mismatches = int((tables["one_by_one"]["prediction"] != tables["batched"]["prediction"]).sum())
    metrics = {
        name: {kind: answer_quality(frame[frame["kind"] == kind]) for kind in sorted(set(frame["kind"]))}
        for name, frame in tables.items()
    }
    began = time.perf_counter()
    predict(model, encoder, everything, batch_size=args.batch_size)
    full_seconds = time.perf_counter() - began

    rows = [
        {
            "mode": name,
            "items": len(sample),
            "seconds": timings[name],
            "items_per_s": len(sample) / timings[name],
            **{f"quality_{k}": v for k, v in metrics[name].items()},
        }
        for name in timings
    ]
    rows.append(
        {
            "mode": "batched (full eval set)",
            "items": len(everything),
            "seconds": full_seconds,
            "items_per_s": len(everything) / full_seconds,
        }
    )
    speedup = timings["one_by_one"] / timings["batched"]
    print(table(rows, list(rows[0])))
    verdict = "met" if speedup >= TARGET_SPEEDUP else "MISSED"
    print(
        f"\nbatched vs one-by-one: {speedup:.1f}x (target >= {TARGET_SPEEDUP:g}x: {verdict}); "
        f"identical predictions: {identical} ({mismatches} differ of {len(sample)})"
    )
    print(f"threads={env['torch_threads']}, load average at start {env['load_average_1min_at_start']}")
    path = write_result(
        "eval_batching",
        {
            "description": "greedy generation over evaluation items: batched (grouped by prompt length) vs one by one",
            "sample_items": len(sample),
            "full_items": len(everything),
            "batch_size": args.batch_size,
            "speedup": speedup,
            "target_speedup": TARGET_SPEEDUP,
            "identical_predictions": identical,
            "mismatches": mismatches,
            "metrics": metrics,
            "rows": rows,
        },
    )
    print(f"wrote {path.relative_to(path.parents[2])}")
    if not identical:
        raise SystemExit("batched and one-by-one predictions differ")


if __name__ == "__main__":
    main()
