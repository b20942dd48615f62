"""What each numerics mode costs: seconds per training step of the book's model, side by side.

``pebench.numerics`` offers three modes (``PEBENCH_NUMERICS``): ``pinned`` (the default: ATen AVX2
kernels, MKL's AVX2 branch, no oneDNN, one thread), ``portable`` (the same with MKL's COMPATIBLE
branch, documented to give the same results on every Intel or compatible CPU) and ``native``
(torch's own choices). Each mode runs in its own process (the kernels are chosen when torch loads):
it pretrains the book's tiny model for ``--steps`` steps on the book's data and times the steps
after the first few, three times, keeping the fastest. The book's time under the portable mode is
estimated by scaling its recorded time (``chapter_times.json``), which is almost all training and
evaluation of this model, by the measured ratio.

    .venv/bin/python benchmarks/numerics_cost.py [--steps 40]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from _common import RESULTS, start, table, write_result

MODES = ("pinned", "portable", "native")
WORKER = """
import json, sys, time
import pebench
from pebench import numerics
from pebench.model import build_tiny_llava
from pebench.pipeline import Pipeline
from pebench.train.stages import StageConfig, pretraining_items, train_stage

steps, warmup = int(sys.argv[1]), 5
pipeline = Pipeline()
times = []
for _ in range(3):
    model = build_tiny_llava(pipeline.processor, pipeline.config.model, seed=0)
    train_stage(model, pipeline.encoder, pretraining_items(pipeline.dataset), StageConfig(steps=warmup), progress=False)
    began = time.perf_counter()
    train_stage(model, pipeline.encoder, pretraining_items(pipeline.dataset), StageConfig(steps=steps), progress=False)
    times.append((time.perf_counter() - began) / steps)
print(json.dumps({"seconds_per_step": min(times), "provenance": numerics.provenance()}))
"""


def measure(mode: str, steps: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEBENCH_NUMERICS", "ATEN_", "MKL_CBWR"))}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(steps)],
        env={**env, "PEBENCH_NUMERICS": mode},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="timed training steps per repetition")
    args = parser.parse_args()
    start(1)
    results = {mode: measure(mode, args.steps) for mode in MODES}
    book = json.loads((RESULTS / "chapter_times.json").read_text())["total_seconds"]
    rows = []
    for mode, result in results.items():
        ratio = result["seconds_per_step"] / results["pinned"]["seconds_per_step"]
        rows.append(
            {
                "mode": mode,
                "s/step": result["seconds_per_step"],
                "vs pinned": ratio,
                "book chapters min (estimate)": book * ratio / 60,
                "fingerprint": result["provenance"]["fingerprint"],
                "ATen": result["provenance"]["aten_kernels"],
                "MKL": result["provenance"]["mkl_branch"],
            }
        )
    print(table(rows, list(rows[0])))
    print(f"\nbook chapters at default parameters, pinned, as recorded: {book / 60:.1f} min")
    write_result(
        "numerics_cost",
        {
            "steps": args.steps,
            "book_seconds_pinned": book,
            "modes": rows,
            "provenance": results["pinned"]["provenance"],
        },
    )


if __name__ == "__main__":
    main()
