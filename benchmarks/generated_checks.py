"""How much the generated checks add to a suite run, against the same suite without them, measured side by side.

    python benchmarks/generated_checks.py [--rounds 3]

Runs the receiver suite against the reference receiver (a real server on 127.0.0.1) and the sender suite against
the reference sender, each in a fresh pytest process, alternately with ``--horneross-examples=0`` (the baseline:
hand-picked checks only) and with the default 50 events per generated check. Prints the medians, what the
generated checks add, and the target: at most 3 seconds for 50 events per type against a local endpoint.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from horneross_conformance.reference_receiver import ReferenceReceiver
from horneross_conformance.server import serve

SECRET = "benchmark-secret"
TARGET_SECONDS = 3.0


def wall(arguments: list[str], folder: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--horneross-seed=1", *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "HORNEROSS_WEBHOOK_SECRET": SECRET},
        timeout=300,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"the suite did not pass:\n{result.stdout[-3000:]}")
    return seconds


def measure(name: str, target: list[str], rounds: int, folder: str) -> float:
    baseline, generated = [], []
    for _ in range(rounds):  # alternate, so that drift in the machine's load hits both sides alike
        baseline.append(wall([*target, "--horneross-examples=0"], folder))
        generated.append(wall([*target, "--horneross-examples=50"], folder))
    base, full = statistics.median(baseline), statistics.median(generated)
    added = full - base
    print(f"{name}: {base:.2f} s without generated checks, {full:.2f} s with 50 events per check")
    print(f"  generated checks add {added:.2f} s ({full / base:.2f}x the baseline)")
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
    with tempfile.TemporaryDirectory() as folder, serve(ReferenceReceiver(SECRET)) as base:
        receiver = measure("receiver suite", [f"--horneross-endpoint={base}/webhook"], rounds, folder)
        sender = ["--horneross-sender=horneross_conformance.reference_sender:for_conformance", "-k", "not SND-RTY-013"]
        measure("sender suite (without the 2.5 s slow-answer check)", sender, rounds, folder)
    verdict = "met" if receiver <= TARGET_SECONDS else "MISSED"
    print(f"target: the receiver suite's generated checks add at most {TARGET_SECONDS:g} s: {verdict}")


if __name__ == "__main__":
    main()
