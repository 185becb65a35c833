"""Every benchmark in one command: each figure with the baseline measured in the same run, and its target.

    python benchmarks/all.py [--quick | --write]

Runs, one after another:

- ``canonical_sign.py``: ``canonical_bytes`` + ``sign`` against Node's ``JSON.stringify`` + ``createHmac``;
- ``validate_throughput.py``: ``validate`` against ``json.loads``, and ``--jobs 2`` against one process;
- ``suite_floor.py``: each suite against pytest's start-up plus as many plain POSTs, then the receiver suite
  50 ms and 200 ms from its endpoint against the same floor at that distance;
- ``generated_checks.py``: what the generated checks add;
- ``harness_overhead.py``: the sender suite through the harness protocol (the Python bridge, the Node reference)
  against the in-process Python reference;
- ``latency.py``: the receiver suite at 50 ms a request against 0 ms;
- ``capture_memory.py``: the sender suite's peak memory against a sender flooding its capture servers;
- ``inspector_page.py``: the inspector's page under 1,000 deliveries (delivery to display, and its memory);

then prints every target as met or MISSED. ``--quick`` runs each with one round on small corpora: it shows that
everything runs, its figures are not the ones to quote. ``--write`` puts the summary, with the machine named, in
the README's benchmark table (``table.py``). Needs the toolkit installed (``pip install .``) and Node.js for the
first benchmark and the harness's.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

import canonical_sign
import capture_memory
import generated_checks
import harness_overhead
import inspector_page
import latency
import suite_floor
import table
import validate_throughput
from targets import Outcome

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument("--quick", action="store_true", help="one round each, small corpora: to see that it runs")
    chosen.add_argument("--write", action="store_true", help="put the figures in the README's benchmark table")
    args = parser.parse_args()
    quick = args.quick
    if quick:  # every suite the benchmarks start generates 3 events per check unless one says otherwise
        os.environ["PYTEST_ADDOPTS"] = f"{os.environ.get('PYTEST_ADDOPTS', '')} --horneross-examples=3".strip()
    rounds = ["--rounds", "1"] if quick else []
    quickly = ["--quick"] if quick else []  # the benchmarks that run suites: one round, one check of each kind
    runs = [
        ("canonical_bytes + sign against Node", canonical_sign.main, [*rounds, *(["--quick"] if quick else [])]),
        ("validate against json.loads", validate_throughput.main, [*rounds, *(["--events", "5000"] if quick else [])]),
        ("the suites against their floor", suite_floor.main, quickly),
        ("the receiver suite 50 ms away against its floor", suite_floor.main, [*quickly, "--latency", "0.05"]),
        ("the receiver suite 200 ms away against its floor", suite_floor.main, [*quickly, "--latency", "0.2"]),
        ("the generated checks", generated_checks.main, [*quickly, *(["--examples", "5"] if quick else [])]),
        ("the sender harness protocol against in-process", harness_overhead.main, quickly),
        ("the receiver suite across a network", latency.main, quickly),
        ("the sender suite against a flood of stray posts", capture_memory.main, ["--quick"] if quick else []),
        ("the inspector page under a flood of deliveries", inspector_page.main, ["--quick"] if quick else []),
    ]
    machine = table.machine()
    print(f"machine: {machine}{'; --quick: figures not to be quoted' if quick else ''}", flush=True)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for title, run, arguments in runs:
        print(f"\n== {title}", flush=True)
        outcomes += run(arguments)
    seconds = time.perf_counter() - started
    print(summary(outcomes, machine, seconds))
    if args.write:
        table.write(README, table.render(outcomes, machine, datetime.date.today().isoformat(), seconds))
        print(f"written to the benchmark table of {README.name}")
    return 0


def summary(outcomes: list[Outcome], machine: str, seconds: float) -> str:
    """Every figure with its target, as docs/development.md's table quotes them, and how many targets were met."""
    met = sum(outcome.met for outcome in outcomes)
    lines = [f"\n== summary ({machine}; {seconds:.0f} s)", *(o.line() for o in outcomes)]
    return "\n".join([*lines, f"{met} of {len(outcomes)} targets met"])


if __name__ == "__main__":
    sys.exit(main())
