"""The JUnit XML a CI system reads: every check says its outcome in words, a SHOULD warning and an inconclusive
check say what and whose fault, and no skip points into the toolkit's own files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import receivers as r
from suite_runner import run_suite

from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve


class WarnsAndTimesOut(r.RejectsUnknownTypes, r.SlowForResolved):
    """A SHOULD warning (RCV-07: a type added later refused) and a MUST failure (RCV-01: too slow for "resolved")
    that leaves the checks meeting the same slowness inconclusive, owned by RCV-01."""


def cases(junit: Path) -> dict[str, dict[str, str]]:
    """Each check's test case: its properties, and the message of its failure or skip, if any."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        properties = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        for child in case:
            if child.tag in ("failure", "skipped"):
                properties[child.tag] = child.get("message", "") + "\n" + (child.text or "")
        found[case.get("name", "")] = properties
    return found


@pytest.mark.slow
def test_a_warning_and_an_inconclusive_check_say_so_and_whose_fault(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    with serve(WarnsAndTimesOut()) as base:
        run = run_suite(pytester, f"{base}/webhook", "--horneross-timeout=1", f"--junitxml={junit}")
    assert run.failed() >= {"RCV-01", "RCV-07"}, run.stdout
    checks = cases(junit)
    warning = checks["RCV-FWD-001"]
    assert warning["outcome"] == "warning" and "failure" not in warning  # a pass to JUnit, a warning in words
    assert "answered 400 Bad Request" in warning["message"]
    inconclusive = checks["RCV-ORD-001"]
    assert inconclusive["outcome"] == "inconclusive" and inconclusive["owner"] == "RCV-01", inconclusive
    assert "the fault is not what this check tests (see RCV-01)" in inconclusive["skipped"]
    assert checks["RCV-ACK-003"]["outcome"] == "failed" and "failure" in checks["RCV-ACK-003"]
    text = junit.read_text(encoding="utf-8")
    assert "horneross_conformance" not in text and ".py:" not in text  # no skip located in the toolkit's code
    assert r.SECRET not in text


@pytest.mark.slow
def test_a_conformant_run_says_passed_for_every_check(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", f"--junitxml={junit}")
    assert run.ret == 0, run.stdout
    outcomes = {name: case["outcome"] for name, case in cases(junit).items() if "case" in case}
    assert outcomes and set(outcomes.values()) <= {"passed", "informational: yes", "informational: no"}, outcomes
    assert not any("owner" in case or "skipped" in case for case in cases(junit).values())
