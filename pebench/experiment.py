"""One experiment = (base pipeline, forget target, method, hyper-parameters, unlearning settings).

``run_experiment`` is what chapters call: it returns the metrics of one unlearning run and caches
them on disk under a key made from every parameter and the code version (``pebench.cache``).
Two pseudo-methods give the paper's bounds: ``"finetune"`` (the model before unlearning) and
``"retrain"`` (the fine-tuning stage rerun without the forget set: the *Goal* oracle).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pebench import numerics
from pebench.cache import (
    STAMP,
    atomic_write_json,
    cache_key,
    class_code_digest,
    fill_once,
    read_json,
    source_fingerprint,
    stamp,
    touch,
)
from pebench.metrics import METRIC_SOURCES, GoalReference, evaluate, goal_reference
from pebench.metrics.probe import progress_probe
from pebench.pipeline import MODEL_SOURCES, Pipeline
from pebench.profiling import stage
from pebench.targets import ForgetSpec, ForgetSplit
from pebench.unlearn import METHODS, UnlearnConfig, make_method, unlearn

logger = logging.getLogger(__name__)

BOUNDS = ("finetune", "retrain")
#: Probe measurements along an unlearning run (besides the one before it), the book's default.
PROBES = 8
#: The modules whose code determines a result beyond the base models (part of its cache key). The
#: metric catalog (names, labels, descriptions) is left out: it computes nothing.
RESULT_SOURCES = ("inference.py", "decoding.py", *METRIC_SOURCES, "targets.py", "experiment.py")
#: The modules every unlearning run uses besides its method's own (``UnlearningMethod.sources``):
#: the loss interface and the loop. The registry and the other methods compute nothing of a run,
#: so adding or editing one method recomputes its own runs only.
UNLEARNING_SOURCES = ("unlearn/base.py", "unlearn/runner.py")


def method_names() -> tuple[str, ...]:
    """Every name ``Experiment.method`` accepts: the two bounds and the registered methods."""
    return BOUNDS + tuple(METHODS)


@dataclass(frozen=True)
class Experiment:
    """An unlearning run: ``method`` with ``hyperparameters`` on a ``ForgetSpec``."""

    method: str
    forget: ForgetSpec = field(default_factory=ForgetSpec)
    hyperparameters: dict[str, object] = field(default_factory=dict)
    unlearn: UnlearnConfig = field(default_factory=UnlearnConfig)
    #: Compute ``forget_quality`` against the retrain oracle (trains the oracle once per forget set;
    #: sweeps that vary the forget set switch it off to stay within the time budget).
    compare_to_oracle: bool = True
    #: How many times the run measures efficacy and retain on the probe set along the way (at most
    #: once a step), besides before its first step (:mod:`pebench.metrics.probe`); 0: never.
    probes: int = PROBES

    def __post_init__(self) -> None:
        if self.method not in method_names():
            raise ValueError(f"method must be one of {method_names()}, got {self.method!r}")
        if isinstance(self.probes, bool) or not isinstance(self.probes, int) or self.probes < 0:
            raise ValueError(f"probes must be an integer >= 0, got {self.probes!r}")
        if self.method not in BOUNDS:
            make_method(self.method, **self.hyperparameters)  # validates the hyper-parameters now


def run_experiment(pipeline: Pipeline, experiment: Experiment, *, progress: bool = True) -> dict:
    """Metrics (and per-item answers) of ``experiment``, computed once and then read from disk."""
    path = result_path(pipeline, experiment)
    fill_once(path, lambda: atomic_write_json(path, _compute(pipeline, experiment, progress)))
    touch(path)
    return read_json(path)  # exactly what a rerun reads back (keys sorted), so tables never depend on the cache


def _compute(pipeline: Pipeline, experiment: Experiment, progress: bool) -> dict:
    """The result of ``experiment``: train or unlearn, then evaluate (what ``run_experiment`` stores)."""
    split = ForgetSplit(pipeline.dataset, experiment.forget)
    start = time.perf_counter()
    history: list[dict[str, float]] = []
    if experiment.method == "retrain":
        model = pipeline.finetuned(split.forget_qa_ids, progress=progress)
    else:
        model = pipeline.finetuned(progress=progress)
        if experiment.method != "finetune":
            method = make_method(experiment.method, **experiment.hyperparameters)
            probe = _timed(progress_probe(model, pipeline.encoder, split)) if experiment.probes else None
            history = [{"step": 0.0, **probe()}] if probe else []
            with stage("unlearning steps"):
                history += unlearn(
                    model,
                    pipeline.encoder,
                    split,
                    method,
                    experiment.unlearn,
                    progress=progress,
                    probe=probe,
                    probe_every=max(1, experiment.unlearn.steps // experiment.probes) if probe else 0,
                )
    seconds = time.perf_counter() - start
    goal = oracle_reference(pipeline, split, progress=progress) if experiment.compare_to_oracle else None
    metrics, table = evaluate(model, pipeline.encoder, split, goal=goal)
    logger.info("%s on %s: %s", experiment.method, experiment.forget, {k: round(v, 3) for k, v in metrics.items()})
    return {
        "experiment": dataclasses.asdict(experiment),
        "forget_persons": sorted(split.persons),
        "forget_events": sorted(split.events),
        "metrics": metrics,
        "seconds": seconds,
        "history": history,
        "predictions": dict(zip(table["qa_id"], table["prediction"])),
        STAMP: result_stamp(experiment),
    }


def _timed(probe: Callable[[], dict[str, float]]) -> Callable[[], dict[str, float]]:
    """``probe``, timed as the profile's "probes" stage."""

    def measure() -> dict[str, float]:
        with stage("probes"):
            return probe()

    return measure


def result_stamp(experiment: Experiment | None = None) -> dict[str, str]:
    """What a result (or, without ``experiment``, a retrain oracle's reference) is made with beyond
    its parameters (:func:`pebench.cache.stamp`): the code of the models, of evaluation and of the
    run's unlearning method, and the numerics."""
    made_with = {
        "model_code": source_fingerprint(*MODEL_SOURCES),
        "result_code": source_fingerprint(*RESULT_SOURCES),
        "numerics": numerics.signature(),
    }
    if experiment is not None and experiment.method not in BOUNDS:
        made_with |= {"method": experiment.method, "unlearning_code": _unlearning_code(experiment)}
    return stamp(**made_with)


def result_path(pipeline: Pipeline, experiment: Experiment) -> Path:
    """Where ``run_experiment`` caches the result of ``experiment``."""
    return pipeline.root / "results" / f"{_result_key(pipeline, experiment, _unlearning_code(experiment))}.json"


def is_cached(pipeline: Pipeline, experiment: Experiment) -> bool:
    """Whether ``run_experiment`` would read ``experiment`` back instead of computing it."""
    return result_path(pipeline, experiment).exists()


def _result_key(pipeline: Pipeline, *parts: object) -> str:
    return cache_key(
        source_fingerprint(*MODEL_SOURCES),
        source_fingerprint(*RESULT_SOURCES),
        numerics.signature(),
        pipeline.config,
        *parts,
    )


def _unlearning_code(experiment: Experiment) -> str | None:
    """The fingerprint of the code that unlearns in ``experiment`` (None for a bound, which unlearns nothing)."""
    if experiment.method in BOUNDS:
        return None
    return unlearning_code(experiment.method, experiment.hyperparameters)


def unlearning_code(method_name: str, hyperparameters: dict[str, object]) -> str:
    """The fingerprint of the code that unlearns with the registered method ``method_name``: the
    shared loop and the method's own modules (its class's code, for a method defined outside pebench)."""
    method = make_method(method_name, **hyperparameters)
    code = source_fingerprint(*dict.fromkeys((*UNLEARNING_SOURCES, *method.sources())))
    if type(method).__module__.partition(".")[0] != "pebench":
        return cache_key(code, class_code_digest(type(method)))
    return code


def oracle_reference(pipeline: Pipeline, split: ForgetSplit, *, progress: bool = True) -> GoalReference:
    """The retrain oracle's forget-set statistics and answers (cached): the reference of
    ``forget_quality`` and of ``{k}_efficacy_goal``."""
    path = pipeline.root / "results" / f"oracle-{_result_key(pipeline, split.spec)}.json"

    def fill() -> None:
        oracle = pipeline.finetuned(split.forget_qa_ids, progress=progress)
        with stage("evaluation: retrain oracle"):
            reference = dataclasses.asdict(goal_reference(oracle, pipeline.encoder, split))
        atomic_write_json(path, {"reference": reference, STAMP: result_stamp()})

    fill_once(path, fill)
    touch(path)
    return GoalReference(**read_json(path)["reference"])
