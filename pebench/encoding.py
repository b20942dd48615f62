"""Turn (image, question, answer) examples into model inputs with the model's own chat template.

Everything that depends on *which* model runs (tokenizer, chat template, image preprocessing,
number of image tokens) lives here, behind one small class, so training, unlearning and
evaluation code work the same on the tiny model and on a real LLaVA checkpoint.
Token ids and pixel tensors are cached: the same few questions and images recur in every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import torch
from PIL import Image
from transformers import ProcessorMixin

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Example:
    """One supervised example: the answer to ``question`` about image ``image_id``."""

    image_id: str
    question: str
    answer: str


class Asked(Protocol):
    """Anything that asks a question about an image and knows the answer: a dataset's
    :class:`~pebench.data.schema.QAItem` or captioned picture (:class:`~pebench.data.schema.Caption`)."""

    @property
    def image_id(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def answer(self) -> str: ...


def as_examples(items: Iterable[Asked]) -> list[Example]:
    """The dataset's questions as examples to train on, score or answer."""
    return [Example(item.image_id, item.question, item.answer) for item in items]


class Encoder:
    """Encodes examples for one processor; ``load_image`` maps an image id to a PIL image."""

    def __init__(self, processor: ProcessorMixin, load_image: Callable[[str], Image.Image]) -> None:
        self.processor = processor
        self.tokenizer = processor.tokenizer
        self.load_image = load_image
        self.image_token: str = processor.image_token
        self.prompt_ids = cache(self._prompt_ids)
        self.answer_ids = cache(self._answer_ids)
        self.pixel_values = cache(self._pixel_values)

    # -- text ---------------------------------------------------------------------------------
    def _render(self, question: str, answer: str | None) -> str:
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]
        if answer is not None:
            messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
        return self.processor.apply_chat_template(messages, add_generation_prompt=answer is None, tokenize=False)

    def _tokenize(self, text: str) -> list[int]:
        expanded = text.replace(self.image_token, self.image_token * self.image_token_count)
        ids = self.tokenizer(expanded, add_special_tokens=False)["input_ids"]
        bos = self.tokenizer.bos_token
        if bos and text.startswith(bos):  # the template wrote BOS itself
            return ids
        return [*self.special_prefix, *ids]

    @property
    def special_prefix(self) -> tuple[int, ...]:
        """Ids the tokenizer puts before any text (Llama's ``<s>``; none for the tiny tokenizer).

        LLaVA-1.5's chat template writes no BOS: the processor relies on the tokenizer adding it.
        We tokenize the rendered prompt without special tokens (they would add an EOS for some
        tokenizers), so the leading ones are put back here.
        """
        if not hasattr(self, "_special_prefix"):
            plain = self.tokenizer("x", add_special_tokens=False)["input_ids"]
            full = self.tokenizer("x", add_special_tokens=True)["input_ids"]
            starts = [i for i in range(len(full) - len(plain) + 1) if full[i : i + len(plain)] == plain]
            self._special_prefix = tuple(full[: starts[0]]) if starts else ()
        return self._special_prefix

    def _prompt_ids(self, question: str) -> tuple[int, ...]:
        return tuple(self._tokenize(self._render(question, None)))

    def _answer_ids(self, question: str, answer: str) -> tuple[int, ...]:
        """Answer tokens as the chat template writes them (end-of-turn tokens included).

        A template that ends the assistant turn without the tokenizer's EOS (LLaVA-1.5's) gets EOS
        appended, as LLaVA's own training does: otherwise the model never learns to stop.
        """
        prompt = self.prompt_ids(question)
        full = self._tokenize(self._render(question, answer))
        if tuple(full[: len(prompt)]) == prompt and len(full) > len(prompt):
            answer_ids = tuple(full[len(prompt) :])
            eos = self.tokenizer.eos_token_id
            return answer_ids if eos is None or eos in answer_ids else (*answer_ids, eos)
        # Templates whose generation prompt is not a prefix of the full turn: answer + EOS.
        return tuple(self.tokenizer(" " + answer, add_special_tokens=False)["input_ids"]) + (
            self.tokenizer.eos_token_id,
        )

    @property
    def image_token_count(self) -> int:
        """How many placeholder tokens the processor expands one image into (cached)."""
        if not hasattr(self, "_image_token_count"):
            probe = Image.new("RGB", (self.processor.image_processor.crop_size["width"],) * 2)
            ids = self.processor(text=self.image_token, images=[probe], return_tensors="pt")["input_ids"][0]
            self._image_token_count = int((ids == self.tokenizer.convert_tokens_to_ids(self.image_token)).sum())
        return self._image_token_count

    # -- images -------------------------------------------------------------------------------
    def _pixel_values(self, image_id: str) -> torch.Tensor:
        image = self.load_image(image_id)
        return self.processor.image_processor(images=[image], return_tensors="pt")["pixel_values"][0]

    def pixels(self, image_ids: Sequence[str]) -> torch.Tensor:
        return torch.stack([self.pixel_values(image_id) for image_id in image_ids])

    # -- batches ------------------------------------------------------------------------------
    def training_batch(self, examples: Sequence[Example]) -> dict[str, torch.Tensor]:
        """Right-padded inputs with labels on the answer tokens only."""
        rows, labels = [], []
        for example in examples:
            prompt = self.prompt_ids(example.question)
            answer = self.answer_ids(example.question, example.answer)
            rows.append(prompt + answer)
            labels.append((IGNORE_INDEX,) * len(prompt) + answer)
        width = max(map(len, rows))
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([row + (pad,) * (width - len(row)) for row in rows])
        attention_mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
        label_ids = torch.tensor([row + (IGNORE_INDEX,) * (width - len(row)) for row in labels])
        return {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "labels": label_ids,
            "pixel_values": self.pixels([e.image_id for e in examples]),
        }

    def generation_batch(self, examples: Sequence[Example]) -> dict[str, torch.Tensor]:
        """Left-padded prompts (answers ignored) for batched greedy generation."""
        rows = [self.prompt_ids(example.question) for example in examples]
        width = max(map(len, rows))
        pad = self.tokenizer.pad_token_id
        return {
            "input_ids": torch.tensor([(pad,) * (width - len(row)) + row for row in rows]),
            "attention_mask": torch.tensor([[0] * (width - len(row)) + [1] * len(row) for row in rows]),
            "pixel_values": self.pixels([e.image_id for e in examples]),
        }
