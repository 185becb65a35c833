"""How much the generated checks add to a suite run, against the same suite without them, measured side by side.

    python benchmarks/generated_checks.py [--rounds 3] [--examples 50] [--quick]

Runs the receiver suite against the reference receiver (a real server on 127.0.0.1) and the sender suite against
the reference sender, each in a fresh pytest process, alternately with ``--horneross-examples=0`` (the baseline:
hand-picked checks only) and with the default 50 events per generated check. Prints the medians and what the
generated checks add. The target (at most 3 seconds for 50 generated events per type against a local endpoint)
is about the checks that generate per type, RCV-GEN-001 to 004: the receiver suite is also run with only those.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from runs import pytest_seconds, rounds_and_quick
from targets import Outcome, report

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

SECRET = "benchmark-secret"
TARGET_SECONDS = 3.0


def wall(arguments: list[str], folder: str, quick: bool) -> float:
    return pytest_seconds(["--horneross-seed=1", *arguments], folder, SECRET, quick=quick)


def measure(
    name: str, target: list[str], rounds: int, examples: int, folder: str, only: str | None = None, quick: bool = False
) -> float:
    baseline, generated, selected = [], [], []
    for _ in range(rounds):  # alternate, so that drift in the machine's load hits all sides alike
        baseline.append(wall([*target, "--horneross-examples=0"], folder, quick))
        generated.append(wall([*target, f"--horneross-examples={examples}"], folder, quick))
        if only and not quick:
            selected.append(wall([*target, f"--horneross-examples={examples}", "-k", only], folder, quick))
    if quick:
        selected = generated
    base, full = statistics.median(baseline), statistics.median(generated)
    print(f"{name}: {base:.2f} s without generated checks, {full:.2f} s with {examples} events per check")
    print(f"  all generated checks add {full - base:.2f} s ({full / base:.2f}x the baseline)")
    if not only:
        return full - base
    per_type = statistics.median(selected) - base
    print(f"  the per-type checks alone (RCV-GEN-001 to 004, {4 * examples} events) add {per_type:.2f} s")
    return per_type


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES, help="the target is set for the default")
    options, rounds, quick = rounds_and_quick(parser, argv)
    examples = options.examples
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
    with tempfile.TemporaryDirectory() as folder, serve(ReferenceReceiver(SECRET)) as base:
        per_type = f"not RCV-GEN or {' or '.join(f'RCV-GEN-00{i}' for i in range(1, 5))}"
        endpoint = [f"--horneross-endpoint={base}/webhook"]
        receiver = measure("receiver suite", endpoint, rounds, examples, folder, per_type, quick)
        sender = ["--horneross-sender=horneross_conformance.sender.reference:for_conformance", "-k", "not SND-RTY-013"]
        measure("sender suite (without the 2.5 s slow-answer check)", sender, rounds, examples, folder, quick=quick)
    return [
        report(
            Outcome(
                f"{examples} generated events per type, receiver suite",
                f"{receiver:.2f} s added to the suite without them, measured alongside",
                f"<= {TARGET_SECONDS:g} s",
                receiver <= TARGET_SECONDS,
            )
        )
    ]


if __name__ == "__main__":
    main()
