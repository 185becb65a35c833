"""From check outcomes to a verdict per requirement and for the target: shared by the terminal and the reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from horneross_conformance.core.catalogue import Requirement, Role, for_role

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class CheckResult:
    case_id: str
    requirement: str
    outcome: Outcome
    message: str
    wire: dict[str, Any] | None = None  # wire.WireLog.as_json(): what the check sent and received


@dataclass(slots=True)
class RequirementVerdict:
    requirement: Requirement
    outcome: Outcome
    details: str
    checks: list[CheckResult] = field(default_factory=list)
    covered_by: list[str] = field(default_factory=list)  # the suite's case ids for it, run or not


def requirement_verdicts(
    role: Role, results: Iterable[CheckResult], coverage: Iterable[tuple[str, str]]
) -> list[RequirementVerdict]:
    """One verdict per requirement of ``role``, in catalogue order, including those no check covers.

    ``coverage`` lists (case id, requirement id) for every case of the suite, so that a requirement whose checks
    were deselected reads "not run" and one without any check reads "no check covers this requirement".
    """
    by_requirement: dict[str, list[CheckResult]] = {}
    for result in results:
        by_requirement.setdefault(result.requirement, []).append(result)
    cases: dict[str, list[str]] = {}
    for case_id, requirement_id in coverage:
        cases.setdefault(requirement_id, []).append(case_id)
    verdicts = []
    for requirement in for_role(role):
        checks = by_requirement.get(requirement.id, [])
        covered_by = cases.get(requirement.id, [])
        failed = [c for c in checks if c.outcome == "failed"]
        passed = [c for c in checks if c.outcome == "passed"]
        if failed:
            outcome: Outcome = "failed"
            details = "; ".join(f"{c.case_id}: {c.message}" for c in failed)
        elif passed:
            outcome = "passed"
            skipped = len(checks) - len(passed)
            details = f"{len(passed)} of {len(checks)} checks passed" + (f", {skipped} skipped" if skipped else "")
        elif checks:
            outcome = "skipped"
            details = "; ".join(f"{c.case_id}: {c.message}" for c in checks)
        else:
            outcome = "skipped"
            details = "not run" if covered_by else "no check covers this requirement"
        verdicts.append(RequirementVerdict(requirement, outcome, details, checks, covered_by))
    return verdicts


def is_conformant(verdicts: Iterable[RequirementVerdict], strict: bool) -> bool:
    """Non-conformant when a MUST requirement failed, or a SHOULD one under ``strict``."""
    return not any(v.outcome == "failed" and v.requirement.fails_run(strict) for v in verdicts)
