"""Hand-picked receiver checks run ahead of their turn, a few at a time, with verdicts as if run one by one.

Against an endpoint across a network the hand-picked checks' 45 deliveries, one after another, are mostly round
trips. Those whose verdict does not depend on what other checks deliver meanwhile (``ORDER_FREE``) start together at
the first one's turn, as many at once as the run's window of deliveries in flight allows (``in_flight.Window``),
each on a thread of its own with its own wire log; each check then takes its result in its turn, so reports and
output keep the suite's order. A check that passes ahead of its turn passes, unless one of its deliveries got no
answer, a 429 or a 5xx, which the others' load may explain (``AheadOfTurn``). Any other outcome does not count: once
every check ahead of its turn is done (and, after a delivery got no answer, the endpoint has had the time to finish
what the suite gave up on: ``ReceiverTarget.settle``), the check runs again alone, with fresh events, and that
outcome is its verdict. After a delivery ahead of its turn got no answer, no more checks start ahead of their turn:
a silent endpoint costs one timeout more. A check that failed ahead of its turn and passes alone narrows the window
(``Window.overloaded``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from horneross_conformance.checks.registry import Case
from horneross_conformance.receiver.suite import ORDER_FREE
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport.wire import WireLog


@dataclass(frozen=True, slots=True)
class _Result:
    detail: str | None  # None: it did not pass ahead of its turn
    log: WireLog
    unanswered: bool = False  # it timed out: the endpoint may still be working on it


class Ahead:
    def __init__(self, target: ReceiverTarget, stopped: Callable[[], str | None], enabled: bool = True) -> None:
        self.enabled = enabled
        self._target = target
        self._stopped = stopped
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[str, Future[_Result]] = {}
        self._all: list[Future[_Result]] = []
        self._settled = False
        self._unanswered = False  # a check ahead of its turn got no answer: no more start ahead of their turn
        self.failed: set[str] = set()  # checks that did not pass ahead of their turn, run again alone in turn
        self._lock = threading.Lock()

    def take(self, case: Case, selected: list[Case]) -> str | None:
        """``case``'s account if it passed ahead of its turn (starting the order-free checks from it on, the
        first time); None: run it now, alone."""
        if not self.enabled or case.id not in ORDER_FREE:
            return None
        if self._pool is None:
            if self._target.window.size <= 1:
                return None
            self._start(case, selected)
            self._target.meanwhile()  # while they run: this thread is free
        future = self._running.pop(case.id, None)
        if future is None:
            return None
        result = future.result()
        if result.detail is not None:
            self._target.wire.adopt(result.log)
            return result.detail
        self.failed.add(case.id)
        self._settle()
        return None

    def _start(self, case: Case, selected: list[Case]) -> None:
        # as many threads as the window may ever allow; it lets them start their checks
        self._pool = ThreadPoolExecutor(self._target.window.most, thread_name_prefix="horneross-ahead")
        later = selected[selected.index(case) :] if case in selected else [case]
        for each in later:
            if each.id in ORDER_FREE:
                future = self._pool.submit(self._run, each)
                self._running[each.id] = future
                self._all.append(future)
        self._pool.shutdown(wait=False)  # no more work; threads end with their checks

    def _run(self, case: Case) -> _Result:
        with (
            self._target.window.place(),
            self._target.wire.recording_on_this_thread() as log,
            self._target.ahead_of_turn() as met,
        ):
            if self._stopped() or self._unanswered:
                return _Result(None, log)
            detail: str | None = None  # any outcome but a pass is decided alone, in its turn
            with contextlib.suppress(Exception):
                detail = case.run(self._target)
            self._unanswered = self._unanswered or met.unanswered
            # a pass that the others' load may explain is decided alone too; only a timeout may leave the endpoint
            # still working on what the suite gave up on
            return _Result(None if met.strained else detail, log, met.timed_out)

    def _settle(self) -> None:
        """Before a check runs alone: every check ahead of its turn done, and the endpoint given time to finish
        what the suite gave up on."""
        with self._lock:
            if self._settled:
                return
            self._settled = True
        wait(self._all)
        if any(future.result().unanswered for future in self._all):
            time.sleep(self._target.settle)
