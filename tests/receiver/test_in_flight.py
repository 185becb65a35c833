"""explore_in_flight(): deliveries overlap, verdicts do not change: the same events, the same shrunk failure, and a
failure that only happens while others are in flight never counts."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import receivers as r
from hypothesis import strategies as st
from suite_runner import run_both_ways, run_suite
from test_exploration import NUMBERS, fails_above
from test_hard_targets import COMPARED_IN_FLIGHT as COMPARED_IN_HARD_TARGETS
from test_receiver_suite import COMPARED_IN_FLIGHT
from test_receiver_verdicts import COMPARED_IN_FLIGHT as COMPARED_IN_VERDICTS

from horneross_conformance.checks.exploration import Counterexample, Stop, explore
from horneross_conformance.checks.in_flight import explore_in_flight
from horneross_conformance.transport.server import serve


class Crowd:
    """A check that counts how many deliveries overlap, and fails when more than ``limit`` do."""

    def __init__(self, limit: int = 1_000) -> None:
        self.limit = limit
        self.now = 0
        self.most = 0
        self.seen: list[Any] = []
        self.lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            crowded = self.now > self.limit
            self.seen.append(event)
        try:
            time.sleep(0.005)  # long enough for deliveries to overlap
            if crowded:
                raise Counterexample("503 under load", event, b"")
        finally:
            with self.lock:
                self.now -= 1


def test_the_same_seed_delivers_the_same_events_as_one_at_a_time() -> None:
    alone: list[Any] = []
    explore(alone.append, NUMBERS, examples=40, seed=7, budget=30, explicit=[{"n": -1}])
    crowd = Crowd()
    result = explore_in_flight(crowd, crowd, NUMBERS, examples=40, seed=7, budget=30, explicit=[{"n": -1}], width=8)
    assert result.found is None and result.passed_alone == 0
    assert result.tried == len(alone) == 41
    assert sorted(map(repr, crowd.seen)) == sorted(map(repr, alone))
    assert 1 < crowd.most <= 8


def test_width_one_is_one_at_a_time() -> None:
    crowd = Crowd()
    explore_in_flight(crowd, crowd, NUMBERS, examples=20, seed=1, budget=30, width=1)
    assert crowd.most == 1 and len(crowd.seen) == 20


def test_a_failure_only_under_load_is_delivered_again_alone_and_does_not_count() -> None:
    crowd = Crowd(limit=2)
    result = explore_in_flight(crowd, crowd, NUMBERS, examples=40, seed=1, budget=30, width=8)
    assert result.found is None and result.stopped is None
    assert result.passed_alone >= 1
    assert result.tried == 40


def test_a_real_failure_is_found_and_shrunk_exactly_as_one_at_a_time() -> None:
    sequential = explore(fails_above(10), NUMBERS, examples=100, seed=1, budget=30)
    result = explore_in_flight(fails_above(10), fails_above(10), NUMBERS, examples=100, seed=1, budget=30, width=8)
    assert result.found is not None and sequential.found is not None
    assert result.found.event == sequential.found.event == {"n": 11}
    assert result.shrunk and result.tried == sequential.tried


def test_no_answer_alone_ends_the_exploration_at_once() -> None:
    calls: list[int] = []

    def silent(event: Any) -> None:
        calls.append(1)
        if event["n"] > 10:
            raise Stop("the endpoint gave no answer", Counterexample("no answer", event, b""))

    result = explore_in_flight(silent, silent, NUMBERS, examples=100, seed=1, budget=30, width=4)
    assert result.stopped == "the endpoint gave no answer" and not result.shrunk
    assert result.found is not None and result.found.event["n"] > 10


def test_an_internal_error_in_a_delivery_reaches_the_caller() -> None:
    def broken(event: Any) -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        explore_in_flight(broken, broken, st.just({"n": 1}), examples=5, seed=1, budget=30, width=4)


def zoo() -> list[type[r.PlainReceiver]]:
    """Every test receiver of ``receivers``, conformant or broken (the abstract load-sensitive base aside), but
    those that tests/receiver/test_receiver_suite.py, test_hard_targets.py and test_receiver_verdicts.py already run
    both ways, asserting on their own runs."""
    found = [value for value in vars(r).values() if isinstance(value, type) and issubclass(value, r.PlainReceiver)]
    elsewhere = COMPARED_IN_FLIGHT | COMPARED_IN_HARD_TARGETS | COMPARED_IN_VERDICTS
    return [receiver for receiver in found if receiver is not r.LoadSensitive and receiver not in elsewhere]


@pytest.mark.slow
@pytest.mark.parametrize("receiver", zoo(), ids=lambda c: c.__name__)
def test_deliveries_in_flight_change_no_outcome(pytester: pytest.Pytester, receiver: type[r.PlainReceiver]) -> None:
    """The whole suite, one delivery at a time and 8 in flight: the same requirement outcomes and the same failing
    checks. The same seed gives both runs the same events, so few of them are enough to compare the two ways of
    delivering them (how deep generation finds rare bugs is tests/receiver/test_generated_checks.py's subject). A 2 s
    timeout, short enough for the receiver that hangs on some events."""
    run_both_ways(pytester, receiver, "--horneross-timeout=2")


class OneAtATimeHoldingLonger(r.OneAtATime):
    """Holds each delivery 0.1 s rather than 0.02 s: deliveries in flight overlap even when a loaded machine draws
    the events slowly (one check's few deliveries: the time is nothing here)."""

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(0.08)
        return super().under_load(event, crowded)


def test_an_endpoint_that_fails_only_under_load_passes_and_is_told_why_it_went_one_at_a_time(
    pytester: pytest.Pytester,
) -> None:
    with serve(OneAtATimeHoldingLonger()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-GEN-001", "--horneross-in-flight=8")
    assert run.passed_its_selection(), run.stdout
    check = next(c for r in run.report["requirements"] for c in r["checks"] if c["id"] == "RCV-GEN-001")
    assert "failed only while others were in flight and passed alone" in check["details"], check
    assert "holding concurrent deliveries is RCV-10" in check["details"]
