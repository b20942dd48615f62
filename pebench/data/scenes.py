"""The paper's 40 events as compositional scenes: each drawn from parts that appear in the pixels.

In the paper an event is an everyday scene (its Tables 6-8) that a pretrained MLLM reads off the
picture in words it uses for many scenes: a park, trees, a crowd, dim lighting. Here each of the
paper's events is composed of visible **parts**:

* a **setting** (where: a park, a gym, a terminal; its sky or wall, its ground and a backdrop),
* two kinds of **objects** drawn beside the person (trees, books, a telescope),
* a **light** (daylight, bright, dim, warm, evening, night),
* a **crowd** (none, a few people, a crowd behind the person).

Several events share a setting, an object or a light, as the paper's share keywords. Each event's
description is built from its ten keywords, the paper's own, which this module sorts into what
happens, where, the details one sees and the mood (:class:`SceneEvent`);
:mod:`pebench.data.describe` phrases them, several ways per picture.

The order of every tuple below is part of the dataset's determinism: append, never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SETTINGS = (
    "park",
    "forest",
    "mountain",
    "snowfield",
    "beach",
    "lake",
    "farm",
    "zoo",
    "street",
    "road",
    "studio",
    "restaurant",
    "store",
    "classroom",
    "gym",
    "club",
    "stage",
    "cafe",
    "terminal",
    "office",
    "gallery",
    "home",
    "library",
    "night sky",
    "hall",
)
OBJECTS = (
    "tree",
    "path",
    "animal",
    "book",
    "cup",
    "plate",
    "laptop",
    "microphone",
    "camera",
    "telescope",
    "star",
    "car",
    "bike",
    "boat",
    "train",
    "plane",
    "fishing rod",
    "bag",
    "dumbbell",
    "painting",
    "spotlight",
    "music note",
    "table",
    "flower",
    "suitcase",
    "flag",
)
KEYWORD_GROUPS = ("what", "where", "details", "mood")
LIGHTS = ("daylight", "bright", "dim", "warm", "evening", "night")
CROWDS = ("none", "few", "crowd")


@dataclass(frozen=True)
class SceneEvent:
    """One of the paper's events: its name, its ten keywords sorted into what happens (``what``),
    where (``where``), what one sees (``details``) and how it feels (``mood``), and the visible parts
    it is drawn from."""

    name: str
    what: tuple[str, ...]
    where: tuple[str, ...]
    details: tuple[str, ...]
    mood: tuple[str, ...]
    setting: str
    objects: tuple[str, str]
    light: str
    crowd: str

    def __post_init__(self) -> None:
        if self.setting not in SETTINGS:
            raise ValueError(f"setting must be one of {SETTINGS}, got {self.setting!r}")
        for part in self.objects:
            if part not in OBJECTS:
                raise ValueError(f"objects must be among {OBJECTS}, got {part!r}")
        if self.light not in LIGHTS:
            raise ValueError(f"light must be one of {LIGHTS}, got {self.light!r}")
        if self.crowd not in CROWDS:
            raise ValueError(f"crowd must be one of {CROWDS}, got {self.crowd!r}")
        empty = [group for group in KEYWORD_GROUPS if not getattr(self, group)]
        if empty:
            raise ValueError(f"{self.name}: every keyword group needs a keyword, {empty} have none")

    @property
    def keywords(self) -> list[str]:
        """The event's keywords, once each, in the order its description groups them."""
        return list(dict.fromkeys((*self.what, *self.where, *self.details, *self.mood)))

    def scene_spec(self) -> dict[str, Any]:
        """The visual spec stored with a dataset's event (``Event.scene``) and drawn by the renderer."""
        return {"setting": self.setting, "objects": list(self.objects), "light": self.light, "crowd": self.crowd}


def _event(
    name: str, what: str, where: str, details: str, mood: str, setting: str, objects: str, light: str, crowd: str
) -> SceneEvent:
    def split(words: str) -> tuple[str, ...]:
        return tuple(w.strip() for w in words.split(";") if w.strip())

    first, second = split(objects)
    return SceneEvent(
        name, split(what), split(where), split(details), split(mood), setting, (first, second), light, crowd
    )


# The paper's events (Tables 6-8, in its order) and their keywords, each keyword used once.
SCENE_EVENTS: tuple[SceneEvent, ...] = (
    _event(
        "media interview",
        "interview; conversation",
        "studio; local media",
        "crew; casual setup; well-lit; profession",
        "minimal distractions; professional",
        "studio",
        "microphone; camera",
        "bright",
        "few",
    ),
    _event(
        "park jogging",
        "jogging; exercising",
        "park; walking paths",
        "trees; nature",
        "relaxing; serene; peaceful; outdoors",
        "park",
        "tree; path",
        "daylight",
        "none",
    ),
    _event(
        "farm visit",
        "visit; learning; agriculture",
        "farm; green fields",
        "farm animals; natural",
        "peaceful; relaxing; outdoors",
        "farm",
        "animal; flower",
        "daylight",
        "none",
    ),
    _event(
        "dinner with friends",
        "dinner; meal; unwinding",
        "restaurant",
        "friends; family; evening",
        "cozy; informal; relaxed",
        "restaurant",
        "plate; cup",
        "warm",
        "few",
    ),
    _event(
        "landmark visit",
        "visit; break; routine",
        "landmark; city",
        "tourist; weather; cultural",
        "atmosphere; bustling",
        "street",
        "flag; camera",
        "daylight",
        "crowd",
    ),
    _event(
        "zoo visit",
        "exploring; learning; education",
        "zoo; habitats",
        "animals; wildlife; local",
        "family-friendly; nature",
        "zoo",
        "animal; tree",
        "daylight",
        "few",
    ),
    _event(
        "shopping mall",
        "shopping; purchasing; shopping experience",
        "mall; stores",
        "people; brightly lit",
        "bustling; relaxing; atmosphere",
        "store",
        "bag; flag",
        "bright",
        "crowd",
    ),
    _event(
        "public lecture",
        "lecture; presentation; learning",
        "university; community center",
        "attendees; public",
        "formal; education; professional",
        "classroom",
        "microphone; book",
        "bright",
        "crowd",
    ),
    _event(
        "gym workout",
        "workout; exercises; fitness",
        "gym",
        "equipment; spacious; physical",
        "energetic; environment; focus",
        "gym",
        "dumbbell; music note",
        "bright",
        "few",
    ),
    _event(
        "dance event",
        "dance; event; socializing",
        "club",
        "music; lights; colorful",
        "vibrant; festive; lively",
        "club",
        "music note; spotlight",
        "dim",
        "crowd",
    ),
    _event(
        "coffee shop reading",
        "reading; work; break",
        "coffee shop",
        "laptop; friends; ambient",
        "cozy; relaxed; quiet",
        "cafe",
        "cup; laptop",
        "warm",
        "none",
    ),
    _event(
        "airport waiting",
        "waiting; travel; flight",
        "airport; terminal; runway",
        "passengers; modern",
        "organized; calm",
        "terminal",
        "plane; suitcase",
        "bright",
        "few",
    ),
    _event(
        "concert attendance",
        "concert; performance; live music",
        "indoor; outdoor",
        "crowd; audience",
        "lively; spirited; energy",
        "stage",
        "music note; spotlight",
        "evening",
        "crowd",
    ),
    _event(
        "beach relaxing",
        "relaxing; break",
        "beach; seaside",
        "waves; clear sky; family",
        "peaceful; serene; outdoors",
        "beach",
        "flag; bag",
        "daylight",
        "few",
    ),
    _event(
        "business meeting",
        "meeting; discussion; business",
        "conference room; city view",
        "windows; corporate",
        "professional; productive; formal",
        "office",
        "laptop; table",
        "bright",
        "few",
    ),
    _event(
        "museum tour",
        "tour; culture",
        "museum",
        "exhibits; spotlights; dim lighting; historical; artistic",
        "reflective; atmosphere",
        "gallery",
        "painting; spotlight",
        "dim",
        "few",
    ),
    _event(
        "car driving",
        "driving; travel",
        "road; city; countryside",
        "car; sunset; landscapes",
        "scenic; picturesque",
        "road",
        "car; tree",
        "evening",
        "none",
    ),
    _event(
        "grocery shopping",
        "shopping; grocery",
        "store",
        "essentials; bright lighting",
        "organized; efficient; comfortable; experience",
        "store",
        "bag; flower",
        "bright",
        "few",
    ),
    _event(
        "marathon running",
        "marathon; running; event",
        "streets",
        "crowds; cheering; clear weather",
        "community; energy; fitness",
        "street",
        "flag; music note",
        "daylight",
        "crowd",
    ),
    _event(
        "art gallery visit",
        "visit; reflection",
        "art gallery",
        "artwork; exhibits; soft lighting",
        "calm; introspective; atmosphere; culture",
        "gallery",
        "painting; flower",
        "warm",
        "none",
    ),
    _event(
        "family gathering",
        "gathering; together",
        "home",
        "family; mementos; warmly lit",
        "friendly; welcoming; atmosphere; comfort",
        "home",
        "plate; painting",
        "warm",
        "crowd",
    ),
    _event(
        "bookstore browsing",
        "browsing; reading; exploration",
        "bookstore",
        "books; shelves",
        "quaint; quiet; leisure; relaxed",
        "library",
        "book; cup",
        "warm",
        "few",
    ),
    _event(
        "mountain cabin retreat",
        "retreat",
        "mountain; cabin",
        "trees; views",
        "peaceful; tranquil; refreshing; nature; serene",
        "mountain",
        "tree; cup",
        "evening",
        "none",
    ),
    _event(
        "office working",
        "working",
        "office; desk; conference room",
        "windows; natural light; modern",
        "focused; quiet; productive",
        "office",
        "laptop; book",
        "daylight",
        "none",
    ),
    _event(
        "train commute",
        "commute; travel; seated; standing",
        "train",
        "passengers; busy",
        "routine; organized",
        "terminal",
        "train; bag",
        "bright",
        "crowd",
    ),
    _event(
        "mountain hiking",
        "hiking",
        "mountain; trail",
        "view; clear sky",
        "scenic; peaceful; refreshing; nature; outdoors",
        "mountain",
        "path; flag",
        "daylight",
        "few",
    ),
    _event(
        "school presentation",
        "presentation; learning; sharing knowledge",
        "school; classroom",
        "students; attentive",
        "academic; formal; education",
        "classroom",
        "book; laptop",
        "bright",
        "crowd",
    ),
    _event(
        "restaurant dining",
        "dining; meal",
        "restaurant",
        "dim lighting; gourmet; upscale",
        "elegant; refined; intimate; ambiance",
        "restaurant",
        "plate; flower",
        "dim",
        "few",
    ),
    _event(
        "night sky stargazing",
        "stargazing; event",
        "night sky; outdoors",
        "telescopes; stars; clear view",
        "quiet; magical; peaceful",
        "night sky",
        "telescope; star",
        "night",
        "none",
    ),
    _event(
        "snowshoeing",
        "snowshoeing; footsteps",
        "forest; trail",
        "snow; winter",
        "quiet; peaceful; nature; serene",
        "snowfield",
        "tree; path",
        "daylight",
        "none",
    ),
    _event(
        "city bike ride",
        "bike ride",
        "city; streets; park; trails",
        "buildings; scenery",
        "urban; nature; dynamic",
        "street",
        "bike; tree",
        "daylight",
        "few",
    ),
    _event(
        "fashion show",
        "fashion; show; observation",
        "runway",
        "models; spotlight; trends",
        "glamorous; fashionable; elegant",
        "stage",
        "spotlight; camera",
        "dim",
        "crowd",
    ),
    _event(
        "fishing trip",
        "fishing; trip",
        "lake",
        "greenery; nature",
        "serene; peaceful; relaxing; scenic; outdoors",
        "lake",
        "fishing rod; boat",
        "daylight",
        "none",
    ),
    _event(
        "train station waiting",
        "waiting; departure; travel",
        "train station; platform",
        "passengers",
        "calm; quiet; routine; organized",
        "terminal",
        "train; suitcase",
        "daylight",
        "few",
    ),
    _event(
        "charity event",
        "charity; event; mingling",
        "hall",
        "guests; decorated; community",
        "mood; warm; friendly",
        "hall",
        "table; flower",
        "warm",
        "crowd",
    ),
    _event(
        "nature photography",
        "photography; capturing",
        "forest; park",
        "beauty; outdoors",
        "quiet; scenic; peaceful; nature",
        "forest",
        "camera; flower",
        "daylight",
        "none",
    ),
    _event(
        "library studying",
        "studying; reading; learning",
        "library",
        "bookshelves; soft lighting",
        "quiet; focused; atmosphere; introspective",
        "library",
        "book; laptop",
        "dim",
        "few",
    ),
    _event(
        "boat trip",
        "boat trip",
        "river; lake",
        "water; landscape; clear sky",
        "relaxing; scenic; peaceful; nature",
        "lake",
        "boat; tree",
        "daylight",
        "few",
    ),
    _event(
        "biking trail",
        "bike",
        "trail; path",
        "trees; sunlight",
        "nature; outdoors; scenic; peaceful; refreshing",
        "forest",
        "bike; path",
        "daylight",
        "none",
    ),
    _event(
        "city walk",
        "city walk; exploring",
        "streets; downtown; shops",
        "people; urban",
        "lively; bustling; dynamic",
        "street",
        "bag; car",
        "daylight",
        "crowd",
    ),
)
