"""The verdict table that ends a run in the terminal: one line per requirement, then the verdict."""

from __future__ import annotations

import textwrap
from typing import Any

from horneross_conformance.checks.results import RequirementVerdict, is_conformant
from horneross_conformance.reporting.inert import for_terminal

_LABEL_WIDTH = 10
_DETAIL_INDENT = 10


def outcome_label(verdict: RequirementVerdict, strict: bool) -> tuple[str, dict[str, bool]]:
    """What a person reads for one requirement, and its colour."""
    level = verdict.requirement.level
    if verdict.outcome == "passed":
        return ("yes" if level == "INFORMATIONAL" else "passed"), {"green": True}
    if verdict.outcome == "skipped":
        return ("no check" if not verdict.covered_by else "not run"), {"yellow": True}
    if level == "INFORMATIONAL":
        return "no", {"cyan": True}
    if verdict.requirement.fails_run(strict):
        return "FAILED", {"red": True, "bold": True}
    return "WARNING", {"yellow": True, "bold": True}


def write_verdict_table(
    terminal: Any, role: str, target: str, verdicts: list[RequirementVerdict], strict: bool
) -> None:
    width = max((getattr(terminal, "_tw", None) and terminal._tw.fullwidth) or 100, 60)
    terminal.write_sep("=", f"Horneross {role} conformance")
    terminal.write_line(f"target: {for_terminal(target)}")
    for verdict in verdicts:
        label, markup = outcome_label(verdict, strict)
        requirement = verdict.requirement
        head = f"{requirement.id:<7} {requirement.level:<13} "
        terminal.write(head)
        terminal.write(f"{label:<{_LABEL_WIDTH}}", **markup)
        # the title is never cut: on a narrow terminal it wraps at words, under itself
        indent = len(head) + _LABEL_WIDTH + 1
        lines = textwrap.wrap(requirement.title, max(width - indent, 20)) or [""]
        terminal.write_line(" " + f"\n{' ' * indent}".join(lines))
        if verdict.outcome == "failed" or (verdict.outcome == "skipped" and verdict.checks):
            for check in verdict.checks:
                if check.outcome != "passed":
                    # a wire log, a curl command: the toolkit's lines, kept; anything else a terminal acts on, shown
                    message = for_terminal(check.message, keep_newlines=True).replace("\n", "\n" + " " * _DETAIL_INDENT)
                    terminal.write_line(f"        {check.case_id}: {message}")
    failed = [v.requirement.id for v in verdicts if v.outcome == "failed" and v.requirement.fails_run(strict)]
    warned = [
        v.requirement.id
        for v in verdicts
        if v.outcome == "failed" and not v.requirement.fails_run(strict) and v.requirement.level == "SHOULD"
    ]
    not_run = [v.requirement.id for v in verdicts if v.outcome == "skipped"]
    words = []
    if failed:
        words.append(f"{len(failed)} requirement{'s' if len(failed) > 1 else ''} failed ({', '.join(failed)})")
    if warned:
        words.append(f"{len(warned)} SHOULD warning{'s' if len(warned) > 1 else ''} ({', '.join(warned)})")
    if not_run:
        words.append(f"{len(not_run)} not checked ({', '.join(not_run)})")
    conformant = is_conformant(verdicts, strict)
    text = "CONFORMANT" if conformant else "NON-CONFORMANT"
    terminal.write("verdict: ")
    terminal.write(text, green=conformant, red=not conformant, bold=True)
    terminal.write_line((": " + "; ".join(words)) if words else "")
