"""Our loop against a plain ``transformers.Trainer`` computing the same loss, side by side in one run.

Issue 6's target: our fine-tuning and unlearning loops at >= 2x the samples/s of a plain Trainer loop
per step, on the default tiny model. Three variants run the same number of steps with the same batch
size, learning rate, optimiser family (AdamW), gradient clipping and loss function, from copies of
the same fine-tuned model:

* ``ours``: ``train_stage`` / ``unlearn`` (``pebench.train.loop.run_loop``).
* ``trainer``: a ``Trainer`` subclass the way LLM-unlearning frameworks (open-unlearning) write it:
  the dataset encodes each example when it is drawn (chat template, tokenizer, image processor),
  a collator pads, ``compute_loss`` calls the same loss (NLL, or the method's ``loss``), the
  forget/retain pairs come from a dataset that pairs each forget item with a random retain item.
  Trainer defaults otherwise (fused AdamW, its dataloader, callbacks).
* ``trainer+cache``: the same Trainer fed by our cached encoder (``Encoder.training_batch``), which
  isolates the cost of the loop itself from the cost of re-encoding inputs.
* ``bare``: no loop at all: the batches are built before timing starts, and each step is only the
  loss, ``backward``, gradient clipping and a fused AdamW step. No loop can do the same arithmetic
  in less time, so the Trainer's time over ``bare``'s is the most any loop could gain over the
  Trainer here (the ``ceiling``); a speed-up beyond it needs less arithmetic per step.

Step time is measured between consecutive steps (timestamps from a forward hook, steps after the
first two, median), so one-time setup is excluded; the end-to-end wall time of each run is reported
too. Memory: peak RSS increase during the run (see ``_common``).

    .venv/bin/python benchmarks/trainer_comparison.py [--steps 20] [--rounds 2] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence

import torch
from _common import THREADS_HELP, PeakRSS, mib, start, table, write_result
from transformers import Trainer, TrainingArguments

from pebench.encoding import IGNORE_INDEX, Encoder, Example
from pebench.pipeline import Pipeline
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.sampling import shuffled_batches
from pebench.train.stages import StageConfig, as_examples, finetuning_items, train_stage
from pebench.unlearn import UnlearnBatch, UnlearnConfig, make_method, unlearn
from pebench.unlearn.runner import unlearning_batches

TARGET_RATIO = 2.0
#: task -> (forward passes with gradients per step, samples per step as a multiple of the batch size)
TASKS = {"finetune": (1, 1), "gd": (2, 2), "npo": (2, 2)}


# -- per-example encoding, as a plain Trainer pipeline does it ------------------------------------------
class UncachedEncoder(Encoder):
    """The same encoding as ``Encoder``, recomputed on every call (no token or pixel caches)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.prompt_ids, self.answer_ids, self.pixel_values = self._prompt_ids, self._answer_ids, self._pixel_values


def encode_one(encoder: Encoder, example: Example) -> dict[str, object]:
    prompt = encoder.prompt_ids(example.question)
    answer = encoder.answer_ids(example.question, example.answer)
    return {
        "input_ids": list(prompt + answer),
        "labels": [IGNORE_INDEX] * len(prompt) + list(answer),
        "pixel_values": encoder.pixel_values(example.image_id),
    }


def pad(rows: Sequence[dict[str, object]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(r["input_ids"]) for r in rows)
    return {
        "input_ids": torch.tensor([r["input_ids"] + [pad_id] * (width - len(r["input_ids"])) for r in rows]),
        "attention_mask": torch.tensor([[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"])) for r in rows]),
        "labels": torch.tensor([r["labels"] + [IGNORE_INDEX] * (width - len(r["labels"])) for r in rows]),
        "pixel_values": torch.stack([r["pixel_values"] for r in rows]),
    }


class SupervisedDataset(torch.utils.data.Dataset):
    """Encodes an example when it is drawn (``encoder`` may be cached or not)."""

    def __init__(self, examples: list[Example], encode: Callable[[Example], object]) -> None:
        self.examples, self.encode = examples, encode

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index: int) -> object:
        return self.encode(self.examples[index])


class ForgetRetainDataset(torch.utils.data.Dataset):
    """Each forget item with a random retain item (open-unlearning's ``ForgetRetainDataset``)."""

    def __init__(self, forget: list[Example], retain: list[Example], encode: Callable[[Example], object], seed: int):
        self.forget, self.retain, self.encode = forget, retain, encode
        self.rng = random.Random(seed)

    def __len__(self) -> int:
        return len(self.forget)

    def __getitem__(self, index: int) -> dict[str, object]:
        return {"forget": self.encode(self.forget[index]), "retain": self.encode(self.rng.choice(self.retain))}


class PlainTrainer(Trainer):
    """``compute_loss`` = the fine-tuning NLL, or an unlearning method's loss on (forget, retain)."""

    def __init__(self, *args, method=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.method = method

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if self.method is None:
            return model(**inputs).loss
        loss, _ = self.method.loss(model, UnlearnBatch(forget=inputs["forget"], retain=inputs["retain"]))
        return loss


# -- timing -----------------------------------------------------------------------------------------------
def step_timer(model: torch.nn.Module, passes_per_step: int) -> list[float]:
    """Timestamps of the first gradient-enabled forward of every step (a hook; copies share it)."""
    stamps: list[float] = []
    calls = [0]

    def hook(_module, _args):
        if torch.is_grad_enabled():
            if calls[0] % passes_per_step == 0:
                stamps.append(time.perf_counter())
            calls[0] += 1

    model.register_forward_pre_hook(hook)
    return stamps


def steady_step_seconds(stamps: list[float], skip: int = 2) -> float:
    intervals = [b - a for a, b in zip(stamps, stamps[1:])][skip:]
    return statistics.median(intervals)


def training_arguments(output_dir: str, steps: int, batch_size: int, lr: float, seed: int) -> TrainingArguments:
    return TrainingArguments(
        output_dir=output_dir,
        use_cpu=True,
        max_steps=steps,
        per_device_train_batch_size=batch_size,
        learning_rate=lr,
        lr_scheduler_type="constant",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        report_to="none",
        save_strategy="no",
        logging_strategy="no",
        disable_tqdm=True,
        dataloader_pin_memory=False,
        dataloader_drop_last=True,
        remove_unused_columns=False,
        seed=seed,
    )


def bare_step_inputs(
    task: str, model: torch.nn.Module, pipeline: Pipeline, split: ForgetSplit, batch_size: int, steps: int
) -> tuple[Callable[[object], torch.Tensor], list[object]]:
    """The loss and ``steps`` ready-made batches of ``task``, drawn as our loop draws them."""
    if task == "finetune":
        stream = shuffled_batches(as_examples(finetuning_items(pipeline.dataset)), batch_size, seed=0)
        return (lambda batch: model(**batch).loss), [
            pipeline.encoder.training_batch(next(stream)) for _ in range(steps)
        ]
    method, config = make_method(task), UnlearnConfig(batch_size=batch_size)
    method.setup(model, copy.deepcopy(model).eval().requires_grad_(False) if method.uses_reference else None)
    stream = unlearning_batches(pipeline.encoder, split, method, config, torch.device("cpu"))
    return (lambda batch: method.loss(model, batch)[0]), [next(stream) for _ in range(steps)]


def bare_steps(
    model: torch.nn.Module, loss_fn: Callable[[object], torch.Tensor], batches: list[object], lr: float
) -> None:
    """Only the arithmetic of a step: loss, backward, clipping, fused AdamW (the floor of any loop)."""
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=lr, weight_decay=0.0, fused=True)
    model.train()
    for batch in batches:
        loss = loss_fn(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()


def run_variant(task: str, variant: str, base: torch.nn.Module, pipeline: Pipeline, args) -> dict[str, float]:
    passes, sample_factor = TASKS[task]
    model = copy.deepcopy(base)
    stamps = step_timer(model, passes)
    encoder = pipeline.encoder
    pad_id = encoder.tokenizer.pad_token_id
    split = ForgetSplit(pipeline.dataset, ForgetSpec("person"))
    batch_size = args.finetune_batch if task == "finetune" else args.unlearn_batch
    lr = 1.5e-3 if task == "finetune" else UnlearnConfig().lr
    if variant == "trainer":
        slow = UncachedEncoder(encoder.processor, pipeline.dataset.image)
        encode, collate_rows = (lambda e: encode_one(slow, e)), (lambda rows: pad(rows, pad_id))
    else:
        encode, collate_rows = (lambda e: e), encoder.training_batch
    if variant == "bare":
        loss, batches = bare_step_inputs(task, model, pipeline, split, batch_size, args.steps)
    with PeakRSS() as memory:
        began = time.perf_counter()
        if variant == "bare":
            bare_steps(model, loss, batches, lr)
        elif variant == "ours" and task == "finetune":
            train_stage(
                model,
                encoder,
                finetuning_items(pipeline.dataset),
                StageConfig(steps=args.steps, batch_size=batch_size, lr=lr, warmup_steps=0),
                progress=False,
            )
        elif variant == "ours":
            unlearn(
                model,
                encoder,
                split,
                make_method(task),
                UnlearnConfig(steps=args.steps, batch_size=batch_size),
                progress=False,
            )
        else:
            method = None
            if task == "finetune":
                dataset = SupervisedDataset(as_examples(finetuning_items(pipeline.dataset)), encode)
                collator = collate_rows
            else:
                method = make_method(task)
                method.setup(
                    model, copy.deepcopy(model).eval().requires_grad_(False) if method.uses_reference else None
                )
                dataset = ForgetRetainDataset(
                    as_examples(split.forget()), as_examples(split.unlearning_retain_items()), encode, seed=0
                )

                def collator(rows):
                    return {
                        "forget": collate_rows([r["forget"] for r in rows]),
                        "retain": collate_rows([r["retain"] for r in rows]),
                    }

            with tempfile.TemporaryDirectory() as tmp:
                trainer = PlainTrainer(
                    model=model,
                    args=training_arguments(tmp, args.steps, batch_size, lr, seed=0),
                    train_dataset=dataset,
                    data_collator=collator,
                    method=method,
                )
                trainer.train()
        wall = time.perf_counter() - began
    step = steady_step_seconds(stamps)
    assert len(stamps) == args.steps, (task, variant, len(stamps))
    return {
        "task": task,
        "variant": variant,
        "batch": batch_size,
        "s_per_step": step,
        "samples_per_s": sample_factor * batch_size / step,
        "wall_s": wall,
        "peak_rss_increase_mib": mib(memory.increase),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="repeat every variant, interleaved; report medians")
    parser.add_argument("--finetune-batch", type=int, default=StageConfig(steps=1).batch_size)
    parser.add_argument("--unlearn-batch", type=int, default=UnlearnConfig().batch_size)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--threads", type=int, default=1, help=THREADS_HELP)
    args = parser.parse_args()
    env = start(args.threads)
    pipeline = Pipeline()
    base = pipeline.finetuned(progress=True)
    pipeline.encoder.training_batch(as_examples(finetuning_items(pipeline.dataset)))  # warm the caches

    variants = ("ours", "trainer", "trainer+cache", "bare")
    measured: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(args.rounds):
        for task in args.tasks:
            for variant in variants:
                result = run_variant(task, variant, base, pipeline, args)
                measured.setdefault((task, variant), []).append(result)
                print(f"{task:8s} {variant:14s} {result['s_per_step'] * 1000:7.1f} ms/step", flush=True)
    rows = []
    for results in measured.values():
        row = {
            key: statistics.median(r[key] for r in results) if isinstance(results[0][key], float) else results[0][key]
            for key in results[0]
        }
        rows.append(row)
    by = {(r["task"], r["variant"]): r for r in rows}
    for row in rows:
        ours = by[(row["task"], "ours")]
        row["ours_speedup"] = row["s_per_step"] / ours["s_per_step"]
        row["memory_ratio"] = row["peak_rss_increase_mib"] / max(ours["peak_rss_increase_mib"], 1e-9)

    print()
    print(
        table(
            rows,
            [
                "task",
                "variant",
                "batch",
                "s_per_step",
                "samples_per_s",
                "wall_s",
                "peak_rss_increase_mib",
                "ours_speedup",
                "memory_ratio",
            ],
        )
    )
    summary = {
        task: {
            "speedup_vs_trainer": by[(task, "trainer")]["ours_speedup"],
            "speedup_vs_trainer_with_cache": by[(task, "trainer+cache")]["ours_speedup"],
            "ceiling_vs_trainer": by[(task, "trainer")]["s_per_step"] / by[(task, "bare")]["s_per_step"],
        }
        for task in args.tasks
    }
    print(f"\nours_speedup = Trainer's s/step / ours (target >= {TARGET_RATIO:g}x vs the plain Trainer);")
    print("ceiling = Trainer's s/step / bare's: the most any loop doing the same arithmetic could gain")
    for task, ratios in summary.items():
        verdict = "met" if ratios["speedup_vs_trainer"] >= TARGET_RATIO else "MISSED"
        print(
            f"  {task:8s} {ratios['speedup_vs_trainer']:.2f}x vs trainer ({verdict}), "
            f"{ratios['speedup_vs_trainer_with_cache']:.2f}x vs trainer+cache, "
            f"ceiling {ratios['ceiling_vs_trainer']:.2f}x"
        )
    print(
        f"{args.steps} steps per run, {args.rounds} round(s); threads={env['torch_threads']}, "
        f"load average at start {env['load_average_1min_at_start']}"
    )
    path = write_result(
        "trainer_comparison",
        {
            "description": "s/step (median, steady state) of our loop vs a plain transformers.Trainer, same loss",
            "steps": args.steps,
            "rounds": args.rounds,
            "target_speedup": TARGET_RATIO,
            "memory_measure": "RSS sampled every 2 ms from /proc/self/statm; increase = peak - start of run",
            "summary": summary,
            "rows": rows,
        },
    )
    print(f"wrote {path.relative_to(path.parents[2])}")


if __name__ == "__main__":
    main()
