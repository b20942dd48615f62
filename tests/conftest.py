"""Shared fixtures: a private cache for every unit test, and one small trained pipeline that every
model-level test reuses.

The pipeline is small enough to pretrain and fine-tune in well under a minute on 2 cores, yet learns
its fictitious persons and events, so tests can check that unlearning really removes something.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pebench.data import DatasetConfig
from pebench.paths import ARTIFACTS_ENV
from pebench.pipeline import Pipeline, PipelineConfig
from pebench.train.stages import StageConfig

SMALL = PipelineConfig(
    data=DatasetConfig(n_persons=8, n_events=4, n_real_persons=3, n_real_events=2, seed=0, caption_images=0),
    pretrain=StageConfig(steps=150, lr=1.5e-3),
    finetune=StageConfig(steps=300, lr=1.5e-3, replay_fraction=0.25),
)


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this test session, shared by its processes under pytest-xdist (their temporary
    folders are siblings): the cache's entry locks let them share trained models, so that a model
    is trained once per session, not once per process."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def small_pipeline(tmp_path_factory) -> Pipeline:
    """A pipeline over a small dataset, with its fine-tuned model trained once per session."""
    pipeline = Pipeline(SMALL, root=shared_folder(tmp_path_factory, "small-pipeline"))
    pipeline.finetuned(progress=False)
    return pipeline


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    return shared_folder(tmp_path_factory, "pebench-cache")


@pytest.fixture(autouse=True)
def private_cache(request, session_cache, monkeypatch) -> None:
    """Unit tests read and fill a cache of their own (one per session), never the user's: what a
    test computes at its own small settings must not land where the book looks. The tests that
    re-execute the book's chapters (marked ``rerun``) use the user's cache, as the chapters do."""
    if request.node.get_closest_marker("rerun") is None:
        monkeypatch.setenv(ARTIFACTS_ENV, str(session_cache))
