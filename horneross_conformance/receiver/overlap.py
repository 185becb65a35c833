"""Generated receiver checks started while the last deliveries of the one before them are out.

Against an endpoint across a network, a generated check ends waiting: its events are drawn, and its last deliveries
are out. So once a generated check has drawn its events and none has failed (``in_flight.Handover.drawn``), the
next check of the run, if it is a generated one, starts there: its events are drawn on the same thread, and their
deliveries go out beside the first one's last ones, all within the run's window of deliveries in flight. It takes
them in its turn (``generated.draw_ahead``), and finishes as if it had started then. The first generated check
starts so while the hand-picked checks run ahead of their turn (``ahead``).

Hypothesis draws on the thread that runs the checks, one exploration at a time, as before; only deliveries are in
flight on other threads. (Not a thread of its own: Hypothesis parses source as it draws, and Python 3.11's ``ast``
must not do that on two threads at once, which pytest does on the main one to show a traceback.) Each check's
verdict is the one a check started in its turn would give, since nothing is delivered alone while another check's
deliveries are out: before a check delivers alone (``Handover.alone``: a failure in flight, or events drawn after
one), and before a check other than a generated one runs in its turn, every check started ahead of its turn has its
deliveries back; after one of them got no answer, the endpoint is first given time to finish it
(``ReceiverTarget.settle``). A check started ahead of its turn delivers nothing alone before its turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from horneross_conformance.checks.in_flight import ON_ITS_OWN, Handover
from horneross_conformance.checks.registry import Case
from horneross_conformance.receiver.suite import generated
from horneross_conformance.receiver.target import ReceiverTarget


class Overlap:
    def __init__(self, target: ReceiverTarget, stopped: Callable[[], str | None], enabled: bool = True) -> None:
        self._target = target
        self._stopped = stopped
        self._enabled = enabled
        self._out: list[generated.Started] = []  # started ahead of their turn, deliveries perhaps still out
        self._begun: set[str] = set()  # generated checks started ahead of their turn, or run in it

    def start(self, case: Case, selected: Sequence[Case]) -> None:
        """The hand-picked checks are starting ahead of their turn from ``case`` on: the first generated check after
        it starts too, unless one has begun already."""
        if self._begun:
            return
        first = next((each for each in _after(case, selected) if each.id in generated.GENERATED), None)
        if first is not None:
            self._draw_ahead(first)

    def handover(self, case: Case, selected: Sequence[Case], alone: Callable[[], None]) -> Handover:
        """How ``case``, run in its turn, hands over: once its events are drawn, the check after it starts; before it
        delivers alone, every check started ahead has its deliveries back, and so has ``alone`` (the hand-picked
        checks run ahead of their turn)."""
        if case.id not in generated.GENERATED:
            return ON_ITS_OWN
        self._begun.add(case.id)

        def before_alone(busy: bool) -> None:
            self.wait()
            alone()

        return Handover(drawn=lambda: self._draw_next(case, selected), alone=before_alone)

    def wait(self) -> None:
        """Before a check runs in its turn, or delivers alone: every check started ahead of its turn has its
        deliveries back; after one of them got no answer, the endpoint is given twice the timeout to finish it."""
        out, self._out = self._out, []
        if any([_landed(started) for started in out]):
            time.sleep(self._target.settle)
            for started in out:
                if started.flight is not None:
                    started.flight.waited_out()

    def close(self) -> None:
        """Once the run is over: nothing started ahead of its turn is still out."""
        self.wait()

    def _draw_next(self, case: Case, selected: Sequence[Case]) -> None:
        later = _after(case, selected)[1:]
        if later and later[0].id in generated.GENERATED:
            self._draw_ahead(later[0])

    def _draw_ahead(self, case: Case) -> None:
        target = self._target
        if not self._enabled or case.id in self._begun or self._stopped():
            return
        if target.window.size <= 1 or target.generation.examples == 0:
            return
        self._begun.add(case.id)
        try:
            started = generated.draw_ahead(target, case.id)
        except Exception:  # nothing out; in its turn, the check starts again and says what this was
            target.drawn_ahead.pop(case.id, None)
            return
        if started is not None:
            self._out.append(started)


def _after(case: Case, selected: Sequence[Case]) -> list[Case]:
    """``case`` and the checks after it in the run's order."""
    cases = list(selected)
    return cases[cases.index(case) :] if case in cases else [case]


def _landed(started: generated.Started) -> bool:
    """Wait for the deliveries of ``started`` still out; whether one got no answer in time. A fault of the toolkit in
    one of them is said by its own check, in its turn."""
    try:
        return started.flight is not None and started.flight.land()
    except Exception:
        return False
