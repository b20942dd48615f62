"""Which property of a pretrained MLLM makes events hard to forget: the design, one element off at a time.

The simulation gives the tiny model four things a pretrained MLLM brings to PEBench
(:data:`ELEMENTS`): events it can see as scenes made of shared parts, a captioning prior over those
parts, names cut into subword pieces other names share, and a vision tower that fine-tuning and
unlearning leave alone. The ablation runs the same reduced grid on the full design and on the
design with each element switched back to its simple form, so a difference between two rows is
that one element's doing (on one base model and forget draw: the rows share both).

It reads the claims about efficacy across methods and concepts that need no Goal model
(:data:`ABLATION_CLAIMS`): a design costs its own pretraining and fine-tuning, and a retrain oracle
per target would triple that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import pandas as pd

from pebench.arms import LABELS, Arm, arms
from pebench.data import ensure_dataset
from pebench.paper import PAPER_METHODS
from pebench.pipeline import Pipeline, PipelineConfig, base_config
from pebench.setting import Setting
from pebench.study import grid_tasks, summarize
from pebench.verdicts import CLAIMS, Tables
from pebench.workers import run_experiments

#: The label of the design with every element on.
FULL_DESIGN = "full design"


@dataclass(frozen=True)
class Element:
    """One property of the simulation: how to tell it is on, and the design without it."""

    name: str
    #: A short name for the values the book quotes about the design without it.
    key: str
    #: What the design uses instead when the element is off.
    instead: str
    is_on: Callable[[PipelineConfig], bool]
    switch_off: Callable[[PipelineConfig], PipelineConfig]

    @property
    def label(self) -> str:
        """The ablation row of the design without this element."""
        return f"without {self.name} ({self.instead})"


#: The elements, in the order the ablation switches them off.
ELEMENTS = (
    Element(
        "scene events",
        "scenes",
        "label events",
        lambda c: c.data.events == "scenes",
        lambda c: replace(c, data=replace(c.data, events="labels")),
    ),
    Element(
        "captioning pretraining",
        "captions",
        "no captioned pictures",
        lambda c: c.data.caption_images > 0,
        lambda c: replace(c, data=replace(c.data, caption_images=0)),
    ),
    Element(
        "subword names",
        "subword",
        "one word token per name part",
        lambda c: c.model.tokenizer == "subword",
        lambda c: replace(c, model=replace(c.model, tokenizer="word")),
    ),
    Element(
        "a frozen tower",
        "frozen",
        "tower trained throughout",
        lambda c: c.freeze_vision_tower,
        lambda c: replace(c, freeze_vision_tower=False),
    ),
)


def ablation_designs(config: PipelineConfig) -> dict[str, PipelineConfig]:
    """``config`` (which must have every element on) and, for each element, ``config`` without it,
    by ablation row label."""
    off = [element.name for element in ELEMENTS if not element.is_on(config)]
    if off:
        raise ValueError(f"the ablation starts from the full design; these elements are off: {', '.join(off)}")
    return {FULL_DESIGN: config} | {element.label: element.switch_off(config) for element in ELEMENTS}


#: The reduced grid's one base model (with its forget draw), shared by every design.
ABLATION_BASE_SEED = 0


def ablation_setting(base_seed: int | None = None, **parameters: object) -> Setting:
    """The ablation's runs: the book's setting (:meth:`pebench.setting.Setting.from_parameters`;
    ``None`` keeps a default) on one base model, ``base_seed`` (default :data:`ABLATION_BASE_SEED`),
    and the paper's methods among the book's unless ``methods`` says otherwise."""
    defaults = {
        "base_seeds": (ABLATION_BASE_SEED if base_seed is None else base_seed,),
        "methods": tuple(m for m in Setting().methods if LABELS[m] in PAPER_METHODS),
    }
    given = {name: value for name, value in parameters.items() if value is not None}
    return Setting.from_parameters(**(defaults | given))


def ablation_rows(setting: Setting) -> list[Arm]:
    """The rows each design runs: Finetune (the reference every efficacy is read against) and the
    methods. No Goal: it would need a retrain oracle per design and target."""
    return [Arm("finetune"), *arms(setting.methods)]


#: The claims read in each design: events are harder to forget (3a) and their efficacy varies more
#: across methods (3c), both on efficacy against the reference, so no Goal model is needed.
ABLATION_CLAIMS = ("3a", "3c")


def ablation_models(root: Path | None = None) -> list[tuple[Pipeline, frozenset[str]]]:
    """The base models the ablation fine-tunes at its defaults: each design's fine-tuned model (no
    retrain oracles), for :func:`pebench.workers.train_shared_models`, which trains them beside the other
    chapters' before the first chapter runs."""
    designs = ablation_designs(base_config(ABLATION_BASE_SEED))
    return [(Pipeline(config, root=root), frozenset()) for config in designs.values()]


def run_ablation(
    pipeline: Pipeline,
    rows: Sequence[Arm],
    targets: Sequence[str],
    seeds: Sequence[int],
    *,
    workers: int | None = None,
    progress: bool = True,
    **grid: object,
) -> pd.DataFrame:
    """The long results of :func:`pebench.study.run_grid` (same arguments) on each of
    :func:`ablation_designs` of ``pipeline``'s configuration, with a first column ``design`` (the row
    label). Every design's runs go to the workers at once, so the designs' base models train in
    parallel. A design's dataset is generated first, with a progress bar only when ``progress``."""
    designs = ablation_designs(pipeline.config)
    for config in designs.values():
        ensure_dataset(config.data, pipeline.root / "data", progress=progress)
    tasks = [
        (label, labels, task)
        for label, config in designs.items()
        for labels, task in grid_tasks(
            Pipeline(config, root=pipeline.root, device=str(pipeline.device)), rows, targets, seeds, **grid
        )
    ]
    results = run_experiments([task for _, _, task in tasks], workers=workers, progress=progress)
    return pd.DataFrame.from_records(
        {"design": label, **labels, "metric": metric, "value": value, "seconds": result["seconds"]}
        for (label, labels, _), result in zip(tasks, results)
        for metric, value in result["metrics"].items()
    )


def design_efficacy(long: pd.DataFrame, methods: Sequence[str]) -> pd.DataFrame:
    """Each design's mean efficacy and retain over ``methods`` (display names), per forgotten concept
    (rows: design in ablation order; columns: ``(target, metric)``)."""
    runs = long[long["method"].isin(methods)]
    kept = runs[(runs["metric"] == runs["target"] + "_efficacy") | (runs["metric"] == runs["target"] + "_retain")]
    means = kept.assign(metric=kept["metric"].str.split("_").str[1]).pivot_table(
        index="design", columns=["target", "metric"], values="value", aggfunc="mean", sort=False
    )
    return means.reindex(long["design"].unique())


def design_claims(long: pd.DataFrame, methods: Sequence[str]) -> pd.DataFrame:
    """:data:`ABLATION_CLAIMS` in each design, on the means of its runs of ``methods`` (display
    names): columns ``design``, ``claim``, ``value``, ``holds`` (None where the claim cannot be read,
    as 3c with one method), ``detail``."""
    no_joint = pd.DataFrame(columns=["method", "target", "metric", "mean"])
    rows = []
    for label, runs in long.groupby("design", sort=False):
        tables = Tables(summarize(runs), no_joint, tuple(methods), ())
        for key in ABLATION_CLAIMS:
            outcome = CLAIMS[key].test(tables)  # None: the claim needs more methods than were run
            value, holds, detail = (float("nan"), None, "") if outcome is None else astuple(outcome)
            rows.append({"design": label, "claim": key, "value": value, "holds": holds, "detail": detail})
    return pd.DataFrame(rows, columns=["design", "claim", "value", "holds", "detail"])


def ablation_highlights(efficacy: pd.DataFrame, claims: pd.DataFrame) -> dict[str, float | str]:
    """The values the ablation's text quotes, per design (``full`` or an element's ``key``): mean
    person and event efficacy (``person_efficacy_scenes``, ...) and, for a design with an element
    off, its change from the full design's (``person_change_scenes``, ...), and each claim's value
    and whether it holds (``gap_3a_full``, ``holds_3a_full``: "holds" or "does not hold")."""
    keys = {FULL_DESIGN: "full"} | {element.label: element.key for element in ELEMENTS}
    verdicts = {True: "holds", False: "does not hold", None: "cannot be read"}
    values: dict[str, float | str] = {}
    for label, key in keys.items():
        for target in ("person", "event"):
            values[f"{target}_efficacy_{key}"] = float(efficacy.loc[label, (target, "efficacy")])
            if key != "full":
                full = float(efficacy.loc[FULL_DESIGN, (target, "efficacy")])
                values[f"{target}_change_{key}"] = values[f"{target}_efficacy_{key}"] - full
        for row in claims[claims["design"] == label].itertuples():
            values[f"gap_{row.claim}_{key}"] = float(row.value)
            values[f"holds_{row.claim}_{key}"] = verdicts[row.holds]
    return values
