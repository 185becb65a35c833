"""Generated checks with several deliveries in flight: what a network's round trips cost, paid a few at a time.

An endpoint across a network (or one that writes to a database before answering) spends most of a generated
check waiting. Here the check's events are drawn by the same seeded Hypothesis run as one at a time (a run that
only records them, so the same seed draws the same events in the same order) and delivered as they are drawn, at
most ``width`` in flight. The verdict is the one a delivery at a time would give:

- a delivery that fails while others are in flight stops new ones, and is delivered again alone (a fresh event
  identity) before it counts; if it passes alone, the endpoint only fails under concurrency, which is RCV-10's
  finding, and the rest of the check goes one at a time;
- a delivery that fails alone is a real failure: the ordinary exploration runs from the same seed, one delivery
  at a time, and shrinks it, so the failing event and the rerun command are exactly those of a sequential run;
- no answer alone ends the check at once, as it does one at a time.

Events drawn ahead of the check's turn (``exploration.draw``, while another check's deliveries were in flight) are
delivered as they would have been as they were drawn, by a thread of their own: the thread that runs the checks is
then free to draw the next check's (``meanwhile``).

How many are in flight is the run's ``Window``: a number learnt from the endpoint's answers, shared by every check
that keeps deliveries in flight.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from horneross_conformance.checks.exploration import (
    DEFAULT_IN_FLIGHT,
    Counterexample,
    Exploration,
    Generation,
    Stop,
    budget_spent,
    draw,
    drawn_before,
    explore,
)
from horneross_conformance.core.contract import BURST_SIZE

LONG_ROUND_TRIP = 0.02  # seconds: below this, the local machine is what a delivery waits for, not the endpoint
WAITING = 0.5  # the share of a round during which a delivery waited for a place: then the window held them back
QUEUEING = 1.5  # a round's median round trip over the shortest seen (plus ``NOISE``) beyond which the endpoint queues
NOISE = 0.005  # seconds of a round trip that are the two machines' scheduling, not the endpoint's queue


class Window:
    """How many deliveries may be in flight at once, learnt from the endpoint's answers over the whole run.

    It starts at ``start`` and never goes past ``most``. After each round of acknowledged deliveries (as many as it
    allows), it doubles when deliveries waited for a place most of the round (``WAITING``: the window held them back,
    not the drawing of events) and the round's median round trip was long (``LONG_ROUND_TRIP``) yet near the
    shortest seen: the endpoint answers that many as fast as one, so the time is the network's or its own waiting,
    and more in flight cost it nothing. A round whose median is well past the shortest (the endpoint queues them: more
    in flight would only wait longer, nearer the timeout) halves it, never below ``start``, and it never grows back
    past that. A delivery that failed in flight and passed alone (``overloaded``: more than the endpoint tolerates)
    halves it for the rest of the run, below ``start`` too, down to one.
    """

    def __init__(
        self, start: int = DEFAULT_IN_FLIGHT, most: int | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self.most = max(1, start if most is None else most)
        self.size = self.floor = min(max(1, start), self.most)
        self.shortest = math.inf  # the shortest round trip of an acknowledged delivery: the endpoint unloaded
        self._busy = 0
        self._waiting = 0  # deliveries waiting for a place now
        self._waiting_since = 0.0
        self._waited = 0.0  # seconds of this round during which a delivery waited for a place
        self._round: list[float] = []
        self._round_began = clock()
        self._changed = threading.Condition()

    @classmethod
    def for_setting(cls, in_flight: int | None) -> Window:
        """The window of ``--horneross-in-flight``: N is where it starts and the most it allows; none given, it
        starts at ``DEFAULT_IN_FLIGHT`` and grows up to RCV-10's burst, what the contract asks a receiver to hold."""
        return cls(DEFAULT_IN_FLIGHT, BURST_SIZE) if in_flight is None else cls(in_flight, in_flight)

    @contextlib.contextmanager
    def place(self) -> Iterator[None]:
        """One delivery (or one check of a few in a row) in flight, once the window has room for it."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        with self._changed:
            if self._busy >= self.size:
                if not self._waiting:
                    self._waiting_since = self._clock()
                self._waiting += 1
                while self._busy >= self.size:
                    self._changed.wait()
                self._waiting -= 1
                if not self._waiting:
                    self._waited += self._clock() - self._waiting_since
            self._busy += 1

    def release(self) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify()

    def answered(self, round_trip: float) -> None:
        """An acknowledged delivery took ``round_trip`` seconds, the endpoint's time and the network's."""
        with self._changed:
            self.shortest = min(self.shortest, round_trip)
            self._round.append(round_trip)
            if len(self._round) < self.size:
                return
            now = self._clock()
            waited = self._waited + (now - self._waiting_since if self._waiting else 0.0)
            held_back = waited >= WAITING * (now - self._round_began)
            median = statistics.median(self._round)
            if median > QUEUEING * self.shortest + NOISE:
                self.size = self.most = max(self.floor, self.size // 2)
            elif held_back and median >= LONG_ROUND_TRIP and self.size < self.most:
                self.size = min(self.most, 2 * self.size)
                self._changed.notify_all()
            self._round, self._waited, self._round_began = [], 0.0, now
            self._waiting_since = now

    def overloaded(self) -> None:
        """A delivery failed in flight and passed alone: fewer at once from now on."""
        with self._changed:
            self.size = self.most = max(1, self.size // 2)
            self.floor = min(self.floor, self.size)
            self._round = []


class _Deliveries:
    """Deliveries in flight, as many as ``window`` allows; after the first failure no new one starts."""

    def __init__(self, check: Callable[[Any], None], window: Window) -> None:
        self._check = check
        self._window = window
        self._pool = ThreadPoolExecutor(window.most, thread_name_prefix="horneross-in-flight")
        self._lock = threading.Lock()
        self._failed: list[int] = []
        self._error: BaseException | None = None
        self.unanswered = False  # a delivery in flight timed out: the endpoint may still be working on it
        self.started = 0  # events 0 .. started - 1 were delivered or are in flight
        self._abandoned = False
        self.out_of_time: int | None = None  # ``start_all``: the time budget was spent before this event

    @property
    def paused(self) -> bool:
        return bool(self._failed) or self._error is not None or self._abandoned

    def start_all(self, events: list[Any], deadline: float) -> None:
        """``start`` each of ``events`` in turn, as if each were drawn then: until one has failed, or until the time
        budget is spent (``deadline``, as when drawing)."""
        for index, event in enumerate(events):
            if self.paused:
                return
            if time.monotonic() > deadline:
                self.out_of_time = index
                return
            self.start(index, event)

    def abandon(self) -> None:
        """Start no more: the exploration was interrupted. Those in flight end as they do."""
        self._abandoned = True

    def start(self, index: int, event: Any) -> None:
        """Deliver event ``index`` (in drawing order) once there is room; nothing once a delivery has failed."""
        if self.paused:
            return
        self._window.acquire()  # the drawing waits here: never more events ahead than the window allows
        if self.paused:
            self._window.release()
            return
        try:
            self._pool.submit(self._deliver, index, event)
        except RuntimeError:  # the interpreter is shutting down (an interrupted run): nothing more starts
            self._window.release()
            self._abandoned = True
            return
        self.started = index + 1

    def _deliver(self, index: int, event: Any) -> None:
        try:
            self._check(event)
        except (Counterexample, Stop) as failure:
            with self._lock:
                self._failed.append(index)
                self.unanswered = self.unanswered or (isinstance(failure, Stop) and failure.busy)
        except BaseException as error:  # a fault of the toolkit: raised again in the caller's thread
            with self._lock:
                self._error = self._error or error
        finally:
            self._window.release()

    def finish(self) -> list[int]:
        """Wait for every delivery in flight; the indexes of those that failed, in drawing order."""
        self._pool.shutdown(wait=True)
        if self._error is not None:
            raise self._error
        return sorted(self._failed)


def explore_in_flight(
    check: Callable[[Any], None],
    check_in_flight: Callable[[Any], None],
    strategy: Any,
    examples: int,
    seed: int,
    budget: float,
    explicit: Iterable[Any] = (),
    width: int | Window = DEFAULT_IN_FLIGHT,
    settle: float = 0.0,
    on_failure: Callable[[], None] = lambda: None,
    *,
    shrink: bool = True,
    meanwhile: Callable[[], None] = lambda: None,
) -> Exploration:
    """``explore`` with up to ``width`` deliveries in flight (a number, or the run's ``Window``, which a delivery
    that fails in flight and passes alone narrows for the rest of the run). ``check`` delivers one event alone;
    ``check_in_flight`` delivers one while others are in flight (it must not count a missed answer against the
    endpoint: timeouts under load are the burst check's business). ``settle``: seconds to wait before delivering
    alone after a delivery in flight got no answer, since the endpoint may still be busy with the deliveries given
    up on, and a delivery is not alone until they are done. ``on_failure``: as for ``explore``, called by the
    exploration one at a time, whose failing event is the one reported. ``meanwhile``: called on this thread once
    every event is drawn, while the last deliveries are in flight (the run draws the next check's events then). Events
    drawn already (``exploration.draw``) are delivered from a thread of their own, and ``meanwhile`` is called at
    once."""
    explicit = list(explicit)
    window = width if isinstance(width, Window) else Window(width, width)
    if window.size <= 1:
        return explore(check, strategy, examples, seed, budget, explicit, on_failure, shrink=shrink)
    deadline = time.monotonic() + budget
    deliveries = _Deliveries(check_in_flight, window)
    events, stopped = _all_started(deliveries, strategy, examples, seed, deadline, budget, explicit, meanwhile)
    failed_in_flight = deliveries.finish()
    # what no delivery in flight settled, one at a time: the failures first (each counts only if it fails alone),
    # then the events drawn after the first failure, unless the budget is spent
    alone = [*failed_in_flight, *range(deliveries.started, len(events))]
    passed_alone = 0
    if deliveries.unanswered:
        time.sleep(settle)
    for index in alone:
        if index >= deliveries.started and time.monotonic() > deadline:
            stopped = budget_spent(budget, len(events))
            break
        try:
            check(events[index])
        except Stop as stop:  # no answer: ended at once, as one at a time
            derived = index < len(explicit)
            return Exploration(
                tried=len(events),
                found=stop.found,
                stopped=stop.reason,
                found_derived=derived,
                derived_count=len(explicit),
            )
        except Counterexample:  # a real failure: found and shrunk exactly as one delivery at a time finds it
            return explore(check, strategy, examples, seed, budget, explicit, on_failure, shrink=shrink)
        passed_alone += index in failed_in_flight
    if passed_alone:  # more in flight than the endpoint holds
        window.overloaded()
    return Exploration(
        tried=len(events), found=None, stopped=stopped, derived_count=len(explicit), passed_alone=passed_alone
    )


def _all_started(
    deliveries: _Deliveries,
    strategy: Any,
    examples: int,
    seed: int,
    deadline: float,
    budget: float,
    explicit: list[Any],
    meanwhile: Callable[[], None],
) -> tuple[list[Any], str | None]:
    """Every event drawn and started in drawing order, as far as the window, a failure or the time budget lets, and
    ``meanwhile`` done: the events drawn, and why the drawing ended early, if it did. Events this process drew
    already are started from a thread of their own, so that ``meanwhile`` runs while they are, not after."""
    drawn = drawn_before(strategy, examples, seed, explicit)
    if drawn is None:
        events: list[Any] = []

        def record(event: Any) -> None:
            events.append(event)
            deliveries.start(len(events) - 1, event)

        stopped = explore(record, strategy, examples, seed, budget, explicit).stopped
        meanwhile()
        return events, stopped
    feeder = threading.Thread(target=deliveries.start_all, args=(drawn, deadline), name="horneross-in-flight-feeder")
    try:
        feeder.start()
        meanwhile()
        feeder.join()
    except BaseException:  # interrupted: no more start, and no waiting for room to tell the feeder so
        deliveries.abandon()
        raise
    if deliveries.out_of_time is None:
        return drawn, None
    return drawn[: deliveries.out_of_time], budget_spent(budget, deliveries.out_of_time)


def explore_generated(
    generation: Generation,
    case_id: str,
    check: Callable[[Any], None],
    check_in_flight: Callable[[Any], None],
    strategy: Callable[[], Any],
    explicit: Callable[[], list[Any]] = list,
    on_failure: Callable[[], None] = lambda: None,
    settle: float = 0.0,
    window: Window | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> Exploration:
    """``Generation.explore`` with as many deliveries at once as ``window`` allows (by default the run's
    ``in_flight``; one: exactly ``Generation.explore``). ``meanwhile``: as for ``explore_in_flight``."""
    window = window if window is not None else Window.for_setting(generation.in_flight)
    if window.size <= 1:
        return generation.explore(case_id, check, strategy, explicit, on_failure)
    seed = generation.requested_seed(case_id)
    return explore_in_flight(
        check,
        check_in_flight,
        strategy(),
        generation.examples,
        seed,
        generation.budget,
        explicit(),
        window,
        settle,
        on_failure,
        shrink=generation.shrink,
        meanwhile=meanwhile,
    )


def draw_generated(
    generation: Generation, case_id: str, strategy: Callable[[], Any], explicit: Callable[[], list[Any]] = list
) -> None:
    """Draw now, delivering nothing, the events ``explore_generated`` will deliver for ``case_id`` in its turn with
    the same arguments, so that it finds them drawn (``exploration.draw``)."""
    if generation.examples:
        seed = generation.requested_seed(case_id)
        draw(strategy(), generation.examples, seed, generation.budget, explicit())
