"""The numbers and answers the prose about stored answers quotes: ``{key: value}`` for ``glue``.

Each function reads a table of :class:`~pebench.report.stored_answers.StoredAnswers` and returns
every key the text may use, so that no answer or share in the prose is typed by hand.
"""

from __future__ import annotations

import pandas as pd

from pebench.arms import LABELS
from pebench.metrics.catalog import KINDS
from pebench.metrics.text import exact_match
from pebench.report.answer_analysis import answer_summary, matches_reference
from pebench.report.examples import question
from pebench.report.highlights import Highlights
from pebench.report.stored_answers import FIGURE_ONE_ROWS, StoredAnswers

FINETUNE = LABELS["finetune"]


def figure_one_highlights(answers: StoredAnswers, image_id: str, panel: pd.DataFrame, method: str) -> Highlights:
    """Who and what the Figure 1 image shows, each row's answers (``fig1_<row>_<kind>``) and
    whether each is the reference answer (``..._status``)."""
    dataset = answers.dataset
    image = dataset.images[image_id]
    out: Highlights = {
        "fig1_image": image_id,
        "fig1_person": dataset.persons[image.person_id].name,
        "fig1_event": dataset.events[image.event_id].name,
        "fig1_method": LABELS[method],
    }
    for (key, *_), label in zip(FIGURE_ONE_ROWS, panel.index):
        for kind in KINDS:
            answer = panel.loc[label, kind]
            right = exact_match(answer, question(dataset, image_id, kind).answer)
            out[f"fig1_{key}_{kind}"] = answer if answer else "(nothing)"
            out[f"fig1_{key}_{kind}_status"] = "the reference answer" if right else "a different answer"
    return out


def answer_type_highlights(answers: StoredAnswers, types: pd.DataFrame) -> Highlights:
    """Every share of :meth:`~pebench.report.stored_answers.StoredAnswers.answer_types` (``types_<target>_<model>_<type>``), which
    methods answer mostly another known name, and summaries of what replaced the reference."""
    out: Highlights = {
        "n_forget_events": len(answers.splits["event"].events),
        "n_events": len(answers.dataset.event_ids("fictitious")),
        "n_forget_person_questions": len(answers.forget("person")),
    }
    for target in KINDS:
        for label, row in types.loc[f"{target} unlearning"].iterrows():
            for column, value in row.items():
                key = f"types_{target}_{label.split()[0].lower()}_{column.replace(' ', '_')}"
                out[key] = int(value) if column == "distinct" else float(value)
    person = types.loc["person unlearning"].loc[answers.method_labels]
    event = types.loc["event unlearning"].loc[answers.method_labels]
    mostly_other_name = person.index[person["other known answer"] >= 0.9].tolist()
    out["n_person_mostly_other_name"] = len(mostly_other_name)
    out["person_mostly_other_name_methods"] = ", ".join(mostly_other_name) or "none"
    out["person_distinct_summary"] = ", ".join(f"{m} {person.loc[m, 'distinct']}" for m in mostly_other_name) or "none"
    degenerate = event[["empty", "loop", "fragment"]].sum(axis=1)
    out["event_degenerate_summary"] = ", ".join(f"{m} {v:.0%}" for m, v in degenerate.items() if v > 0) or "none"
    known = event["other known answer"]
    out["event_other_known_summary"] = ", ".join(f"{m} {v:.0%}" for m, v in known.items() if v > 0) or "none"
    out["types_person_most_like_goal"] = str(person["same as goal"].idxmax())
    out["types_person_most_like_goal_share"] = float(person["same as goal"].max())
    return out


def fluency_highlights(answers: StoredAnswers, examples: pd.DataFrame) -> Highlights:
    """Per target (``fluency_<target>_...``): how many methods answer every forget question with a
    well-formed answer, and the least fluent method with its fluency and its first degenerate answer."""
    out: Highlights = {}
    for target in KINDS:
        rows = examples.loc[f"{target} unlearning"].loc[answers.method_labels]
        fluent = rows.index[rows["fluency"] == 1.0].tolist()
        worst = str(rows["fluency"].idxmin())
        out[f"fluency_{target}_n_fluent"] = len(fluent)
        out[f"fluency_{target}_worst"] = worst
        out[f"fluency_{target}_worst_value"] = float(rows.loc[worst, "fluency"])
        out[f"fluency_{target}_worst_example"] = rows.loc[worst, "a loop"] or rows.loc[worst, "a fragment"] or "none"
    return out


def generality_highlights(answers: StoredAnswers) -> Highlights:
    """How often Finetune answers the forget questions right on held-out images, per target."""
    return {
        f"heldout_finetune_{t}": float(matches_reference(answers.forget(t, "heldout"), [FINETUNE])[FINETUNE].mean())
        for t in KINDS
    }


def scope_highlights(answers: StoredAnswers) -> Highlights:
    """How many of the other concept's answers on the forget images each method changed: the most,
    the least, the mean, and how many methods changed none, per target."""
    out: Highlights = {"n_methods": len(answers.methods)}
    for target in KINDS:
        table = answers.scope(target)
        changed = answer_summary(table, FINETUNE, answers.method_labels)["changed"]
        out[f"scope_{target}_n"] = int(len(table))
        out[f"scope_{target}_changed_max"] = float(changed.max())
        out[f"scope_{target}_changed_max_method"] = str(changed.idxmax())
        out[f"scope_{target}_changed_min"] = float(changed.min())
        out[f"scope_{target}_unchanged_methods"] = int((changed == 0).sum())
        out[f"scope_{target}_changed_mean"] = float(changed.mean())
    return out
