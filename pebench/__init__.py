"""pebench: a laptop-scale, reproducible companion to the PEBench paper (arXiv 2503.12545)."""

import warnings

from pebench import numerics

__version__ = "0.1.0"

# Before anything imports torch: the same bits on every x86-64 machine (see pebench.numerics).
numerics.configure()
# transformers imports tqdm.auto; in a Jupyter kernel without ipywidgets that warns once and falls
# back to text bars, which is what the chapters want (they hide their bars anyway).
warnings.filterwarnings("ignore", message="IProgress not found", module="tqdm")
