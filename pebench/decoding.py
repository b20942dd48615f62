"""Greedy answers that compute each shared part of a prompt once: the image prefix and the vision tower.

Why: evaluation asks every model a thousand or more questions, and a LLaVA prompt
(``USER: <image> question ASSISTANT:``) spends most of its tokens on the image: on the book's
model, 17 of a prompt's 26 tokens are the image's, and each picture is asked about four times. A
causal decoder's keys and values of a prefix do not depend on what follows it, so the prefix of a
picture (everything up to its last image token) is run once, and every question about that picture
continues from a copy of its keys and values (prefix sharing, as in vLLM's prefix caching or
SGLang's RadixAttention). With the vision tower frozen, its outputs depend on the picture and the
tower's weights alone, so they are computed once per tower and picture and reused by every model
built on that tower (:class:`TowerFeatures`). Only the last position's logits are computed, an
answer that has ended leaves its batch, and decoding stops at ``max_new_tokens`` (evaluation asks
for the longest answer the dataset can hold, :func:`pebench.metrics.predictions.answer_budget`).

What stays the same as ``model.generate(do_sample=False)``: the same forward passes on the same
tokens, the same greedy choice on float32 logits, the same end-of-answer and padding rule. What can
differ: the last bits of a logit. A CPU's matrix products add in an order that depends on how many
rows they are given (measured here: one picture through the tower alone and in a batch differ by
about 1e-6), and prefix sharing gives the kernels other shapes than ``generate`` does, as any
change of batch composition does. An answer can change only where the two best next tokens are
that close; the tests compare the answers with ``generate``'s on every method's unlearned model.
Everything cached across calls (the tower's outputs) is computed one picture at a time, so that an
answer never depends on what was evaluated before it in the same process.

A model that cannot share a prefix this way (not a LLaVA-architecture model, a generation config
that changes the greedy choice, prompts without one common prefix ending in the image) is answered
by ``model.generate`` instead, with a warning that says why (:func:`prefix_sharing_obstacle`).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from tqdm.auto import tqdm
from transformers import DynamicCache, GenerationConfig

from pebench.encoding import Encoder, Example

logger = logging.getLogger(__name__)

#: Generation settings that change what greedy decoding picks or when it stops, at the values that
#: leave it alone (``GenerationConfig()``'s). A model whose generation config sets any of them
#: otherwise is answered by ``model.generate``, which applies them.
GREEDY_NEUTRAL_FIELDS = (
    "num_beams",
    "num_beam_groups",
    "penalty_alpha",
    "dola_layers",
    "repetition_penalty",
    "encoder_repetition_penalty",
    "no_repeat_ngram_size",
    "encoder_no_repeat_ngram_size",
    "bad_words_ids",
    "sequence_bias",
    "min_length",
    "min_new_tokens",
    "forced_bos_token_id",
    "forced_eos_token_id",
    "exponential_decay_length_penalty",
    "suppress_tokens",
    "begin_suppress_tokens",
    "guidance_scale",
    "renormalize_logits",
    "stop_strings",
    "max_time",
    "watermarking_config",
)
#: The keys and values of the image prefixes kept at once; more pictures are answered in groups.
PREFIX_MEMORY_BYTES = 1 << 30
#: The tower outputs kept per process (least recently used dropped first): all of the book's
#: pictures take about 8 MB; a LLaVA-1.5 picture about 2.4 MB in float32.
TOWER_MEMORY_BYTES = 1 << 30


def language_model(model: torch.nn.Module) -> torch.nn.Module | None:
    """The decoder of a ``LlavaForConditionalGeneration`` (None for another kind of model)."""
    inner = getattr(model, "model", None)
    return getattr(inner, "language_model", None)


def prefix_sharing_obstacle(model: torch.nn.Module) -> str | None:
    """Why ``model`` cannot be answered with shared image prefixes (None: it can)."""
    config = getattr(model, "config", None)
    if getattr(config, "model_type", None) != "llava" or language_model(model) is None:
        return f"{type(model).__name__} is not a LLaVA-architecture model"
    if getattr(config, "vision_feature_select_strategy", None) not in ("default", "full"):
        return f"vision_feature_select_strategy {config.vision_feature_select_strategy!r} is not LLaVA's"
    neutral = GenerationConfig()
    generation = getattr(model, "generation_config", None) or neutral
    for name in GREEDY_NEUTRAL_FIELDS:
        value, default = getattr(generation, name, None), getattr(neutral, name, None)
        if value != default:
            return f"its generation config sets {name}={value!r}, which model.generate applies"
    return None


def shared_prefix(prompts: Sequence[Sequence[int]], image_token_id: int) -> tuple[int, ...] | None:
    """The token ids every prompt starts with, up to and including its last image token (None when
    the prompts have no image token, or differ before it)."""
    if not prompts:
        return None
    first = tuple(prompts[0])
    if image_token_id not in first:
        return None
    prefix = first[: len(first) - first[::-1].index(image_token_id)]
    for prompt in prompts:
        if tuple(prompt[: len(prefix)]) != prefix or image_token_id in prompt[len(prefix) :]:
            return None
    return prefix


def tower_digest(tower: torch.nn.Module) -> str:
    """A digest of the vision tower's weights: two towers with the same digest give the same outputs."""
    digest = hashlib.sha256()
    for name, tensor in sorted(tower.state_dict().items()):
        digest.update(name.encode())
        digest.update(str(tensor.dtype).encode())
        digest.update(tensor.detach().to("cpu").contiguous().view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


class TowerFeatures:
    """The vision tower's selected hidden states (the projector's input) per (tower weights, picture).

    Computed one picture at a time: a feature then has the same bits whichever call first asked for
    it. Kept in memory up to ``max_bytes``, least recently used dropped first.
    """

    def __init__(self, max_bytes: int = TOWER_MEMORY_BYTES) -> None:
        self.max_bytes = max_bytes
        self._store: OrderedDict[tuple[str, str], torch.Tensor] = OrderedDict()
        self._bytes = 0
        self.computed = 0

    def clear(self) -> None:
        self._store.clear()
        self._bytes = 0

    def get(self, model: torch.nn.Module, encoder: Encoder, image_ids: Sequence[str]) -> torch.Tensor:
        """The tower features of ``image_ids`` (a tensor ``[pictures, tokens, width]``)."""
        tower = model.model.vision_tower
        digest = tower_digest(tower)
        device = next(tower.parameters()).device
        features = []
        for image_id in image_ids:
            key = (digest, image_id)
            if key in self._store:
                self._store.move_to_end(key)
            else:
                pixels = encoder.pixels([image_id]).to(device)
                self._store[key] = select_tower_features(model, pixels)[0]
                self._bytes += self._store[key].numel() * self._store[key].element_size()
                self.computed += 1
                while self._bytes > self.max_bytes and len(self._store) > 1:
                    _, dropped = self._store.popitem(last=False)
                    self._bytes -= dropped.numel() * dropped.element_size()
            features.append(self._store[key])
        return torch.stack(features)


#: The process's tower features, shared by every model it evaluates.
tower_features = TowerFeatures()


def select_tower_features(model: torch.nn.Module, pixel_values: torch.Tensor) -> torch.Tensor:
    """The tower's hidden states that LLaVA projects: ``LlavaModel.get_image_features`` up to its
    projector (the configured layer or layers, without CLS under the ``default`` strategy)."""
    config = model.config
    outputs = model.model.vision_tower(pixel_values, output_hidden_states=True, return_dict=True)
    layers = config.vision_feature_layer
    chosen = [outputs.hidden_states[layers]] if isinstance(layers, int) else [outputs.hidden_states[i] for i in layers]
    if config.vision_feature_select_strategy == "default":
        chosen = [hidden[:, 1:] for hidden in chosen]
    return torch.cat(chosen, dim=-1)


@dataclass(frozen=True)
class Question:
    """One prompt to answer: its position in the caller's list, its picture and its tokens after the prefix."""

    index: int
    image_id: str
    suffix: tuple[int, ...]


def plan_chunks(questions: Sequence[Question], batch_size: int) -> list[list[Question]]:
    """Batches of questions with suffixes of one length (no padding), like questions next to each
    other (the same question about many pictures has answers of about one length, so a batch ends
    together instead of decoding padding after its short answers)."""
    by_length: dict[int, list[Question]] = {}
    for question in questions:
        by_length.setdefault(len(question.suffix), []).append(question)
    chunks = []
    for _, group in sorted(by_length.items()):
        group = sorted(group, key=lambda q: (q.suffix, q.index))
        chunks += [group[start : start + batch_size] for start in range(0, len(group), batch_size)]
    return chunks


def picture_groups(image_ids: Sequence[str], bytes_per_picture: int, budget: int | None = None) -> list[list[str]]:
    """``image_ids`` cut into groups whose prefix keys and values fit ``budget`` bytes together
    (default :data:`PREFIX_MEMORY_BYTES`)."""
    budget = PREFIX_MEMORY_BYTES if budget is None else budget
    size = max(1, budget // max(1, bytes_per_picture))
    return [list(image_ids[start : start + size]) for start in range(0, len(image_ids), size)]


@torch.no_grad()
def shared_prefix_answers(
    model: torch.nn.Module,
    encoder: Encoder,
    examples: Sequence[Example],
    prefix: tuple[int, ...],
    *,
    batch_size: int,
    max_new_tokens: int,
    share: tuple[int, int] = (0, 1),
    progress: bool = False,
) -> dict[int, list[int]]:
    """The greedy answer tokens (end-of-answer and padding included) of each example, by its index.

    ``prefix`` is the examples' common prompt prefix (:func:`shared_prefix`). ``share`` is
    ``(rank, processes)`` under data parallelism: this process answers every ``processes``-th batch,
    from the ``rank``-th on (the caller gathers the answers).
    """
    model.eval()
    rank, processes = share
    device = next(model.parameters()).device
    questions = [
        Question(i, example.image_id, tuple(encoder.prompt_ids(example.question)[len(prefix) :]))
        for i, example in enumerate(examples)
    ]
    pictures = list(dict.fromkeys(q.image_id for q in questions))
    plan = []
    for group in picture_groups(pictures, prefix_bytes_per_picture(model, len(prefix))):
        members = set(group)
        chunks = plan_chunks([q for q in questions if q.image_id in members], batch_size)[rank::processes]
        if chunks:
            plan.append(chunks)
    answers: dict[int, list[int]] = {}
    with tqdm(total=sum(map(len, plan)), desc="generating", disable=not progress, leave=False) as bar:
        for chunks in plan:
            needed = list(dict.fromkeys(q.image_id for chunk in chunks for q in chunk))
            keys, values = prefix_cache(model, encoder, needed, prefix, batch_size=batch_size, device=device)
            row = {image_id: i for i, image_id in enumerate(needed)}
            for chunk in chunks:
                rows = torch.tensor([row[q.image_id] for q in chunk], device=device)
                suffix = torch.tensor([q.suffix for q in chunk], device=device)
                tokens = greedy_continuation(
                    model,
                    suffix,
                    [k.index_select(0, rows) for k in keys],
                    [v.index_select(0, rows) for v in values],
                    max_new_tokens,
                    encoder.tokenizer,
                )
                answers.update(zip((q.index for q in chunk), tokens.tolist()))
                bar.update()
    return answers


def prefix_bytes_per_picture(model: torch.nn.Module, prefix_length: int) -> int:
    """The memory of one picture's prefix keys and values, over every decoder layer."""
    text = model.config.get_text_config(decoder=True)
    heads = getattr(text, "num_key_value_heads", None) or text.num_attention_heads
    head_dim = getattr(text, "head_dim", None) or text.hidden_size // text.num_attention_heads
    element = next(language_model(model).parameters()).element_size()
    return 2 * text.num_hidden_layers * heads * head_dim * prefix_length * element


def prefix_cache(
    model: torch.nn.Module,
    encoder: Encoder,
    image_ids: Sequence[str],
    prefix: tuple[int, ...],
    *,
    batch_size: int,
    device: torch.device,
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per decoder layer, the keys and values of ``prefix`` with each picture's features in place of
    its image tokens (``[pictures, heads, prefix length, head width]``)."""
    decoder = language_model(model)
    image_token = model.config.image_token_id
    ids = torch.tensor(prefix, device=device)
    keys: list[list[torch.Tensor]] = []
    values: list[list[torch.Tensor]] = []
    for start in range(0, len(image_ids), batch_size):
        batch = image_ids[start : start + batch_size]
        features = model.model.multi_modal_projector(tower_features.get(model, encoder, batch))
        embeddings = model.model.get_input_embeddings()(ids).unsqueeze(0).repeat(len(batch), 1, 1)
        placeholder = (ids == image_token).view(1, -1, 1).expand_as(embeddings)
        embeddings = embeddings.masked_scatter(placeholder, features.to(embeddings.dtype))
        cache = DynamicCache(config=decoder.config)
        mask = torch.ones(embeddings.shape[:2], dtype=torch.long, device=device)
        decoder(inputs_embeds=embeddings, attention_mask=mask, cache=cache, use_cache=True)
        for layer, state in enumerate(cache.layers):
            if layer == len(keys):
                keys.append([])
                values.append([])
            keys[layer].append(state.keys)
            values[layer].append(state.values)
    return [torch.cat(k) for k in keys], [torch.cat(v) for v in values]


def greedy_continuation(
    model: torch.nn.Module,
    suffix: torch.Tensor,
    keys: Sequence[torch.Tensor],
    values: Sequence[torch.Tensor],
    max_new_tokens: int,
    tokenizer,
) -> torch.Tensor:
    """Greedy tokens after each row's prompt (the prefix whose ``keys`` and ``values`` are given,
    then ``suffix``), as ``model.generate`` picks them: argmax of the float32 logits, padding after
    the end-of-answer token, at most ``max_new_tokens``.

    A row that has ended leaves the batch at once (``generate`` keeps computing it and throws the
    result away): the cache keeps only the rows still going.
    """
    rows = suffix.shape[0]
    device = suffix.device
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    cache = DynamicCache(list(zip(keys, values)), config=language_model(model).config)
    tokens = torch.full((rows, max_new_tokens), pad, dtype=torch.long, device=device)
    live = torch.arange(rows, device=device)  # the rows still going, by their place in ``suffix``
    length = keys[0].shape[-2] + suffix.shape[1]
    inputs, steps = suffix, 0
    for step in range(max_new_tokens):
        mask = torch.ones((len(live), length), dtype=torch.long, device=device)
        output = model(input_ids=inputs, attention_mask=mask, cache=cache, use_cache=True, logits_to_keep=1)
        chosen = output.logits[:, -1].float().argmax(-1)
        tokens[live, step] = chosen
        steps = step + 1
        going = chosen != eos
        if not bool(going.any()):
            break
        if not bool(going.all()):
            keep = going.nonzero().squeeze(1)
            cache.batch_select_indices(keep)
            live, chosen = live[keep], chosen[keep]
        inputs = chosen[:, None]
        length += 1
    return tokens[:, :steps]
