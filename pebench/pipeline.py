"""The base models every experiment starts from, built once and cached on disk.

``Pipeline`` generates (or loads) the dataset, builds the tokenizer/processor from its text,
pretrains the tiny model on the "real" population, fine-tunes it on the fictitious one, and
retrains fine-tuning without a forget set for the oracle. Each checkpoint is stored under a key
made from every parameter it depends on, so chapters share models instead of retraining them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from transformers import LlavaForConditionalGeneration, PreTrainedTokenizerFast, ProcessorMixin

from pebench import numerics
from pebench.cache import STAMP_FILE, cache_key, fill_once, read_json, source_fingerprint, stamp, touch
from pebench.data import DatasetConfig, PEBenchDataset, ensure_dataset
from pebench.data.generate import GENERATOR_SOURCES
from pebench.data.names import world_names
from pebench.encoding import Encoder
from pebench.metrics.predictions import answer_budget, predict
from pebench.model import TinyLlavaSpec, build_tiny_llava, build_tiny_processor, load_model, save_model
from pebench.model.parts import freeze_vision_tower
from pebench.model.tokenizer import TOKENIZER_KINDS, build_subword_tokenizer, build_word_tokenizer
from pebench.paths import artifacts_dir
from pebench.profiling import stage
from pebench.refusals import REFUSALS
from pebench.train.stages import StageConfig, finetuning_items, pretraining_items, train_stage

logger = logging.getLogger(__name__)

HISTORY_FILE = "history.json"
#: The modules whose code determines a checkpoint (part of its cache key): the dataset's generator
#: and loader, the tiny model, training, encoding. Evaluation code (``inference.py``) keys the results
#: instead: changing it re-scores models without retraining them; presentation code (tables, plots,
#: LoRA and real-checkpoint helpers) keys nothing.
MODEL_SOURCES = (
    "numerics.py",
    *GENERATOR_SOURCES,
    "data/dataset.py",
    "model/tiny.py",
    "model/tokenizer.py",
    "model/loading.py",
    "train",
    "encoding.py",
    "pipeline.py",
    "refusals.py",
)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything that determines the fine-tuned model (and so every result built on it)."""

    data: DatasetConfig = field(default_factory=DatasetConfig)
    model: TinyLlavaSpec = field(default_factory=TinyLlavaSpec)
    #: Its ``replay_fraction`` is the share of each batch drawn from the dataset's captioned pictures
    #: (none when it has none): half, as the visual prior and the knowledge of the real population
    #: are both what a pretrained MLLM brings, and neither should crowd out the other.
    #: 800 steps: the captions need twice the steps the real population alone did (400); each base
    #: model pays for its own (``replicate_pretraining``).
    pretrain: StageConfig = field(default_factory=lambda: StageConfig(steps=800, lr=1.5e-3, replay_fraction=0.5))
    #: 500 steps: the fictitious names reach 0.98 on training pictures by then (600 gave 0.995,
    #: ``benchmarks/design_accuracy.py``; chapter 2 shows the curves), and every base model and
    #: retrain oracle of the book pays for each step.
    finetune: StageConfig = field(default_factory=lambda: StageConfig(steps=500, lr=1.5e-3, replay_fraction=0.25))
    #: Whether the vision tower stays frozen after pretraining, so that fine-tuning and unlearning
    #: train the projector and the language model only, as LLaVA-1.5 does (:mod:`pebench.model.parts`).
    freeze_vision_tower: bool = True
    #: Whether each base model (:func:`base_config`) is pretrained with its own seed. ``True``: the
    #: book's replicates differ in everything a rerun of the pipeline redraws, the pretraining
    #: included, so that their spread covers it (a verdict that holds for one pretrained model only
    #: says little about the tiny model's scale). ``False``: every base model starts from one
    #: pretrained model, as every run of the paper starts from one LLaVA-1.5, and one pretraining is
    #: paid once; the spread between base models then leaves the pretraining out.
    replicate_pretraining: bool = True
    init_seed: int = 0
    #: Steps between accuracy probes recorded in the fine-tuning history (learning curves).
    curve_every: int = 100


def build_tokenizer(dataset: PEBenchDataset, kind: str) -> PreTrainedTokenizerFast:
    """The tiny model's ``kind`` tokenizer (:data:`~pebench.model.tokenizer.TOKENIZER_KINDS`), learned
    from the dataset's distinct questions and answers, its captions and the refusals.

    A word tokenizer must hold every word it will meet. A subword tokenizer, like a real MLLM's, knows
    the common words whole and cuts person names into pieces: it was trained before the fictitious
    persons existed, and the real ones are few among the names it read. So every person name is left
    out of what it knows whole; it has read other names of the world built from the same syllables
    (:func:`~pebench.data.names.world_names`), and cuts each person's name into pieces those share:
    the real persons' names (learned in pretraining) and the fictitious ones share tokens.
    """
    asked = [*dataset.qa, *dataset.captions]
    texts = [item.question for item in asked] + [item.answer for item in asked]
    if kind == "word":
        return build_word_tokenizer([*dict.fromkeys(texts), *REFUSALS])
    if kind == "subword":
        names = {p.name for p in dataset.persons.values()}
        known = [text for text in dict.fromkeys(texts) if text not in names]
        dataset_words = {word for name in names for word in name.split()}
        return build_subword_tokenizer([*known, *REFUSALS], background=world_names(reserved=dataset_words))
    raise ValueError(f"tokenizer must be one of {TOKENIZER_KINDS}, got {kind!r}")


class Pipeline:
    """Dataset, processor and cached checkpoints for one ``PipelineConfig``."""

    def __init__(self, config: PipelineConfig | None = None, *, root: Path | None = None, device: str = "cpu"):
        self.config = config or PipelineConfig()
        self.root = root or artifacts_dir()
        self.device = torch.device(device)
        with stage("dataset"):
            folder = ensure_dataset(self.config.data, self.root / "data")
            touch(folder)
            self.dataset = PEBenchDataset.load(folder)
        self._processor: ProcessorMixin | None = None
        self._encoder: Encoder | None = None

    # -- text and inputs ----------------------------------------------------------------------
    @property
    def processor(self) -> ProcessorMixin:
        """The tiny model's processor, with the tokenizer of :func:`build_tokenizer`."""
        if self._processor is None:
            tokenizer = build_tokenizer(self.dataset, self.config.model.tokenizer)
            self._processor = build_tiny_processor(tokenizer, self.config.model)
        return self._processor

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.processor, self.dataset.image)
        return self._encoder

    # -- checkpoints --------------------------------------------------------------------------
    def _checkpoint(self, name: str, *key_parts: object) -> Path:
        key = cache_key(
            source_fingerprint(*MODEL_SOURCES), numerics.signature(), self.config.data, self.config.model, *key_parts
        )
        return self.root / "models" / f"{name}-{key}"

    def _load(self, path: Path) -> LlavaForConditionalGeneration:
        with stage("loading models"):
            touch(path)
            model, _ = load_model(path, device=self.device, progress=False)
        model.eval()
        return model

    def _save(self, model: LlavaForConditionalGeneration, path: Path, history: list[dict]) -> None:
        """Save a trained checkpoint with its training log and what it was made with (:func:`model_stamp`)."""
        save_model(
            model, self.processor, path, extra_json={HISTORY_FILE: history, STAMP_FILE: model_stamp()}, progress=False
        )

    def pretrained_path(self) -> Path:
        """Where ``pretrained()`` keeps its checkpoint (base models that share a pretraining share it)."""
        return self._checkpoint("pretrain", self.config.pretrain, self.config.init_seed)

    def pretrained(self, *, progress: bool = True) -> LlavaForConditionalGeneration:
        """The model after pretraining on the real population (trained once, then loaded)."""
        path = self.pretrained_path()
        fill_once(path, lambda: self._pretrain(path, progress))
        return self._load(path)

    def _pretrain(self, path: Path, progress: bool) -> None:
        logger.info("pretraining the tiny model -> %s", path)
        model = build_tiny_llava(self.processor, self.config.model, seed=self.config.init_seed).to(self.device)
        with stage("pretraining"):
            history = train_stage(
                model,
                self.encoder,
                pretraining_items(self.dataset),
                self.config.pretrain,
                replay=self.dataset.captions,
                desc="pretraining",
                progress=progress,
            )
        self._save(model, path, history)

    def has_pretrained(self) -> bool:
        """Whether ``pretrained()`` is already on disk (loads instead of training)."""
        return self.pretrained_path().exists()

    def finetuned_path(self, exclude: frozenset[str]) -> Path:
        """Where ``finetuned(exclude)`` keeps its checkpoint."""
        config = self.config
        return self._checkpoint(
            "finetune",
            config.pretrain,
            config.finetune,
            config.freeze_vision_tower,
            config.init_seed,
            config.curve_every,
            exclude,
        )

    def finetuned(
        self, exclude: Collection[str] = frozenset(), *, progress: bool = True
    ) -> LlavaForConditionalGeneration:
        """The model fine-tuned on the fictitious population, minus the QA ids in ``exclude``.

        With ``exclude`` empty this is the paper's *Finetune* model; with the forget set it is
        the retrain oracle (*Goal*). Each call returns a fresh copy loaded from the checkpoint.
        """
        path = self.finetuned_path(frozenset(exclude))
        fill_once(path, lambda: self._finetune(path, frozenset(exclude), progress))
        return self._regime(self._load(path))

    def _finetune(self, path: Path, exclude: frozenset[str], progress: bool) -> None:
        model = self._regime(self.pretrained(progress=progress))
        logger.info("fine-tuning on the fictitious population (%d QA excluded) -> %s", len(exclude), path)
        with stage("fine-tuning"):
            history = train_stage(
                model,
                self.encoder,
                finetuning_items(self.dataset, exclude),
                self.config.finetune,
                replay=pretraining_items(self.dataset),
                desc="fine-tuning",
                progress=progress,
                # learning curves for the Finetune model only: an oracle's would cost ~10 s and go unread
                eval_fn=None if exclude else self._curve_probe(model),
                eval_every=self.config.curve_every,
            )
        self._save(model, path, history)

    def _regime(self, model: LlavaForConditionalGeneration) -> LlavaForConditionalGeneration:
        """``model`` with the weights that fine-tuning and unlearning may train marked trainable."""
        return freeze_vision_tower(model) if self.config.freeze_vision_tower else model

    def has_finetuned(self, exclude: Collection[str] = frozenset()) -> bool:
        """Whether ``finetuned(exclude)`` is already on disk (loads instead of training)."""
        return self.finetuned_path(frozenset(exclude)).exists()

    def history(self, stage: str, exclude: Collection[str] = frozenset()) -> list[dict]:
        """The stored per-step log of a stage (``"pretrain"`` or ``"finetune"``)."""
        if stage == "pretrain":
            self.pretrained()
            path = self.pretrained_path()
        elif stage == "finetune":
            self.finetuned(exclude)
            path = self.finetuned_path(frozenset(exclude))
        else:
            raise ValueError(f"stage must be one of ('pretrain', 'finetune'), got {stage!r}")
        return read_json(path / HISTORY_FILE)

    def _curve_probe(self, model: torch.nn.Module, size: int = 96) -> Callable[[], dict[str, float]]:
        """Accuracy on a fixed sample of fictitious train and held-out items, for learning curves."""
        rng = np.random.default_rng(0)
        probes = {}
        for split in ("train", "heldout"):
            for kind in ("person", "event"):
                items = self.dataset.select(population="fictitious", split=split, kind=kind)
                picks = rng.choice(len(items), size=min(size, len(items)), replace=False)
                probes[f"{split}_{kind}"] = [items[i] for i in sorted(picks)]

        budget = answer_budget(self.encoder, self.dataset)

        def evaluate() -> dict[str, float]:
            with stage("learning curves"):
                return {
                    f"acc_{name}": float(predict(model, self.encoder, items, max_new_tokens=budget)["exact"].mean())
                    for name, items in probes.items()
                }

        return evaluate


def model_stamp() -> dict[str, str]:
    """What a checkpoint is made with beyond its parameters (:func:`pebench.cache.stamp`): the code
    that trains it and the numerics it is trained under."""
    return stamp(model_code=source_fingerprint(*MODEL_SOURCES), numerics=numerics.signature())


def base_config(seed: int, config: PipelineConfig | None = None) -> PipelineConfig:
    """``config`` (default ``PipelineConfig()``) with base-model seed ``seed``: initial weights and both
    stages' batch order reseeded (fine-tuning's only, when ``config.replicate_pretraining`` is off),
    the dataset kept. Seed 0's pretraining is the one a shared design uses too.

    Two base seeds are two equally valid runs of the paper's pipeline on the same benchmark; the
    chapters' intervals vary it so that they cover what a rerun of the whole pipeline varies, not
    only the unlearning run. Seed 0 is ``PipelineConfig()`` itself.
    """
    config = config or PipelineConfig()
    finetune = replace(config.finetune, seed=seed)
    if not config.replicate_pretraining:
        return replace(config, finetune=finetune)
    return replace(config, pretrain=replace(config.pretrain, seed=seed), finetune=finetune, init_seed=seed)


def make_config(
    *,
    seed: int | None = None,
    n_persons: int | None = None,
    n_events: int | None = None,
    pretrain_steps: int | None = None,
    finetune_steps: int | None = None,
    learning_rate: float | None = None,
    replay_fraction: float | None = None,
) -> PipelineConfig:
    """``PipelineConfig()`` with the given chapter parameters overridden (``None`` keeps the default).

    Chapters expose these as papermill parameters, so ``-p finetune_steps 300`` changes the
    fine-tuned model and, through the cache key, everything computed from it. ``seed`` reseeds
    everything at once: the dataset, the initial weights and both stages' batch order.
    """

    def given(**values: object) -> dict[str, object]:
        return {key: value for key, value in values.items() if value is not None}

    base = PipelineConfig()
    return replace(
        base,
        data=replace(base.data, **given(seed=seed, n_persons=n_persons, n_events=n_events)),
        pretrain=replace(base.pretrain, **given(seed=seed, steps=pretrain_steps, lr=learning_rate)),
        finetune=replace(
            base.finetune,
            **given(seed=seed, steps=finetune_steps, lr=learning_rate, replay_fraction=replay_fraction),
        ),
        **given(init_seed=seed),
    )
