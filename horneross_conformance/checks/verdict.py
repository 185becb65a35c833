"""The run's verdict: CONFORMANT only when every requirement that can fail the run was checked and held.

Three verdicts (docs/contract.md, "Verdicts"):

- NON-CONFORMANT: a requirement that fails the run failed (a MUST; a SHOULD too under ``--horneross-strict``);
- NOT CERTIFIED: none failed, but at least one of them could not be checked: some of its checks did not run (left
  out by the selection, ``-k``, or by ``--horneross-examples=0``, or not run at all: an interrupted run) or did not
  decide (inconclusive, blaming no other requirement). What was not checked cannot be certified;
- CONFORMANT: every one of them was checked, every one of its checks run, and held.

Only CONFORMANT exits with 0. Before any of this, each excuse is checked (``resolve_excuses``): a check that said
"inconclusive, this is SND-05's fault" when SND-05 passed in the same run met a fault of its own requirement, and
fails it, with what it saw.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from horneross_conformance.checks.registry import Cause
from horneross_conformance.checks.results import CheckResult, RequirementVerdict, requirement_verdicts
from horneross_conformance.core.catalogue import Role

Status = Literal["CONFORMANT", "NON-CONFORMANT", "NOT CERTIFIED"]
SHOWN_REASON = 240  # characters of why a requirement could not be checked, in the verdict line


def resolve_excuses(results: Iterable[CheckResult], preconditions: Collection[str] = ()) -> list[CheckResult]:
    """The results with every false excuse turned into a failure of the requirement that made it.

    An excuse is a skipped result that names an ``owner``. It is true when the owner failed in the run, false when
    the owner passed, and cannot be verified when the owner was not checked (then it stays skipped, and its
    requirement may stay unchecked). Excuses are judged in rounds, each against the requirements' status at its
    start, so the order of the results changes nothing; a failure is never turned back, so the rounds end.
    """
    resolved = list(results)
    while True:
        status = _requirement_status(resolved, preconditions)
        changed = False
        for index, result in enumerate(resolved):
            owner = result.owner
            if result.outcome != "skipped" or owner is None or owner == result.requirement:
                continue
            if status.get(owner) == "passed":
                resolved[index] = replace(result, outcome="failed", message=false_excuse(result))
                changed = True
        if not changed:
            return resolved


def false_excuse(result: CheckResult) -> str:
    return (
        f"the check could not decide and blamed {result.owner}, but {result.owner} passed in this run, so the fault it "
        f"met is {result.requirement}'s own. What it saw: {result.message}"
    )


def _requirement_status(results: list[CheckResult], preconditions: Collection[str]) -> dict[str, str]:
    status: dict[str, str] = {}
    for result in results:
        if result.outcome == "failed":
            status[result.requirement] = "failed"
        elif (
            result.outcome == "passed"
            and result.case_id not in preconditions
            and status.get(result.requirement) != "failed"
        ):
            status[result.requirement] = "passed"
    return status


@dataclass(slots=True)
class RunVerdict:
    """The verdict of one suite run against one target, which the terminal and every report show alike."""

    role: Role
    target: str
    strict: bool
    requirements: list[RequirementVerdict]
    false_excuses: list[CheckResult]
    notes: list[str] = field(default_factory=list)  # what the reports say of the run beside the verdict
    info: Any = None  # engine.RunInfo: version, seed, options, start, duration, the command to run it again

    @property
    def failed(self) -> list[RequirementVerdict]:
        return [v for v in self.requirements if v.outcome == "failed" and v.requirement.fails_run(self.strict)]

    @property
    def warned(self) -> list[RequirementVerdict]:
        return [
            v
            for v in self.requirements
            if v.outcome == "failed" and not v.requirement.fails_run(self.strict) and v.requirement.level == "SHOULD"
        ]

    @property
    def unchecked(self) -> list[RequirementVerdict]:
        """The requirements that would fail the run if they failed, and were not checked: none of their checks
        decided, or not all of them ran (``incomplete``)."""
        return [v for v in self.not_checked if v.requirement.fails_run(self.strict)]

    @property
    def not_checked(self) -> list[RequirementVerdict]:
        """Every requirement not checked, those that cannot fail the run included."""
        return [v for v in self.requirements if v.outcome == "skipped" or (v.outcome == "passed" and v.incomplete)]

    @property
    def causes(self) -> list[tuple[Cause, list[str]]]:
        """Each root cause of failed checks, once, with the checks it explains, in the order of the requirements:
        what the verdict says first."""
        found: dict[str, tuple[Cause, list[str]]] = {}
        for verdict in self.requirements:
            for check in verdict.checks:
                if check.outcome == "failed" and check.cause is not None:
                    found.setdefault(check.cause.id, (check.cause, []))[1].append(check.case_id)
        return list(found.values())

    @property
    def status(self) -> Status:
        if self.failed:
            return "NON-CONFORMANT"
        if self.unchecked:
            return "NOT CERTIFIED"
        return "CONFORMANT"

    @property
    def conformant(self) -> bool:
        return self.status == "CONFORMANT"

    def summary(self) -> str:
        """The verdict line: ``NOT CERTIFIED: SND-07 could not be checked (...)``."""
        words = []
        if self.failed:
            ids = _ids(self.failed)
            words.append(f"{len(self.failed)} requirement{_s(self.failed)} failed ({ids})")
        if self.unchecked:
            words.append(self.why_unchecked())
        if self.warned:
            words.append(f"{len(self.warned)} SHOULD warning{_s(self.warned)} ({_ids(self.warned)})")
        others = [v for v in self.not_checked if v not in self.unchecked]
        if others:
            words.append(f"{len(others)} not checked ({_ids(others)})")
        return self.status + (": " + "; ".join(words) if words else "")

    def why_unchecked(self) -> str:
        """Which requirements that must hold could not be checked, and why, in one sentence: one reason for all of
        them when they share it (the selection left them out, the target stopped answering)."""
        unchecked = self.unchecked
        reasons = {v.requirement.id: _reason(v) for v in unchecked}
        if len(unchecked) == 1:
            return f"{unchecked[0].requirement.id} could not be checked ({reasons[unchecked[0].requirement.id]})"
        distinct = list(dict.fromkeys(reasons.values()))
        if len(distinct) == 1:
            reason = distinct[0]
        else:
            shown = [f"{rid}: {_cut(why, 120)}" for rid, why in list(reasons.items())[:3]]
            reason = "; ".join(shown) + ("; …" if len(reasons) > 3 else "")
        return f"{len(unchecked)} requirements could not be checked ({_ids(unchecked)}): {reason}"


def _reason(verdict: RequirementVerdict) -> str:
    """Why a requirement was not checked: its first check's message without the case id, or its details."""
    if verdict.deselected:
        return "the run's selection (-k) left out their checks"
    if verdict.incomplete:
        return f"some of their checks were {verdict.incomplete}"
    if verdict.checks:
        return _cut(verdict.checks[0].message)
    return _cut(verdict.details)


def judge(
    role: Role,
    target: str,
    results: Iterable[CheckResult],
    coverage: Iterable[tuple[str, str]],
    strict: bool,
    selected: Collection[str] | None = None,
    preconditions: Collection[str] = (),
) -> RunVerdict:
    """The verdict of a run from its check results (``coverage``: every case of the suite, run or not;
    ``preconditions``: cases whose pass checks nothing of their requirement, as a preflight)."""
    given = list(results)
    resolved = resolve_excuses(given, preconditions)
    false = [after for before, after in zip(given, resolved, strict=True) if before.outcome != after.outcome]
    verdicts = requirement_verdicts(role, resolved, coverage, selected, preconditions)
    return RunVerdict(role, target, strict, verdicts, false)


def _ids(verdicts: list[RequirementVerdict]) -> str:
    return ", ".join(v.requirement.id for v in verdicts)


def _s(items: list[RequirementVerdict]) -> str:
    return "" if len(items) == 1 else "s"


def _cut(text: str, limit: int = SHOWN_REASON) -> str:
    line = text.split("\n", 1)[0]
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + " …"
