"""The numbers a chapter's prose quotes, computed from its tables: ``{key: value}`` for ``glue``.

A chapter's text reads its numbers from these dictionaries (MyST-NB's ``glue``), so that no number
in the prose is typed by hand. Each function takes the table a chapter shows and returns every key
its prose may use, for whichever methods the table holds; keys that name a method exist for each
method present.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pebench import paper
from pebench.arms import BOUND_LABELS, LABELS
from pebench.budget import (
    CALIBRATION_BASE_SEED,
    CALIBRATION_FORGET_SEED,
    CALIBRATION_STEPS,
    TARGET_EFFICACY,
    BudgetCalibration,
)
from pebench.metrics.catalog import KINDS, OTHER_KIND
from pebench.metrics.probe import PROBE_SIZE
from pebench.paper import PAPER_METHODS
from pebench.setting import Setting
from pebench.study import TABLE1_COLUMNS, TABLE2_COLUMNS, mean_interference, summary_value
from pebench.verdicts import (
    CONFIDENCE,
    CONTRADICTED,
    GOAL_FORGETS,
    NOT_TESTABLE,
    READINGS,
    REPRODUCED,
    Verdict,
    interval_factor,
)

Highlights = dict[str, float | int | str]


def accuracy_highlights(accuracy: pd.DataFrame) -> Highlights:
    """Exact match of the fine-tuned model per population, split and kind (``fict_train_person``,
    ``real_heldout_general``, ...), and the ROUGE-L and keyword recall of event answers
    (``fict_heldout_event_rouge``, ``fict_train_event_keywords``, ...)."""
    out: Highlights = {}
    for split in ("train", "heldout"):
        for population, prefix in (("fictitious", "fict"), ("real", "real")):
            for kind in ("person", "event", "general"):
                out[f"{prefix}_{split}_{kind}"] = float(accuracy.loc[(population, split, kind), "exact_match"])
            out[f"{prefix}_{split}_event_keywords"] = float(accuracy.loc[(population, split, "event"), "keywords"])
    out["fict_heldout_event_rouge"] = float(accuracy.loc[("fictitious", "heldout", "event"), "rouge_l"])
    return out


def setting_highlights(setting: Setting, forget_sets: pd.DataFrame) -> Highlights:
    """How many runs a cell averages and how much the first forget draw forgets."""
    first = forget_sets.iloc[0]
    return {
        "n_forget_persons": len(first["forgotten persons"].split(", ")),
        "n_forget_events": len(first["forgotten events"].split(", ")),
        "n_seeds": len(setting.seeds),
        "n_base_models": len(setting.base_seeds),
        "n_runs": setting.n_runs,
        "n_methods": len(setting.methods),
    }


def budget_highlights(calibration: BudgetCalibration, setting: Setting) -> Highlights:
    """The budget rule's inputs and result (:mod:`pebench.budget`), and the budget the runs use."""
    out: Highlights = {
        "budget_target_efficacy": TARGET_EFFICACY,
        "budget_calibration_base_seed": CALIBRATION_BASE_SEED,
        "budget_calibration_forget_seed": CALIBRATION_FORGET_SEED,
        "budget_calibration_steps": CALIBRATION_STEPS,
        "budget_rule_steps": "not reached" if calibration.steps is None else calibration.steps,
        "budget_steps": setting.unlearn_steps,
        "budget_follows_rule": "yes" if calibration.steps == setting.unlearn_steps else "no",
    }
    at = calibration.curve.set_index("step")
    for name, step in (("rule", calibration.steps), ("last", CALIBRATION_STEPS)):
        if step is not None:
            out[f"budget_{name}_efficacy"] = float(at.loc[step, "efficacy"])
            out[f"budget_{name}_retain"] = float(at.loc[step, "retain"])
    return out


def table1_highlights(table1: pd.DataFrame, methods: Sequence[str]) -> Highlights:
    """Every cell of Table 1 (``t1_<target>_<method>_<metric>``), who is best and weakest, which
    methods forget at least half of the targets, and the range of the paper's own methods' efficacy
    with how many of them forget at least half (``paper_n_<target>_half_forgotten``).

    ``methods`` (registry names) are the unlearning methods among the rows; the bounds are read too.
    """
    out: Highlights = {}
    for target in KINDS:
        headers = {metric: header for header, metric in TABLE1_COLUMNS[target]}
        for method in ["finetune", *methods, "retrain"]:
            for metric, header in headers.items():
                out[f"t1_{target}_{method}_{metric}"] = float(table1.loc[LABELS[method], (target, header)])
    unlearners = table1.loc[[LABELS[m] for m in methods]]
    for target in KINDS:
        efficacy = unlearners[(target, "Efficacy")]
        out[f"best_{target}_retain_method"] = str(unlearners[(target, "Retain")].idxmax())
        out[f"weakest_{target}_method"] = str(efficacy.idxmin())
        out[f"weakest_{target}_efficacy"] = float(efficacy.min())
        out[f"n_{target}_efficacy_above_090"] = int((efficacy > 0.9).sum())
        out[f"strongest_{target}_method"] = str(efficacy.idxmax())
        out[f"strongest_{target}_efficacy"] = float(efficacy.max())
        half = efficacy >= 0.5
        out[f"n_{target}_half_forgotten"] = int(half.sum())
        out[f"{target}_half_forgotten_methods"] = ", ".join(efficacy.index[half]) or "none"
        out[f"{target}_below_half_methods"] = ", ".join(efficacy.index[~half]) or "none"
        retain = unlearners[(target, "Retain")]
        out[f"lowest_{target}_retain_method"] = str(retain.idxmin())
        out[f"lowest_{target}_retain"] = float(retain.min())
        table = paper.table1()
        theirs = table.loc[table["method"].isin(PAPER_METHODS) & (table["metric"] == f"{target}_efficacy"), "mean"]
        out[f"paper_{target}_efficacy_min"] = float(theirs.min())
        out[f"paper_{target}_efficacy_max"] = float(theirs.max())
        out[f"paper_n_{target}_half_forgotten"] = int((theirs >= 0.5).sum())
        out[f"mean_{target}_scope"] = float(unlearners[(target, "Scope")].mean())
        out[f"finetune_{target}_scope"] = out[f"t1_{target}_finetune_{OTHER_KIND[target]}_scope"]
    return out


def reading_highlights(summary: pd.DataFrame, methods: Sequence[str]) -> Highlights:
    """Efficacy under each reading (:data:`pebench.verdicts.READINGS`), averaged over the paper's
    methods among ``methods`` (registry names): ``reading_<target>_efficacy`` (the paper's scorers),
    ``..._efficacy_second`` and ``..._efficacy_goal`` where measured; and the largest difference, over
    all of ``methods``, between efficacy by the paper's scorer and by the second
    (``reading_<target>_max_second_gap``); and the paper's own event efficacy (G-Eval) of its bounds,
    ``paper_<bound>_event_efficacy`` (``finetune``, ``retrain``)."""
    table = paper.table1().set_index(["method", "target", "metric"])["mean"]
    out: Highlights = {
        f"paper_{bound}_event_efficacy": float(table[(LABELS[bound], "event", "event_efficacy")])
        for bound in ("finetune", "retrain")
    }
    ours = [LABELS[m] for m in methods]
    for target in KINDS:
        rows = summary[(summary["target"] == target) & summary["method"].isin(ours)]
        efficacy = rows.pivot_table(index="method", columns="metric", values="mean")
        for reading in READINGS.values():
            metric = f"{target}_efficacy{reading}"
            if metric in efficacy:
                out[f"reading_{metric}"] = float(efficacy.loc[efficacy.index.isin(PAPER_METHODS), metric].mean())
        gap = efficacy[f"{target}_efficacy"] - efficacy[f"{target}_efficacy_second"]
        out[f"reading_{target}_max_second_gap"] = float(gap.abs().max())
    return out


def interference_highlights(interference: pd.DataFrame) -> Highlights:
    """The unlearning methods' mean change of the other concept on the same images, on other
    images, and their difference, per forgotten concept (:func:`pebench.study.mean_interference`);
    and how many methods interfere (interference < -0.02)."""
    by_target = mean_interference(interference)
    unlearners = interference[~interference["method"].isin(BOUND_LABELS.values())]
    columns = {
        "same": "other concept, same images",
        "elsewhere": "other concept, other images",
        "interference": "interference",
    }
    out: Highlights = {"n_methods": int(unlearners["method"].nunique())}
    for forgotten in KINDS:
        for key, column in columns.items():
            out[f"{forgotten}_{key}"] = float(by_target.loc[forgotten, column])
        interfering = unlearners[unlearners["forgotten"] == forgotten]["interference"] < -0.02
        out[f"{forgotten}_n_negative"] = int(interfering.sum())
    return out


def joint_highlights(table2: pd.DataFrame, gains: pd.DataFrame, conflict: pd.DataFrame) -> Highlights:
    """Every cell of Table 2 (``t2_<row>_<metric>``), of the balancing gains (``gain_<base>_<metric>``)
    and the change of each concept from alone to together (``conflict_<base>_<concept>_<metric>_change``)."""
    out: Highlights = {}
    columns = TABLE2_COLUMNS["joint"]
    for row in table2.index:
        key = row.lower().replace(" + ", "_").replace(" (retrain)", "").replace(" ", "_")
        for header, metric in columns:
            out[f"t2_{key}_{metric}"] = float(table2.loc[row, ("joint", header)])
    for row in gains.index:
        base = row.split(" + ")[0]
        for header, metric in columns:
            out[f"gain_{base.lower()}_{metric}"] = float(gains.loc[row, header])
    for (method, concept, metric), change in conflict["change"].items():
        out[f"conflict_{method.lower()}_{concept}_{metric}_change"] = float(change)
    return out


def curves_highlights(curves: pd.DataFrame) -> Highlights:
    """How the probe curves (:func:`pebench.study.curves_alone_vs_together`) were measured: the probe's
    questions per concept and split (``probe_size``) and the probes after the first step (``n_probes``)."""
    return {"probe_size": PROBE_SIZE, "n_probes": int(curves["step"].nunique()) - 1}


def verdict_highlights(
    verdicts: Sequence[Verdict], single: pd.DataFrame, joint: pd.DataFrame, reading: str = ""
) -> Highlights:
    """Each claim's verdict and values: ``verdict_<key>``, ``ours_<key>`` (the mean of the runs),
    ``low_<key>`` and ``high_<key>`` (its interval over the replicates), ``definite_<key>`` (the
    interval's half-width), ``held_<key>`` (replicates it holds in), ``why_<key>`` (the numbers
    behind it, on the mean of the runs' tables), ``blocked_<key>`` (the calibration conditions that
    block it, or "nothing"), ``threshold_<key>`` (its threshold, as the table prints it) and, for
    the paper's claims, ``paper_<key>`` (on the paper's tables); of the paper's ``n_claims`` claims,
    how many could be judged (``n_testable``), were reproduced (``n_reproduced``), contradicted
    (``n_contradicted``) and blocked (``n_blocked``: ``blocked_claims``, by
    ``blocking_conditions``), over ``n_replicates``, with the
    interval's factor ``interval_t`` (:func:`pebench.verdicts.interval_factor`) and level
    ``interval_confidence`` (``"95%"``); and each joint base
    method's efficacy (in efficacy ``reading``, :data:`pebench.verdicts.READINGS`) and retain with one
    concept forgotten alone and with both, from the summaries ``single`` and ``joint``
    (``gd_person_efficacy_alone``, ``gd_person_efficacy_joint``, ...), and each claim's
    ``paper_margin_<key>``."""
    out: Highlights = {}
    for verdict in verdicts:
        key = verdict.key
        out |= {f"verdict_{key}": verdict.verdict, f"ours_{key}": verdict.ours, f"held_{key}": verdict.held}
        out |= {f"low_{key}": verdict.low, f"high_{key}": verdict.high, f"why_{key}": verdict.why}
        out[f"definite_{key}"] = verdict.definite
        out[f"blocked_{key}"] = verdict.blocked_by or "nothing"
        out[f"threshold_{key}"] = verdict.threshold
        if not verdict.beyond_paper:
            out[f"paper_{key}"] = verdict.paper
            out[f"paper_margin_{key}"] = verdict.paper_margin
    claims = [v for v in verdicts if not v.beyond_paper and v.key != "0"]
    out["n_reproduced"] = sum(v.verdict == REPRODUCED for v in claims)
    out["n_contradicted"] = sum(v.verdict == CONTRADICTED for v in claims)
    out["n_testable"] = sum(v.verdict != NOT_TESTABLE for v in claims)
    blocked = [v for v in claims if v.blocked_by]
    out["n_blocked"] = len(blocked)
    out["blocked_claims"] = ", ".join(v.key for v in blocked) or "none"
    conditions = dict.fromkeys(part for v in verdicts for part in v.blocked_by.split("; ") if part)
    out["blocking_conditions"] = "; ".join(conditions) or "none"
    out["n_claims"] = len(claims)
    out["n_replicates"] = max(v.replicates for v in verdicts)
    out["interval_t"] = interval_factor(int(out["n_replicates"]))
    out["interval_confidence"] = f"{CONFIDENCE:.0%}"
    for base in dict.fromkeys(m.split(" + ")[0] for m in joint["method"] if " + balanced" in m):
        for kind in KINDS:
            for metric in ("efficacy", "retain"):
                name, column = f"{base.lower()}_{kind}_{metric}", f"{kind}_{metric}"
                column += reading if metric == "efficacy" else ""
                out[f"{name}_alone"] = summary_value(single, base, kind, column)
                out[f"{name}_joint"] = summary_value(joint, base, "joint", column)
    return out


def _interval_highlights(table: pd.DataFrame, names: pd.Series) -> Highlights:
    """``<name>_verdict``, ``_ours``, ``_low`` and ``_high`` of each row of a table of claims with
    intervals (:func:`pebench.verdicts.reading_table`, :func:`pebench.verdicts.joint_budget_table`),
    each row's ``<name>`` given by ``names``."""
    out: Highlights = {}
    for name, row in zip(names, table.itertuples()):
        out |= {f"{name}_verdict": row.verdict, f"{name}_ours": row.ours, f"{name}_low": row.low}
        out[f"{name}_high"] = row.high
    return out


def claim_reading_highlights(readings: pd.DataFrame) -> Highlights:
    """Each claim of :func:`pebench.verdicts.reading_table` under each reading, by the reading's
    suffix (``paper`` for the paper's scorers): ``reading_<suffix>_<key>_verdict``, ``..._ours``,
    ``..._low``, ``..._high``."""
    suffix = {label: reading.lstrip("_") or "paper" for label, reading in READINGS.items()}
    return _interval_highlights(readings, "reading_" + readings["reading"].map(suffix) + "_" + readings["claim"])


def joint_budget_highlights(budgets: pd.DataFrame) -> Highlights:
    """Each joint claim of :func:`pebench.verdicts.joint_budget_table` at each joint budget:
    ``<budget>_<key>_verdict``, ``..._ours``, ``..._low``, ``..._high`` (``equal_steps_4_verdict``, ...)."""
    return _interval_highlights(budgets, budgets["joint budget"].str.replace(" ", "_") + "_" + budgets["claim"])


def chance_highlights(levels: pd.DataFrame) -> Highlights:
    """The numbers the dataset chapter quotes from :func:`pebench.metrics.chance.chance_levels`: each
    level as ``chance_<kind>_<scorer>``, the efficacy an answer at chance reads, ``1 - c``, for the
    event scorers (``..._efficacy``), and how many pairs each level averages (``chance_pairs``)."""
    values: Highlights = {"chance_pairs": int(levels["pairs"].min())}
    for row in levels.itertuples():
        values[f"chance_{row.kind}_{row.scorer}"] = float(row.chance)
        if row.kind == "event":
            values[f"chance_{row.kind}_{row.scorer}_efficacy"] = 1.0 - float(row.chance)
    return values


def goal_at_chance_highlights(levels: pd.DataFrame, single: pd.DataFrame) -> Highlights:
    """The event scorers' chance levels (:func:`pebench.metrics.chance.chance_levels`, with the
    efficacy an answer at chance reads) beside the Goal model's scores on the forgotten events, from
    the one-concept summary ``single``: ``goal_event_rouge_l`` and ``goal_event_keywords``; the
    bounds' event efficacy on the chance scale (``goal_event_efficacy_chance``,
    ``finetune_event_efficacy_chance``; ``single`` summarises
    :func:`pebench.metrics.chance.chance_scaled` runs); and whether the calibration gate's event
    threshold (``gate_goal_efficacy``, a ROUGE-L of at most ``gate_goal_rouge_l``) asks for a ROUGE-L
    ``"below"`` chance or ``"at or above"`` it (``gate_vs_chance``)."""
    goal, finetune = BOUND_LABELS["retrain"], BOUND_LABELS["finetune"]
    chance = chance_highlights(levels)
    below = chance["chance_event_rouge_l"] > 1.0 - GOAL_FORGETS
    return chance | {
        "goal_event_rouge_l": 1.0 - summary_value(single, goal, "event", "event_efficacy"),
        "goal_event_keywords": 1.0 - summary_value(single, goal, "event", "event_efficacy_second"),
        "goal_event_efficacy_chance": summary_value(single, goal, "event", "event_efficacy_chance"),
        "finetune_event_efficacy_chance": summary_value(single, finetune, "event", "event_efficacy_chance"),
        "gate_vs_chance": "below" if below else "at or above",
        "gate_goal_efficacy": GOAL_FORGETS,
        "gate_goal_rouge_l": 1.0 - GOAL_FORGETS,
    }
