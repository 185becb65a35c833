"""The Markdown report: the verdict and the requirement table, sized for a pull-request comment."""

from __future__ import annotations

from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.inert import for_markdown, markdown_code
from horneross_conformance.core.version import __version__
from horneross_conformance.reporting.terminal import outcome_label, run_line

MAX_DETAIL = 600  # characters of a check's message; GitHub comments hold at most 65,536 in all
ICONS = {"passed": "✅", "yes": "✅", "FAILED": "❌", "WARNING": "⚠️", "not run": "⏭️", "no check": "⏭️"}
ICONS["UNCHECKED"] = "⛔"  # a requirement that must hold, not checked: the run cannot be certified
HEADLINE = {"CONFORMANT": "✅ CONFORMANT", "NON-CONFORMANT": "❌ NON-CONFORMANT", "NOT CERTIFIED": "⛔ NOT CERTIFIED"}
ICONS["no"] = "\u2139\ufe0f"  # information source: an INFORMATIONAL requirement the target does not meet


FIX_MARKERS = ("This endpoint looks like ", "Fix: ")  # where a message's fix begins (receiver.diagnosis)


def shortened(message: str, limit: int = MAX_DETAIL) -> str:
    """``message`` in at most about ``limit`` characters, its fix whole: the evidence before the fix is what is cut,
    never the fix (a fix longer than the limit is kept whole too)."""
    if len(message) <= limit:
        return message
    start = min((index for marker in FIX_MARKERS if (index := message.find(marker)) > 0), default=-1)
    if start < 0:
        return message[:limit] + "…"
    evidence, remedy = message[:start].rstrip(), message[start:]
    room = max(limit - len(remedy), 120)
    return (evidence if len(evidence) <= room else evidence[:room] + "…") + " " + remedy


def cell(text: str) -> str:
    """The toolkit's own text (a requirement's title) in a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown_report(run: RunVerdict) -> str:
    strict = run.strict
    meta = f"Target {markdown_code(run.target)} · horneross-conformance {__version__}"
    lines = [
        f"## Horneross {run.role} conformance: {HEADLINE[run.status]}",
        "",
        f"{meta} · strict {'on' if strict else 'off'}",
        "",
        *(line for line in [run_line(run, for_markdown, markdown_code)] if line),
        *([""] if run.info is not None else []),
        f"**Verdict:** {for_markdown(run.summary())}",
        "",
        *(
            f"**Root cause:** {for_markdown(cause.headline)}. {for_markdown(cause.fix)}. "
            f"Explains {', '.join(markdown_code(case_id) for case_id in case_ids)}.\n"
            for cause, case_ids in run.causes
        ),
        *(f"> {for_markdown(note)}\n" for note in run.notes),
        "| Requirement | Level | Outcome | |",
        "|---|---|---|---|",
    ]
    verdicts = run.requirements
    for verdict in verdicts:
        label, _ = outcome_label(verdict, strict)
        requirement = verdict.requirement
        lines.append(f"| {requirement.id} | {requirement.level} | {ICONS[label]} {label} | {cell(requirement.title)} |")
    problems = [v for v in verdicts if v.outcome == "failed"]
    if problems:
        lines += ["", "### What failed", ""]
        for verdict in problems:
            label, _ = outcome_label(verdict, strict)
            lines.append(f"- **{verdict.requirement.id}** ({verdict.requirement.level}, {label}):")
            for check in verdict.checks:
                if check.outcome == "failed":
                    message = shortened(check.message.split("\n")[0])
                    # the message quotes the target (a reason phrase, a body): plain text, nothing in it live
                    lines.append(f"  - {markdown_code(check.case_id)}: {for_markdown(message)}")
    if run.unchecked:
        lines += ["", "### What could not be checked", ""]
        for verdict in run.unchecked:
            details = shortened(verdict.details.split("\n")[0])
            lines.append(f"- **{verdict.requirement.id}** ({verdict.requirement.level}): {for_markdown(details)}")
    lines += ["", "<sub>The HTML report (`--horneross-report=report.html`) shows each check's wire log.</sub>", ""]
    return "\n".join(lines)
