"""Behind a harness, the check that only waits (SND-RTY-013) runs alongside the others, with verdicts as if alone.

Every sender here is served by the Python bridge, each in a process of its own (sender.ahead: the protocol gives
each sender a clock of its own, so two checks may call two senders at once)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import senders as s
from peers import python_bridge
from suite_runner import REFERENCE_SENDER, FinishedRun, run_sender_suite

from horneross_conformance.core.contract import DUE
from horneross_conformance.sender.capture import CaptureLog

WAITING = "SND-RTY-013"
# the waiting check, and checks of the same requirement that run in turn while it waits
SELECTION = ("-k", "SND-RTY or SND-PAY")


def logged_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, folder: Path, factory: str, *args: str
) -> tuple[FinishedRun, list[tuple[str, str, str]]]:
    """The sender suite against ``factory`` (a ``senders.CallsLogged``) behind the bridge, and the calls it made."""
    log = folder / "calls.log"
    monkeypatch.setenv(s.CALLS_LOG, str(log))
    with python_bridge(factory) as url:
        run = run_sender_suite(pytester, url, *args)
    return run, calls_of(log)


def calls_of(log: Path) -> list[tuple[str, str, str]]:
    """(process, start or end, call) for each line ``senders.CallsLogged`` wrote, in the order written."""
    return [(pid, edge, call) for pid, edge, call in (line.split() for line in log.read_text().splitlines())]


def overlapping(calls: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Each (sender, call of another sender) where the second call started and ended while the first's was under
    way: what no run of one check at a time can ever show."""
    open_calls: dict[str, int] = {}
    found = []
    for index, (pid, edge, call) in enumerate(calls):
        if edge == "start":
            open_calls[pid] = index
            continue
        started = open_calls.pop(pid)
        found += [(other, call) for other, at in open_calls.items() if at < started]
    return found


@pytest.mark.slow
def test_the_waiting_check_runs_alongside_the_others_behind_a_harness_and_passes_in_its_turn(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run, calls = logged_run(pytester, monkeypatch, tmp_path, "senders:CallsLogged", *SELECTION)
    assert run.passed_its_selection(), run.stdout
    assert overlapping(calls), "no call of one sender was made while another's was under way"
    checks = {c["id"]: c for r in run.report["requirements"] for c in r["checks"]}
    assert len({pid for pid, _, _ in calls}) == len(checks), "a sender for each check: none ran again in its turn"
    # its deliveries were timed by its own clock and kept in its own wire log, whatever checks ran meanwhile
    exchanges = checks[WAITING]["wire"]["exchanges"]
    assert [e["when"] for e in exchanges] == [f"+{offset} s" for offset in DUE]
    paths = {e["request"] for e in exchanges}
    others = {
        e["request"] for case, c in checks.items() if case != WAITING for e in (c["wire"] or {}).get("exchanges", [])
    }
    assert not paths & others


@pytest.mark.slow
def test_without_the_waiting_check_no_two_senders_are_ever_called_at_once(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    selection = f"({SELECTION[1]}) and not {WAITING}"
    run, calls = logged_run(pytester, monkeypatch, tmp_path, "senders:CallsLogged", "-k", selection)
    assert run.passed_its_selection(), run.stdout
    assert calls
    assert overlapping(calls) == []


@pytest.mark.slow
def test_a_waiting_check_that_fails_alongside_the_others_fails_alone_in_its_turn_as_in_process(
    pytester: pytest.Pytester,
) -> None:
    in_process = run_sender_suite(pytester, s.TimeoutIsSuccess, *SELECTION, "--horneross-no-shrink")
    with python_bridge("senders:TimeoutIsSuccess") as url:
        bridged = run_sender_suite(pytester, url, *SELECTION, "--horneross-no-shrink")
    assert bridged.failed() == in_process.failed() == {"SND-05"}, bridged.stdout
    assert bridged.failed_checks() == in_process.failed_checks() == {WAITING, "SND-RTY-014"}
    assert bridged.details("SND-05") == in_process.details("SND-05")
    assert bridged.ret == 1


@pytest.mark.slow
def test_a_run_stopped_before_the_waiting_checks_turn_calls_its_sender_no_more_and_charges_it_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    selection = f"SND-PAY-001 or {WAITING}"
    run, calls = logged_run(pytester, monkeypatch, tmp_path, "senders:NoContentTypeLogged", "-x", "-k", selection)
    assert run.failed() == {"SND-01"}, run.stdout  # the first check's fault alone: nothing of the one never taken
    assert run.ret == 1
    starts = [(pid, call) for pid, edge, call in calls if edge == "start"]
    assert len(starts) == len([c for c in calls if c[1] == "end"])  # every call ended before the run did
    # the waiting check's schedule alone makes nine run_due calls: it was stopped, not waited out
    assert len({pid for pid, _ in starts}) == 2
    assert [call for _, call in starts].count("run_due") < 9


@pytest.mark.slow
def test_stray_requests_beneath_the_waiting_checks_endpoint_are_its_own_in_its_time(pytester: pytest.Pytester) -> None:
    """A sender that copies every attempt to its endpoint's URL plus /legacy: the copies of the check run ahead of
    its turn are timed by its clock and kept in its wire log, never in another check's; the verdict is in-process's."""
    selection = ("-k", f"SND-PAY or {WAITING} or SND-WIRE-004", "--horneross-no-shrink")
    in_process = run_sender_suite(pytester, s.AlsoPostsToLegacyPath, *selection)
    with python_bridge("senders:AlsoPostsToLegacyPath") as url:
        run = run_sender_suite(pytester, url, *selection)
    assert run.failed_checks() == in_process.failed_checks() == {"SND-WIRE-004"}, run.stdout
    checks = {c["id"]: c for r in run.report["requirements"] for c in r["checks"]}
    own = checks[WAITING]["wire"]["exchanges"]
    endpoint = min((e["request"].removeprefix("POST ") for e in own), key=len)  # its copies go beneath it
    assert [e["when"] for e in own if e["request"] == f"POST {endpoint}/legacy"] == [f"+{t} s" for t in DUE]
    elsewhere = [
        e["request"]
        for case, c in checks.items()
        if case != WAITING
        for e in (c["wire"] or {}).get("exchanges", [])
        if endpoint in e["request"]
    ]
    assert elsewhere == []


@pytest.mark.slow
@pytest.mark.parametrize("where", ["in process", "behind a harness"])
def test_the_waiting_checks_wire_log_keeps_every_held_attempt_however_late_the_server_sees_the_hang_up(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The sender's run_due returns as it hangs up, a moment before the capture server's thread sees it and records
    the attempt: the check waits for that, so its last attempt is in its wire log with its answer, not left out."""
    hold = CaptureLog._hold

    def seen_late(self: CaptureLog, request: Any) -> str:
        said = hold(self, request)
        threading.Event().wait(0.3)
        return said

    monkeypatch.setattr(CaptureLog, "_hold", seen_late)
    if where == "in process":
        run = run_sender_suite(pytester, REFERENCE_SENDER, "-k", WAITING)
    else:
        with python_bridge(REFERENCE_SENDER) as url:
            run = run_sender_suite(pytester, url, "-k", WAITING)
    assert run.passed_its_selection(), run.stdout
    (check,) = (c for r in run.report["requirements"] for c in r["checks"] if c["id"] == WAITING)
    exchanges = check["wire"]["exchanges"]
    assert [e["when"] for e in exchanges] == [f"+{offset} s" for offset in DUE]
    assert all("until the sender hung up" in e["status"] for e in exchanges), exchanges
