"""The verdict where GitHub Actions shows it: annotations on the run's summary page, and the step summary.

A job's summary page is what a person sees of a CI run; it lists the annotations a step prints as workflow
commands (``::error``, ``::warning``, ``::notice``) and renders the Markdown appended to ``$GITHUB_STEP_SUMMARY``.
So inside GitHub Actions (``GITHUB_ACTIONS=true``, which it sets) a run prints one annotation per root cause, per
failed requirement, per SHOULD warning and per requirement left unchecked, and appends its Markdown report to the
step summary. Elsewhere it prints nothing more.

Everything in an annotation came through the engine's redaction; the workflow command's own syntax is escaped
(``%``, CR, LF, and ``:``/``,`` in its properties) so that nothing a target sent can end the command early or issue
another one (``::add-mask::``, ``::stop-commands::``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.inert import for_terminal

MAX_ANNOTATION = 4000  # characters of a message: GitHub shows about this much of one


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, title: str, message: str) -> str:
    text = for_terminal(message, keep_newlines=True)
    if len(text) > MAX_ANNOTATION:
        text = text[: MAX_ANNOTATION - 1] + "…"
    return f"::{kind} title={_property(for_terminal(title))}::{_data(text)}"


def workflow_commands(verdict: RunVerdict) -> list[str]:
    """The workflow commands for ``verdict``: a root cause once, then each requirement that failed without one,
    each SHOULD warning, and each requirement that must hold and was not checked."""
    lines = []
    explained: set[str] = set()
    for cause, case_ids in verdict.causes:
        explained.update(case_ids)
        lines.append(_command("error", f"Horneross {verdict.role}: root cause", f"{cause.headline}. {cause.fix}"))
    for kind, verdicts in (("error", verdict.failed), ("warning", verdict.warned)):
        for requirement_verdict in verdicts:
            requirement = requirement_verdict.requirement
            checks = [c for c in requirement_verdict.checks if c.outcome == "failed"]
            said = [f"{c.case_id}: {c.message}" for c in checks if c.case_id not in explained]
            if checks and not said:
                said = [f"see the root cause ({', '.join(c.case_id for c in checks)})"]
            title = f"{requirement.id} {requirement.level}: {requirement.title}"
            lines.append(_command(kind, title, "\n".join(said) or requirement_verdict.details))
    for requirement_verdict in verdict.unchecked:
        requirement = requirement_verdict.requirement
        title = f"{requirement.id} {requirement.level} not checked"
        lines.append(_command("error", title, requirement_verdict.details))
    lines.append(_command("error" if not verdict.conformant else "notice", "Horneross verdict", verdict.summary()))
    return lines


def announce(verdict: RunVerdict, write: Callable[[str], object], environ: Mapping[str, str] = os.environ) -> None:
    """Inside GitHub Actions, ``write`` ``verdict``'s annotations (to standard output, where the runner reads
    workflow commands) and append its Markdown report to the step summary; elsewhere, nothing."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return
    for line in workflow_commands(verdict):
        write(line + "\n")
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        from horneross_conformance.reporting.markdown import markdown_report

        try:
            with open(summary, "a", encoding="utf-8") as file:
                file.write(markdown_report(verdict) + "\n")
        except OSError as error:  # the summary is a courtesy: the verdict and the exit code stand without it
            write(f"horneross: could not write the step summary: {for_terminal(str(error))}\n")
