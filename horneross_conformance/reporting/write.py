"""Reports written after a run, in the format the path's extension names.

``.json`` is the report docs/contract.md fixes, for machines; ``.md`` is a summary for a pull-request comment; ``.html``
is one self-contained page for people: the verdict matrix first, then every check with its wire log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from horneross_conformance import __version__
from horneross_conformance.checks.results import RequirementVerdict, is_conformant
from horneross_conformance.core.catalogue import Role

SUPPORTED = (".json", ".md", ".html")


def check_report_path(path: str) -> None:
    """Raise ``ValueError`` for a report path whose format is unknown, before anything runs."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED:
        raise ValueError(f"{path!r}: the report format is chosen by extension, one of {', '.join(SUPPORTED)}")


def json_report(role: Role, target: str, verdicts: list[RequirementVerdict], strict: bool) -> dict[str, Any]:
    return {
        "tool": "horneross-conformance",
        "version": __version__,
        "role": role,
        "target": target,
        "verdict": "conformant" if is_conformant(verdicts, strict) else "non-conformant",
        "strict": strict,
        "requirements": [
            {
                "id": v.requirement.id,
                "level": v.requirement.level,
                "title": v.requirement.title,
                "outcome": v.outcome,
                "details": v.details,
                "checks": [
                    {"id": c.case_id, "outcome": c.outcome, "details": c.message}
                    | ({"wire": c.wire} if c.wire is not None else {})
                    for c in v.checks
                ],
            }
            for v in verdicts
        ],
        "uncovered": [v.requirement.id for v in verdicts if not v.covered_by],
    }


def write_report(path: str, role: Role, target: str, verdicts: list[RequirementVerdict], strict: bool) -> None:
    suffix = Path(path).suffix.lower()
    if suffix == ".md":
        from horneross_conformance.reporting.markdown import markdown_report

        text = markdown_report(role, target, verdicts, strict)
    elif suffix == ".html":
        from horneross_conformance.reporting.html import html_report

        text = html_report(role, target, verdicts, strict)
    else:
        text = json.dumps(json_report(role, target, verdicts, strict), indent=2, ensure_ascii=False) + "\n"
    Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
