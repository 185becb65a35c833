"""Each suite's wall time against its floor: pytest's start-up plus the same number of plain HTTP requests.

    python benchmarks/suite_floor.py [--rounds 3] [--latency SECONDS]

The receiver suite runs against the reference receiver, which counts the requests it gets; the sender suite runs
against the reference sender, whose posts are counted the same way. The floor of a run is measured in the same
round: pytest starting and collecting nothing in a fresh process, plus that many POSTs of a typical event, 8 at a
time (as many as the receiver suite first keeps in flight) on new connections, over loopback to the same server.
Rounds alternate between the suite and its floor.

``--latency`` makes the reference receiver answer every request that many seconds late (an endpoint across a
network: the floor is then pytest's start-up plus requests x latency / 8), and measures the receiver suite alone.

Targets: each suite within 2x of its floor on loopback, where the floor is little more than pytest's start-up.
Across a network the floor is mostly waiting, which the suite must spend as well as plain POSTs do: within 1.2x of
it at 50 ms, and 1.1x from 200 ms on. The sender suite runs without SND-RTY-013, whose 2.5 s are a deliberately
slow answer (a sender's timeout is what it checks), not the suite's own time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from runs import pytest_seconds, rounds_and_quick
from targets import Outcome, report

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.core.events import sample_event
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.client import post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET = "benchmark-secret"
TARGET = 2.0  # on loopback


def target(latency: float) -> float:
    """The ratio to the floor a suite must keep with ``latency`` seconds added to every request."""
    if latency <= 0:
        return TARGET
    return 1.2 if latency < 0.2 else 1.1


FLOOR_IN_FLIGHT = 8  # the floor's POSTs at once: as many as the receiver suite first keeps in flight
COUNTING_SENDER = """
from pathlib import Path
from horneross_conformance.sender.reference import ReferenceSender

class Counting(ReferenceSender):
    def post(self, delivery):
        with Path("posts.txt").open("a") as out:
            out.write("x")
        return super().post(delivery)

def create():
    return Counting(timeout=0.5)
"""


class Counting:
    """The reference receiver, counting what it receives."""

    def __init__(self, latency: float = 0.0) -> None:
        self.app = ReferenceReceiver(SECRET)
        self.count = itertools.count()
        self.received = 0
        self.latency = latency

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.received = next(self.count) + 1
        if self.latency:
            time.sleep(self.latency)
        return self.app(environ, start_response)


def requests_seconds(url: str, count: int) -> float:
    body = canonical_bytes(sample_event("conversation.message.created"))
    headers = {"Content-Type": "application/json", "X-Horneross-Signature": sign(body, SECRET)}
    endpoint = parse_endpoint(url)
    started = time.perf_counter()
    with ThreadPoolExecutor(FLOOR_IN_FLIGHT) as pool:
        list(pool.map(lambda _: post(endpoint, body, headers, 10), range(count)))
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the reference receiver waits to answer")
    args, rounds, quick = rounds_and_quick(parser, argv)
    outcomes = []
    distant = args.latency > 0
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; medians of {rounds} rounds")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "counting_sender.py").write_text(COUNTING_SENDER)
        empty = tempfile.mkdtemp(dir=folder)
        counter = Counting(args.latency)
        with serve(counter) as base:
            url = f"{base}/webhook"
            roles = [("receiver", [f"--horneross-endpoint={url}"])]
            if not distant:  # the sender suite's deliveries go to its own capture servers, not this one
                roles.append(("sender", ["--horneross-sender=counting_sender:create", "-k", "not SND-RTY-013"]))
            for role, arguments in roles:
                suite, floor, counts = [], [], []
                for _ in range(rounds):
                    before = counter.received
                    Path(folder, "posts.txt").write_text("")
                    suite.append(pytest_seconds(["--horneross-seed=1", *arguments], folder, SECRET, quick=quick))
                    requests = (
                        counter.received - before if role == "receiver" else len(Path(folder, "posts.txt").read_text())
                    )
                    counts.append(requests)
                    floor.append(
                        pytest_seconds([], empty, SECRET, accept=(0, 5)) + requests_seconds(url, requests)
                    )  # 5: nothing collected
                wall, base_time = statistics.median(suite), statistics.median(floor)
                ratio = wall / base_time
                figure = (
                    f"{ratio:.2f}x: {wall:.2f} s for {statistics.median(counts):.0f} requests, floor {base_time:.2f} s "
                    f"(pytest start-up and as many plain POSTs, {FLOOR_IN_FLIGHT} at a time)"
                )
                where = f" {args.latency * 1000:g} ms away" if args.latency else ""
                what = f"{role} suite{where} against its floor"
                goal = target(args.latency)
                outcomes.append(report(Outcome(what, figure, f"<= {goal:g}x", ratio <= goal)))
    return outcomes


if __name__ == "__main__":
    main()
