"""Models: the tiny LLaVA trained from scratch, and loading of any LLaVA-compatible checkpoint."""

from pebench import numerics
from pebench.model.loading import load_model, save_model
from pebench.model.summary import parameter_counts, parameter_table
from pebench.model.tiny import TinyLlavaSpec, build_tiny_llava, build_tiny_processor
from pebench.model.tokenizer import build_word_tokenizer

numerics.configure_torch()  # before any model computes: threads and oneDNN (see pebench.numerics)

__all__ = [
    "TinyLlavaSpec",
    "build_tiny_llava",
    "build_tiny_processor",
    "build_word_tokenizer",
    "load_model",
    "parameter_counts",
    "parameter_table",
    "save_model",
]
