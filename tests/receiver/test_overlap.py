"""Generated checks started while the last deliveries of the one before them are out (``receiver.overlap``): the
next check's deliveries go out beside them, each check keeps its own wire log, and nothing goes alone while
another check's deliveries are out.

Each test runs two generated checks of the receiver suite through the engine, against a receiver on a real socket
that makes the order of deliveries visible without timing anything: it holds deliveries of the first check's type
until the second check's type arrives (or for ``HOLD`` seconds, when the second check starts only after the first).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import receivers as r

from horneross_conformance.checks.engine import Engine
from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.receiver import overlap
from horneross_conformance.receiver.run import ReceiverRun
from horneross_conformance.receiver.suite import suite
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport.server import serve

HOLD = 3.0  # seconds a delivery of the first check waits for the second check's, at most
FIRST, SECOND = "RCV-GEN-003", "RCV-GEN-004"  # conversation.status.changed, then lead.captured
FIRST_TYPE, SECOND_TYPE = "conversation.status.changed", "lead.captured"


class HoldsUntilTheNextCheck(r.PlainReceiver):
    """Conformant; answers each status change only once a lead has arrived, or after ``HOLD`` seconds. Records
    whether the lead came first for each."""

    def __init__(self) -> None:
        super().__init__()
        self.lead_arrived = threading.Event()
        self.released_by_a_lead: list[bool] = []

    def accept(self, event: dict[str, Any]) -> str:
        if event.get("type") == SECOND_TYPE:
            self.lead_arrived.set()
        elif event.get("type") == FIRST_TYPE:
            released = self.lead_arrived.wait(HOLD)
            with self.lock:
                self.released_by_a_lead.append(released)
        return super().accept(event)


class FailsStatusesBesideLeads(r.PlainReceiver):
    """Answers 500 to the very first status change, once a lead has arrived (so that its check has drawn all its
    events, and the next one started), and to any status change that arrives while a lead is being answered. Holds
    each lead until a status change arrives after it, or for ``HOLD`` seconds. Records, for each status change that
    arrived after a lead (the first one's delivery alone, and what follows), how many leads were being answered."""

    def __init__(self) -> None:
        super().__init__()
        self.lead_arrived = threading.Event()
        self.status_after_a_lead = threading.Event()
        self.leads_in_flight = 0
        self.leads_seen = 0
        self.first_failed = False
        self.beside_leads: list[int] = []

    def accept(self, event: dict[str, Any]) -> str:
        kind = event.get("type")
        if kind == SECOND_TYPE:
            with self.lock:
                self.leads_in_flight += 1
                self.leads_seen += 1
            self.lead_arrived.set()
            try:
                self.status_after_a_lead.wait(HOLD)
                return super().accept(event)
            finally:
                with self.lock:
                    self.leads_in_flight -= 1
        if kind == FIRST_TYPE:
            with self.lock:
                first, self.first_failed = not self.first_failed, True
                after_a_lead, beside = self.lead_arrived.is_set(), self.leads_in_flight
                if after_a_lead and not first:
                    self.beside_leads.append(beside)
            if first:
                self.lead_arrived.wait(HOLD)
                return "500 Internal Server Error"
            if after_a_lead:
                self.status_after_a_lead.set()
            if beside:
                return "500 Internal Server Error"
        return super().accept(event)


def run_two(url: str, overlapping: bool = True) -> dict[str, CheckResult]:
    """The two checks, 5 events each (fewer than the window holds at first: all out at once), through the engine as
    the ``run`` command and the Python API drive it; ``overlapping``: as every run does outside pytest-xdist."""
    target = ReceiverTarget(url, r.SECRET, timeout=10.0, generation=Generation(examples=5, seed=1))
    engine = Engine(ReceiverRun(target, ahead=overlapping), strict=False)
    try:
        results = list(engine.run([case for case in suite.cases if case.id in (FIRST, SECOND)]))
    finally:
        engine.close()
    return {result.case_id: result for result in results}


def delivered_types(result: CheckResult) -> set[str]:
    """The event types of the deliveries in a check's wire log (its bodies are kept as inert text)."""
    assert result.wire is not None
    bodies = [exchange["request_body"] for exchange in result.wire["exchanges"]]
    return {kind for kind in EVENT_TYPES for body in bodies if f'"type":"{kind}"' in body}


@pytest.mark.slow
def test_the_next_check_starts_while_the_last_deliveries_of_one_are_out() -> None:
    receiver = HoldsUntilTheNextCheck()
    with serve(receiver) as base:
        results = run_two(f"{base}/webhook")
    assert [results[FIRST].outcome, results[SECOND].outcome] == ["passed", "passed"], results
    assert receiver.released_by_a_lead and all(receiver.released_by_a_lead), receiver.released_by_a_lead
    # each check's report shows its own deliveries only (the conversation both need is opened by the first)
    assert delivered_types(results[FIRST]) <= {FIRST_TYPE, "conversation.created"}
    assert delivered_types(results[SECOND]) == {SECOND_TYPE}
    assert results[SECOND].wire is not None and len(results[SECOND].wire["exchanges"]) == 5


@pytest.mark.slow
def test_one_after_the_other_when_checks_may_not_run_ahead_of_their_turn() -> None:
    """The control: in a pytest-xdist worker, a check starts only in its turn, so every status change waits out the
    hold (the receiver tells the two orders apart)."""
    receiver = HoldsUntilTheNextCheck()
    with serve(receiver) as base:
        results = run_two(f"{base}/webhook", overlapping=False)
    assert [results[FIRST].outcome, results[SECOND].outcome] == ["passed", "passed"], results
    assert receiver.released_by_a_lead and not any(receiver.released_by_a_lead), receiver.released_by_a_lead


@pytest.mark.slow
@pytest.mark.parametrize("waits", [True, False], ids=["as-built", "without-waiting"])
def test_nothing_goes_alone_while_the_next_check_s_deliveries_are_out(
    monkeypatch: pytest.MonkeyPatch, waits: bool
) -> None:
    """The first check's failure in flight is delivered again alone once the next check's leads are back (the
    receiver holds them ``HOLD`` seconds for that): it passes alone. Without that wait (a mutant of
    ``Overlap.wait``), it goes beside them, which the receiver sees, so this test can fail."""
    if not waits:
        monkeypatch.setattr(overlap.Overlap, "wait", lambda self: None)
    receiver = FailsStatusesBesideLeads()
    with serve(receiver) as base:
        results = run_two(f"{base}/webhook")
    assert receiver.leads_seen == 5  # the next check started while the first one's failure was out
    assert receiver.beside_leads, "the failure in flight was never delivered again"
    if waits:
        assert not any(receiver.beside_leads), receiver.beside_leads
        assert results[FIRST].outcome == "passed", results[FIRST].message
        assert "failed only while others were in flight and passed alone" in results[FIRST].message
    else:
        assert any(receiver.beside_leads), receiver.beside_leads
    assert results[SECOND].outcome == "passed", results[SECOND].message
