"""A tiny checkpoint that *looks like* a real LLaVA-1.5 one: BPE tokenizer, BOS, LLaVA-1.5 chat template.

The book's tiny model uses a word tokenizer and its own template, which hides everything a real
checkpoint does differently: sub-word pieces, a BOS token the tokenizer (not the template) adds,
``USER: <image>\\n... ASSISTANT:`` prompts whose assistant turn ends with *no* end-of-sequence
token, and an image processor that resizes and crops. This module builds such a checkpoint offline
(a byte-level BPE trained on the dataset's text, nothing downloaded), so the tests push the exact
code path a user's ``llava-hf/llava-1.5-7b-hf`` goes through: ``save_pretrained`` -> ``load_model``
-> ``Encoder`` -> fine-tuning -> unlearning -> metrics.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import LlavaProcessor, PreTrainedTokenizerFast
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

from pebench.model.loading import save_model
from pebench.model.tiny import _CLIP_MEAN, _CLIP_STD, TinyLlavaSpec, build_tiny_llava

BOS, EOS, UNK, PAD, IMAGE = "<s>", "</s>", "<unk>", "<pad>", "<image>"

#: The chat template shape of ``llava-hf/llava-1.5-*-hf`` (role in capitals, images first as
#: ``<image>\n``, each text followed by a space, ``{% generation %}`` around assistant text, and no
#: end-of-turn token: LLaVA-1.5 relied on the tokenizer's EOS, which ``Encoder`` appends).
LLAVA15_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] != 'system' %}{{ message['role'].upper() + ': ' }}{% endif %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}{% endfor %}"
    "{% if message['role'] != 'assistant' %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' ' }}{% endfor %}"
    "{% else %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{% generation %}{{ content['text'] + ' ' }}{% endgeneration %}{% endfor %}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)

#: A LLaVA-1.5-shaped tiny model: 48 px images in 16 px patches (9 image tokens; real: 336/14, 576).
LLAVA15_STYLE_SPEC = TinyLlavaSpec(
    image_size=48,
    patch_size=16,
    vision_hidden=64,
    vision_layers=2,
    text_hidden=64,
    text_layers=2,
    attention_heads=2,
    max_positions=256,
)


def build_bpe_tokenizer(texts: Iterable[str], vocab_size: int = 512) -> PreTrainedTokenizerFast:
    """A byte-level BPE trained on ``texts``, which prepends ``<s>`` like Llama's tokenizer.

    Case is kept and words split into pieces, so answers are several tokens long, as with a real
    tokenizer. Deterministic for the same texts.
    """
    if vocab_size < 300:
        raise ValueError(f"vocab_size must be >= 300 (256 bytes + special tokens + merges), got {vocab_size}")
    core = Tokenizer(models.BPE(unk_token=None))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[UNK, BOS, EOS, PAD, IMAGE],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(sorted(set(texts)), trainer=trainer)
    core.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, core.token_to_id(BOS))]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        pad_token=PAD,
        extra_special_tokens={"image_token": IMAGE},
        padding_side="left",  # as llava-hf ships it; pebench pads its batches itself
    )


def build_llava15_style_processor(
    texts: Iterable[str], spec: TinyLlavaSpec = LLAVA15_STYLE_SPEC, *, vocab_size: int = 512
) -> LlavaProcessor:
    """Processor with the BPE tokenizer, LLaVA-1.5's template and a resize-then-crop CLIP processor."""
    texts = [*texts, "USER: ASSISTANT:"]
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": spec.image_size},
        crop_size={"height": spec.image_size, "width": spec.image_size},
        image_mean=list(_CLIP_MEAN),
        image_std=list(_CLIP_STD),
    )
    return LlavaProcessor(
        image_processor=image_processor,
        tokenizer=build_bpe_tokenizer(texts, vocab_size),
        patch_size=spec.patch_size,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=LLAVA15_CHAT_TEMPLATE,
    )


def save_llava15_style_checkpoint(
    texts: Iterable[str], path: str | os.PathLike[str], spec: TinyLlavaSpec = LLAVA15_STYLE_SPEC, *, seed: int = 0
) -> Path:
    """Build a randomly initialised LLaVA-1.5-style checkpoint for ``texts`` and save it to ``path``.

    Load it back with ``pebench.model.load_model(path)``, exactly as a downloaded checkpoint.
    """
    processor = build_llava15_style_processor(texts, spec)
    model = build_tiny_llava(processor, spec, seed=seed)
    return save_model(model, processor, path)
