"""The test suite's wall-clock time, cold and warm, recorded with the machine it ran on.

Issue 29's budgets: ``make test`` with the cache of an earlier run on the same machine in at most
10 minutes, and with an empty cache in at most 60 (CI has 90), on 2 cores. No test asserts a time;
this script runs the suite as a user would and appends the measurement to
``benchmarks/results/suite_times.json``:

    .venv/bin/python benchmarks/suite_times.py --label "warm, second clone" --clone /tmp/second
    .venv/bin/python benchmarks/suite_times.py --label cold --cache /tmp/empty-cache

``--clone DIR`` runs ``make test`` in that checkout (default: this one); ``--cache DIR`` points the
run at another cache folder (``PEBENCH_ARTIFACTS``; an empty one is a cold run). The record names
the CPU, its cores, the numerics fingerprint, the commit and pytest's summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from _common import RESULTS, ROOT

from pebench_book.profile import machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", required=True, help="what kind of run this is (cold, warm, warm in a second clone)")
    parser.add_argument("--clone", type=Path, default=ROOT, help="the checkout to run make test in (default: this one)")
    parser.add_argument("--cache", type=Path, default=None, help="the cache folder to use (default: the user's)")
    args = parser.parse_args()
    environment = dict(os.environ)
    if args.cache is not None:
        environment["PEBENCH_ARTIFACTS"] = str(args.cache.resolve())
    log = ROOT / "_build" / f"suite-{re.sub(r'[^a-z0-9]+', '-', args.label.lower())}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    measured_on = machine(args.clone)  # before the run: this checkout may move on while it runs
    began = time.perf_counter()
    with log.open("w") as output:
        status = subprocess.run(
            ["make", "test"], cwd=args.clone, stdout=output, stderr=subprocess.STDOUT, env=environment
        )
    seconds = time.perf_counter() - began
    summary = next(
        (
            line.strip("= \n")
            for line in reversed(log.read_text().splitlines())
            if re.search(r"\d+ (passed|failed)", line)
        ),
        "no pytest summary",
    )
    record = {
        "label": args.label,
        "seconds": round(seconds, 1),
        "minutes": round(seconds / 60, 1),
        "exit_status": status.returncode,
        "pytest": summary,
        "clone": "this checkout" if args.clone.resolve() == ROOT else "another clone",
        "cache": "PEBENCH_ARTIFACTS given" if args.cache is not None else "the user's cache folder",
        "machine": measured_on,
    }
    path = RESULTS / "suite_times.json"
    runs = json.loads(path.read_text())["runs"] if path.is_file() else []
    path.write_text(json.dumps({"what": __doc__.split("\n\n")[0], "runs": [*runs, record]}, indent=1) + "\n")
    print(json.dumps(record, indent=1))
    sys.exit(status.returncode)


if __name__ == "__main__":
    main()
