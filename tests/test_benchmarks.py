"""The benchmark command runs, as the README gives it, and prints each figure with its target.

It runs with ``--quick`` (one round each, small corpora): this test is about the command working on a fresh
clone, never about the figures, which a timed test could only make flaky.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = [
    "canonical_bytes + sign, typical events",
    "canonical_bytes + sign, large events",
    "validate --jobs 2, four gzip logs",
    "validate throughput, one core",
    "validate cost against json.loads",
    "receiver suite against its floor",
    "sender suite against its floor",
    "50 generated events per type, receiver suite",
    "receiver suite with 50 ms added to every request",
]


def test_the_benchmark_command_prints_every_figure_with_its_target() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/all.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    summary = result.stdout.split("== summary", 1)[1].splitlines()
    assert re.match(r" \(\d+ cores, ", summary[0])
    lines = summary[1:-1]
    assert [next(t for t in TARGETS if line.startswith(t)) for line in lines] == TARGETS
    for line in lines:
        assert re.search(r": [-+]?\d[\d,.]*x? .*; target .+: (met|MISSED)$", line), line  # any sign of number
    assert re.fullmatch(rf"\d+ of {len(TARGETS)} targets met", summary[-1])


def test_the_readme_gives_the_benchmark_command() -> None:
    assert "python benchmarks/all.py" in (ROOT / "README.md").read_text(encoding="utf-8")
