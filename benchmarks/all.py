"""Every benchmark in one command: each figure with the baseline measured in the same run, and its target.

    python benchmarks/all.py [--quick]

Runs, one after another, ``canonical_sign.py`` (against Node), ``validate_throughput.py`` (against
``json.loads``, and ``--jobs 2`` against one process on gzip logs), ``suite_floor.py`` (each suite against
pytest's start-up plus as many plain POSTs), ``generated_checks.py`` (what the generated checks add),
``latency.py`` (the receiver suite at 50 ms a request against 0 ms), ``harness_overhead.py`` (the sender suite
through the harness protocol against the Node reference, against the in-process Python reference) and
``capture_memory.py`` (the sender suite's peak memory against a sender flooding its capture servers, against the
same run without the flood) and ``inspector_page.py`` (the inspector's page under 1,000 deliveries: delivery to
display, and its memory against the page before them), then prints every target as met or MISSED. ``--quick``
runs each with one round on small corpora: it shows that everything runs, its figures are not the ones to quote.
Needs the toolkit installed (``pip install .``) and Node.js for the first benchmark and the harness's.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import canonical_sign
import capture_memory
import generated_checks
import harness_overhead
import inspector_page
import latency
import suite_floor
import validate_throughput
from targets import Outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round each, small corpora: to see that it runs")
    quick = parser.parse_args().quick
    if quick:  # every suite the benchmarks start generates 3 events per check unless one says otherwise
        os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} --horneross-examples=3".strip()
    rounds = ["--rounds", "1"] if quick else []
    quickly = ["--quick"] if quick else []  # the benchmarks that run suites: one round, one check of each kind
    runs = [
        ("canonical_bytes + sign against Node", canonical_sign.main, [*rounds, *(["--quick"] if quick else [])]),
        ("validate against json.loads", validate_throughput.main, [*rounds, *(["--events", "5000"] if quick else [])]),
        ("the suites against their floor", suite_floor.main, quickly),
        ("the generated checks", generated_checks.main, [*quickly, *(["--examples", "5"] if quick else [])]),
        ("the sender harness protocol against in-process", harness_overhead.main, quickly),
        ("the receiver suite across a network", latency.main, quickly),
        ("the sender suite against a flood of stray posts", capture_memory.main, ["--quick"] if quick else []),
        ("the inspector page under a flood of deliveries", inspector_page.main, ["--quick"] if quick else []),
    ]
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {sys.version.split()[0]}"
    print(f"machine: {machine}{'; --quick: figures not to be quoted' if quick else ''}", flush=True)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for title, run, arguments in runs:
        print(f"\n== {title}", flush=True)
        outcomes += run(arguments)
    print(summary(outcomes, machine, time.perf_counter() - started))
    return 0


def summary(outcomes: list[Outcome], machine: str, seconds: float) -> str:
    """Every figure with its target, as docs/development.md's table quotes them, and how many targets were met."""
    met = sum(outcome.met for outcome in outcomes)
    lines = [f"\n== summary ({machine}; {seconds:.0f} s)", *(o.line() for o in outcomes)]
    return "\n".join([*lines, f"{met} of {len(outcomes)} targets met"])


if __name__ == "__main__":
    sys.exit(main())
