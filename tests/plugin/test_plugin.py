"""The plugin as users meet it: inert unless asked, the suite alone when asked, selectable by id, reports that
match their published schema, and no secret in any output."""

from __future__ import annotations

import gc
import json
import xml.etree.ElementTree as ET

import _pytest.pytester
import pytest
import receivers as r
from jsonschema import Draft202012Validator
from suite_runner import RECEIVER_CASES, run_suite

from horneross_conformance.core.catalogue import for_role
from horneross_conformance.core.resources import load_json
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.server import serve


def test_without_options_the_plugin_changes_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "no:hypothesispytest")
    result.assert_outcomes(passed=1)
    assert "horneross" not in result.stdout.str().replace("horneross-conformance-", "")


@pytest.mark.slow
def test_with_an_endpoint_the_suite_runs_and_nothing_else(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own():\n    raise AssertionError('must not run')\n")
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook")
    assert run.ret == 0, run.stdout
    assert "must not run" not in run.stdout
    assert f"collected {RECEIVER_CASES} items" in run.stdout


@pytest.mark.slow
def test_checks_are_selectable_by_case_id_and_by_requirement_id(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        by_case = run_suite(pytester, f"{base}/webhook", "-k", "RCV-SIG")
        by_requirement = run_suite(pytester, f"{base}/webhook", "-k", "RCV-05 or RCV-12")
    assert f"6 passed, {RECEIVER_CASES - 6} deselected" in by_case.stdout
    assert by_case.outcomes()["RCV-03"] == "passed"
    assert by_case.outcomes()["RCV-01"] == "skipped"
    assert by_case.details("RCV-01").startswith("not selected: the run's selection (-k) left out its checks")
    assert by_case.report["uncovered"] == []  # deselected is not uncovered
    assert by_case.passed_its_selection()  # what was left out is not certified: exit code 1, never 0
    assert f"2 passed, {RECEIVER_CASES - 2} deselected" in by_requirement.stdout


def test_verbose_run_lists_each_case_with_its_title(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run = run_suite(pytester, f"{base}/webhook", "-v", "-k", "RCV-SIG-002")
    assert "horneross-receiver::RCV-SIG-002 PASSED" in run.stdout


@pytest.mark.slow
def test_json_report_matches_behaviour_md_and_its_published_schema(pytester: pytest.Pytester) -> None:
    with serve(r.RejectsUnknownTypes()) as base:
        run = run_suite(pytester, f"{base}/webhook")
    report = run.report
    Draft202012Validator(load_json("meta/report.schema.json")).validate(report)
    assert report["tool"] == "horneross-conformance"
    assert report["role"] == "receiver"
    assert report["target"].endswith("/webhook")
    assert report["verdict"] == "conformant"
    assert [q["id"] for q in report["requirements"]] == [
        f"RCV-{i:02d}" for i in range(1, len(for_role("receiver")) + 1)
    ]
    rcv07 = next(q for q in report["requirements"] if q["id"] == "RCV-07")
    assert rcv07 | {"checks": None} == {
        "id": "RCV-07",
        "level": "SHOULD",
        "title": "Accepts unknown event types and extra fields",
        "outcome": "failed",
        "details": rcv07["details"],
        "checks": None,
    }
    assert rcv07["details"].startswith("RCV-FWD-001: a correctly signed event of a type added later")


def test_junit_xml_carries_requirement_and_level(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "junit.xml"
    with serve(ReferenceReceiver(r.SECRET)) as base:
        run_suite(pytester, f"{base}/webhook", f"--junitxml={junit}", "-k", "RCV-OLD-001")
    case = next(c for c in ET.parse(junit).iter("testcase") if c.get("name") == "RCV-OLD-001")
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {"requirement": "RCV-05", "level": "MUST", "case": "RCV-OLD-001", "outcome": "passed"}


@pytest.mark.slow
def test_the_secret_never_appears_in_any_output(pytester: pytest.Pytester) -> None:
    """A failing run, verbose, with locals shown, long tracebacks, a JSON report and JUnit XML."""
    junit = pytester.path / "junit.xml"
    with serve(r.AcceptsAnySignature()) as base:
        run = run_suite(
            pytester,
            f"{base}/webhook",
            "-vv",
            "-l",
            "--tb=long",
            "-rA",
            f"--junitxml={junit}",
            subprocess=True,
        )
    assert run.ret == 1
    outputs = [run.stdout, run.stderr, json.dumps(run.report, ensure_ascii=False), junit.read_text()]
    for output in outputs:
        assert r.SECRET not in output
    assert "RCV-SIG-002" in run.stdout  # the failures were shown, so there was something to leak


def test_user_information_in_the_url_is_not_printed(pytester: pytest.Pytester) -> None:
    with serve(ReferenceReceiver(r.SECRET)) as base:
        url = base.replace("http://", "http://user:hunter2@") + "/webhook"
        run = run_suite(pytester, url, "-k", "RCV-ACK-001")
    assert run.passed_its_selection()
    assert "hunter2" not in run.stdout + json.dumps(run.report)


@pytest.mark.slow
def test_the_terminal_ends_with_the_verdict_table(pytester: pytest.Pytester) -> None:
    with serve(r.AcceptsMissingHeader()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-rA")
    lines = run.stdout.strip().splitlines()
    assert lines[-2].startswith("verdict: NON-CONFORMANT")  # then only pytest's own closing line
    assert "failed" in lines[-1] and lines[-1].startswith("=")
    table = lines.index(next(line for line in lines if "Horneross receiver conformance" in line))
    assert table > lines.index(next(line for line in lines if "short test summary info" in line))


def test_the_garbage_collector_skips_what_existed_before_the_run(pytester: pytest.Pytester) -> None:
    """A full collection of a big test session's heap pauses the process for half a second, longer than a 0.5 s
    delivery timeout: the objects of the session are frozen for the run, and thawed after it."""
    import gc

    frozen_during_run: list[int] = []
    with serve(
        ReferenceReceiver(r.SECRET, handler=lambda event: frozen_during_run.append(gc.get_freeze_count()))
    ) as base:
        run_suite(pytester, f"{base}/webhook", "-k", "RCV-ACK-001")
    assert frozen_during_run and min(frozen_during_run) > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.slow
def test_a_suite_run_leaves_no_pytest_cache_in_the_folder_and_the_folders_own_tests_keep_theirs(
    pytester: pytest.Pytester,
) -> None:
    """The folder is the user's: a failing suite run (pytest would remember its failures for --lf) writes no
    .pytest_cache there, while a plain pytest run of the folder's own tests still has its cache."""
    run = pytester.runpytest_subprocess(
        "-p",
        "no:hypothesispytest",
        f"--horneross-endpoint={r.closed_port()}",
        f"--horneross-secret={r.SECRET}",
        "--horneross-examples=0",
        timeout=120,
    )
    assert run.ret == 1  # unreachable: a failed check, which the cache would remember
    assert not (pytester.path / ".pytest_cache").exists()
    pytester.makepyfile(test_own="def test_own():\n    assert False\n")
    own = pytester.runpytest_subprocess("-p", "no:hypothesispytest", timeout=120)
    assert own.ret == 1
    assert (pytester.path / ".pytest_cache").is_dir()


def test_what_the_run_froze_stays_frozen_through_pytests_closing_collections(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest collects garbage as a session ends (in its cleanup, five times over, before pytest 9.2; from 9.2 once
    as it unconfigures and once in its cleanup): the objects frozen for the run must still be frozen then (each
    collection would walk them all otherwise), and thawed after, so that a process that goes on (a pytester run, a
    notebook) collects their garbage."""
    from _pytest import unraisableexception

    frozen_at_collections: list[int] = []
    collect = unraisableexception.gc_collect_harder

    def counted(iterations: int) -> None:
        frozen_at_collections.append(gc.get_freeze_count())
        collect(iterations)

    monkeypatch.setattr(unraisableexception, "gc_collect_harder", counted)
    with serve(ReferenceReceiver(r.SECRET)) as base:
        # pytester's inline_run itself, without the inner-run options of tests/conftest.py (which leave out the
        # plugin that collects)
        _pytest.pytester.Pytester.inline_run(
            pytester, f"--horneross-endpoint={base}/webhook", f"--horneross-secret={r.SECRET}", "-k", "RCV-SIG-001"
        )
    assert frozen_at_collections
    assert all(frozen > 0 for frozen in frozen_at_collections), frozen_at_collections
    assert gc.get_freeze_count() == 0
