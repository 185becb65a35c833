"""What the sender harness protocol costs: the sender suite through the protocol, against the same suite on the
in-process Python reference, measured side by side.

    python benchmarks/harness_overhead.py [--rounds 3] [--quick]

Starts two harnesses: the Node reference sender's (``node node/reference-sender.js``, 0.5 s delivery timeout like
the Python reference's ``for_conformance``) and the Python bridge serving that very Python reference
(``python -m horneross_conformance.sender.bridge``). Runs the whole sender suite, generated checks included, in a
fresh pytest process: through ``--horneross-sender=URL`` of each harness, and in-process, in turn, so that drift in
the machine's load hits all three alike. Prints the medians and each harness's ratio to in-process. Targets: the
bridge, the same sender behind the protocol, at most 1.1x (what the protocol itself costs); the Node reference at
most 1.5x (another language's sender, its own speed included).
Needs Node.js 20 and ``npm ci`` (nothing from node_modules is used by the reference, but it runs from the project).
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from runs import pytest_seconds, rounds_and_quick
from targets import Outcome, report

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = "horneross_conformance.sender.reference:for_conformance"
NODE_TARGET = 1.5
BRIDGE_TARGET = 1.1
START_LIMIT = 15  # seconds for a harness to say where it listens


def wall(sender: str, folder: str, quick: bool) -> float:
    return pytest_seconds([f"--horneross-sender={sender}", "--horneross-seed=1"], folder, "unused", quick=quick)


def started(command: list[str], name: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """A harness process and the URL it printed (``listening PORT``, then the bridge's ``url URL``)."""
    harness = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert harness.stdout is not None
    if not select.select([harness.stdout], [], [], START_LIMIT)[0]:
        harness.kill()
        raise SystemExit(f"the {name} did not start within {START_LIMIT} s")
    first = harness.stdout.readline().split()
    if first[:1] != ["listening"]:
        harness.kill()
        raise SystemExit(f"the {name} did not start")
    url = f"http://127.0.0.1:{first[1]}"
    if name == "Python bridge":
        second = harness.stdout.readline().split()
        url = second[1] if second[:1] == ["url"] else url
    return harness, url


def stopped(harness: subprocess.Popen[str]) -> None:
    harness.terminate()
    try:
        harness.wait(5)
    except subprocess.TimeoutExpired:
        harness.kill()
        harness.wait(5)
    if harness.stdout is not None:
        harness.stdout.close()


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _, rounds, quick = rounds_and_quick(parser, argv)
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH: this benchmark runs the Node reference sender (install Node.js 20)")
    harnesses = []
    try:
        harnesses.append(
            started([node, str(ROOT / "node" / "reference-sender.js"), "--delivery-timeout", "0.5"], "Node reference")
        )
        bridge = [sys.executable, "-m", "horneross_conformance.sender.bridge", REFERENCE]
        harnesses.append(
            started(bridge, "Python bridge", {k: v for k, v in os.environ.items() if k != "HORNEROSS_HARNESS_TOKEN"})
        )
        (_, node_url), (_, bridge_url) = harnesses
        print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
        through_node, through_bridge, local = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(rounds):
                through_node.append(wall(node_url, folder, quick))
                through_bridge.append(wall(bridge_url, folder, quick))
                local.append(wall(REFERENCE, folder, quick))
    finally:
        for harness, _ in harnesses:
            stopped(harness)
    inside = statistics.median(local)
    print(f"sender suite, Node reference through the protocol:          {statistics.median(through_node):.2f} s")
    print(f"sender suite, Python reference through the bridge:          {statistics.median(through_bridge):.2f} s")
    print(f"sender suite, Python reference in-process:                  {inside:.2f} s")
    outcomes = []
    for what, times, target in [
        ("the Python reference through the bridge", through_bridge, BRIDGE_TARGET),
        ("the Node reference through its harness", through_node, NODE_TARGET),
    ]:
        through = statistics.median(times)
        ratio = through / inside
        outcomes.append(
            report(
                Outcome(
                    f"sender suite through the harness protocol, {what}",
                    f"{ratio:.2f}x the in-process Python reference ({through:.1f} s against {inside:.1f} s)",
                    f"<= {target:g}x",
                    ratio <= target,
                )
            )
        )
    return outcomes


if __name__ == "__main__":
    main()
