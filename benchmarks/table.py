"""The README's benchmark table: every figure of one run of ``all.py``, the machine it ran on, and each target.

``all.py --write`` puts it between the README's ``<!-- benchmarks -->`` markers, so that the figures a reader sees
are the ones one run measured, never edited by hand nor gathered from several runs.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from pathlib import Path

from targets import Outcome

START, END = "<!-- benchmarks -->", "<!-- /benchmarks -->"


def machine() -> str:
    """The machine, as the table names it: cores, processor, system and Python."""
    cores = os.cpu_count() or 1
    parts = [
        f"{cores} core{'s' if cores != 1 else ''}",
        processor(),
        platform.system(),
        f"Python {sys.version.split()[0]}",
    ]
    return ", ".join(part for part in parts if part)


def processor() -> str:
    """The processor's model name where the system says it (Linux), else its architecture."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        info = ""
    found = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    return " ".join(found.group(1).split()) if found else platform.machine()


def cell(text: str) -> str:
    """A table cell: a pipe would end it, a line break the row."""
    return " ".join(text.split()).replace("|", "\\|")


def render(outcomes: list[Outcome], where: str, day: str, seconds: float) -> str:
    """The table of ``outcomes``, headed by the machine and the day they were measured on."""
    met = sum(outcome.met for outcome in outcomes)
    lines = [
        f"Measured by `python benchmarks/all.py --write` on {day}, in {seconds / 60:.0f} min, on one machine: "
        f"{cell(where)}. Each figure is a ratio to a baseline measured in the same run; {met} of {len(outcomes)} "
        "targets met.",
        "",
        "| benchmark | figure | target | |",
        "| --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        verdict = "met" if outcome.met else "**MISSED**"
        lines.append(f"| {cell(outcome.benchmark)} | {cell(outcome.figure)} | {cell(outcome.target)} | {verdict} |")
    return "\n".join(lines)


def write(path: Path, table: str) -> None:
    """Put ``table`` between the markers of ``path`` in place of what was there."""
    text = path.read_text(encoding="utf-8")
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise SystemExit(f"{path.name} has no {START} ... {END} block to write the table in")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    path.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")
