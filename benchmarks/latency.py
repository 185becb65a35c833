"""The receiver suite against an endpoint across a network: the reference receiver with a fixed latency added.

    python benchmarks/latency.py [--rounds 3] [--latency 0.05] [--one-at-a-time]

Serves the reference receiver on 127.0.0.1 wrapped so that every request waits ``--latency`` seconds before it is
answered (an endpoint across a network, or one that writes to a database before answering), and runs the whole
receiver suite in a fresh pytest process against it, alternately at 0 ms (the baseline) and at the latency, with
the same seed. Target: at 50 ms, at most 1.5x the time at 0 ms. ``--one-at-a-time`` also runs the suite at the
latency with ``--horneross-in-flight=1`` (one delivery at a time, as before deliveries went in flight), for
orientation: it takes half a minute a round.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from typing import Any

from runs import pytest_seconds, rounds_and_quick
from targets import Outcome, report

from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve

SECRET = "benchmark-secret"
TARGET_RATIO = 1.5


def delayed(app: Callable[..., Iterable[bytes]], seconds: float) -> Callable[..., Iterable[bytes]]:
    """``app``, answering every request ``seconds`` late."""

    def wait_then_answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        time.sleep(seconds)
        return app(environ, start_response)

    return wait_then_answer


def suite_seconds(latency: float, folder: str, *options: str, quick: bool = False) -> float:
    with serve(delayed(ReferenceReceiver(SECRET), latency)) as base:
        arguments = [f"--horneross-endpoint={base}/webhook", "--horneross-seed=1", *options]
        return pytest_seconds(arguments, folder, SECRET, quick=quick)


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request (default 0.05)")
    parser.add_argument("--one-at-a-time", action="store_true", help="also at the latency with 1 in flight")
    args, rounds, quick = rounds_and_quick(parser, argv)
    latency_ms = f"{args.latency * 1000:g} ms"
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
    local, distant, alone = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(rounds):  # alternate, so that drift in the machine's load hits all sides alike
            local.append(suite_seconds(0.0, folder, quick=quick))
            distant.append(suite_seconds(args.latency, folder, quick=quick))
            if args.one_at_a_time:
                alone.append(suite_seconds(args.latency, folder, "--horneross-in-flight=1", quick=quick))
    base, far = statistics.median(local), statistics.median(distant)
    ratio = far / base
    print(f"receiver suite at 0 ms (baseline): {base:.2f} s")
    print(f"receiver suite at {latency_ms}:        {far:.2f} s ({ratio:.2f}x; {far - base:+.2f} s)")
    if alone:
        one = statistics.median(alone)
        print(f"  at {latency_ms}, one delivery at a time (--horneross-in-flight=1): {one:.2f} s ({one / base:.2f}x)")
    return [
        report(
            Outcome(
                f"receiver suite with {latency_ms} added to every request",
                f"{ratio:.2f}x ({far:.2f} s against {base:.2f} s at 0 ms, measured alongside)",
                f"<= {TARGET_RATIO}x",
                ratio <= TARGET_RATIO,
            )
        )
    ]


if __name__ == "__main__":
    main()
