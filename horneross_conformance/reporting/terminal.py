"""The verdict table that ends a run in the terminal: one line per requirement, then the verdict."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TextIO

from horneross_conformance.checks.results import RequirementVerdict
from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.inert import for_terminal

_LABEL_WIDTH = 10
_DETAIL_INDENT = 10


def outcome_label(verdict: RequirementVerdict, strict: bool) -> tuple[str, dict[str, bool]]:
    """What a person reads for one requirement, and its colour."""
    level = verdict.requirement.level
    if verdict.outcome == "passed" and verdict.incomplete and verdict.requirement.fails_run(strict):
        return "UNCHECKED", {"red": True, "bold": True}  # what ran held, but not all of it ran
    if verdict.outcome == "passed":
        return ("yes" if level == "INFORMATIONAL" else "passed"), {"green": True}
    if verdict.outcome == "skipped" and verdict.requirement.fails_run(strict):
        return "UNCHECKED", {"red": True, "bold": True}  # the run cannot be certified
    if verdict.outcome == "skipped":
        return ("no check" if not verdict.covered_by else "not run"), {"yellow": True}
    if level == "INFORMATIONAL":
        return "no", {"cyan": True}
    if verdict.requirement.fails_run(strict):
        return "FAILED", {"red": True, "bold": True}
    return "WARNING", {"yellow": True, "bold": True}


def write_verdict_table(terminal: Any, verdict: RunVerdict) -> None:
    width = max((getattr(terminal, "_tw", None) and terminal._tw.fullwidth) or 100, 60)
    terminal.write_sep("=", f"Horneross {verdict.role} conformance")
    terminal.write_line(f"target: {for_terminal(verdict.target)}")
    write_causes(terminal, verdict, width)
    for requirement_verdict in verdict.requirements:
        label, markup = outcome_label(requirement_verdict, verdict.strict)
        requirement = requirement_verdict.requirement
        head = f"{requirement.id:<7} {requirement.level:<13} "
        terminal.write(head)
        terminal.write(f"{label:<{_LABEL_WIDTH}}", **markup)
        # the title is never cut: on a narrow terminal it wraps at words, under itself
        indent = len(head) + _LABEL_WIDTH + 1
        lines = textwrap.wrap(requirement.title, max(width - indent, 20), break_on_hyphens=False) or [""]
        terminal.write_line(" " + f"\n{' ' * indent}".join(lines))
        skipped = requirement_verdict.outcome == "skipped"
        if requirement_verdict.outcome == "passed" and label == "UNCHECKED":
            terminal.write_line(f"        {for_terminal(requirement_verdict.details)}")
        elif requirement_verdict.outcome == "failed" or (
            skipped and (requirement_verdict.checks or label == "UNCHECKED")
        ):
            if not requirement_verdict.checks:
                terminal.write_line(f"        {requirement_verdict.details}")
            for check in requirement_verdict.checks:
                if check.outcome != "passed":
                    # a wire log, a curl command: the toolkit's lines, kept; anything else a terminal acts on, shown
                    message = for_terminal(check.message, keep_newlines=True).replace("\n", "\n" + " " * _DETAIL_INDENT)
                    terminal.write_line(f"        {check.case_id}: {message}")
    for note in verdict.notes:
        terminal.write_line(f"note: {for_terminal(note)}")
    status = verdict.status
    terminal.write("verdict: ")
    colour = {"green": True} if verdict.conformant else {"red": True}
    terminal.write(status, bold=True, **colour)
    terminal.write_line(for_terminal(verdict.summary().removeprefix(status)))


def write_causes(terminal: Any, verdict: RunVerdict, width: int) -> None:
    """Each root cause, once, before the table: the headline, the fix, what showed it, and the checks it explains
    (each of which refers to it in one line)."""
    for cause, case_ids in verdict.causes:
        terminal.write("root cause: ", red=True, bold=True)
        lines = textwrap.wrap(for_terminal(cause.headline) + ".", max(width - 12, 40), break_on_hyphens=False) or [""]
        terminal.write_line("\n            ".join(lines))
        for label, text in (("", cause.fix), ("seen:", cause.evidence), ("explains:", ", ".join(case_ids))):
            # a case id, a command, a header name: never cut at its hyphens
            lines = textwrap.wrap(for_terminal(text), max(width - 12, 40), break_on_hyphens=False) or [""]
            terminal.write_line(f"  {label:<10}" + "\n            ".join(lines))


_COLOURS = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1"}


class PlainTerminal:
    """What ``write_verdict_table`` needs of pytest's terminal reporter, for a run outside pytest: plain text, and
    colours only on a terminal that takes them (``NO_COLOR`` turns them off)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._colour = stream.isatty() and "NO_COLOR" not in os.environ
        self._tw = SimpleNamespace(fullwidth=shutil.get_terminal_size((100, 24)).columns)

    def write(self, text: str, **markup: bool) -> None:
        codes = [_COLOURS[name] for name, on in markup.items() if on and name in _COLOURS] if self._colour else []
        self._stream.write(f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text)
        self._stream.flush()

    def write_line(self, text: str = "", **markup: bool) -> None:
        self.write(text, **markup)
        self.write("\n")

    def write_sep(self, sep: str, title: str) -> None:
        width = max(self._tw.fullwidth, len(title) + 4)
        side = (width - len(title) - 2) // 2
        self.write_line(f"{sep * side} {title} {sep * (width - len(title) - 2 - side)}")


def run_line(verdict: RunVerdict, text: Callable[[str], str], code: Callable[[str], str]) -> str:
    """The run in one line, for people: seed, start, duration and the command that runs it again, with ``text`` and
    ``code`` making each part safe for the report's medium; empty when the verdict carries no run."""
    info = verdict.info
    if info is None:
        return ""
    seed = "" if info.seed is None else f"seed {info.seed} · "
    again = f" · again: {code(info.command)}" if info.command else ""
    return f"Run: {text(f'{seed}started {info.started} · {info.seconds:.1f} s')}{again}"
