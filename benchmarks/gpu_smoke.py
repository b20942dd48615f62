"""The real-checkpoint recipe on a GPU, end to end, on a small LLaVA-1.5-style checkpoint.

``book/gpu.md`` estimates what the paper's setting costs on GPUs; this script checks that the code
path behind those estimates runs on one. A LLaVA-1.5-style checkpoint (CLIP-style tower, 2-layer
MLP projector, chat template with ``USER:``/``ASSISTANT:``) is saved locally and loaded back with
``load_model`` on CUDA, then ``pebench.recipe.run_recipe`` (configured from ``pebench recipe``
options, :func:`pebench.cli.parse_recipe`) pretrains and fine-tunes it, runs every unlearning
method and every metric, twice:

* ``lora``: the paper's configuration (bfloat16, LoRA adapters with a trainable projector,
  gradient checkpointing, adapters-off reference). The checkpoint is *randomly initialised*, and
  adapters on random weights learn little, so this variant checks the code path, not forgetting;
* ``full``: every weight trained (float32), which learns the small dataset, so the unlearning
  columns mean something.

It records seconds per method, the peak GPU memory and the metrics. The model is small, so the
seconds say little about a 7B model.

    python benchmarks/gpu_smoke.py [--out runs/gpu-smoke]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from _common import environment, table, write_result

from pebench.cli import parse_recipe
from pebench.data import PEBenchDataset, ensure_dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the checkpoint builder is a test fixture
from llava15_checkpoint import save_llava15_style_checkpoint  # noqa: E402

from pebench.recipe import run_recipe
from pebench.refusals import REFUSALS
from pebench.unlearn import METHODS

SCALE = ["--persons", "12", "--events", "4", "--real-persons", "4", "--real-events", "2", "--image-size", "64"]
STEPS = ["--pretrain-steps", "60", "--finetune-steps", "300", "--unlearn-steps", "20", "--batch-size", "16"]
DRY_RUN_STEPS = ["--pretrain-steps", "2", "--finetune-steps", "4", "--unlearn-steps", "2", "--batch-size", "4"]
METRICS = (
    "person_efficacy",
    "person_generality",
    "person_retain",
    "event_scope",
    "event_efficacy",
    "real",
    "world_fact",
)
VARIANTS = {
    "lora": [
        "--dtype",
        "bfloat16",
        "--lora-r",
        "16",
        "--gradient-checkpointing",
        "--shared-reference",
        "--lr",
        "2e-3",
        "--unlearn-lr",
        "2e-4",
    ],
    "full": ["--dtype", "float32", "--lora-r", "0", "--lr", "1.5e-3", "--unlearn-lr", "1e-4"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--cpu-dry-run", action="store_true", help="without a GPU: check the script, record nothing")
    args = parser.parse_args()
    if not torch.cuda.is_available() and not args.cpu_dry_run:
        raise SystemExit("gpu_smoke.py needs a CUDA GPU (torch.cuda.is_available() is False); see --cpu-dry-run")
    out = args.out or Path(tempfile.mkdtemp(prefix="pebench-gpu-smoke-"))
    checkpoint = out / "checkpoint"
    steps = DRY_RUN_STEPS if args.cpu_dry_run else STEPS

    def recipe(variant: str, target: str, methods: list[str]) -> tuple:
        return parse_recipe(
            [
                "--checkpoint",
                str(checkpoint),
                "--out",
                str(out / variant / target),
                *SCALE,
                *steps,
                *VARIANTS[variant],
                "--target",
                target,
                "--ratio",
                "0.25",
                "--methods",
                *methods,
            ]
        )

    single_methods = ["finetune", "retrain", *sorted(m for m in METHODS if m != "balanced")]
    config, _ = recipe("full", "person", single_methods)
    dataset = PEBenchDataset.load(ensure_dataset(config.data, out / "data"))
    texts = [item.question for item in dataset.qa] + [item.answer for item in dataset.qa] + list(REFUSALS)
    save_llava15_style_checkpoint(texts, checkpoint)
    env = environment()
    rows, seconds, memory = [], {}, {}
    for variant in VARIANTS:
        if not args.cpu_dry_run:
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        results = run_recipe(*recipe(variant, "person", single_methods), progress=False)
        (out / variant / "joint").mkdir(exist_ok=True)  # same data and fine-tuned model: train it once
        (out / variant / "joint" / "finetuned").symlink_to(
            out / variant / "person" / "finetuned", target_is_directory=True
        )
        results["balanced (joint)"] = run_recipe(*recipe(variant, "joint", ["balanced"]), progress=False)["balanced"]
        seconds[variant] = round(time.perf_counter() - start, 1)
        memory[variant] = 0.0 if args.cpu_dry_run else round(torch.cuda.max_memory_allocated() / 2**20, 1)
        rows += [
            {
                "variant": variant,
                "method": method,
                "unlearn_s": round(result["unlearn_seconds"], 2),
                "evaluate_s": round(result["evaluate_seconds"], 2),
                **{name: round(result["metrics"][name], 3) for name in METRICS if name in result["metrics"]},
            }
            for method, result in results.items()
        ]
    print(table(rows, ["variant", "method", "unlearn_s", "evaluate_s", *METRICS]))
    if args.cpu_dry_run:
        return
    payload = {
        "environment": env | {"gpu": torch.cuda.get_device_name(), "cuda": torch.version.cuda},
        "description": __doc__.split("\n\n")[0],
        "settings": {"common": [*SCALE, *STEPS], **VARIANTS},
        "total_s": seconds,
        "peak_gpu_memory_mib": memory,
        "rows": rows,
    }
    print(f"seconds {seconds}, peak GPU memory (MiB) {memory}")
    write_result("gpu_smoke", payload)


if __name__ == "__main__":
    main()
