"""Reports written after a run, in the format the path's extension names.

``.json`` is the report docs/contract.md fixes, for machines; ``.md`` is a summary for a pull-request comment; ``.html``
is one self-contained page for people: the verdict matrix first, then every check with its wire log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from horneross_conformance.checks.verdict import RunVerdict
from horneross_conformance.core.version import __version__


def json_report(verdict: RunVerdict) -> dict[str, Any]:
    return {
        "tool": "horneross-conformance",
        "version": __version__,
        "role": verdict.role,
        "target": verdict.target,
        # two values, fixed by the public interface: a run that is NOT CERTIFIED is not conformant
        "verdict": "conformant" if verdict.conformant else "non-conformant",
        "status": verdict.status,  # CONFORMANT, NON-CONFORMANT or NOT CERTIFIED
        "summary": verdict.summary(),  # the verdict line, as the terminal ends with it
        "unchecked": [v.requirement.id for v in verdict.unchecked],
        "notes": verdict.notes,  # what the run has to say beside the verdict (a capture budget spent)
        "strict": verdict.strict,
        # each root cause of failed checks said once, with the checks it explains; each of those names it ("cause")
        "causes": [
            {"id": c.id, "headline": c.headline, "evidence": c.evidence, "fix": c.fix, "checks": case_ids}
            for c, case_ids in verdict.causes
        ],
        "requirements": [
            {
                "id": v.requirement.id,
                "level": v.requirement.level,
                "title": v.requirement.title,
                "outcome": v.outcome,
                "details": v.details,
                "checks": [
                    {"id": c.case_id, "outcome": c.outcome, "details": c.message}
                    | ({"owner": c.owner} if c.owner is not None else {})
                    | ({"cause": c.cause.id} if c.cause is not None else {})
                    | ({"wire": c.wire} if c.wire is not None else {})
                    for c in v.checks
                ],
            }
            for v in verdict.requirements
        ],
        "uncovered": [v.requirement.id for v in verdict.requirements if not v.covered_by],
    } | ({"run": verdict.info.as_json()} if verdict.info is not None else {})


def write_report(path: str, verdict: RunVerdict) -> None:
    suffix = Path(path).suffix.lower()
    if suffix == ".md":
        from horneross_conformance.reporting.markdown import markdown_report

        text = markdown_report(verdict)
    elif suffix == ".html":
        from horneross_conformance.reporting.html import html_report

        text = html_report(verdict)
    else:
        text = json.dumps(json_report(verdict), indent=2, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
