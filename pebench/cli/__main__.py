"""``python -m pebench.cli``: the ``pebench`` command (also what ``accelerate launch -m pebench.cli`` runs)."""

import sys

from pebench.cli import main

if __name__ == "__main__":
    sys.exit(main())
