"""What the sender harness protocol costs: the sender suite against the Node reference through the protocol, against
the same suite on the in-process Python reference, measured side by side.

    python benchmarks/harness_overhead.py [--rounds 3] [--quick]

Starts the Node reference sender's harness (``node node/reference-sender.js``, 0.5 s delivery timeout like the
Python reference's ``for_conformance``) and runs the whole sender suite, generated checks included, in a fresh
pytest process: once through ``--horneross-sender=http://127.0.0.1:PORT``, once in-process, alternately, so that
drift in the machine's load hits both alike. Prints the medians and their ratio; the target is at most 1.5x.
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
TARGET_RATIO = 1.5
START_LIMIT = 15  # seconds for Node to say where it listens


def wall(sender: str, folder: str, quick: bool) -> float:
    return pytest_seconds([f"--horneross-sender={sender}", "--horneross-seed=1"], folder, "unused", quick=quick)


def main(argv: list[str] | None = None) -> list[Outcome]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _, rounds, quick = rounds_and_quick(parser, argv)
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not on PATH: this benchmark runs the Node reference sender (install Node.js 20)")
    script = str(ROOT / "node" / "reference-sender.js")
    harness = subprocess.Popen(
        [node, script, "--delivery-timeout", "0.5"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert harness.stdout is not None
    try:
        if not select.select([harness.stdout], [], [], START_LIMIT)[0]:
            raise SystemExit(f"the Node reference sender did not start within {START_LIMIT} s")
        first = harness.stdout.readline().split()
        if first[:1] != ["listening"]:
            raise SystemExit("the Node reference sender did not start")
        url = f"http://127.0.0.1:{first[1]}"
        print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {rounds} rounds each")
        remote, local = [], []
        with tempfile.TemporaryDirectory() as folder:
            for _ in range(rounds):
                remote.append(wall(url, folder, quick))
                local.append(wall(REFERENCE, folder, quick))
    finally:
        harness.terminate()
        harness.wait(5)
        harness.stdout.close()
    through, inside = statistics.median(remote), statistics.median(local)
    ratio = through / inside
    print(f"sender suite, Node reference through the protocol: {through:.2f} s")
    print(f"sender suite, Python reference in-process:         {inside:.2f} s")
    return [
        report(
            Outcome(
                "sender suite through the harness protocol (Node reference)",
                f"{ratio:.2f}x the in-process Python reference ({through:.1f} s against {inside:.1f} s)",
                f"<= {TARGET_RATIO:g}x",
                ratio <= TARGET_RATIO,
            )
        )
    ]


if __name__ == "__main__":
    main()
