"""A run is certified only when every check of the suite ran: cutting it down, leaving out its generated checks or
interrupting it gets no CONFORMANT, however many checks passed (docs/contract.md, "Verdicts").

Each was a way to a certificate without the work: one passing check of each requirement was once enough."""

from __future__ import annotations

import pytest
import receivers as r
from suite_runner import REFERENCE_SENDER, FinishedRun, run_sender_suite, run_suite

from horneross_conformance.checks.engine import in_phases
from horneross_conformance.core.catalogue import requirement
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.receiver.suite import suite as receiver_suite
from horneross_conformance.sender.reference import ReferenceSender
from horneross_conformance.sender.suite import suite as sender_suite
from horneross_conformance.transport.server import serve

# A conftest.py that interrupts the run (Ctrl-C) as the check it names starts
INTERRUPT_AT = """
import pytest


def pytest_runtest_setup(item):
    if item.name == {name!r}:
        raise KeyboardInterrupt
"""


def one_check_of_each_requirement(cases: list) -> str:
    """A -k expression keeping the first check of every requirement the suite covers."""
    first: dict[str, str] = {}
    for case in cases:
        first.setdefault(case.requirement, case.id)
    return " or ".join(first.values())


def assert_not_certified(run: FinishedRun, why: str) -> None:
    assert run.report["status"] == "NOT CERTIFIED", run.stdout
    assert run.report["verdict"] == "non-conformant"
    assert run.failed() == set()  # nothing failed: what did not run is what stops the certificate
    assert why in run.stdout
    assert "verdict: CONFORMANT" not in run.stdout


def test_a_sender_run_cut_down_to_one_check_of_each_requirement_is_not_certified(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, REFERENCE_SENDER, "-k", one_check_of_each_requirement(sender_suite.cases))
    assert_not_certified(run, "some of their checks were left out by the run's selection (-k)")
    assert run.ret == 1


def test_a_receiver_run_cut_down_to_one_check_of_each_requirement_is_not_certified(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", one_check_of_each_requirement(receiver_suite.cases))
    assert_not_certified(run, "some of their checks were left out by the run's selection (-k)")
    assert run.ret == 1


@pytest.mark.slow
def test_a_run_without_its_generated_checks_is_not_certified(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, REFERENCE_SENDER, "--horneross-examples=0", "-k", "not SND-RTY-013")
    assert_not_certified(run, "not requested (--horneross-examples=0)")
    assert run.ret == 1


@pytest.mark.slow
@pytest.mark.parametrize("suite", ["receiver", "sender"])
def test_an_interrupted_run_is_not_certified_by_its_report(pytester: pytest.Pytester, suite: str) -> None:
    """Interrupted at the last check of a MUST, when every requirement already has a passing check (in a process of
    its own, as a Ctrl-C ends a user's run)."""
    cases = in_phases(receiver_suite.cases if suite == "receiver" else sender_suite.cases)
    last_must = [case for case in cases if requirement(case.requirement).level == "MUST"][-1]
    pytester.makeconftest(INTERRUPT_AT.format(name=last_must.id))
    if suite == "sender":
        run = run_sender_suite(pytester, REFERENCE_SENDER, "-k", "not SND-RTY-013", subprocess=True)
    else:
        with serve(ReferenceReceiver(r.SECRET)) as base:
            run = run_suite(pytester, f"{base}/webhook", subprocess=True)
    assert_not_certified(run, "not run (the run ended before them)")
    assert run.ret == pytest.ExitCode.INTERRUPTED


class PatientSender(ReferenceSender):
    """Conformant, but waits 3 s for an answer: longer than a 1 s ``--horneross-timeout`` holds one back, so
    SND-RTY-013 cannot provoke its timeout and says so (inconclusive, blaming no other requirement)."""

    def __init__(self) -> None:
        super().__init__(timeout=3.0)


@pytest.mark.slow
def test_a_run_whose_check_could_not_decide_is_not_certified_though_its_requirements_other_checks_passed(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(patient="from test_certification import PatientSender\ncreate = PatientSender\n")
    run = run_sender_suite(pytester, "patient:create", "--horneross-timeout=1")
    assert_not_certified(run, "some of their checks were inconclusive")
    assert run.report["unchecked"] == ["SND-05"]
    assert "SND-RTY-013 inconclusive" in run.stdout
    assert run.ret == 1
