"""A few steps of fine-tuning and unlearning, run once alone and once under ``accelerate launch``.

``tests/test_accelerate.py`` runs ``run()`` in-process (one process) and this file as a script with
``accelerate launch --cpu --num_processes 2`` (gloo), then compares what each wrote. Not collected by
pytest (no ``test_`` prefix).

The phases are chosen so the data-parallel result must match the single-process one:

* ``finetune``: person questions only. Every name is two words, so all answers have the same number
  of tokens and the mean over each process's shard averages to the global token mean exactly.
* ``ga``: gradient ascent on forget questions (same argument).
* ``answers``: greedy answers after ``ga``, generated with the batches shared among the processes
  (``generation_settings``) and gathered: must equal the single-process answers.
* ``npo``: NPO with a frozen reference and a retain term over answers of different lengths: equal up
  to token weighting, so compared with a looser tolerance.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from pebench.data import PEBenchDataset
from pebench.encoding import Encoder
from pebench.inference import generate_answers, generation_settings
from pebench.model import TinyLlavaSpec, build_tiny_llava, build_tiny_processor
from pebench.model.tokenizer import build_word_tokenizer
from pebench.refusals import REFUSALS
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.distributed import data_parallel
from pebench.train.stages import StageConfig, as_examples, train_stage
from pebench.unlearn import UnlearnConfig, make_method, unlearn

SPEC = TinyLlavaSpec(vision_hidden=32, vision_layers=1, text_hidden=64, text_layers=2, attention_heads=2)
GLOBAL_BATCH = 8


def run(data_dir: Path) -> tuple[dict[str, list[dict[str, float]]], dict[str, dict[str, torch.Tensor]]]:
    """Histories of the three phases, and the weights at the start and after each phase."""
    dataset = PEBenchDataset.load(data_dir)
    texts = [item.question for item in dataset.qa] + [item.answer for item in dataset.qa] + list(REFUSALS)
    processor = build_tiny_processor(build_word_tokenizer(dict.fromkeys(texts)), SPEC)
    encoder = Encoder(processor, dataset.image)
    model = build_tiny_llava(processor, SPEC, seed=0)
    weights = {"init": snapshot(model)}
    persons = dataset.select(population="fictitious", split="train", kind="person")
    histories = {
        "finetune": train_stage(
            model,
            encoder,
            persons,
            StageConfig(steps=4, batch_size=GLOBAL_BATCH, lr=3e-3, warmup_steps=0),
            progress=False,
        )
    }
    weights["finetune"] = snapshot(model)
    split = ForgetSplit(dataset, ForgetSpec("person", 0.25, seed=0))
    for name in ("ga", "npo"):
        config = UnlearnConfig(steps=3, lr=1e-3, batch_size=GLOBAL_BATCH)
        histories[name] = unlearn(model, encoder, split, make_method(name), config, progress=False)
        weights[name] = snapshot(model)
        if name == "ga":  # evaluation shared among the processes (a no-op in one process)
            with generation_settings(across_processes=True):
                answers = generate_answers(model, encoder, as_examples(dataset.qa[:40]), batch_size=4, max_new_tokens=4)
            histories["answers"] = [{"answer": answer} for answer in answers]
    return histories, weights


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    parallel = data_parallel()
    assert parallel is not None, "run me under accelerate launch with --num_processes >= 2"
    histories, weights = run(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(weights, args.out / f"weights-{parallel.rank}.pt")
    if parallel.is_main:
        (args.out / "histories.json").write_text(json.dumps({"world": parallel.world, **histories}))


if __name__ == "__main__":
    main()
