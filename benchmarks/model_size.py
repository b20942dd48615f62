"""What image size and model width cost: seconds per training step and per evaluation batch, side by side.

The book's time is almost all training (the base models and retrain oracles) and evaluation
(generation over ~1,200 questions per run) of the tiny model, so the cost of a larger picture or a
wider model is the ratio of these two to the default's. Each configuration builds the tiny LLaVA
for its image size, patch size and width (vision and text hidden size alike) on the book's dataset
drawn at that image size, then times fine-tuning steps (a batch of 32, a quarter replayed, as
``PipelineConfig().finetune``) and the prefill of one evaluation batch of 256 prompts (image and
question, the first and largest part of greedy generation), each the fastest of ``--repeats``
repetitions after a few warm-up steps. The estimate scales the recorded book time
(``chapter_times.json``): the shared base models by the training ratio, the chapters by the mean of
the two. It informs the choice of image and model size (issue 13); it chooses nothing.

Two designs are timed (:data:`DESIGNS`): today's (label events, a word tokenizer, the vision tower
trained) and the one modelled on the paper's setting (the paper's events as scenes, described in
about 17 words instead of 8-12; names cut into about 7 subword tokens instead of 2; the tower frozen
after pretraining), at the two pictures of 16 image tokens and the two smaller widths. Only the
prefill of evaluation is timed: the longer descriptions of the second design also add decoding
steps, which this table does not count.

    .venv/bin/python benchmarks/model_size.py [--steps 15] [--repeats 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import torch
from _common import RESULTS, THREADS_HELP, start, table, write_result

from pebench.data import DatasetConfig
from pebench.encoding import as_examples
from pebench.model.parts import freeze_vision_tower
from pebench.model.tiny import TinyLlavaSpec, build_tiny_llava
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.train.stages import StageConfig, finetuning_items, pretraining_items, train_stage

#: (image size, patch size) pairs: 16 image tokens at 32 px, 64 or 16 at 64 px.
PICTURES = ((32, 8), (64, 8), (64, 16))
WIDTHS = (128, 192, 256)
#: Each design: (events, tokenizer, tower frozen after pretraining), and the pictures and widths timed.
DESIGNS = {
    "today": (("labels", "word", False), PICTURES, WIDTHS),
    "paper-like": (("scenes", "subword", True), ((32, 8), (64, 16)), (128, 192)),
}
DEFAULT = ("today", 32, 8, 192)
WARMUP_STEPS = 3
EVAL_BATCH = 256


def measure(root: Path, design: str, image_size: int, patch_size: int, width: int, steps: int, repeats: int) -> dict:
    """Seconds per fine-tuning step and per evaluation prefill for one configuration."""
    (events, tokenizer, frozen), _, _ = DESIGNS[design]
    spec = TinyLlavaSpec(
        image_size=image_size, patch_size=patch_size, vision_hidden=width, text_hidden=width, tokenizer=tokenizer
    )
    data = DatasetConfig(image_size=image_size, events=events)
    pipeline = Pipeline(dataclasses.replace(PipelineConfig(), data=data, model=spec), root=root)
    items, replay = finetuning_items(pipeline.dataset), pretraining_items(pipeline.dataset)
    stage = StageConfig(steps=steps, replay_fraction=0.25)
    model = build_tiny_llava(pipeline.processor, spec, seed=0)
    if frozen:
        freeze_vision_tower(model)
    train_stage(model, pipeline.encoder, items, StageConfig(steps=WARMUP_STEPS), replay=replay, progress=False)
    step_times, eval_times = [], []
    batch = pipeline.encoder.generation_batch(as_examples(items[:EVAL_BATCH]))
    for _ in range(repeats):
        began = time.perf_counter()
        train_stage(model, pipeline.encoder, items, stage, replay=replay, progress=False)
        step_times.append((time.perf_counter() - began) / steps)
        with torch.no_grad():
            began = time.perf_counter()
            model(**batch)
            eval_times.append(time.perf_counter() - began)
    return {
        "design": design,
        "image_size": image_size,
        "patch_size": patch_size,
        "image_tokens": spec.image_tokens,
        "width": width,
        "parameters_M": sum(p.numel() for p in model.parameters()) / 1e6,
        "s/step": min(step_times),
        "s/eval batch": min(eval_times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=15, help="timed fine-tuning steps per repetition")
    parser.add_argument("--repeats", type=int, default=2, help="repetitions; the fastest is kept")
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    if args.steps < 1 or args.repeats < 1:
        parser.error("--steps and --repeats must be >= 1")
    start(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        rows = [
            measure(Path(folder), design, size, patch, width, args.steps, args.repeats)
            for design, (_, pictures, widths) in DESIGNS.items()
            for size, patch in pictures
            for width in widths
        ]
    base = next(r for r in rows if (r["design"], r["image_size"], r["patch_size"], r["width"]) == DEFAULT)
    book = json.loads((RESULTS / "chapter_times.json").read_text())
    shared, chapters = book["shared_models_seconds"], sum(book["chapters"].values())
    for row in rows:
        row["train vs default"] = row["s/step"] / base["s/step"]
        row["eval vs default"] = row["s/eval batch"] / base["s/eval batch"]
        mean_ratio = (row["train vs default"] + row["eval vs default"]) / 2
        row["book min (estimate)"] = (shared * row["train vs default"] + chapters * mean_ratio) / 60
    print(table(rows, list(rows[0])))
    print(f"\nbook at default parameters, as recorded: {book['total_seconds'] / 60:.1f} min")
    write_result(
        "model_size",
        {
            "steps": args.steps,
            "repeats": args.repeats,
            "book_seconds_recorded": book["total_seconds"],
            "configurations": rows,
        },
    )


if __name__ == "__main__":
    main()
