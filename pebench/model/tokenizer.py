"""A word-level tokenizer trained locally on the dataset's own text.

Why word level: every name word and every description word becomes one token, so
"the model says the name" is a short, unambiguous sequence and a 1M-parameter model
learns it quickly. Nothing is downloaded: the vocabulary is built from the texts given.
"""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
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


def build_word_tokenizer(texts: Iterable[str]) -> PreTrainedTokenizerFast:
    """Build a lower-casing word-level tokenizer whose vocabulary is every word in ``texts``.

    The vocabulary is sorted so the same texts always give the same token ids.
    """
    normalizer = normalizers.Sequence([normalizers.Lowercase()])
    # Split on whitespace and keep punctuation as its own token ("shirt?" -> "shirt", "?"),
    # but keep our special tokens and the chat-role words intact.
    pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex(r"[?.,!']"), behavior="isolated")]
    )
    words: set[str] = set()
    for text in texts:
        for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)):
            words.add(word)
    words.update(w.lower() for w in _PROMPT_WORDS)
    words.difference_update(SPECIAL_TOKENS)
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for word in sorted(words):
        vocab[word] = len(vocab)

    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    core.normalizer = normalizer
    core.pre_tokenizer = pre_tokenizer
    core.decoder = decoders.WordPiece(prefix="##", cleanup=True)  # joins words with spaces
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token=PAD,
        bos_token=BOS,
        eos_token=EOS,
        unk_token=UNK,
        extra_special_tokens={"image_token": IMAGE},
        chat_template=TINY_CHAT_TEMPLATE,
        padding_side="right",
    )
    return tokenizer
