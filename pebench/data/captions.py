"""Captioned pictures: the visual prior a pretrained MLLM brings, as a pretraining corpus.

A real MLLM met PEBench after reading millions of captioned pictures: it could already say that a
picture shows a person with long blonde hair in a park at dusk with a crowd behind, for persons
and places it had never seen. Its vision tower had learned the parts a picture is made of. Here
that corpus is procedural: each captioned picture is a random person (any look the renderer can
draw) in a random scene composed of the scene events' parts (:mod:`pebench.data.scenes`): a
setting, two kinds of object, a light and a crowd, drawn independently. Every part appears, those
of the fictitious events included, but never an event's own combination of a setting and its two
objects, so the corpus teaches the parts and not the events.

A caption says what is visible and nothing else: the person's hair, skin, eyes, accessory and
shirt; the setting; the objects actually drawn, counted; the light and the crowd. Its words are the
scene vocabulary, which the events' keywords share (a park, trees, a crowd), as a real model's
captioning vocabulary overlaps the paper's keywords. The caption never names a person or an event.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from pebench.data import bust
from pebench.data.scenes import CROWDS, LIGHTS, OBJECTS, SCENE_EVENTS, SETTINGS
from pebench.data.schema import COUNT_WORDS, SHIRT_COLOURS

#: How a caption says each light.
LIGHT_PHRASES = {
    "daylight": "in daylight",
    "bright": "in bright light",
    "dim": "in dim light",
    "warm": "in warm light",
    "evening": "in evening light",
    "night": "at night",
}
#: How a caption says each crowd ("none" says nothing).
CROWD_PHRASES = {"none": "", "few": "a few people behind", "crowd": "a crowd behind"}
#: How a caption says each accessory ("none" says nothing).
ACCESSORY_PHRASES = {
    "none": "",
    "glasses": "wearing glasses",
    "hat": "wearing a hat",
    "earrings": "wearing earrings",
    "beard": "with a beard",
    "headband": "wearing a headband",
}
#: What a captioned picture's person can look like: every option the renderer draws.
LOOK_OPTIONS: dict[str, tuple[str, ...]] = {
    "skin_tone": tuple(bust.SKIN_TONES),
    "hair_colour": tuple(bust.HAIR_COLOURS),
    "hair_style": bust.HAIR_STYLES,
    "eye_colour": tuple(bust.EYE_COLOURS),
    "accessory": bust.ACCESSORIES,
}
_EVENT_PARTS = frozenset((event.setting, frozenset(event.objects)) for event in SCENE_EVENTS)


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return str(options[int(rng.integers(len(options)))])


def random_look(rng: np.random.Generator) -> dict[str, Any]:
    """A person's attributes drawn uniformly from everything the renderer can draw."""
    look = {key: _pick(rng, options) for key, options in LOOK_OPTIONS.items()}
    return {**look, "face_ratio": round(float(rng.uniform(0.72, 1.0)), 3)}


def random_scene(rng: np.random.Generator) -> dict[str, Any]:
    """A scene spec of independently drawn parts, redrawn while it is one of the events' own
    (setting, objects) combinations."""
    while True:
        setting = _pick(rng, SETTINGS)
        first, second = (OBJECTS[int(i)] for i in rng.choice(len(OBJECTS), size=2, replace=False))
        if (setting, frozenset((first, second))) not in _EVENT_PARTS:
            break
    return {
        "setting": setting,
        "objects": [first, second],
        "light": _pick(rng, LIGHTS),
        "crowd": _pick(rng, CROWDS),
    }


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _counted(count: int, thing: str) -> str:
    return f"{COUNT_WORDS[count - 1]} {thing}" + ("s" if count > 1 else "")


def caption(look: dict[str, Any], scene: dict[str, Any], shirt_colour: str, object_count: int) -> str:
    """What the picture of ``look`` in ``scene`` shows, in words.

    The renderer alternates the scene's two kinds of object over the ``object_count`` slots, so the
    first kind is drawn ``ceil(n / 2)`` times and the second ``floor(n / 2)`` times (not at all when
    ``n`` is one); the caption counts what is drawn.
    """
    if look["hair_style"] == "bald":
        person = f"a bald person with {look['skin_tone']} skin and {look['eye_colour']} eyes"
    else:
        person = (
            f"a person with {look['hair_style']} {look['hair_colour']} hair, "
            f"{look['skin_tone']} skin and {look['eye_colour']} eyes"
        )
    first, second = scene["objects"]
    objects = _counted((object_count + 1) // 2, first)
    if object_count > 1:
        objects += " and " + _counted(object_count // 2, second)
    parts = [
        person,
        ACCESSORY_PHRASES[look["accessory"]],
        f"in {_article(shirt_colour)} {shirt_colour} shirt",
        f"at the {scene['setting']} with {objects}",
        LIGHT_PHRASES[scene["light"]],
        CROWD_PHRASES[scene["crowd"]],
    ]
    return ", ".join(part for part in parts if part)


def caption_words() -> set[str]:
    """Every word a caption can use (person names must not be one of them): the words of captions
    that, between them, say every option of every part, each object counted as one and as several."""
    look = {key: options[0] for key, options in LOOK_OPTIONS.items()}
    scene = {"setting": SETTINGS[0], "objects": list(OBJECTS[:2]), "light": LIGHTS[0], "crowd": CROWDS[0]}
    shirt = SHIRT_COLOURS[0]
    texts = [
        caption({**look, key: option}, scene, shirt, 1) for key, options in LOOK_OPTIONS.items() for option in options
    ]
    for part, options in (("setting", SETTINGS), ("light", LIGHTS), ("crowd", CROWDS)):
        texts += [caption(look, {**scene, part: option}, shirt, 1) for option in options]
    texts += [caption(look, scene, colour, 1) for colour in SHIRT_COLOURS]
    for thing in OBJECTS:
        objects = [thing, OBJECTS[1] if thing == OBJECTS[0] else OBJECTS[0]]
        texts += [caption(look, {**scene, "objects": objects}, shirt, n) for n in range(1, len(COUNT_WORDS) + 1)]
    return {word for text in texts for word in re.findall(r"[a-z]+", text)}
