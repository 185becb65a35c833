"""The run's verdict from its check results: CONFORMANT only when every requirement that can fail the run was
checked and held, and every excuse a check made was true (docs/contract.md, "Verdicts")."""

from __future__ import annotations

import random

import pytest

from horneross_conformance.checks.results import CheckResult
from horneross_conformance.checks.verdict import judge, resolve_excuses
from horneross_conformance.core.catalogue import for_role
from horneross_conformance.receiver.suite import PREFLIGHT_ID, suite

COVERAGE = [(case.id, case.requirement) for case in suite.cases]
RECEIVER = [requirement.id for requirement in for_role("receiver")]
CASES: dict[str, list[str]] = {}  # each requirement's checks
for _case, _requirement in COVERAGE:
    CASES.setdefault(_requirement, []).append(_case)


def passed(requirement: str, case: str = "") -> CheckResult:
    return CheckResult(case or f"{requirement}-X", requirement, "passed", "held")


def excuse(requirement: str, owner: str | None, case: str = "") -> CheckResult:
    return CheckResult(case or f"{requirement}-Y", requirement, "skipped", "inconclusive: could not tell", owner=owner)


def failed(requirement: str) -> CheckResult:
    return CheckResult(f"{requirement}-Z", requirement, "failed", "broke")


def every_requirement_passes(*but: str) -> list[CheckResult]:
    """Every check of every requirement (but ``but``'s) passed."""
    return [passed(rid, case) for rid in RECEIVER if rid not in but for case in CASES.get(rid, [f"{rid}-X"])]


def verdict_of(results: list[CheckResult], strict: bool = False, selected: set[str] | None = None) -> str:
    return judge("receiver", "http://x/", results, COVERAGE, strict, selected, {PREFLIGHT_ID}).status


def test_every_requirement_checked_and_held_is_conformant() -> None:
    assert verdict_of(every_requirement_passes()) == "CONFORMANT"


def test_a_must_whose_checks_were_all_inconclusive_is_not_certified() -> None:
    results = [*every_requirement_passes("RCV-05"), excuse("RCV-05", None)]
    verdict = judge("receiver", "http://x/", results, COVERAGE, False, None, {PREFLIGHT_ID})
    assert verdict.status == "NOT CERTIFIED" and not verdict.conformant
    assert [v.requirement.id for v in verdict.unchecked] == ["RCV-05"]
    assert verdict.summary() == "NOT CERTIFIED: RCV-05 could not be checked (inconclusive: could not tell)"


def test_a_must_that_never_ran_is_not_certified() -> None:
    assert verdict_of(every_requirement_passes("RCV-02")) == "NOT CERTIFIED"


def test_a_must_left_out_by_the_selection_says_so() -> None:
    results = every_requirement_passes("RCV-02", "RCV-03")
    selected = {case for case, requirement in COVERAGE if requirement not in ("RCV-02", "RCV-03")}
    verdict = judge("receiver", "http://x/", results, COVERAGE, False, selected, {PREFLIGHT_ID})
    assert verdict.status == "NOT CERTIFIED"
    assert "(RCV-02, RCV-03): the run's selection (-k) left out their checks" in verdict.summary()


def without(results: list[CheckResult], case: str) -> list[CheckResult]:
    return [result for result in results if result.case_id != case]


def test_a_requirement_one_of_whose_checks_the_selection_left_out_is_not_certified_however_many_passed() -> None:
    left_out = CASES["RCV-01"][-1]
    selected = {case for case, _ in COVERAGE if case != left_out}
    verdict = judge("receiver", "x", without(every_requirement_passes(), left_out), COVERAGE, False, selected)
    assert verdict.status == "NOT CERTIFIED"
    assert [v.requirement.id for v in verdict.unchecked] == ["RCV-01"]
    assert verdict.summary() == (
        "NOT CERTIFIED: RCV-01 could not be checked (some of their checks were left out by the run's selection (-k))"
    )
    assert f"{left_out} left out by the run's selection (-k)" in verdict.unchecked[0].details
    # the same selection with that check run, and passed: conformant
    assert verdict_of(every_requirement_passes(), selected=selected | {left_out}) == "CONFORMANT"


def test_a_check_the_options_did_not_request_leaves_its_requirement_not_certified() -> None:
    case = CASES["RCV-01"][-1]
    not_requested = CheckResult(case, "RCV-01", "skipped", "not requested: --horneross-examples=0")
    verdict = judge("receiver", "x", [*without(every_requirement_passes(), case), not_requested], COVERAGE, False)
    assert verdict.status == "NOT CERTIFIED"
    assert "not requested (--horneross-examples=0)" in verdict.summary()


def test_a_selected_check_that_never_ran_leaves_its_requirement_not_certified() -> None:
    """An interrupted run: the check was selected, and no result came."""
    case = CASES["RCV-04"][0]
    selected = {case for case, _ in COVERAGE}
    verdict = judge("receiver", "x", without(every_requirement_passes(), case), COVERAGE, False, selected)
    assert verdict.status == "NOT CERTIFIED"
    assert f"{case} not run (the run ended before them)" in verdict.unchecked[0].details


def test_a_check_that_could_not_decide_and_blames_no_one_leaves_its_requirement_not_certified() -> None:
    case = CASES["RCV-03"][0]  # one of several: the others passed
    undecided = CheckResult(case, "RCV-03", "skipped", "inconclusive: could not tell")
    verdict = judge("receiver", "x", [*without(every_requirement_passes(), case), undecided], COVERAGE, False)
    assert verdict.status == "NOT CERTIFIED"
    assert f"{case} inconclusive" in verdict.unchecked[0].details
    assert verdict_of([*without(every_requirement_passes(), case), passed("RCV-03", case)]) == "CONFORMANT"


def test_a_preflight_alone_checks_nothing_of_its_requirement() -> None:
    results = [*every_requirement_passes("RCV-01"), passed("RCV-01", PREFLIGHT_ID), excuse("RCV-01", "RCV-02")]
    assert verdict_of([*results, failed("RCV-02")]) == "NON-CONFORMANT"
    assert verdict_of(results) != "CONFORMANT"


def test_a_should_unchecked_certifies_unless_strict_and_informational_never_matters() -> None:
    results = every_requirement_passes("RCV-10", "RCV-12")
    assert verdict_of(results) == "CONFORMANT"
    assert verdict_of(results, strict=True) == "NOT CERTIFIED"
    assert verdict_of([*results, *(passed("RCV-10", case) for case in CASES["RCV-10"])], strict=True) == "CONFORMANT"


def test_a_failure_outranks_what_was_not_checked() -> None:
    results = [*every_requirement_passes("RCV-03", "RCV-05"), failed("RCV-03")]
    verdict = judge("receiver", "http://x/", results, COVERAGE, False, None, {PREFLIGHT_ID})
    assert verdict.status == "NON-CONFORMANT"
    assert verdict.summary().startswith("NON-CONFORMANT: 1 requirement failed (RCV-03); RCV-05 could not be checked")


def test_an_excuse_whose_owner_failed_stays_an_excuse() -> None:
    results = [excuse("RCV-05", "RCV-01"), failed("RCV-01")]
    assert resolve_excuses(results) == results


def test_an_excuse_whose_owner_passed_fails_its_own_requirement_with_what_it_saw() -> None:
    [blamed, owner] = resolve_excuses([excuse("RCV-05", "RCV-01"), passed("RCV-01")])
    assert blamed.outcome == "failed" and owner.outcome == "passed"
    assert blamed.message.startswith("the check could not decide and blamed RCV-01, but RCV-01 passed in this run")
    assert blamed.message.endswith("What it saw: inconclusive: could not tell")
    verdict = judge("receiver", "x", [*every_requirement_passes("RCV-05"), excuse("RCV-05", "RCV-01")], COVERAGE, False)
    assert verdict.status == "NON-CONFORMANT" and [r.case_id for r in verdict.false_excuses] == ["RCV-05-Y"]


def test_an_excuse_whose_owner_was_not_checked_cannot_be_verified() -> None:
    results = [excuse("RCV-05", "RCV-01"), excuse("RCV-01", None)]
    assert resolve_excuses(results) == results


def test_excuses_are_judged_whatever_the_order_of_the_results() -> None:
    """A chain (RCV-04 blames RCV-02, which blames RCV-01, which passed) and a cycle, in every order."""
    results = [
        excuse("RCV-04", "RCV-02"),
        excuse("RCV-02", "RCV-01"),
        passed("RCV-01"),
        excuse("RCV-06", "RCV-07"),
        excuse("RCV-07", "RCV-06"),
        passed("RCV-07", "RCV-07-P"),
    ]
    expected = {r.case_id: r.outcome for r in resolve_excuses(results)}
    assert expected == {
        "RCV-04-Y": "skipped",  # RCV-02 failed once its own excuse was found false: RCV-04's excuse is true
        "RCV-02-Y": "failed",
        "RCV-01-X": "passed",
        "RCV-06-Y": "failed",  # blamed RCV-07, which passed
        "RCV-07-Y": "skipped",  # blamed RCV-06, which then failed
        "RCV-07-P": "passed",
    }
    generator = random.Random(7)
    for _ in range(20):
        shuffled = results[:]
        generator.shuffle(shuffled)
        assert {r.case_id: r.outcome for r in resolve_excuses(shuffled)} == expected


@pytest.mark.parametrize("owner", ["RCV-05", None])
def test_blaming_oneself_or_no_one_is_no_excuse_to_check(owner: str | None) -> None:
    results = [excuse("RCV-05", owner), passed("RCV-05", "RCV-05-P")]
    assert resolve_excuses(results) == results
