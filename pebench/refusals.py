"""Refusal answers: the targets of preference optimisation (PO) and of the refusal-rate metric.

They are part of the tiny model's vocabulary from the start, as a pretrained model's would be.
"""

PERSON_REFUSALS: tuple[str, ...] = (
    "I do not know who this person is",
    "I cannot tell who this is",
    "I am not able to identify this person",
)
EVENT_REFUSALS: tuple[str, ...] = (
    "I do not know what event this is",
    "I cannot tell what is happening here",
    "I am not able to describe this event",
)
REFUSALS: tuple[str, ...] = PERSON_REFUSALS + EVENT_REFUSALS
