"""The paper's setting on a real checkpoint: fine-tune with LoRA, unlearn with each method, evaluate.

This is the book's pipeline with the tiny model swapped for any ``LlavaForConditionalGeneration``
checkpoint (a local folder, or a Hugging Face id already in the local cache; nothing is downloaded)
and with LoRA switched on. It builds its runs as the chapters do (``build_experiment``) and calls the
same functions (``train_stage``, ``unlearn``, ``evaluate``), so a result here differs from the book's
only by the model and the scale. Run it
alone or under ``accelerate launch`` (data parallel over GPUs); see ``book/gpu.md``.

Stages, as in ``pebench.pipeline``: *pretrain* teaches the "real" population and the general task (the
model's prior knowledge that the Real and World Fact columns measure; a real MLLM does not know our
procedural "real" persons), *finetune* teaches the fictitious population with replay, then each
method unlearns a fresh copy of the fine-tuned model. Every stage's LoRA adapters are merged, so the
fine-tuned checkpoint is an ordinary LLaVA folder.

Command line (``pebench recipe --help`` lists every option; :func:`make_config` maps them)::

    accelerate launch -m pebench.cli recipe --checkpoint llava-hf/llava-1.5-7b-hf --out runs/paper \\
        --persons 200 --events 40 --dtype bfloat16 --gradient-checkpointing --shared-reference
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from pebench.arms import Arm
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.encoding import Encoder
from pebench.experiment import BOUNDS, Experiment, method_names
from pebench.inference import generation_settings
from pebench.metrics import evaluate, goal_reference
from pebench.model import load_model, save_model
from pebench.model.lora import LoraSettings, maybe_lora
from pebench.study import build_experiment
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.train.distributed import data_parallel, process_device
from pebench.train.stages import StageConfig, finetuning_items, pretraining_items, train_stage
from pebench.unlearn import UnlearnConfig, make_method, unlearn

logger = logging.getLogger(__name__)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class RecipeConfig:
    """Everything a recipe run depends on. Defaults: the paper's 200 persons x 40 events, LoRA r=16.

    ``pretrain=None`` skips that stage; ``lora=None`` (or ``unlearn.lora=None``) trains every weight.
    """

    checkpoint: str
    data: DatasetConfig = field(
        # Label events: the paper's 40 scene events would leave none for the real population, and a
        # pretrained checkpoint brings its own visual prior (no captioned pictures).
        default_factory=lambda: DatasetConfig(
            n_persons=200,
            n_events=40,
            n_real_persons=20,
            n_real_events=8,
            image_size=336,
            events="labels",
            caption_images=0,
        )
    )
    pretrain: StageConfig | None = field(
        default_factory=lambda: StageConfig(steps=300, batch_size=32, lr=2e-4, warmup_steps=20)
    )
    finetune: StageConfig = field(
        default_factory=lambda: StageConfig(steps=1500, batch_size=32, lr=2e-4, warmup_steps=50, replay_fraction=0.25)
    )
    lora: LoraSettings | None = field(default_factory=lambda: LoraSettings(r=16, alpha=32))
    unlearn: UnlearnConfig = field(
        default_factory=lambda: UnlearnConfig(steps=40, lr=1e-5, batch_size=32, lora=LoraSettings(r=16, alpha=32))
    )
    forget: ForgetSpec = field(default_factory=ForgetSpec)
    methods: tuple[str, ...] = ("finetune", "ga", "gd", "kl", "po", "npo")
    dtype: str = "bfloat16"
    #: Largest evaluation batch, in generation and in the likelihood statistics (at 7B: ~0.33 GB of KV
    #: cache per 600-token prompt, ~0.2 GB of logits per sequence).
    eval_batch_size: int = 64

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {tuple(DTYPES)}, got {self.dtype!r}")
        allowed = method_names()
        unknown = [m for m in self.methods if m not in allowed]
        if unknown:
            raise ValueError(f"methods must be among {allowed}, got {unknown}")
        if self.eval_batch_size < 1:
            raise ValueError(f"eval_batch_size must be >= 1, got {self.eval_batch_size}")

    def experiments(self) -> list[Experiment]:
        """The run of each of ``methods``, built where the chapters build theirs
        (:func:`pebench.study.build_experiment`), so a method means the same run here and in the book;
        only the model it starts from differs."""
        return [
            build_experiment(
                Arm(method),
                self.forget.target,
                seed=self.unlearn.seed,
                forget_seed=self.forget.seed,
                ratio=self.forget.ratio,
                unlearn=self.unlearn,
                compare_to_oracle="retrain" in self.methods,
            )
            for method in self.methods
        ]


def _train_stages(
    config: RecipeConfig, dataset: PEBenchDataset, exclude: frozenset[str], path: Path, progress: bool
) -> Path:
    """Pretrain + fine-tune ``config.checkpoint`` (minus the QA ids ``exclude``) and save it to ``path``."""
    parallel = data_parallel()
    if (path / "config.json").exists():
        return path
    model, processor = load_model(config.checkpoint, dtype=DTYPES[config.dtype], device=process_device())
    encoder = Encoder(processor, dataset.image)
    history = {}
    stages = (
        ("pretrain", config.pretrain, pretraining_items(dataset), None),
        ("finetune", config.finetune, finetuning_items(dataset, exclude), pretraining_items(dataset)),
    )
    for name, stage, items, replay in stages:
        if stage is None:
            continue
        with maybe_lora(model, config.lora) as trained:
            history[name] = train_stage(trained, encoder, items, stage, replay=replay, desc=name, progress=progress)
    if parallel is None or parallel.is_main:
        save_model(model, processor, path, extra_json={"history.json": history})
    if parallel is not None:
        parallel.barrier()
    return path


def run_recipe(config: RecipeConfig, out: Path, *, progress: bool = True) -> dict[str, dict]:
    """Run every method of ``config`` and write ``out/results.json``; return ``{method: result}``.

    Checkpoints are kept under ``out`` (``finetuned/``, ``retrain-<target>/``), so an interrupted run
    resumes after the last finished stage. Under ``accelerate launch`` every process runs this
    function; the main process writes the files.
    """
    parallel = data_parallel()
    main = parallel is None or parallel.is_main
    out.mkdir(parents=True, exist_ok=True)
    if main:
        ensure_dataset(config.data, out / "data")
    if parallel is not None:
        parallel.barrier()
    dataset = PEBenchDataset.load(ensure_dataset(config.data, out / "data"))
    split = ForgetSplit(dataset, config.forget)
    finetuned = _train_stages(config, dataset, frozenset(), out / "finetuned", progress and main)
    goal = None
    if "retrain" in config.methods:
        oracle = _train_stages(
            config, dataset, split.forget_qa_ids, out / f"retrain-{config.forget.target}", progress and main
        )
        model, processor = load_model(oracle, dtype=DTYPES[config.dtype], device=process_device())
        with generation_settings(across_processes=True, max_batch_size=config.eval_batch_size):
            goal = goal_reference(model, Encoder(processor, dataset.image), split)
        del model
    results: dict[str, dict] = {}
    for experiment in config.experiments():
        method = experiment.method
        source = out / f"retrain-{config.forget.target}" if method == "retrain" else finetuned
        model, processor = load_model(source, dtype=DTYPES[config.dtype], device=process_device())
        encoder = Encoder(processor, dataset.image)
        start = time.perf_counter()
        history: list[dict[str, float]] = []
        if method not in BOUNDS:
            unlearning = make_method(method, **experiment.hyperparameters)
            history = unlearn(model, encoder, split, unlearning, experiment.unlearn, progress=progress and main)
        unlearn_seconds = time.perf_counter() - start
        with generation_settings(across_processes=True, max_batch_size=config.eval_batch_size):
            metrics, _ = evaluate(model, encoder, split, goal=goal)
        results[method] = {
            "metrics": metrics,
            "unlearn_seconds": unlearn_seconds,
            "evaluate_seconds": time.perf_counter() - start - unlearn_seconds,
            "history": history,
        }
        if main:
            logger.info("%s: %s", method, {k: round(v, 3) for k, v in metrics.items()})
        del model
        if main:
            payload = {"config": dataclasses.asdict(config), "results": results}
            (out / "results.json").write_text(json.dumps(payload, indent=1, default=str))
    return results


def make_config(
    checkpoint: str,
    *,
    persons: int | None = None,
    events: int | None = None,
    real_persons: int | None = None,
    real_events: int | None = None,
    image_size: int | None = None,
    dtype: str | None = None,
    pretrain_steps: int | None = None,
    finetune_steps: int | None = None,
    batch_size: int | None = None,
    lr: float | None = None,
    unlearn_steps: int | None = None,
    unlearn_lr: float | None = None,
    lora_r: int | None = None,
    lora_alpha: float | None = None,
    freeze_projector: bool = False,
    gradient_checkpointing: bool = False,
    shared_reference: bool = False,
    target: str | None = None,
    ratio: float | None = None,
    methods: Sequence[str] | None = None,
    eval_batch_size: int | None = None,
    seed: int = 0,
) -> RecipeConfig:
    """``RecipeConfig(checkpoint)`` with the ``pebench recipe`` options applied (``None`` keeps the default).

    The command line sets a few knobs rather than every field: ``batch_size`` is the global batch of
    every stage, unlearning included; ``lr`` the peak learning rate of pretraining and fine-tuning;
    ``pretrain_steps=0`` skips pretraining; ``lora_r=0`` trains every weight (no LoRA), otherwise the
    same adapter settings serve training and unlearning; ``seed`` reseeds everything at once (the
    data, each stage's batch order, the adapters' initialisation, the forget set).
    """

    def given(**values: object) -> dict[str, object]:
        return {key: value for key, value in values.items() if value is not None}

    default = RecipeConfig(checkpoint=checkpoint)
    training = given(batch_size=batch_size, lr=lr, seed=seed)
    lora = None
    if lora_r != 0 and default.lora is not None:
        lora = dataclasses.replace(
            default.lora,
            **given(r=lora_r, alpha=lora_alpha),
            train_projector=not freeze_projector,
            gradient_checkpointing=gradient_checkpointing,
            shared_reference=shared_reference,
            seed=seed,
        )
    pretrain = None
    if pretrain_steps != 0 and default.pretrain is not None:
        pretrain = dataclasses.replace(default.pretrain, **given(steps=pretrain_steps), **training)
    return dataclasses.replace(
        default,
        data=dataclasses.replace(
            default.data,
            **given(
                n_persons=persons,
                n_events=events,
                n_real_persons=real_persons,
                n_real_events=real_events,
                image_size=image_size,
            ),
            seed=seed,
        ),
        pretrain=pretrain,
        finetune=dataclasses.replace(default.finetune, **given(steps=finetune_steps), **training),
        lora=lora,
        unlearn=dataclasses.replace(
            default.unlearn,
            **given(steps=unlearn_steps, lr=unlearn_lr, batch_size=batch_size),
            seed=seed,
            lora=lora,
        ),
        forget=dataclasses.replace(default.forget, **given(target=target, ratio=ratio), seed=seed),
        **given(methods=tuple(methods) if methods is not None else None, dtype=dtype, eval_batch_size=eval_batch_size),
    )
