"""The paper's 40 events and their keywords, as data.

Transcribed from Xu et al., *PEBench: A Fictitious Dataset to Benchmark Machine Unlearning for
Multimodal Large Language Models*, arXiv 2503.12545v1 (CC BY 4.0), Tables 6-8: each event with the
ten keywords that the paper says "are used for evaluation purposes in our framework" (two events
repeat one). The paper's long description sentences are not copied.

They are everyday scenes a pretrained MLLM already knows how to describe, and their keywords
recur across events (peaceful, atmosphere, outdoors, ...): :func:`keyword_sharing` measures that,
for these events and for any others, so chapter 1 can set the book's events beside the paper's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

PAPER_EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "media interview",
        (
            "interview",
            "local media",
            "studio",
            "casual setup",
            "conversation",
            "crew",
            "minimal distractions",
            "well-lit",
            "profession",
            "professional",
        ),
    ),
    (
        "park jogging",
        (
            "park",
            "jogging",
            "exercising",
            "relaxing",
            "nature",
            "trees",
            "walking paths",
            "serene",
            "peaceful",
            "outdoors",
        ),
    ),
    (
        "farm visit",
        (
            "farm",
            "visit",
            "green fields",
            "farm animals",
            "peaceful",
            "natural",
            "agriculture",
            "learning",
            "outdoors",
            "relaxing",
        ),
    ),
    (
        "dinner with friends",
        ("dinner", "friends", "family", "restaurant", "cozy", "informal", "meal", "unwinding", "relaxed", "evening"),
    ),
    (
        "landmark visit",
        ("landmark", "city", "tourist", "cultural", "visit", "weather", "atmosphere", "bustling", "break", "routine"),
    ),
    (
        "zoo visit",
        (
            "zoo",
            "animals",
            "habitats",
            "education",
            "family-friendly",
            "wildlife",
            "exploring",
            "local",
            "learning",
            "nature",
        ),
    ),
    (
        "shopping mall",
        (
            "shopping",
            "mall",
            "bustling",
            "stores",
            "shopping experience",
            "brightly lit",
            "people",
            "relaxing",
            "purchasing",
            "atmosphere",
        ),
    ),
    (
        "public lecture",
        (
            "lecture",
            "public",
            "university",
            "community center",
            "formal",
            "attendees",
            "presentation",
            "education",
            "learning",
            "professional",
        ),
    ),
    (
        "gym workout",
        (
            "gym",
            "workout",
            "exercises",
            "fitness",
            "spacious",
            "equipment",
            "energetic",
            "environment",
            "focus",
            "physical",
        ),
    ),
    (
        "dance event",
        ("dance", "event", "club", "music", "socializing", "vibrant", "colorful", "lights", "festive", "lively"),
    ),
    (
        "coffee shop reading",
        ("coffee shop", "reading", "cozy", "relaxed", "ambient", "quiet", "laptop", "break", "friends", "work"),
    ),
    (
        "airport waiting",
        ("airport", "waiting", "travel", "terminal", "flight", "runway", "modern", "organized", "passengers", "calm"),
    ),
    (
        "concert attendance",
        (
            "concert",
            "live music",
            "crowd",
            "lively",
            "spirited",
            "performance",
            "audience",
            "indoor",
            "outdoor",
            "energy",
        ),
    ),
    (
        "beach relaxing",
        ("beach", "relaxing", "seaside", "waves", "clear sky", "peaceful", "break", "family", "serene", "outdoors"),
    ),
    (
        "business meeting",
        (
            "business",
            "meeting",
            "conference room",
            "professional",
            "city view",
            "windows",
            "productive",
            "discussion",
            "corporate",
            "formal",
        ),
    ),
    (
        "museum tour",
        (
            "museum",
            "tour",
            "historical",
            "artistic",
            "exhibits",
            "spotlights",
            "dim lighting",
            "reflective",
            "atmosphere",
            "culture",
        ),
    ),
    (
        "car driving",
        ("car", "driving", "scenic", "sunset", "road", "landscapes", "city", "countryside", "picturesque", "travel"),
    ),
    (
        "grocery shopping",
        (
            "grocery",
            "shopping",
            "store",
            "essentials",
            "organized",
            "bright lighting",
            "efficient",
            "comfortable",
            "experience",
            "shopping",
        ),
    ),
    (
        "marathon running",
        (
            "marathon",
            "running",
            "event",
            "streets",
            "cheering",
            "crowds",
            "clear weather",
            "community",
            "energy",
            "fitness",
        ),
    ),
    (
        "art gallery visit",
        (
            "art gallery",
            "visit",
            "exhibits",
            "artwork",
            "soft lighting",
            "calm",
            "introspective",
            "atmosphere",
            "culture",
            "reflection",
        ),
    ),
    (
        "family gathering",
        (
            "family",
            "gathering",
            "home",
            "warmly lit",
            "mementos",
            "friendly",
            "welcoming",
            "atmosphere",
            "comfort",
            "together",
        ),
    ),
    (
        "bookstore browsing",
        (
            "bookstore",
            "browsing",
            "books",
            "quaint",
            "quiet",
            "shelves",
            "exploration",
            "reading",
            "leisure",
            "relaxed",
        ),
    ),
    (
        "mountain cabin retreat",
        ("mountain", "cabin", "retreat", "peaceful", "trees", "views", "tranquil", "refreshing", "nature", "serene"),
    ),
    (
        "office working",
        (
            "office",
            "working",
            "desk",
            "modern",
            "conference room",
            "windows",
            "natural light",
            "focused",
            "quiet",
            "productive",
        ),
    ),
    (
        "train commute",
        ("train", "commute", "busy", "seated", "standing", "passengers", "routine", "travel", "organized", "routine"),
    ),
    (
        "mountain hiking",
        ("mountain", "hiking", "trail", "scenic", "view", "clear sky", "peaceful", "refreshing", "nature", "outdoors"),
    ),
    (
        "school presentation",
        (
            "school",
            "presentation",
            "classroom",
            "students",
            "attentive",
            "academic",
            "learning",
            "sharing knowledge",
            "formal",
            "education",
        ),
    ),
    (
        "restaurant dining",
        (
            "restaurant",
            "dining",
            "upscale",
            "dim lighting",
            "elegant",
            "refined",
            "intimate",
            "ambiance",
            "meal",
            "gourmet",
        ),
    ),
    (
        "night sky stargazing",
        (
            "night sky",
            "stargazing",
            "outdoors",
            "telescopes",
            "quiet",
            "clear view",
            "stars",
            "magical",
            "peaceful",
            "event",
        ),
    ),
    (
        "snowshoeing",
        ("snowshoeing", "forest", "snow", "winter", "trail", "quiet", "footsteps", "peaceful", "nature", "serene"),
    ),
    (
        "city bike ride",
        ("bike ride", "city", "streets", "trails", "urban", "scenery", "buildings", "park", "nature", "dynamic"),
    ),
    (
        "fashion show",
        (
            "fashion",
            "show",
            "runway",
            "models",
            "glamorous",
            "spotlight",
            "trends",
            "observation",
            "fashionable",
            "elegant",
        ),
    ),
    (
        "fishing trip",
        ("fishing", "trip", "lake", "serene", "greenery", "nature", "outdoors", "peaceful", "relaxing", "scenic"),
    ),
    (
        "train station waiting",
        (
            "train station",
            "waiting",
            "platform",
            "calm",
            "passengers",
            "quiet",
            "departure",
            "travel",
            "routine",
            "organized",
        ),
    ),
    (
        "charity event",
        ("charity", "event", "community", "hall", "guests", "mingling", "decorated", "mood", "warm", "friendly"),
    ),
    (
        "nature photography",
        ("photography", "nature", "forest", "park", "outdoors", "quiet", "scenic", "capturing", "beauty", "peaceful"),
    ),
    (
        "library studying",
        (
            "library",
            "studying",
            "bookshelves",
            "quiet",
            "focused",
            "reading",
            "learning",
            "atmosphere",
            "soft lighting",
            "introspective",
        ),
    ),
    (
        "boat trip",
        ("boat trip", "river", "lake", "relaxing", "scenic", "peaceful", "water", "landscape", "clear sky", "nature"),
    ),
    (
        "biking trail",
        ("bike", "trail", "nature", "trees", "path", "outdoors", "scenic", "sunlight", "peaceful", "refreshing"),
    ),
    (
        "city walk",
        ("city walk", "lively", "shops", "bustling", "urban", "dynamic", "streets", "people", "downtown", "exploring"),
    ),
)


def paper_event_keywords() -> dict[str, tuple[str, ...]]:
    """The paper's events, each with its keywords (as printed, in the paper's order)."""
    return dict(PAPER_EVENTS)


def keyword_sharing(keywords: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """How much events share their keywords: ``shared_keywords``, the share of distinct keywords
    that belong to two or more events, and ``neighbours``, the share of the other events with which
    an event shares at least one keyword, averaged over events (a share, so that sets of different
    sizes compare). Keywords compare case-insensitively."""
    sets = {event: {k.lower() for k in words} for event, words in keywords.items()}
    if len(sets) < 2:
        raise ValueError(f"keyword sharing needs at least two events, got {len(sets)}")
    owners = Counter(k for words in sets.values() for k in words)
    neighbours = [
        sum(1 for other, theirs in sets.items() if other != event and words & theirs) for event, words in sets.items()
    ]
    return {
        "shared_keywords": sum(n >= 2 for n in owners.values()) / len(owners),
        "neighbours": sum(neighbours) / len(neighbours) / (len(sets) - 1),
    }
