# Two targets for people:
#   make book   execute every chapter notebook in place, then build the versioned website into
#               _build/site/<version>/ (also left in _build/html) with switcher.json and index.html
#   make test   run the whole test suite: tests/ and the committed chapters (re-executed by nbval)
# Both first create .venv (if missing) and install the project into it; the install is redone
# only when pyproject.toml changes (stamp file .venv/.installed).

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS := book,test

# One pytest command for everything: the unit tests and nbval over the committed chapters
# (notebooks/ is named only if it exists, so that a checkout without chapters fails on the tests
# that say so rather than on a pytest usage error), in two processes, one per core (pytest-xdist):
# a file's tests at a time to whichever process is free, in order (conftest.py's scheduler).
PYTEST_ARGS := tests $(wildcard notebooks) --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -n 2

.PHONY: book test install
.DELETE_ON_ERROR:

# `pebench book` (pebench/cli/): pebench chapters run, then pebench site build,
# which runs jupyter-book build --all -W -n --keep-going and installs the HTML as this version's
# folder of the site. PEBENCH_SITE_BASE_URL sets the path the site is served under (default /).
book: install
	$(VPY) -m pebench.cli book

test: install
	$(VPY) -m pytest $(PYTEST_ARGS)

install: $(STAMP)

$(VPY):
	$(PYTHON) -m venv $(VENV)

# Install the project with its extras; register this venv's interpreter as the kernelspec
# "python3" that papermill runs the chapters on; build matplotlib's font cache now, since its
# first-use message would otherwise be an unexpected stderr output when nbval re-executes a chapter.
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -e '.[$(EXTRAS)]'
	$(VPY) -m ipykernel install --sys-prefix --name python3 --display-name 'Python 3 (ipykernel)'
	MPLBACKEND=Agg $(VPY) -c 'import matplotlib.pyplot'
	touch $@
