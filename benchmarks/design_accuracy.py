"""What the paper-like design learns, at each model width, and what its two training stages cost.

Issue 13 asks that the simulation's design (scene events, captioning pretraining, subword names, a
frozen tower) keep fine-tuned accuracy on the training pictures at 0.95 or more for names and for
event keywords, at an image and model size chosen for what the scenes need. This script trains the
design's base model (pretraining, then fine-tuning) at each width of :data:`WIDTHS` and reports the
accuracy of each stage's model, on training and held-out pictures, with the seconds each stage took:

* pretrained model: the real persons' names and the real events' keywords (what it should know
  before PEBench) and its captions of the captioned pictures (ROUGE-L);
* fine-tuned model: the fictitious names and event keywords, and the real ones it should keep.

Names are scored by exact match, events by keyword recall (every question of each group). It informs
the choice of size (the curve of fine-tuning accuracy is stored too); it chooses nothing, and it
looks at no unlearning result.

    .venv/bin/python benchmarks/design_accuracy.py [--widths 128 192]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import THREADS_HELP, start, table, write_result

from pebench.cache import read_json
from pebench.data import DatasetConfig
from pebench.encoding import as_examples
from pebench.inference import generate_answers
from pebench.metrics.predictions import predict
from pebench.metrics.text import rouge_l_f1
from pebench.model import TinyLlavaSpec
from pebench.pipeline import HISTORY_FILE, Pipeline, PipelineConfig

WIDTHS = (128, 192)
#: The paper-like design: 64-pixel pictures in 16-pixel patches (16 image tokens, as today's).
DATA = DatasetConfig(events="scenes", image_size=64, caption_images=1000)
PRETRAIN_STEPS, FINETUNE_STEPS = 800, 600
#: Captioned pictures whose captions the pretrained model is asked for.
CAPTIONS_ASKED = 128


def design(width: int) -> PipelineConfig:
    """The paper-like design's pipeline at ``width`` (vision and text hidden size alike)."""
    base = PipelineConfig()
    spec = TinyLlavaSpec(image_size=64, patch_size=16, vision_hidden=width, text_hidden=width, tokenizer="subword")
    return dataclasses.replace(
        base,
        data=DATA,
        model=spec,
        pretrain=dataclasses.replace(base.pretrain, steps=PRETRAIN_STEPS),
        finetune=dataclasses.replace(base.finetune, steps=FINETUNE_STEPS),
        freeze_vision_tower=True,
        replicate_pretraining=False,
    )


def _score(model, pipeline: Pipeline, population: str, split: str, kind: str) -> float:
    items = pipeline.dataset.select(population=population, split=split, kind=kind)
    scores = predict(model, pipeline.encoder, items, keywords=pipeline.dataset.keywords())
    return float(scores["exact" if kind == "person" else "keywords"].mean())


def measure(root: Path, config: PipelineConfig) -> dict:
    """Train ``config``'s base model in ``root`` and score both stages' models."""
    pipeline = Pipeline(config, root=root)
    began = time.perf_counter()
    pretrained = pipeline.pretrained(progress=False)
    pretrain_s = time.perf_counter() - began
    began = time.perf_counter()
    finetuned = pipeline.finetuned(progress=False)
    finetune_s = time.perf_counter() - began
    asked = pipeline.dataset.captions[:CAPTIONS_ASKED]
    said = generate_answers(pretrained, pipeline.encoder, as_examples(asked))
    row = {
        "width": config.model.text_hidden,
        "pretrain s": pretrain_s,
        "finetune s": finetune_s,
        "pre: captions ROUGE-L": float(np.mean([rouge_l_f1(s, c.answer) for s, c in zip(said, asked)])),
        "pre: real names": _score(pretrained, pipeline, "real", "train", "person"),
        "pre: real events": _score(pretrained, pipeline, "real", "train", "event"),
    }
    for split in ("train", "heldout"):
        row[f"names {split}"] = _score(finetuned, pipeline, "fictitious", split, "person")
        row[f"events {split}"] = _score(finetuned, pipeline, "fictitious", split, "event")
    row["real names kept"] = _score(finetuned, pipeline, "real", "train", "person")
    row["real events kept"] = _score(finetuned, pipeline, "real", "train", "event")
    history = read_json(pipeline.finetuned_path(frozenset()) / HISTORY_FILE)
    row["curve"] = [
        {"step": r["step"], "names train": r["acc_train_person"], "names heldout": r["acc_heldout_person"]}
        for r in history
        if "acc_train_person" in r
    ]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS), help="model widths to train")
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    try:
        configs = [design(width) for width in args.widths]
    except ValueError as error:
        parser.error(f"--widths: {error}")
    start(args.threads)
    with tempfile.TemporaryDirectory() as folder:
        rows = [measure(Path(folder), config) for config in configs]
    print(table([{k: v for k, v in row.items() if k != "curve"} for row in rows], [k for k in rows[0] if k != "curve"]))
    write_result(
        "design_accuracy",
        {"data": DATA.to_dict(), "pretrain_steps": PRETRAIN_STEPS, "finetune_steps": FINETUNE_STEPS, "widths": rows},
    )


if __name__ == "__main__":
    main()
