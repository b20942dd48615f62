"""pebench_book: the tooling that makes the book out of the ``pebench`` library.

The library (``pebench``) holds the science: the dataset, the model, training, unlearning, the
metrics, the experiments and their cache, the analysis and the plots. This package holds what
turns it into a published book, and nothing the chapters compute with:

* :mod:`pebench_book.chapters` lists the chapter notebooks and executes them with papermill;
* :mod:`pebench_book.verify` re-executes chapters into a scratch folder and compares their tables
  with the published ones;
* :mod:`pebench_book.site` builds the versioned website with jupyter-book and reads the chapters'
  ``parameters`` cells;
* :mod:`pebench_book.publish` assembles what a release deploys: the published versions plus this one;
* :mod:`pebench_book.sphinxext` is the book's Sphinx extension (version, footer, directives);
* :mod:`pebench_book.performance` reads the committed benchmark results for the book's pages.

Why apart: a reader who imports ``pebench`` to run an experiment, and the cache keys that follow
the library's code, should not depend on Sphinx, docutils, papermill or nbformat, nor change when
the website does. The library imports nothing from here; the ``pebench`` command
(:mod:`pebench.cli`) reaches this package only inside the handlers of its book commands
(``chapters``, ``run-chapter``, ``verify``, ``site``, ``book``), so ``import pebench.cli`` stays free
of them too (``tests/test_layout.py`` checks both).
"""
