"""The sender suite's generated checks: they catch senders that the hand-picked data passes, say which data
fails, never fail the reference sender, and end at once when the sender stops returning."""

from __future__ import annotations

import pytest
import senders as s
from suite_runner import NOT_SLOW, run_sender_suite
from suite_runner import REFERENCE_SENDER as REFERENCE
from zoos import RARE_SENDERS

from horneross_conformance.checks.exploration import DEFAULT_EXAMPLES
from horneross_conformance.sender.suite import suite as sender_suite

DEFAULTS = (f"--horneross-examples={DEFAULT_EXAMPLES}",)
RARE = RARE_SENDERS


@pytest.mark.slow
@pytest.mark.parametrize(("sender", "requirements", "checks"), RARE, ids=lambda v: getattr(v, "__name__", ""))
def test_hand_picked_data_misses_it(
    pytester: pytest.Pytester, sender: type, requirements: set[str], checks: set[str]
) -> None:
    run = run_sender_suite(pytester, sender, "--horneross-examples=0", "--horneross-strict", *NOT_SLOW)
    assert run.failed() == set(), run.stdout
    assert run.report["status"] == "NOT CERTIFIED"  # not conformant either: the generated checks did not run
    assert run.ret == 1


@pytest.mark.slow
@pytest.mark.parametrize(("sender", "requirements", "checks"), RARE, ids=lambda v: getattr(v, "__name__", ""))
def test_generated_data_catches_it(
    pytester: pytest.Pytester, sender: type, requirements: set[str], checks: set[str]
) -> None:
    run = run_sender_suite(pytester, sender, *DEFAULTS, *NOT_SLOW)
    assert run.failed() == requirements, run.stdout
    generated = {c for c in checks if c.startswith("SND-GEN")}
    assert run.failed_checks() & generated and run.failed_checks() <= checks
    assert run.ret == 1


@pytest.mark.slow
def test_a_failure_shows_the_smallest_failing_data(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, s.DropsEmptyStrings, *DEFAULTS, "-k", "SND-GEN-002")
    details = run.details("SND-01")
    assert '"content":""' in details, details  # the smallest message that fails: empty content
    assert "the smallest failing set of data, shrunk" in details, details
    assert "--horneross-seed=" in details and "-k SND-GEN-002" in details


@pytest.mark.slow
def test_the_reference_sender_passes_the_generated_checks_with_the_defaults(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, REFERENCE, *DEFAULTS, "--horneross-strict", "-k", "SND-GEN or SND-WIRE")
    assert run.failed() == set(), run.stdout
    assert {rid for rid, outcome in run.outcomes().items() if outcome == "passed"} == {
        "SND-01",
        "SND-03",
        "SND-04",
        "SND-08",
    }
    assert run.report["status"] == "NOT CERTIFIED"  # the selection left the schedule and the ids out
    assert "50 generated" in run.stdout or f"{DEFAULT_EXAMPLES} generated events per check" in run.stdout


@pytest.mark.slow
def test_a_sender_that_hangs_on_some_data_ends_the_exploration_at_once(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, s.HangsOnLineSeparators, "--horneross-timeout=1", "-k", "SND-GEN-005")
    assert run.failed_checks() == {"SND-GEN-005"}
    details = run.details("SND-03")
    assert "run_due() did not return within 1 s" in details
    assert "ended at once, not shrunk: run_due() did not return" in details  # one bounded wait, not one per step


@pytest.mark.slow
def test_examples_zero_leaves_the_generated_checks_out(pytester: pytest.Pytester) -> None:
    run = run_sender_suite(pytester, REFERENCE, "--horneross-examples=0", "-k", "SND-GEN", "-rs")
    assert run.ret == 1 and run.report["status"] == "NOT CERTIFIED"  # nothing was checked: nothing is certified
    assert f"{sum(case.id.startswith('SND-GEN-') for case in sender_suite.cases)} skipped" in run.stdout
    assert "not requested: --horneross-examples=0" in run.stdout
