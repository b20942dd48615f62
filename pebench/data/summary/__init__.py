"""Tables and figures that describe a generated PEBench dataset.

The paper's descriptive material (dataset statistics, the event taxonomy, the image generator's
settings, the comparison with earlier benchmarks, sample images, the pipeline) is rebuilt here for
*our* data, so that it is tested and so that a notebook that shows it stays prose plus calls.
Every number comes from the dataset or from the generator's own modules, never retyped: when
someone changes a default, a vocabulary or a variation range, the tables follow on their next run.
The one deliberate exception is :func:`~pebench.data.summary.comparison.benchmark_comparison`,
whose rows for other benchmarks quote their papers.

The package is split by job:

* :mod:`~pebench.data.summary.statistics`: counts, the taxonomy, the questions;
* :mod:`~pebench.data.summary.persons`: the persons' profiles and how each tokenizer cuts their names;
* :mod:`~pebench.data.summary.generator_settings`: the generator's settings, read off its code;
* :mod:`~pebench.data.summary.comparison`: the comparison with earlier benchmarks;
* :mod:`~pebench.data.summary.images`: figures of the images and of the captioned pictures;
* :mod:`~pebench.data.summary.pipeline_diagram`: the pipeline as a flow diagram.

Its public names are re-exported here (``from pebench.data import summary``, then
``summary.dataset_statistics(dataset)``). Matplotlib is imported inside the plotting functions
only, so that the tables need no plotting stack.
"""

from pebench.data.summary.comparison import UNKNOWN, benchmark_comparison
from pebench.data.summary.generator_settings import face_ratio_range, generator_parameters, variation_ranges
from pebench.data.summary.images import plot_captions, plot_sample_grid, plot_train_vs_heldout
from pebench.data.summary.persons import name_token_sharing, name_tokens, person_profiles
from pebench.data.summary.pipeline_diagram import plot_pipeline
from pebench.data.summary.statistics import (
    IDENTITY_KINDS,
    config_from_parameters,
    dataset_statistics,
    example_images,
    headline_counts,
    image_side,
    keyword_sharing_comparison,
    pipeline_counts,
    qa_examples,
    taxonomy_coverage,
    taxonomy_table,
)

__all__ = [
    "IDENTITY_KINDS",
    "UNKNOWN",
    "benchmark_comparison",
    "config_from_parameters",
    "dataset_statistics",
    "example_images",
    "headline_counts",
    "face_ratio_range",
    "generator_parameters",
    "image_side",
    "keyword_sharing_comparison",
    "name_token_sharing",
    "name_tokens",
    "person_profiles",
    "pipeline_counts",
    "plot_captions",
    "plot_pipeline",
    "plot_sample_grid",
    "plot_train_vs_heldout",
    "qa_examples",
    "taxonomy_coverage",
    "taxonomy_table",
    "variation_ranges",
]
