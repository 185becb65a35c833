"""Reports written after a run: the JSON report of behaviour.md (other formats come as separate writers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from horneross_conformance import __version__
from horneross_conformance.catalogue import Role
from horneross_conformance.results import RequirementVerdict, is_conformant

SUPPORTED = (".json",)


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
                "checks": [{"id": c.case_id, "outcome": c.outcome, "details": c.message} for c in v.checks],
            }
            for v in verdicts
        ],
        "uncovered": [v.requirement.id for v in verdicts if not v.covered_by],
    }


def write_report(path: str, report: dict[str, Any]) -> None:
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
