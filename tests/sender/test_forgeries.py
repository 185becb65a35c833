"""Verdicts no implementation can forge (issue 21): a requirement that must hold and was not checked never ends
in exit code 0, an excuse that turns out false fails the requirement that made it, and a delivery nobody owed is
found in whatever process of the run it arrived, pytest-xdist's workers included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import senders as s
from suite_runner import NOT_SLOW, run_sender_suite


def _checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for r in report["requirements"] for c in r["checks"]}


@pytest.mark.slow
def test_a_must_whose_checks_all_come_out_inconclusive_cannot_exit_0(pytester: pytest.Pytester) -> None:
    """SND-07's checks need a retry to compare; a sender that never retries leaves them inconclusive, blaming
    SND-05, which this run left out: nothing failed, and yet nothing is certified, in every output alike."""
    junit = pytester.path / "junit.xml"
    run = run_sender_suite(pytester, s.OneAttempt, "-k", "SND-SAME", f"--junitxml={junit}")
    assert run.failed_checks() == set()
    assert {c["outcome"] for c in _checks(run.report).values()} == {"skipped"}
    assert {c["owner"] for c in _checks(run.report).values()} == {"SND-05"}
    assert run.ret == 1
    assert run.report["verdict"] == "non-conformant" and run.report["status"] == "NOT CERTIFIED"
    assert "SND-07" in run.report["unchecked"]
    assert "SND-07  MUST          UNCHECKED" in run.stdout
    assert "verdict: NOT CERTIFIED" in run.stdout.splitlines()[-2]
    xml = junit.read_text(encoding="utf-8")
    assert 'name="verdict"' in xml and 'failures="1"' in xml and "NOT CERTIFIED" in xml
    for extension in (".md", ".html"):
        report = pytester.path / f"r{extension}"
        again = run_sender_suite(pytester, s.OneAttempt, "-k", "SND-SAME", f"--horneross-report={report}")
        assert again.ret == 1 and "NOT CERTIFIED" in report.read_text(encoding="utf-8")
    # with the schedule checked too, the excuse is true, and the run is non-conformant for the schedule alone
    whole = run_sender_suite(pytester, s.OneAttempt, "-k", "SND-SAME or SND-RTY-011")
    assert whole.failed() == {"SND-05"} and whole.report["status"] == "NON-CONFORMANT"


@pytest.mark.slow
def test_an_excuse_found_false_fails_the_requirement_that_made_it(pytester: pytest.Pytester) -> None:
    """A sender that never retries non-ASCII events: the identical-retries check on stress text blames SND-05, but
    the one schedule check this run selected (plain ASCII) passes, so the fault it met is SND-07's own."""
    run = run_sender_suite(pytester, s.NeverRetriesNonAscii, "-k", "SND-SAME-001 or SND-RTY-011")
    checks = _checks(run.report)
    assert checks["SND-RTY-011"]["outcome"] == "passed"
    assert checks["SND-SAME-001"]["outcome"] == "failed"
    assert (
        "blamed SND-05, but SND-05 passed in this run, so the fault it met is SND-07's own"
        in (checks["SND-SAME-001"]["details"])
    )
    assert run.failed() == {"SND-07"} and run.ret == 1
    assert "FAILED horneross-sender::verdict" in run.stdout  # the only failed test: pytest agrees with the verdict


@pytest.mark.slow
def test_a_tenant_leak_is_found_in_every_worker_of_a_parallel_run(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist each worker has capture servers and a leak of its own; what a worker judges once its
    checks are done reaches the controller, and its verdict."""
    # the workers import the senders from the folder they run in
    shutil.copytree(Path(s.__file__).parent, pytester.path / "senders")
    run = run_sender_suite(pytester, s.TenantLeak, *NOT_SLOW, "-n", "2")
    assert run.failed() == {"SND-08"}, run.stdout
    assert run.failed_checks() == {"SND-WIRE-005"}
    assert "deliveries went where they were not owed" in run.details("SND-08")
    assert run.ret == 1 and run.report["status"] == "NON-CONFORMANT"
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.slow
@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["one process", "two workers"])
def test_a_delivery_after_the_last_check_is_still_accounted_for(
    pytester: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    """With the sweeps left out by -k, the run still judges every delivery once its checks are done, in each
    process that ran checks."""
    shutil.copytree(Path(s.__file__).parent, pytester.path / "senders")
    run = run_sender_suite(pytester, s.TenantLeak, "-k", "SND-PAY or SND-ID", *workers)
    assert run.failed_checks() == {"SND-WIRE-005"}, run.stdout
    assert "SND-WIRE-005[after the run]" in run.stdout
    assert run.ret == 1
    assert json.dumps(run.report).count("went where they were not owed") >= 1
