"""pebench: a laptop-scale, reproducible companion to the PEBench paper (arXiv 2503.12545)."""

__version__ = "0.1.0"
