"""From check outcomes to one verdict per requirement: shared by the terminal and every report.

A check's outcome is ``passed``, ``failed`` or ``skipped`` (inconclusive, not requested or not run). A skipped
check that names an ``owner`` says the fault it met is that requirement's; whether that is true is decided over
the whole run (``checks.verdict``), never by the order in which checks ran.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from horneross_conformance.checks.registry import Cause
from horneross_conformance.core.catalogue import Requirement, Role, for_role

Outcome = Literal["passed", "failed", "skipped"]
NOT_REQUESTED = "not requested: "  # how the message of a check the run's options left out begins


@dataclass(frozen=True, slots=True)
class CheckResult:
    case_id: str
    requirement: str
    outcome: Outcome
    message: str
    wire: dict[str, Any] | None = None  # wire.WireLog.as_json(): what the check sent and received
    owner: str | None = None  # skipped because of this requirement's fault (``Inconclusive.owner``)
    internal: bool = False  # failed for a fault of the toolkit's, not of the target's
    cause: Cause | None = None  # failed for this root cause, which it shares with other checks (``Cause``)

    def __post_init__(self) -> None:
        if isinstance(self.cause, dict):  # read back from JSON (a pytest-xdist worker's, a report's)
            object.__setattr__(self, "cause", Cause(**self.cause))


@dataclass(slots=True)
class RequirementVerdict:
    requirement: Requirement
    outcome: Outcome
    details: str
    checks: list[CheckResult] = field(default_factory=list)
    covered_by: list[str] = field(default_factory=list)  # the suite's case ids for it, run or not
    deselected: bool = False  # its checks were all left out by the run's selection (-k)
    # passed, but not all of its checks ran (why, in a few words): what ran held, and it is still not checked
    incomplete: str = ""


def requirement_verdicts(
    role: Role,
    results: Iterable[CheckResult],
    coverage: Iterable[tuple[str, str]],
    selected: Collection[str] | None = None,
    preconditions: Collection[str] = (),
) -> list[RequirementVerdict]:
    """One verdict per requirement of ``role``, in catalogue order, including those no check covers.

    ``coverage`` lists (case id, requirement id) for every case of the suite, so that a requirement whose checks
    were not run reads "not run" and one without any check reads "no check covers this requirement".
    ``selected``: the case ids the run's selection kept (None: every case), so that a requirement the selection
    left out says so. ``preconditions``: the cases whose pass says nothing of their requirement (a preflight: the
    endpoint answers at all), so that a requirement whose other checks were all inconclusive is not checked.

    A requirement none of whose checks failed is checked only when every one of its checks ran and decided: one left
    out by the selection (``-k``) or by the options (``--horneross-examples=0``), one that never ran (an interrupted
    run), or one inconclusive that blames no other requirement, leaves it ``incomplete``: passed, since what ran
    held, yet not checked, however many of the others passed, since what was not checked cannot be certified
    (``verdict.RunVerdict.unchecked``).
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
        passed = [c for c in checks if c.outcome == "passed" and c.case_id not in preconditions]
        deselected, incomplete = False, ""
        if failed:
            outcome: Outcome = "failed"
            details = "; ".join(f"{c.case_id}: {c.message}" for c in failed)
        elif passed and (missing := _did_not_run(covered_by, checks, selected)):
            outcome, incomplete = "passed", "; ".join(why for _, why in missing)
            details = f"{len(passed)} of {len(covered_by)} checks passed, but not all ran: " + "; ".join(
                f"{', '.join(cases)} {why}" for cases, why in missing
            )
        elif passed:
            outcome = "passed"
            skipped = len(checks) - len(passed)
            details = f"{len(passed)} of {len(checks)} checks passed" + (f", {skipped} skipped" if skipped else "")
        elif checks:
            outcome = "skipped"
            details = "; ".join(f"{c.case_id}: {c.message}" for c in checks)
        elif not covered_by:
            outcome, details = "skipped", "no check covers this requirement"
        elif selected is not None and not set(covered_by) & set(selected):
            outcome, deselected = "skipped", True
            details = f"not selected: the run's selection (-k) left out its checks ({', '.join(covered_by)})"
        else:
            outcome, details = "skipped", "not run"
        verdicts.append(RequirementVerdict(requirement, outcome, details, checks, covered_by, deselected, incomplete))
    return verdicts


def _did_not_run(
    covered_by: list[str], checks: list[CheckResult], selected: Collection[str] | None
) -> list[tuple[list[str], str]]:
    """Which of a requirement's checks did not run, and why (in a few words); empty when every one ran."""
    ran = {check.case_id for check in checks if not check.message.startswith(NOT_REQUESTED)}
    requested = {check.case_id for check in checks}
    left_out = [case for case in covered_by if selected is not None and case not in selected]
    not_requested = [case for case in covered_by if case in requested and case not in ran]
    not_run = [case for case in covered_by if case not in ran and case not in left_out and case not in not_requested]
    decided = {check.case_id for check in checks if check.outcome != "skipped"}
    # inconclusive with no other requirement to blame: nothing decided it (one that blames another is judged with
    # its owner: ``verdict.resolve_excuses``)
    undecided = [c.case_id for c in checks if c.case_id in ran and c.case_id not in decided and c.owner is None]
    return [
        (cases, why)
        for cases, why in (
            (left_out, "left out by the run's selection (-k)"),
            (not_requested, "not requested (--horneross-examples=0)"),
            (not_run, "not run (the run ended before them)"),
            (list(dict.fromkeys(undecided)), "inconclusive"),
        )
        if cases
    ]
