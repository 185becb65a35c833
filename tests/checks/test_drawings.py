"""checks.drawings: a drawing a target passed, made once a process and given again, delivering exactly what drawing
it again would.

Each test forgets what earlier tests kept, and counts the draws its own strategy makes (its map function runs once
an event): a replay draws nothing, and gives what a fresh drawing gives.
"""

from __future__ import annotations

import importlib
import random
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

import pytest
from fresh_python import run_fresh
from hypothesis import strategies as st
from strategies import fails_above

from horneross_conformance.checks import drawings
from horneross_conformance.checks.exploration import Counterexample, Exploration, Stop, draw, explore
from horneross_conformance.checks.in_flight import explore_in_flight


@pytest.fixture(autouse=True)
def _nothing_kept() -> Iterator[None]:
    drawings.forget()
    yield
    drawings.forget()


class Counted:
    """Events ``{"n": ...}`` drawn by a strategy of their own, each draw counted."""

    def __init__(self) -> None:
        self.draws = 0
        self.strategy = st.integers(-1000, 1000).map(self._event)

    def _event(self, n: int) -> dict[str, int]:
        self.draws += 1
        return {"n": n}


def in_flight(strategy: Any, seed: int = 3, examples: int = 30, **options: Any) -> list[Any]:
    """The events an exploration in flight delivers, in drawing order (deliveries end in any order)."""
    delivered: list[Any] = []
    explicit = options.pop("explicit", [])
    result = explore_in_flight(
        delivered.append, delivered.append, strategy, examples, seed, options.pop("budget", 30), explicit, width=4
    )
    assert result.found is None
    return sorted(delivered, key=repr)


def test_the_same_drawing_again_is_given_without_drawing_and_gives_what_a_fresh_drawing_gives() -> None:
    counted = Counted()
    first = in_flight(counted.strategy)
    assert counted.draws >= 30
    drawn = counted.draws
    again = in_flight(counted.strategy)
    assert counted.draws == drawn  # given again: nothing drawn
    assert again == first
    drawings.forget()
    alone: list[Any] = []
    explore(alone.append, counted.strategy, 30, 3, 30)  # one at a time, nothing kept: drawn afresh
    assert counted.draws > drawn
    assert sorted(alone, key=repr) == first


def test_events_drawn_ahead_are_delivered_in_their_turn_without_drawing_them_again() -> None:
    counted = Counted()
    draw(counted.strategy, 30, 3, 30, [])
    drawn = counted.draws
    assert drawn >= 30
    ahead = in_flight(counted.strategy)
    assert counted.draws == drawn  # delivered as drawn ahead: nothing drawn in its turn
    drawings.forget()
    assert in_flight(counted.strategy) == ahead  # what drawing in its turn delivers
    assert counted.draws > drawn


def test_a_drawing_ahead_with_other_settings_is_not_delivered() -> None:
    counted = Counted()
    draw(counted.strategy, 30, 4, 30, [])  # another seed
    draw(counted.strategy, 31, 3, 30, [])  # another number of events
    draw(counted.strategy, 30, 3, 30, [{"n": 5000}])  # another number of derived events
    drawn = counted.draws
    in_flight(counted.strategy)
    assert counted.draws > drawn


@pytest.mark.parametrize("ahead", [False, True], ids=["drawn in its turn", "drawn ahead"])
def test_meanwhile_runs_on_the_callers_thread_while_the_last_deliveries_are_in_flight(ahead: bool) -> None:
    counted = Counted()
    if ahead:
        draw(counted.strategy, 4, 3, 30, [])
    drawn = counted.draws
    meanwhile_done = threading.Event()
    callers: list[int] = []
    saw_it_done: list[bool] = []

    def deliver(event: Any) -> None:  # each of the 4 is in flight (8 allowed) until meanwhile is done
        saw_it_done.append(meanwhile_done.wait(10))  # a bound only: meanwhile called after them fails below

    def meanwhile() -> None:
        callers.append(threading.get_ident())
        meanwhile_done.set()

    result = explore_in_flight(deliver, deliver, counted.strategy, 4, 3, 30, width=8, meanwhile=meanwhile)
    assert result.found is None and result.tried == len(saw_it_done) > 0
    assert saw_it_done == [True] * result.tried
    assert callers == [threading.get_ident()]
    assert (counted.draws == drawn) == ahead


class Interrupted(BaseException):
    pass


def feeders_ended() -> None:
    """Once every feeder thread has ended (10 s at most). Not ``Thread.join``: a join that an exception interrupted
    leaves its thread looking stopped, and joining it again returns at once."""
    deadline = time.monotonic() + 10
    while any(t.name == "horneross-in-flight-feeder" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_an_interruption_meanwhile_starts_no_more_events_drawn_ahead() -> None:
    counted = Counted()
    draw(counted.strategy, 30, 3, 30, [])
    gate = threading.Event()
    delivered: list[Any] = []

    def deliver(event: Any) -> None:
        gate.wait(10)
        delivered.append(event)

    def interrupted() -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        explore_in_flight(deliver, deliver, counted.strategy, 30, 3, 30, width=2, meanwhile=interrupted)
    gate.set()
    feeders_ended()
    # 2 in flight at most when it was interrupted; a feeder that went on would have seen 28 more delivered
    assert len(delivered) <= 2


def test_an_interruption_while_the_rest_is_started_starts_no_more_events_drawn_ahead() -> None:
    """Ctrl-C while the thread that runs the checks waits for the rest of a drawing to be started (nothing left to
    draw meanwhile: the last generated check). A signal of the test's own stands for it."""
    counted = Counted()
    draw(counted.strategy, 30, 3, 30, [])
    gate, meanwhile_done = threading.Event(), threading.Event()
    delivered: list[Any] = []

    def interrupt(signum: int, frame: Any) -> None:
        raise Interrupted

    counting, main = threading.Lock(), threading.get_ident()

    def deliver(event: Any) -> None:  # the first one interrupts once meanwhile is done; none ends before the gate
        with counting:  # two in flight: only one of them may be the first
            first = not delivered
            delivered.append(event)
        if first and meanwhile_done.wait(10):
            signal.pthread_kill(main, signal.SIGUSR1)  # to the waiting thread itself, as a terminal's Ctrl-C mostly is
        gate.wait(10)

    previous = signal.signal(signal.SIGUSR1, interrupt)
    try:
        with pytest.raises(Interrupted):
            explore_in_flight(deliver, deliver, counted.strategy, 30, 3, 30, width=2, meanwhile=meanwhile_done.set)
    finally:
        signal.signal(signal.SIGUSR1, previous)
        gate.set()
    feeders_ended()
    assert len(delivered) <= 2  # a feeder that went on would have started all 30


def explored(check: Callable[[Any], None], strategy: Any, **options: Any) -> tuple[Exploration, list[Any]]:
    """An exploration one at a time (seed 1, 100 events unless ``options`` say), and every event delivered to
    ``check``, in order."""
    delivered: list[Any] = []

    def delivering(event: Any) -> None:
        delivered.append(event)
        check(event)

    settings = {"examples": 100, "seed": 1, "budget": 30, **options}
    return explore(delivering, strategy, **settings), delivered


def flaky_above(limit: int) -> Callable[[Any], None]:
    """Fails the first time on each event above ``limit``, passes when it is delivered again."""
    failed: set[int] = set()

    def check(event: Any) -> None:
        if event["n"] > limit and event["n"] not in failed:
            failed.add(event["n"])
            raise Counterexample("failed once", event, b"")

    return check


def silent_above(limit: int) -> Callable[[Any], None]:
    def check(event: Any) -> None:
        if event["n"] > limit:
            raise Stop("the endpoint gave no answer", Counterexample("no answer", event, b""))

    return check


def outcome(exploration: Exploration) -> tuple[Any, ...]:
    """What an exploration found, the failing event by value (exceptions compare by identity)."""
    found = exploration.found
    return (*astuple(replace(exploration, found=None)), None if found is None else (str(found), found.event))


TARGETS = {
    "passes": (lambda: lambda event: None, {}),
    "fails and is shrunk": (lambda: fails_above(10), {}),
    "fails, not shrunk": (lambda: fails_above(10), {"shrink": False}),
    "fails on a derived event": (lambda: fails_above(10), {"explicit": [{"n": 1}, {"n": 50}]}),
    "fails once: flaky": (lambda: flaky_above(10), {}),
    "gives no answer": (lambda: silent_above(10), {}),
}


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_one_at_a_time_a_replayed_drawing_delivers_exactly_what_a_fresh_drawing_delivers(target: str) -> None:
    """Whatever the target does on the events of a kept drawing (pass, fail, fail once, not answer), the exploration
    delivers the same events in the same order, and finds the same, as one that draws them: a failure is shrunk
    as Hypothesis shrinks it, no event is delivered twice for the replay."""
    make_check, options = TARGETS[target]
    counted = Counted()
    fresh, fresh_deliveries = explored(make_check(), counted.strategy, **options)
    drawings.forget()
    explored(lambda event: None, counted.strategy, **options)  # a passing target: the drawing is kept
    drawn = counted.draws
    replayed, replayed_deliveries = explored(make_check(), counted.strategy, **options)
    assert replayed_deliveries == fresh_deliveries
    assert outcome(replayed) == outcome(fresh)
    if target == "passes":
        assert counted.draws == drawn  # nothing drawn
    if target in ("fails and is shrunk", "fails once: flaky"):
        assert fresh.found is not None and (fresh.shrunk or fresh.flaky)


@pytest.mark.parametrize(
    "change", [{"seed": 4}, {"examples": 31}, {"explicit": [{"n": 5000}]}], ids=["seed", "examples", "derived"]
)
def test_another_seed_number_of_events_or_of_derived_events_is_drawn_afresh(change: dict[str, Any]) -> None:
    counted = Counted()
    in_flight(counted.strategy)
    drawn = counted.draws
    in_flight(counted.strategy, **change)
    assert counted.draws > drawn


def test_another_strategy_is_drawn_afresh() -> None:
    one, other = Counted(), Counted()
    in_flight(one.strategy)
    in_flight(other.strategy)
    assert other.draws >= 30


def test_the_derived_events_are_given_as_they_are_now_and_the_generated_ones_as_drawn() -> None:
    counted = Counted()
    first = in_flight(counted.strategy, explicit=[{"n": 5000}])
    drawn = counted.draws
    again = in_flight(counted.strategy, explicit=[{"n": 6000}])
    assert counted.draws == drawn
    assert {"n": 6000} in again and {"n": 5000} not in again
    assert [event for event in again if event != {"n": 6000}] == [event for event in first if event != {"n": 5000}]


def test_a_new_literal_collected_by_hypothesis_makes_it_draw_afresh(tmp_path: Path, monkeypatch: Any) -> None:
    """Hypothesis draws now and then from the literals of the local modules imported since: a vendor's module
    imported between two explorations may change what the seed draws, so the drawing is made again. (It keeps
    literals of up to 20 characters, from modules that are not tests: none named ``test_*`` or ``*_test``.)"""
    counted = Counted()
    in_flight(counted.strategy)
    drawn = counted.draws
    (tmp_path / "vendor_module_of_drawings.py").write_text('NAME = "drawings-lit-81"\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("vendor_module_of_drawings")
    try:
        in_flight(counted.strategy)
        assert counted.draws > drawn
    finally:
        sys.modules.pop("vendor_module_of_drawings", None)


def test_a_drawing_the_time_budget_ended_is_not_kept() -> None:
    counted = Counted()
    delivered: list[Any] = []
    result = explore_in_flight(delivered.append, delivered.append, counted.strategy, 30, 3, 0.0, width=4)
    assert result.stopped is not None and result.stopped.startswith("the time budget of 0 s was spent")
    drawn = counted.draws
    in_flight(counted.strategy)
    assert counted.draws > drawn


def test_a_replayed_drawing_still_ends_at_the_time_budget() -> None:
    counted = Counted()
    in_flight(counted.strategy)
    drawn = counted.draws
    delivered: list[Any] = []
    result = explore_in_flight(delivered.append, delivered.append, counted.strategy, 30, 3, 0.0, width=4)
    assert counted.draws == drawn  # given again, not drawn
    assert result.stopped == "the time budget of 0 s was spent after 0 events"
    assert delivered == []


def test_a_failure_on_a_replayed_drawing_is_found_and_shrunk_as_one_at_a_time() -> None:
    counted = Counted()
    in_flight(counted.strategy, seed=1, examples=100)  # every event acknowledged: kept
    sequential = explore(fails_above(10), counted.strategy, 100, 1, 30)
    drawn = counted.draws
    result = explore_in_flight(fails_above(10), fails_above(10), counted.strategy, 100, 1, 30, width=8)
    assert sequential.found is not None and result.found is not None
    assert result.found.event == sequential.found.event == {"n": 11}
    assert result.shrunk and result.tried == sequential.tried
    assert counted.draws > drawn  # the first pass was given again; the failure was found one at a time, drawn


def test_at_most_a_bounded_number_of_drawings_is_kept() -> None:
    counted = Counted()
    in_flight(counted.strategy, seed=0, examples=2)
    for seed in range(1, drawings.KEPT + 1):
        in_flight(counted.strategy, seed=seed, examples=2)
    drawn = counted.draws
    in_flight(counted.strategy, seed=drawings.KEPT, examples=2)  # the newest: still kept
    assert counted.draws == drawn
    in_flight(counted.strategy, seed=0, examples=2)  # the oldest: forgotten
    assert counted.draws > drawn


@pytest.mark.slow
def test_telling_whether_hypothesis_collected_literals_leaves_nothing_in_the_users_folder(tmp_path: Path) -> None:
    """Hypothesis caches what it reads of local modules in its storage, by default a folder in the working folder,
    the user's: telling whether it collected literals reads them in the exploration's private storage. In a fresh
    process, since Hypothesis picks its default folder when imported."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "vendor_module_of_drawings.py").write_text('NAME = "drawings-lit-82"\n')
    program = (
        "from hypothesis import strategies as st\n"
        "from horneross_conformance.checks import hypothesis_state\n"
        "from horneross_conformance.checks.in_flight import explore_in_flight\n"
        "strategy = st.integers().map(lambda n: {'n': n})\n"
        "explore_in_flight(print, print, strategy, 5, 1, 30, width=4)\n"
        "import vendor_module_of_drawings\n"
        "explore_in_flight(print, print, strategy, 5, 1, 30, width=4)\n"
        "assert hypothesis_state.literals_seen() is not None\n"
    )
    done = run_fresh(program, work, tmp_path)
    assert done.returncode == 0, done.stderr
    assert list(work.iterdir()) == []


def test_at_most_a_bounded_number_of_events_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawings, "KEPT_EVENTS", 50)
    counted = Counted()
    in_flight(counted.strategy, seed=1, examples=30)
    in_flight(counted.strategy, seed=2, examples=30)  # 60 events in all: the first drawing is forgotten
    drawn = counted.draws
    in_flight(counted.strategy, seed=2, examples=30)
    assert counted.draws == drawn
    in_flight(counted.strategy, seed=1, examples=30)
    assert counted.draws > drawn
    drawn = counted.draws
    in_flight(counted.strategy, seed=3, examples=60)  # more events than may be kept: drawn each time
    in_flight(counted.strategy, seed=3, examples=60)
    assert counted.draws >= drawn + 120


def test_a_replayed_event_meets_the_random_module_as_hypothesis_leaves_it() -> None:
    """Hypothesis seeds the random module for each event it tests (and restores it after): a target that draws its
    ids from it gets, on a replayed drawing, the ids it gets on a drawn one."""
    counted = Counted()

    def ids() -> list[int]:
        seen: list[int] = []
        explore(lambda event: seen.append(random.getrandbits(32)), counted.strategy, 20, 1, 30)
        return seen

    drawn = ids()
    replayed = ids()
    assert counted.draws == 20  # the second was replayed
    assert replayed == drawn
