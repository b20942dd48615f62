"""tests/nbval_sanitize.cfg: the patterns nbval applies to both sides before comparing chapter outputs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CONFIG = Path(__file__).with_name("nbval_sanitize.cfg")


def sanitize(text: str) -> str:
    # What nbval does: each (regex, replace) pair in file order, re.sub on the whole output string.
    for regex, replace in get_sanitize_patterns(CONFIG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_every_rule_parses_and_compiles() -> None:
    rules = get_sanitize_patterns(CONFIG.read_text())
    assert len(rules) == CONFIG.read_text().count("\nregex: ") >= 10
    for regex, replace in rules:
        re.compile(regex)
        assert "\\" not in replace, f"replacement {replace!r} should be a plain word"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("started at 2026-11-25 18:56:39.546659\n", "started at 2027-01-02 03:04:05.1\n"),
        ("saved 2026-11-25T18:56:39Z\n", "saved 2026-11-26T08:00:00+01:00\n"),
        ("<object object at 0x7f43c84617a0>\n", "<object object at 0x7fa0cafe0010>\n"),
        ("[<matplotlib.lines.Line2D at 0x7f1d2c3b4e50>]", "[<matplotlib.lines.Line2D at 0x7f00aa11bb22>]"),
        ("trained in 12.3s\n", "trained in 9.87s\n"),
        ("CPU times: user 1.2 s, sys: 30 ms\n", "CPU times: user 2.5 s, sys: 41 ms\n"),
        ("elapsed 00:12\n", "elapsed 01:07\n"),
        ("2.71 it/s and 3.1 steps/s, 1.20s/it\n", "2.68 it/s and 2.9 steps/s, 0.98s/it\n"),
        ("<Figure size 640x480 with 1 Axes>", "<Figure size 300x200 with 2 Axes>"),
        ("wrote /tmp/tmpem5nobic/model.pt\n", "wrote /tmp/tmpx81yq2_3/model.pt\n"),
        ("/work/main/notebooks/x.png\n", "/tmp/cleanclone/notebooks/x.png\n"),
        (
            "/work/main/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found.\n",
            "/srv/env/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found.\n",
        ),
        (
            "train: 100%|██████████| 20/20 [00:00<00:00, 98.40it/s]\n",
            "train: 100%|██████████| 20/20 [00:03<00:00,  6.02it/s]\n",
        ),
        (" 50%|█████     | 10/20 [00:00<00:00, 99.03it/s]\n", "100%|██████████| 20/20 [00:01<00:00, 11.2it/s]\n"),
        ("123it [00:02, 45.61it/s]\n", "123it [00:03, 40.00it/s]\n"),
        ('<svg width="10"><g id="p8a1"/></svg>', '<svg width="10"><g id="pf00d"/></svg>'),
    ],
)
def test_volatile_text_is_sanitized_to_the_same_string(first: str, second: str) -> None:
    assert sanitize(first) == sanitize(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("accuracy 0.91\n", "accuracy 0.92\n"),
        ("person: Alma Verdi\n", "person: Omar Lind\n"),
        ("3 samples, 40 events\n", "4 samples, 40 events\n"),
        ("rouge-L 0.4321\n", "rouge-L 0.4322\n"),
        ("| name | score |\n|  |  |\n", "| name | grade |\n|  |  |\n"),
        ("shape (16, 84)\n", "shape (16, 85)\n"),
    ],
)
def test_results_are_still_compared(first: str, second: str) -> None:
    assert sanitize(first) != sanitize(second)
