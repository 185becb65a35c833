"""explore_in_flight(): deliveries overlap, verdicts do not change: the same events, the same shrunk failure, and a
failure that only happens while others are in flight never counts."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import receivers as r
from hypothesis import strategies as st
from receivers.kept_alive import serve_keeping_alive
from strategies import NUMBERS, fails_above
from suite_runner import run_both_ways, run_suite
from test_hard_targets import COMPARED_IN_FLIGHT as COMPARED_IN_HARD_TARGETS
from test_receiver_suite import COMPARED_IN_FLIGHT
from test_receiver_verdicts import COMPARED_IN_FLIGHT as COMPARED_IN_VERDICTS

from horneross_conformance.checks import drawings
from horneross_conformance.checks.exploration import (
    DEFAULT_IN_FLIGHT,
    Counterexample,
    Generation,
    Stop,
    drawn_before,
    explore,
)
from horneross_conformance.checks.in_flight import Window, explore_in_flight
from horneross_conformance.core.contract import BURST_SIZE
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.receiver.run import ReceiverRun
from horneross_conformance.receiver.suite.generated import DRAWN, Drawn
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport import connections
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
    drawings.forget()
    alone: list[Any] = []
    explore(alone.append, NUMBERS, examples=40, seed=7, budget=30, explicit=[{"n": -1}])
    drawings.forget()  # both drawn: one at a time, and in flight
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
    """The whole suite, one delivery at a time and in flight as users run it: the same requirement outcomes and the
    same failing checks. The same seed gives both runs the same events, so few of them are enough to compare the two
    ways of delivering them (how deep generation finds rare bugs is tests/receiver/test_generated_checks.py's
    subject). A 2 s timeout, short enough for the receiver that hangs on some events."""
    run_both_ways(pytester, receiver, "--horneross-timeout=2")


def drawn_already(target: ReceiverTarget, case_id: str) -> bool:
    """Whether a generated check would find its events drawn, in its turn in ``target``'s run."""
    drawing, generation = DRAWN[case_id], target.generation
    seed = generation.seed_for(case_id)
    return drawn_before(drawing.strategy(), generation.examples, seed, drawing.explicit()) is not None


@pytest.mark.parametrize("ahead", [True, False], ids=["one process", "a pytest-xdist worker"])
def test_each_check_draws_the_next_generated_checks_events_while_its_deliveries_are_in_flight(ahead: bool) -> None:
    """The hand-picked checks run ahead of their turn draw the first generated check's events meanwhile, and each
    generated check the next one's (past any check that draws none). Not in a pytest-xdist worker, which cannot
    know what it runs next."""
    drawings.forget()
    order = ["RCV-ACK-001", "RCV-SIG-001", "RCV-GEN-002", "RCV-GEN-006", "RCV-LONG-001"]
    with serve(ReferenceReceiver(r.SECRET)) as base:
        target = ReceiverTarget(f"{base}/webhook", r.SECRET, 5.0, Generation(examples=5, seed=1))
        run = ReceiverRun(target, ahead=ahead)
        selected = [case for case in run.cases if case.id in order]
        assert [case.id for case in selected] == order
        try:
            for case in selected[:2]:
                run.run_case(case, selected)
            assert drawn_already(target, "RCV-GEN-002") == ahead
            assert not drawn_already(target, "RCV-GEN-006")
            run.run_case(selected[2], selected)
            assert drawn_already(target, "RCV-GEN-006") == ahead
            for case in selected[3:]:  # the last generated check: none to draw after it
                run.run_case(case, selected)
        finally:
            run.close()
            drawings.forget()


def test_a_drawing_that_fails_ahead_of_its_turn_fails_only_its_own_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        raise ValueError("a strategy that cannot be built")

    monkeypatch.setitem(DRAWN, "RCV-GEN-002", Drawn(broken))
    with serve(ReferenceReceiver(r.SECRET)) as base:
        target = ReceiverTarget(f"{base}/webhook", r.SECRET, 5.0, Generation(examples=5, seed=1))
        run = ReceiverRun(target)
        selected = [case for case in run.cases if case.id in ("RCV-ACK-001", "RCV-GEN-002")]
        try:
            assert run.run_case(selected[0], selected).startswith("200 in ")  # it drew RCV-GEN-002 meanwhile
            with pytest.raises(ValueError, match="a strategy that cannot be built"):
                run.run_case(selected[1], selected)
        finally:
            run.close()


class StrainedAnswers(r.PlainReceiver):
    """Answers 503 to forged deliveries and to leads (what an endpoint under load may answer to anything), and
    counts them."""

    answer = "503 Service Unavailable"

    def __init__(self) -> None:
        super().__init__()
        self.strained = 0

    def handle(self, body: bytes, signature: str | None) -> str:
        status = super().handle(body, signature)
        if status == "401 Unauthorized" or json.loads(body).get("type") == "lead.captured":
            with self.lock:
                self.strained += 1
            return self.answer
        return status


class TooManyRequests(StrainedAnswers):
    answer = "429 Too Many Requests"


@pytest.mark.parametrize(
    ("receiver", "ahead", "deliveries"),
    [
        (StrainedAnswers, True, 2),  # a pass ahead that met a 503 is decided again alone
        (TooManyRequests, True, 2),
        (StrainedAnswers, False, 1),  # one at a time: once
    ],
)
def test_a_pass_ahead_of_its_turn_that_met_a_5xx_is_decided_alone_in_its_turn(
    receiver: type[StrainedAnswers], ahead: bool, deliveries: int
) -> None:
    """A forgery answered 503 passes RCV-03 ("rejected with 503"), and a lead answered 503 leaves RCV-02 judging the
    other types; while others are in flight the 503 may be their load's, so neither pass counts until it is seen
    alone: an endpoint that accepts forgeries, or answers 201 to leads, when not loaded must fail."""
    endpoint = receiver()
    with serve(endpoint) as base:
        target = ReceiverTarget(f"{base}/webhook", r.SECRET, 5.0, Generation(examples=0))
        run = ReceiverRun(target, ahead=ahead)
        selected = [case for case in run.cases if case.id in ("RCV-ACK-100", "RCV-SIG-001")]
        try:
            details = [run.run_case(case, selected) for case in selected]
        finally:
            run.close()
    code = endpoint.answer.split()[0]
    assert details == [
        "3 event types acknowledged with exactly 200; 1 refused, which is RCV-01's business",
        f"rejected with {code}; 401 is the documented answer",
    ]
    assert endpoint.strained == 2 * deliveries  # one lead and one forgery each time the checks ran
    assert run.ahead.failed == ({"RCV-ACK-100", "RCV-SIG-001"} if ahead else set())


def test_a_clean_pass_ahead_of_its_turn_counts() -> None:
    endpoint = r.PlainReceiver()
    seen: list[str] = []
    with serve(endpoint) as base:
        target = ReceiverTarget(f"{base}/webhook", r.SECRET, 5.0, Generation(examples=0))
        run = ReceiverRun(target)
        selected = [case for case in run.cases if case.id in ("RCV-ACK-100", "RCV-SIG-001")]
        try:
            seen = [run.run_case(case, selected) for case in selected]
        finally:
            run.close()
    assert seen == ["4 event types acknowledged with exactly 200", "rejected with 401"]
    assert run.ahead.failed == set()
    # the run's conversation, the 4 types and the forgery's control, each once: nothing ran again alone
    assert len(endpoint.seen) == 6


class OneAtATimeHoldingLonger(r.OneAtATime):
    """Holds each delivery 0.1 s rather than 0.02 s: deliveries in flight overlap even when a loaded machine draws
    the events slowly (one check's few deliveries: the time is nothing here)."""

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(0.08)
        return super().under_load(event, crowded)


@pytest.mark.slow
def test_an_endpoint_that_fails_only_under_load_passes_and_is_told_why_it_went_one_at_a_time(
    pytester: pytest.Pytester,
) -> None:
    with serve(OneAtATimeHoldingLonger()) as base:
        run = run_suite(pytester, f"{base}/webhook", "-k", "RCV-GEN-001", "--horneross-in-flight=8")
    assert run.passed_its_selection(), run.stdout
    check = next(c for r in run.report["requirements"] for c in r["checks"] if c["id"] == "RCV-GEN-001")
    assert "failed only while others were in flight and passed alone" in check["details"], check
    assert "holding concurrent deliveries is RCV-10" in check["details"]


class Clock:
    """A clock the test moves: the window's rounds and waits, timed without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def waiting_on(window: Window) -> threading.Thread:
    """Every place of ``window`` taken, and one more delivery waiting for a place (on a thread of its own)."""
    for _ in range(window.size):
        window.acquire()
    waiter = threading.Thread(target=window.acquire, daemon=True)
    waiter.start()
    for _ in range(500):
        if window._waiting:
            return waiter
        time.sleep(0.01)
    raise AssertionError("the delivery did not wait for a place")


def a_round(window: Window, clock: Clock, round_trip: float, waits: bool = True) -> None:
    """A round of deliveries that each took ``round_trip``, while another waited for a place the whole round
    (``waits``) or none did; every place given back after it."""
    taken = window.size
    waiter = waiting_on(window) if waits else None
    if waiter is None:
        for _ in range(taken):
            window.acquire()
    clock.now += round_trip
    for _ in range(taken):
        window.answered(round_trip)
    for _ in range(taken):
        window.release()
    if waiter is not None:
        waiter.join(5)
        assert not waiter.is_alive()  # the delivery that waited got its place
        window.release()


def test_the_window_doubles_after_each_round_of_long_even_round_trips_that_held_deliveries_back_up_to_its_most() -> (
    None
):
    clock = Clock()
    window = Window(2, 6, clock)
    sizes = []
    for _ in range(3):
        a_round(window, clock, 0.2)  # an endpoint 200 ms away that answers as many as fast as one
        sizes.append(window.size)
    assert sizes == [4, 6, 6]


@pytest.mark.parametrize(
    ("round_trip", "waits", "why"),
    [
        (0.2, False, "no delivery waited for a place: the drawing of events held them back, not the window"),
        (0.003, True, "a round trip this short is the local machine's time"),
    ],
)
def test_the_window_does_not_grow(round_trip: float, waits: bool, why: str) -> None:
    clock = Clock()
    window = Window(2, 8, clock)
    a_round(window, clock, round_trip, waits)
    assert window.size == 2, why


def test_a_queueing_endpoint_halves_the_window_for_good_but_never_below_where_it_started() -> None:
    clock = Clock()
    window = Window(2, 16, clock)
    for _ in range(3):
        a_round(window, clock, 0.2)
    assert window.size == 16
    for size in (8, 4, 2, 2):
        for each in [0.2] * (window.size // 2) + [1.0] * (window.size - window.size // 2):
            window.answered(each)  # half of them waited behind the others: the endpoint queues them
        assert window.size == size
    a_round(window, clock, 0.2)
    assert window.size == window.most == 2  # long even round trips again: it does not grow back


def test_an_overloaded_endpoint_halves_the_window_for_good_down_to_one() -> None:
    clock = Clock()
    window = Window.for_setting(None)
    assert (window.size, window.most) == (DEFAULT_IN_FLIGHT, BURST_SIZE)
    window = Window(DEFAULT_IN_FLIGHT, BURST_SIZE, clock)
    sizes = []
    for _ in range(4):
        window.overloaded()
        sizes.append(window.size)
    assert sizes == [4, 2, 1, 1] and window.most == 1
    a_round(window, clock, 0.2)
    assert window.size == 1  # long even round trips and a delivery held back: it never grows back


def test_an_explicit_number_in_flight_is_where_the_window_starts_and_the_most_it_allows() -> None:
    assert (Window.for_setting(3).size, Window.for_setting(3).most) == (3, 3)
    clock = Clock()
    window = Window(3, 3, clock)
    a_round(window, clock, 0.2)
    assert window.size == 3
    for each in (0.2, 1.0, 1.0):
        window.answered(each)
    assert window.size == 3  # nor is it halved for an endpoint that queues them


def test_a_failure_only_under_load_narrows_the_run_s_window() -> None:
    window = Window(8, 8)
    crowd = Crowd(limit=2)
    result = explore_in_flight(crowd, crowd, NUMBERS, examples=40, seed=1, budget=30, width=window)
    assert result.found is None and result.passed_alone >= 1
    assert window.size == window.most == 4


@pytest.mark.slow
@pytest.mark.parametrize(
    "receiver",
    [r.PlainReceiver, r.RejectsDuplicates, r.OneAtATime, r.JsonDumpsDefault, r.CrashesOnLoneSurrogate],
    ids=lambda c: c.__name__,
)
def test_kept_connections_and_a_learnt_window_change_no_outcome(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, receiver: type[r.PlainReceiver]
) -> None:
    """The whole suite against a receiver served by uvicorn (connections kept open, answers written in two parts) 50
    ms away, with deliveries in flight as the round trip asks (the default), and against the same receiver on the
    toolkit's server, one delivery at a time, each on a new connection: the same outcomes, failing checks and
    verdict. Among them a receiver that refuses redeliveries (RCV-06: a delivery it had twice would show), one that
    answers 503 past two at once (the window narrows), and root causes found by the signature experiment."""
    with serve_keeping_alive(receiver(), latency=0.05) as served:
        kept = run_suite(pytester, f"{served.base}/webhook")
    monkeypatch.setattr(connections, "IDLE_LIMIT", 0.0)  # no connection kept: a new one for each delivery
    with serve(receiver()) as base:
        alone = run_suite(pytester, f"{base}/webhook", "--horneross-in-flight=1")
    assert kept.outcomes() == alone.outcomes(), (kept.stdout, alone.stdout)
    assert kept.failed_checks() == alone.failed_checks(), (kept.stdout, alone.stdout)
    assert (kept.ret, kept.report["verdict"]) == (alone.ret, alone.report["verdict"])
    assert served.connections < served.requests / 2  # most deliveries went on a kept connection
    assert served.most <= BURST_SIZE
