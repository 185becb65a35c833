"""The capture memory benchmark runs as the README gives it, and prints its figure in the summary's shape.

It runs with ``--quick`` (20 stray posts, one round): this test is about the command working, never about the
figure, which a timed or measured test could only make flaky.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from peers import ROOT

# "  <what>: <figure first> ...; target < 400 MB: met", as benchmarks/all.py gathers it for its summary
SUMMARY = re.compile(
    r"  sender suite against a flood of stray posts: \d+ MB peak RSS with 20 stray posts .+; "
    r"target < 400 MB: (met|MISSED)"
)


@pytest.mark.slow
def test_the_capture_memory_benchmark_prints_its_figure_with_its_target() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/capture_memory.py", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert SUMMARY.fullmatch(result.stdout.splitlines()[-1]), result.stdout
    assert "python benchmarks/capture_memory.py" in (ROOT / "README.md").read_text(encoding="utf-8")
