"""The benchmark command runs, as the README gives it, and prints each figure with its target.

It runs with ``--quick`` (one round each, small corpora): this test is about the command working on a fresh
clone, never about the figures, which a timed test could only make flaky.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"[-+]?\d[\d,.]*")  # any sign: an overhead measured on a busy machine can come out negative


@pytest.mark.slow
def test_the_benchmark_command_prints_every_figure_with_its_target() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/all.py", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    summary = result.stdout.split("== summary", 1)[1].splitlines()
    assert re.match(r" \(\d+ cores, ", summary[0])
    lines = summary[1:-1]
    assert len(lines) >= 7, lines
    for line in lines:
        name, colon, rest = line.partition(": ")
        assert name and colon, line
        assert FIGURE.match(rest), line  # a figure first, whatever its sign
        assert re.search(r"; target .+: (met|MISSED)$", rest), line
    assert re.fullmatch(rf"\d+ of {len(lines)} targets met", summary[-1])


def test_a_negative_figure_has_the_summary_shape() -> None:
    """The shape above holds for any sign of number (a negative overhead once broke the test)."""
    assert FIGURE.match("-1.79 s added; target at most 2 s: met")
    assert FIGURE.match("2.61x its floor; target at most 2x: MISSED")


def test_the_readme_gives_the_benchmark_command() -> None:
    assert "python benchmarks/all.py" in (ROOT / "README.md").read_text(encoding="utf-8")
