"""The tiny model's tokenizers, trained locally on the dataset's own text (nothing is downloaded).

Two kinds (:data:`TOKENIZER_KINDS`), which differ in how a made-up name is cut into tokens:

``word``
    Every word of the texts is one token: a name is two tokens that no other name shares, so
    "the model says the name" is a short sequence of its own, unlike in a real MLLM.
``subword``
    A byte-pair-encoding tokenizer (Sennrich et al., 2016), as real MLLMs have: it knows the common
    words whole and cuts a person's name into pieces learned from other names built from the same
    syllables, so names share tokens as real names do (:func:`pebench.pipeline.build_tokenizer`
    chooses what it learns from: like LLaVA's tokenizer, trained long before PEBench's persons were
    invented, it never sees their names).
"""

from __future__ import annotations

import string
from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

PAD, BOS, EOS, UNK, IMAGE = "<pad>", "<s>", "</s>", "<unk>", "<image>"
SPECIAL_TOKENS = (PAD, BOS, EOS, UNK, IMAGE)

#: Chat template shared by the tiny model; real checkpoints bring their own.
#: It renders ``USER: <image> question ASSISTANT:`` and appends the answer when present.
TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: "
    "{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image> {% elif part['type'] == 'text' %}{{ part['text'] }} {% endif %}"
    "{% endfor %}"
    "{% else %}ASSISTANT: "
    "{% for part in message['content'] %}{% if part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}"
    " </s> {% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)

_PROMPT_WORDS = ("USER:", "ASSISTANT:")
#: The marker a subword token carries at the start of a word ("▁", as in Llama's vocabulary).
WORD_START = "\u2581"
#: Far above what the texts need: merges stop when no pair of pieces is seen twice.
_SUBWORD_VOCAB_LIMIT = 1 << 16


def _normalizer() -> normalizers.Normalizer:
    return normalizers.Sequence([normalizers.Lowercase()])


def _pre_tokenizer() -> pre_tokenizers.PreTokenizer:
    """Split on whitespace and keep punctuation as its own token ("shirt?" -> "shirt", "?"), but
    keep the special tokens and the chat-role words ("user:") intact."""
    return pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(r"[?.,!']"), behavior="isolated")]
    )


def _wrap(core: Tokenizer, *, word_start: str | None = None) -> PreTrainedTokenizerFast:
    """The transformers tokenizer around ``core``, with the special tokens and the chat template.

    ``word_start``: the marker a subword vocabulary puts at the start of each word (Llama's "▁"),
    added when encoding and turned back into a space when decoding; ``None`` for whole words.
    """
    core.normalizer = _normalizer()
    if word_start is None:
        core.pre_tokenizer = _pre_tokenizer()
        core.decoder = decoders.WordPiece(cleanup=True)  # joins words with spaces
    else:
        marker = pre_tokenizers.Metaspace(replacement=word_start, prepend_scheme="always", split=False)
        core.pre_tokenizer = pre_tokenizers.Sequence([_pre_tokenizer(), marker])
        core.decoder = decoders.Metaspace(replacement=word_start, prepend_scheme="always", split=False)
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token=PAD,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        extra_special_tokens={"image_token": IMAGE},
        chat_template=TINY_CHAT_TEMPLATE,
        padding_side="right",
    )


def _words(texts: Iterable[str]) -> list[str]:
    """The distinct pre-tokenized words of ``texts`` and the chat-role words, sorted, no special token."""
    normalizer, pre_tokenizer = _normalizer(), _pre_tokenizer()
    words = {w.lower() for w in _PROMPT_WORDS}
    for text in texts:
        words.update(word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    return sorted(words.difference(SPECIAL_TOKENS))


def build_word_tokenizer(texts: Iterable[str]) -> PreTrainedTokenizerFast:
    """A lower-casing word-level tokenizer whose vocabulary is every word in ``texts``.

    The vocabulary is sorted so the same texts always give the same token ids.
    """
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for word in _words(texts):
        vocab[word] = len(vocab)
    return _wrap(Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK)))


def build_subword_tokenizer(texts: Iterable[str], background: Iterable[str] = ()) -> PreTrainedTokenizerFast:
    """A lower-casing BPE tokenizer, Llama style, that knows every word of ``texts`` whole and has
    learned from ``background`` (other text of the world, seen once) only the pieces two of its words
    share.

    Each word starts with the marker "▁". A word of ``texts`` counts twice, a word of ``background``
    once, and a merge needs a pair seen twice: every word of ``texts`` ends as one token, a background
    word as the pieces it shares with other words. A word it never saw is cut into those pieces.
    Every character and every lowercase letter is in the alphabet, so no name becomes ``<unk>``. The
    alphabet and the words are given sorted, so the same inputs give the same merges and ids.
    """
    known, seen_once = _words(texts), sorted(set(_words(background)).difference(_words(texts)))
    words = [WORD_START + word for word in [*known, *known, *seen_once]]
    alphabet = sorted({char for word in words for char in word} | set(string.ascii_lowercase))
    core = Tokenizer(models.BPE(unk_token=UNK))
    trainer = trainers.BpeTrainer(
        vocab_size=_SUBWORD_VOCAB_LIMIT,
        min_frequency=2,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=alphabet,
        show_progress=False,
    )
    core.train_from_iterator(words, trainer=trainer)  # no pre-tokenizer yet: each word is one string
    return _wrap(core, word_start=WORD_START)


#: The tokenizers the tiny model can read text with (``TinyLlavaSpec.tokenizer``).
TOKENIZER_KINDS = ("word", "subword")
