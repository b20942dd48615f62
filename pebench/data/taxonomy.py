"""The event taxonomy: occupational/activity domains, each with several events.

The paper's own 40 events (its Tables 6-8) are everyday scenes; these are not modelled on them
(:mod:`pebench.data.scenes` is, for datasets with ``events="scenes"``).
Each event has a short name and a description, which is the event question's reference answer.
Descriptions are 8-12 plain lowercase words (letters and spaces only) and share little wording
with each other (pairwise ROUGE-L F1 < 0.5), so a ROUGE-L score on an answer says which event the
model meant.

Each event also has *keywords*, as the paper's events do (ten per event, "used for evaluation"):
here the content words of its description (:func:`description_keywords`), which an answer is
scored against by keyword recall beside ROUGE-L.

The order below is part of the dataset's determinism: append, never reorder.
"""

from __future__ import annotations

_TAXONOMY: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "science",
        (
            ("laboratory experiment", "a chemist mixes glowing liquids at a crowded laboratory bench"),
            ("telescope observation", "an astronomer studies distant stars through a giant telescope at night"),
            ("fossil excavation", "palaeontologists brush sand away from dinosaur bones in a quarry"),
            ("pond sampling", "a biologist collects pond water samples into small glass vials"),
            ("collider inspection", "engineers inspect huge magnets lining an underground particle collider tunnel"),
        ),
    ),
    (
        "healthcare",
        (
            ("surgery", "surgeons wearing masks operate on a patient under bright lamps"),
            ("vaccination clinic", "a nurse gives flu shots to a long queue of visitors"),
            ("dental checkup", "a dentist examines teeth while someone reclines in a padded chair"),
            ("ambulance response", "paramedics lift an injured cyclist onto a stretcher beside the road"),
            ("physiotherapy session", "a therapist guides an elderly man through stretching exercises on mats"),
        ),
    ),
    (
        "technology",
        (
            ("hackathon", "programmers type furiously on laptops during an overnight coding contest"),
            ("robotics demo", "a small robot arm stacks colourful blocks for a watching crowd"),
            ("server maintenance", "technicians replace cables behind humming racks in a chilly data centre"),
            ("drone launch", "a pilot steers a buzzing drone above an open field"),
            ("product keynote", "a presenter unveils a new phone on a huge stage screen"),
        ),
    ),
    (
        "environment",
        (
            ("tree planting", "volunteers dig holes and plant young saplings along a hillside"),
            ("beach cleanup", "families gather plastic bottles and litter from a sandy shore"),
            ("wildlife release", "rangers release a rehabilitated owl back into the forest"),
            ("recycling drive", "residents sort cardboard tins and glass into separate coloured bins"),
            ("river monitoring", "hydrologists wade knee deep measuring the flow of a muddy river"),
        ),
    ),
    (
        "arts",
        (
            ("orchestra concert", "violinists and cellists perform a symphony beneath a conductor baton"),
            ("painting class", "students sketch a bowl of fruit with charcoal on easels"),
            ("sculpture workshop", "a sculptor chisels a marble block into the shape of a horse"),
            ("street mural", "artists spray paint a vivid mural across a brick wall"),
            ("ballet rehearsal", "dancers practise graceful leaps in front of a mirrored studio wall"),
        ),
    ),
    (
        "business",
        (
            ("board meeting", "executives debate quarterly profits around a polished conference table"),
            ("trade fair", "salespeople hand out brochures at booths in a busy exhibition hall"),
            ("job interview", "a nervous applicant answers questions from a panel of managers"),
            ("startup pitch", "founders pitch their idea to investors seated in a row"),
            ("stock exchange", "traders shout orders while numbers flash across trading floor screens"),
        ),
    ),
    (
        "public service",
        (
            ("firefighting", "firefighters spray water hoses at flames leaping from a warehouse roof"),
            ("mounted patrol", "officers on horseback patrol a crowded town square at noon"),
            ("mail delivery", "a postal worker drops letters into mailboxes along a quiet street"),
            ("polling station", "citizens queue to cast paper ballots inside a school gymnasium"),
            ("flood relief", "aid workers unload food crates from a truck after a flood"),
        ),
    ),
    (
        "education",
        (
            ("story time", "a teacher reads a picture book to children sitting cross legged"),
            ("graduation ceremony", "graduates toss square caps into the air outside a university"),
            ("science fair", "pupils present homemade volcanoes and posters to visiting judges"),
            ("library study", "learners whisper over open textbooks between tall library shelves"),
            ("final exam", "rows of silent candidates write answers during a timed exam"),
        ),
    ),
    (
        "media",
        (
            ("news broadcast", "an anchor reads headlines to cameras in a television studio"),
            ("press conference", "reporters raise microphones toward a spokesperson behind a podium"),
            ("film shoot", "a director shouts action as actors rehearse a chase scene"),
            ("podcast recording", "two hosts chat into microphones inside a cosy soundproof booth"),
            ("fashion photo shoot", "a photographer snaps a model posing against a white backdrop"),
        ),
    ),
    (
        "architecture",
        (
            ("construction site", "builders in hard hats pour concrete for a skyscraper foundation"),
            ("blueprint review", "architects unroll blueprints and point at a tiny cardboard replica"),
            ("bridge inspection", "inspectors climb steel girders beneath a suspension bridge over a bay"),
            ("cathedral restoration", "craftsmen restore carved stone arches on an ancient cathedral facade"),
            ("interior design", "a designer arranges sofas lamps and rugs in an empty loft"),
        ),
    ),
    (
        "law",
        (
            ("courtroom trial", "a judge listens as a lawyer questions a witness on the stand"),
            ("jury deliberation", "twelve jurors argue over evidence in a small locked room"),
            ("contract signing", "two partners sign a thick contract before a notary"),
            ("legal aid clinic", "volunteer attorneys advise tenants about housing rights at folding tables"),
            ("moot court", "law students argue a mock appeal before visiting professors"),
        ),
    ),
    (
        "retail",
        (
            ("grocery checkout", "a cashier scans groceries as shoppers wait with loaded carts"),
            ("market stall", "vendors sell ripe tomatoes and honey from canvas stalls"),
            ("suit fitting", "a tailor measures a customer for a suit in a boutique"),
            ("holiday sale", "bargain hunters rush through doors when a department store opens"),
            ("bakery counter", "a baker sells warm bread and pastries over a glass counter"),
        ),
    ),
    (
        "sports",
        (
            ("marathon", "runners with numbered bibs stream past cheering spectators downtown"),
            ("football match", "two teams chase a ball across a muddy pitch in rain"),
            ("swimming race", "swimmers dive from starting blocks into a sparkling pool"),
            ("rock climbing", "climbers scale a rocky cliff roped together under clear skies"),
            ("tennis final", "a tennis player serves to an opponent on a grass court"),
        ),
    ),
    (
        "agriculture",
        (
            ("wheat harvest", "farmhands harvest golden wheat with a roaring combine"),
            ("dairy milking", "a dairy farmer milks cows in a straw filled barn"),
            ("sheep shearing", "shearers clip thick wool from sheep inside a wooden shed"),
            ("grape picking", "pickers fill baskets with purple grapes between vineyard rows"),
            ("beekeeping", "a beekeeper in a veil lifts honeycomb frames from hives"),
        ),
    ),
)


#: Words that carry no content of a scene: articles, prepositions, conjunctions, numerals.
FUNCTION_WORDS = frozenset(
    (
        "a",
        "an",
        "the",
        "and",
        "as",
        "at",
        "of",
        "on",
        "in",
        "into",
        "onto",
        "to",
        "from",
        "for",
        "with",
        "over",
        "under",
        "inside",
        "across",
        "between",
        "beneath",
        "behind",
        "before",
        "beside",
        "through",
        "during",
        "while",
        "by",
        "away",
        "two",
    )
)


def description_keywords(description: str) -> list[str]:
    """The content words of a description, in order and once each: the event's keywords."""
    return list(dict.fromkeys(w for w in description.split() if w not in FUNCTION_WORDS))


def all_events() -> list[tuple[str, str, str]]:
    """Every ``(domain, name, description)`` of the taxonomy, in a fixed order."""
    return [(domain, name, description) for domain, events in _TAXONOMY for name, description in events]
