"""Shared fixtures: one small trained pipeline that every model-level test reuses.

It is small enough to pretrain and fine-tune in well under a minute on 2 cores, yet learns its
fictitious persons and events, so tests can check that unlearning really removes something.
"""

from __future__ import annotations

import pytest

from pebench.data import DatasetConfig
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.train.stages import StageConfig

SMALL = PipelineConfig(
    data=DatasetConfig(n_persons=8, n_events=4, n_real_persons=3, n_real_events=2, seed=0, caption_images=0),
    pretrain=StageConfig(steps=150, lr=1.5e-3),
    finetune=StageConfig(steps=300, lr=1.5e-3, replay_fraction=0.25),
)


@pytest.fixture(scope="session")
def small_pipeline(tmp_path_factory) -> Pipeline:
    """A pipeline over a small dataset, with its fine-tuned model trained once per session."""
    pipeline = Pipeline(SMALL, root=tmp_path_factory.mktemp("artifacts"))
    pipeline.finetuned(progress=False)
    return pipeline
