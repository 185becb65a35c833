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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from horneross_conformance.checks.exploration import (
    DEFAULT_IN_FLIGHT,
    Counterexample,
    Exploration,
    Generation,
    Stop,
    explore,
)


class _Deliveries:
    """Deliveries in flight, at most ``width``; after the first failure no new one starts."""

    def __init__(self, check: Callable[[Any], None], width: int) -> None:
        self._check = check
        self._slots = threading.BoundedSemaphore(width)
        self._pool = ThreadPoolExecutor(width, thread_name_prefix="horneross-in-flight")
        self._lock = threading.Lock()
        self._failed: list[int] = []
        self._error: BaseException | None = None
        self.unanswered = False  # a delivery in flight timed out: the endpoint may still be working on it
        self.started = 0  # events 0 .. started - 1 were delivered or are in flight

    @property
    def paused(self) -> bool:
        return bool(self._failed) or self._error is not None

    def start(self, index: int, event: Any) -> None:
        """Deliver event ``index`` (in drawing order) once a slot is free; nothing once a delivery has failed."""
        if self.paused:
            return
        self._slots.acquire()  # the drawing waits here: never more than ``width`` events ahead
        if self.paused:
            self._slots.release()
            return
        self.started = index + 1
        self._pool.submit(self._deliver, index, event)

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
            self._slots.release()

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
    width: int = DEFAULT_IN_FLIGHT,
    settle: float = 0.0,
    on_failure: Callable[[], None] = lambda: None,
    *,
    shrink: bool = True,
) -> Exploration:
    """``explore`` with up to ``width`` deliveries in flight. ``check`` delivers one event alone;
    ``check_in_flight`` delivers one while others are in flight (it must not count a missed answer against the
    endpoint: timeouts under load are the burst check's business). ``settle``: seconds to wait before delivering
    alone after a delivery in flight got no answer, since the endpoint may still be busy with the deliveries given
    up on, and a delivery is not alone until they are done. ``on_failure``: as for ``explore``, called by the
    exploration one at a time, whose failing event is the one reported."""
    explicit = list(explicit)
    if width <= 1:
        return explore(check, strategy, examples, seed, budget, explicit, on_failure, shrink=shrink)
    deadline = time.monotonic() + budget
    events: list[Any] = []
    deliveries = _Deliveries(check_in_flight, width)

    def record(event: Any) -> None:
        events.append(event)
        deliveries.start(len(events) - 1, event)

    drawn = explore(record, strategy, examples, seed, budget, explicit)
    failed_in_flight = deliveries.finish()
    # what no delivery in flight settled, one at a time: the failures first (each counts only if it fails alone),
    # then the events drawn after the first failure, unless the budget is spent
    alone = [*failed_in_flight, *range(deliveries.started, len(events))]
    passed_alone = 0
    stopped = drawn.stopped
    if deliveries.unanswered:
        time.sleep(settle)
    for index in alone:
        if index >= deliveries.started and time.monotonic() > deadline:
            stopped = f"the time budget of {budget:g} s was spent after {len(events)} events"
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
    return Exploration(
        tried=len(events), found=None, stopped=stopped, derived_count=len(explicit), passed_alone=passed_alone
    )


def explore_generated(
    generation: Generation,
    case_id: str,
    check: Callable[[Any], None],
    check_in_flight: Callable[[Any], None],
    strategy: Callable[[], Any],
    explicit: Callable[[], list[Any]] = list,
    on_failure: Callable[[], None] = lambda: None,
    settle: float = 0.0,
) -> Exploration:
    """``Generation.explore`` with up to the run's ``in_flight`` deliveries at once (one: exactly that)."""
    if generation.in_flight <= 1:
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
        generation.in_flight,
        settle,
        on_failure,
        shrink=generation.shrink,
    )
