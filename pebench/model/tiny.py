"""The tiny LLaVA: a real ``LlavaForConditionalGeneration`` built from a config, trained from scratch.

It has the same architecture as the paper's models (CLIP vision tower -> projector -> Llama
decoder), only about a thousand times smaller, so every method and metric runs unchanged on a
real checkpoint later. Sizes are chosen so a full fine-tune runs in about a minute on 2 CPU cores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from transformers import (
    CLIPVisionConfig,
    LlamaConfig,
    LlavaConfig,
    LlavaForConditionalGeneration,
    LlavaProcessor,
    PreTrainedTokenizerFast,
)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

from pebench.model.tokenizer import IMAGE, TINY_CHAT_TEMPLATE, TOKENIZER_KINDS

# The CLIP normalisation constants; any fixed values would do for a model trained from scratch.
_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


@dataclass(frozen=True)
class TinyLlavaSpec:
    """Sizes of the tiny model. Defaults: 16 image tokens for 64 px images, width 128 (the size the
    scenes need, chosen in ``benchmarks/design_accuracy.py``: width 192 costs 1.7 times as much and
    does no better)."""

    image_size: int = 64
    patch_size: int = 16
    vision_hidden: int = 128
    vision_layers: int = 2
    text_hidden: int = 128
    text_layers: int = 4
    attention_heads: int = 4
    max_positions: int = 128
    #: How text is cut into tokens (:data:`pebench.model.tokenizer.TOKENIZER_KINDS`).
    tokenizer: str = "subword"

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name != "tokenizer" and value < 1:
                raise ValueError(f"{name} must be >= 1, got {value}")
        if self.tokenizer not in TOKENIZER_KINDS:
            raise ValueError(f"tokenizer must be one of {TOKENIZER_KINDS}, got {self.tokenizer!r}")
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size must be a multiple of patch_size={self.patch_size}, got {self.image_size}")
        for name in ("vision_hidden", "text_hidden"):
            if getattr(self, name) % self.attention_heads:
                raise ValueError(f"{name} must be divisible by attention_heads={self.attention_heads}")

    @property
    def image_tokens(self) -> int:
        return (self.image_size // self.patch_size) ** 2


def build_tiny_processor(tokenizer: PreTrainedTokenizerFast, spec: TinyLlavaSpec) -> LlavaProcessor:
    """A LLaVA processor (image processor + ``tokenizer`` + chat template) for the tiny model."""
    size = spec.image_size
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": size},
        crop_size={"height": size, "width": size},
        image_mean=list(_CLIP_MEAN),
        image_std=list(_CLIP_STD),
    )
    return LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=spec.patch_size,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS token, which "default" drops again
        chat_template=TINY_CHAT_TEMPLATE,
    )


def build_tiny_llava(processor: LlavaProcessor, spec: TinyLlavaSpec, *, seed: int) -> LlavaForConditionalGeneration:
    """Randomly initialise a tiny LLaVA whose vocabulary matches ``processor``'s tokenizer."""
    tokenizer = processor.tokenizer
    vision = CLIPVisionConfig(
        hidden_size=spec.vision_hidden,
        intermediate_size=2 * spec.vision_hidden,
        num_hidden_layers=spec.vision_layers,
        num_attention_heads=spec.attention_heads,
        image_size=spec.image_size,
        patch_size=spec.patch_size,
        projection_dim=spec.vision_hidden,
    )
    text = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.text_hidden,
        intermediate_size=2 * spec.text_hidden,
        num_hidden_layers=spec.text_layers,
        num_attention_heads=spec.attention_heads,
        num_key_value_heads=spec.attention_heads,
        max_position_embeddings=spec.max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=tokenizer.convert_tokens_to_ids(IMAGE),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
        projector_hidden_act="gelu",
    )
    torch.manual_seed(seed)
    model = LlavaForConditionalGeneration(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model
