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
                properties[f"{child.tag} type"] = child.get("type", "")
        found[case.get("name", "")] = properties
    return found


@pytest.mark.slow
def test_a_warning_and_an_inconclusive_check_say_so_and_whose_fault(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In JUnit XML, and, the run being inside GitHub Actions, as annotations and in the step summary."""
    junit, summary = pytester.path / "junit.xml", pytester.path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    with serve(WarnsAndTimesOut()) as base:
        run = run_suite(pytester, f"{base}/webhook", "--horneross-timeout=1", f"--junitxml={junit}")
    assert run.failed() >= {"RCV-01", "RCV-07"}, run.stdout
    checks = cases(junit)
    warning = checks["RCV-FWD-001"]
    assert warning["outcome"] == "warning" and "failure" not in warning  # not a failure: the run tolerates it
    assert "answered 400 Bad Request" in warning["message"]
    # but seen in the counts a CI system shows: an expected failure, which JUnit writes as a skip
    assert warning["skipped type"] == "pytest.xfail", warning
    assert warning["skipped"].startswith("WARNING (SHOULD RCV-07): ") and "400 Bad Request" in warning["skipped"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and int(suite.get("skipped", "0")) >= 1 + len(
        [c for c in checks.values() if c.get("outcome") == "inconclusive"]
    )
    inconclusive = checks["RCV-ORD-001"]
    assert inconclusive["outcome"] == "inconclusive" and inconclusive["owner"] == "RCV-01", inconclusive
    assert "the fault is not what this check tests (see RCV-01)" in inconclusive["skipped"]
    assert checks["RCV-ACK-003"]["outcome"] == "failed" and "failure" in checks["RCV-ACK-003"]
    text = junit.read_text(encoding="utf-8")
    assert "horneross_conformance" not in text and ".py:" not in text  # no skip located in the toolkit's code
    assert r.SECRET not in text
    # GitHub Actions: one annotation a requirement, the warning as a warning, and the verdict; the report appended
    commands = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert any(line.startswith("::warning title=RCV-07 SHOULD%3A ") for line in commands), commands
    assert any(line.startswith("::error title=RCV-01 MUST%3A ") for line in commands), commands
    assert commands[-1].startswith("::error title=Horneross verdict::NON-CONFORMANT"), commands
    assert "# Horneross receiver conformance" in summary.read_text(encoding="utf-8")
    assert r.SECRET not in run.stdout + summary.read_text(encoding="utf-8")


def test_no_annotation_outside_github_actions_and_none_a_target_can_end_early() -> None:
    """A target's words reach an annotation's message only, escaped: a line break cannot start a workflow command
    of its own (``::add-mask::``, ``::stop-commands::``), nor a colon end the title."""
    from horneross_conformance.checks.results import CheckResult, RequirementVerdict
    from horneross_conformance.checks.verdict import RunVerdict
    from horneross_conformance.core.catalogue import requirement
    from horneross_conformance.reporting.github import announce

    hostile = "answered 400: \n::add-mask::x\r\n::stop-commands::end 100%\x1b[2J"
    check = CheckResult("RCV-FWD-001", "RCV-07", "failed", hostile)
    warned = RequirementVerdict(requirement("RCV-07"), "failed", "", [check])
    verdict = RunVerdict("receiver", "http://127.0.0.1/", False, [warned], [])
    written: list[str] = []
    announce(verdict, written.append, {"GITHUB_ACTIONS": "false"})
    assert written == []
    announce(verdict, written.append, {"GITHUB_ACTIONS": "true"})
    lines = "".join(written).splitlines()
    assert len(lines) == len(written) == 2 and lines[0].startswith("::warning title=RCV-07 SHOULD%3A "), lines
    assert "%0A::add-mask::x" in lines[0] and "%0A::stop-commands::end 100%25" in lines[0]
    assert "\x1b" not in lines[0] and "\r" not in lines[0]  # the terminal's escapes shown as text
    assert lines[1].startswith("::notice title=Horneross verdict::CONFORMANT: 1 SHOULD warning (RCV-07)")


@pytest.mark.slow
def test_a_conformant_run_says_passed_for_every_check(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", f"--junitxml={junit}")
    assert run.ret == 0, run.stdout
    outcomes = {name: case["outcome"] for name, case in cases(junit).items() if "case" in case}
    assert outcomes and set(outcomes.values()) <= {"passed", "informational: yes", "informational: no"}, outcomes
    assert not any("owner" in case or "skipped" in case for case in cases(junit).values())
