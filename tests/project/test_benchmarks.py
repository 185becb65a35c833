"""Each benchmark command runs, as the README gives it, and prints each of its figures with its target.

One test per benchmark, each with a tiny input (one round, a few hundred events, one check of each kind of each
suite it starts, one generated event per check): these tests are about the commands working on a fresh clone, never
about the figures, which a timed test could only make flaky. The benchmark set itself (``benchmarks/all.py``) is not
run here: it only runs these commands one after another, and its summary is tested on figures given to it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from documentation import documentation

ROOT = Path(__file__).resolve().parents[2]
FIGURE = re.compile(r"[-+]?\d[\d,.]*")  # any sign: an overhead measured on a busy machine can come out negative
# Each benchmark script: its tiny input and the number of figures it prints
BENCHMARKS = {
    "canonical_sign.py": (["--rounds", "1", "--quick"], 2),
    "validate_throughput.py": (["--rounds", "1", "--events", "200"], 4),  # --jobs 2 on one gzip log and on four
    "suite_floor.py": (["--quick"], 2),
    "generated_checks.py": (["--quick", "--examples", "1"], 1),
    "harness_overhead.py": (["--quick"], 2),  # the Python bridge and the Node reference
    "latency.py": (["--quick", "--latency", "0.001"], 1),
    "capture_memory.py": (["--quick"], 1),  # 20 stray posts, one round
    "inspector_page.py": (["--quick"], 2),  # 50 deliveries
}


def assert_figure_line(line: str) -> None:
    """A figure as the summary of ``benchmarks/all.py`` and the README quote it: ``what: figure; target T: met``."""
    name, colon, rest = line.partition(": ")
    assert name and colon, line
    assert FIGURE.match(rest), line  # a figure first, whatever its sign
    assert re.search(r"; target .+: (met|MISSED)$", rest), line


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_each_benchmark_command_prints_every_figure_with_its_target(script: str) -> None:
    arguments, figures = BENCHMARKS[script]
    # one generated event per check in every suite the benchmark starts, as all.py --quick gives them 3; only this
    # toolkit's plugin loaded in them (about 1 CPU-second of imports saved in each pytest process the benchmark
    # starts: the figures are not this test's subject, the commands working are)
    env = {
        **os.environ,
        "PYTEST_ADDOPTS": "--horneross-examples=1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTEST_PLUGINS": "horneross_conformance.plugin",
    }
    result = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = [line.strip() for line in result.stdout.splitlines() if re.search(r"; target .+: (met|MISSED)$", line)]
    assert len(lines) == figures, result.stdout
    for line in lines:
        assert_figure_line(line)


def test_every_benchmark_has_its_test_here_and_runs_in_the_set() -> None:
    scripts = {path.name for path in (ROOT / "benchmarks").glob("*.py") if "\ndef main(" in path.read_text()}
    assert scripts - {"all.py"} == set(BENCHMARKS)
    imported = re.findall(r"^import (\w+)$", (ROOT / "benchmarks" / "all.py").read_text(), re.M)
    assert set(BENCHMARKS) <= {f"{name}.py" for name in imported}


def test_the_set_ends_with_a_summary_of_every_figure_and_its_target(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import all as benchmark_set
    from targets import Outcome

    outcomes = [
        Outcome("canonical_bytes + sign, typical events", "1.50x Node", "faster than Node", True),
        Outcome("latency", "-0.20 s added", "at most 2 s", True),
        Outcome("the receiver suite against its floor", "2.61x its floor", "at most 2x", False),
    ]
    summary = benchmark_set.summary(outcomes, "2 cores, x86_64, Python 3.11.7", 95.2).split("== summary", 1)[1]
    head, *lines, tail = summary.splitlines()
    assert re.match(r" \(\d+ cores, .+; 95 s\)$", head), head
    assert len(lines) == len(outcomes)
    for line in lines:
        assert_figure_line(line)
    assert tail == "2 of 3 targets met"


def test_a_negative_figure_has_the_summary_shape() -> None:
    """The shape above holds for any sign of number (a negative overhead once broke the test)."""
    assert FIGURE.match("-1.79 s added; target at most 2 s: met")
    assert FIGURE.match("2.61x its floor; target at most 2x: MISSED")


def test_the_readme_gives_the_benchmark_command() -> None:
    assert "python benchmarks/all.py" in documentation()


def benchmark_table() -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import table
        from targets import Outcome
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return table, Outcome


def test_the_table_names_the_machine_and_gives_every_figure_with_its_target() -> None:
    table, Outcome = benchmark_table()
    outcomes = [
        Outcome("canonical_bytes + sign, typical events", "1.50x Node", "faster than Node", True),
        Outcome("a | pipe and\na line break", "2.61x its floor", "at most 2x", False),
    ]
    text = table.render(outcomes, "2 cores, Some CPU, Linux, Python 3.11.7", "2026-12-04", 190)
    head, blank, columns, rule, *rows = text.splitlines()
    assert head.startswith("Measured by `python benchmarks/all.py --write` on 2026-12-04, in 3 min, on one machine: ")
    assert "2 cores, Some CPU, Linux, Python 3.11.7" in head and "1 of 2 targets met" in head
    assert blank == "" and columns.count("|") == rule.count("|") == 5
    assert rows == [
        "| canonical_bytes + sign, typical events | 1.50x Node | faster than Node | met |",
        "| a \\| pipe and a line break | 2.61x its floor | at most 2x | **MISSED** |",
    ]
    assert re.match(r"\d+ cores?, .+, Python 3\.\d+", table.machine())


def test_writing_the_table_replaces_the_block_alone_and_a_page_without_one_is_refused(tmp_path: Path) -> None:
    table, _ = benchmark_table()
    page = tmp_path / "README.md"
    page.write_text("# Title\n\n<!-- benchmarks -->\nold figures\n<!-- /benchmarks -->\n\nThe rest.\n")
    table.write(page, "| new | table |")
    assert page.read_text() == "# Title\n\n<!-- benchmarks -->\n| new | table |\n<!-- /benchmarks -->\n\nThe rest.\n"
    page.write_text("# Title, no block\n")
    with pytest.raises(SystemExit, match=re.escape("no <!-- benchmarks --> ... <!-- /benchmarks --> block")):
        table.write(page, "| new | table |")
    assert page.read_text() == "# Title, no block\n"


def test_the_readme_table_is_the_output_of_one_run_of_the_whole_set() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- benchmarks -->\n(.+?)\n<!-- /benchmarks -->", readme, re.S)
    assert block is not None, "the README has no benchmark table: python benchmarks/all.py --write"
    head, _, _, _, *rows = block.group(1).splitlines()
    assert re.match(
        r"Measured by `python benchmarks/all\.py --write` on \d{4}-\d\d-\d\d, in \d+ min, on one machine: "
        r"\d+ cores?, .+, Python 3\.\d+\.\d+\. ",
        head,
    ), head
    # every figure of every benchmark, and suite_floor.py's receiver suite 50 ms and 200 ms away
    assert len(rows) == sum(figures for _, figures in BENCHMARKS.values()) + 2
    met = [row.endswith("| met |") for row in rows]
    assert all(row.endswith(("| met |", "| **MISSED** |")) for row in rows), rows
    assert f"; {sum(met)} of {len(rows)} targets met." in head


@pytest.mark.slow
def test_a_cut_down_run_is_timed_when_what_ran_passed_and_stops_the_benchmark_when_a_check_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run cut down with -k is NOT CERTIFIED (exit 1) even when every check it ran passed: the benchmarks time
    such runs (the sender suite without its slow check, the suites without generated checks), never a failed one."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "tests"))  # the tests' broken senders
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PYTEST_PLUGINS", "horneross_conformance.plugin")
    import runs

    selection = ["-k", "SND-SIG-001", "--horneross-examples=1"]
    reference = "--horneross-sender=horneross_conformance.sender.reference:for_conformance"
    assert runs.pytest_seconds([reference, *selection], str(tmp_path), "secret") > 0
    with pytest.raises(SystemExit, match="pytest ended with 1"):
        runs.pytest_seconds(["--horneross-sender=senders:UppercaseHex", *selection], str(tmp_path), "secret")
