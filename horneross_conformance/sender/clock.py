"""The frozen clock the sender suite drives: freezegun, frozen for one check at a time and moved in whole seconds
(``FrozenClock``); a check run ahead of its turn behind a harness has a ``SenderClock`` of its own, which freezes
nothing.

The sender reads the time from the standard library (``time.time()``, ``datetime.now()``, ``time.monotonic()``),
which freezegun replaces for the whole process, threads included. Nothing moves the clock but ``move_to``, so
hours of retry schedule take no real time, and every instant the suite compares is exact to the second.

Two freezegun traps are avoided on purpose:

- freezegun's default ignore list holds ``threading``: code less than five frames below ``Thread.run`` (a
  sender's worker thread, or the thread the suite calls the sender on) would read the *real* time. The clock
  drops ``threading`` from that list, so every thread sees the frozen time.
- Hypothesis, which generates the sender suite's events, and the time budget of that exploration read the real
  time (freezegun decides by the caller's module): the sender, called on a thread of its own, never sees it.
- Waits with a timeout that loop on the clock (socketserver's ``handle_request``, freezegun issue 502) never end
  under a frozen clock. Nothing in the suite computes a deadline from the frozen clock: bounded waits are
  ``Thread.join(timeout)`` and ``select`` timeouts, which the kernel measures, and the HTTP client and server,
  whose deadlines are their own, read the real time (``REAL_TIME_FOR``).
"""

from __future__ import annotations

import encodings
import random
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import hypothesis
from freezegun import api as freezegun_api
from freezegun import freeze_time

from horneross_conformance.checks import exploration
from horneross_conformance.transport import client, http_request, http_server

# A fixed, unremarkable instant with whole seconds: a sender that writes milliseconds or none compares equal.
EPOCH = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
# The suite's own machinery, never the sender: named from the modules themselves, so that a move cannot break it.
# The bounded HTTP client and server measure their deadlines with time.monotonic(): a remote sender's calls
# (sender.harness) and the capture servers' reading of deliveries run under the frozen clock, and a deadline computed
# from it would never come. (A capture's answers carry the real time in their Date header, not the frozen one.)
REAL_TIME_FOR = (
    hypothesis.__name__,
    exploration.__name__,
    client.__name__,
    http_request.__name__,
    http_server.__name__,
)
# Each start of the clock looks through every module not named in its ignore list for references to the real time
# functions, and a pytest process holds over a thousand. These neither read a sender's clock nor ever run between a
# check and the sender it calls, so they are left out of that search: schemathesis, whose pytest plugin loads
# wherever it is installed, pygments, which colours pytest's output, and the codecs. Being named also gives real
# time to any read of the clock with one of their frames among its five nearest callers (each a prefix of module
# names): none is ever there in a sender's calls. pytest is not named: the suite's own reads, a few frames below
# pytest's, must stay frozen, as must a sender's, however it is called.
NEVER_NEAR_THE_SENDER = ("schemathesis", "pygments", encodings.__name__)


def epoch_for(seed: int) -> datetime:
    """The instant a run's clock starts at, drawn from the run's seed: a whole second between 2025 and 2030, so that
    no sender can recognize the suite by a fixed date, and the seed repeats a run exactly."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = int((datetime(2030, 1, 1, tzinfo=UTC) - start).total_seconds())
    return start + timedelta(seconds=random.Random(seed).randrange(span))


class RunFreezer:
    """freezegun for a whole run: started once, so that its search of every module for references to the real time
    (tens of milliseconds in a process holding pytest and Hypothesis) is made once a run, not once a
    check; paused between checks; stopped when the run ends.

    Paused, the replacements freezegun put in place answer with the real time, as they do once it is stopped: its
    record of this freeze then holds a clock that reads the real UTC time, the local time zone's offset, and an
    ignore list that every module matches (so ``time.time``, ``time.monotonic`` and ``time.perf_counter`` are the
    real functions' answers, and ``datetime.now()``, ``date.today()`` the real date and time)."""

    def __init__(self) -> None:
        self._freezer = freeze_time(EPOCH)
        kept = tuple(name for name in self._freezer.ignore if name != "threading")
        self._freezer.ignore = kept + REAL_TIME_FOR + NEVER_NEAR_THE_SENDER
        self._factory: Any = None
        self._frozen_record: tuple[Any, Any, Any] | None = None  # the freeze's entries while paused

    def resume(self, at: datetime) -> Any:
        """Freeze the time at ``at``: the factory whose ``move_to`` moves it."""
        if self._factory is None:
            self._factory = self._freezer.start()
        elif self._frozen_record is not None:
            self._set_record(self._frozen_record)
            self._frozen_record = None
        self._factory.move_to(at)
        return self._factory

    def pause(self) -> None:
        """Give the process the real time until the next ``resume``, the module search kept."""
        if self._factory is None or self._frozen_record is not None or not self._on_top():
            return
        local = freezegun_api.real_datetime.now(UTC).astimezone().utcoffset() or timedelta()
        self._frozen_record = self._set_record((_real_utc_now, ("",), local))

    def stop(self) -> None:
        if self._factory is None:
            return
        if self._frozen_record is not None:
            self._set_record(self._frozen_record)
            self._frozen_record = None
        self._freezer.stop()
        self._factory = None

    def _on_top(self) -> bool:
        """Whether this freeze is the latest in force (a sender that started a freeze of its own is on top)."""
        return bool(freezegun_api.freeze_factories) and freezegun_api.freeze_factories[-1] is self._factory

    @staticmethod
    def _set_record(record: tuple[Any, Any, Any]) -> tuple[Any, Any, Any]:
        """Put ``record`` (clock, ignore list, time zone offset) in the latest freeze's place; return what was."""
        was = (freezegun_api.freeze_factories[-1], freezegun_api.ignore_lists[-1], freezegun_api.tz_offsets[-1])
        clock, ignore, offset = record
        freezegun_api.freeze_factories[-1] = clock
        freezegun_api.ignore_lists[-1] = ignore
        freezegun_api.tz_offsets[-1] = offset
        return was


def _real_utc_now() -> datetime:
    """The real time as freezegun's clocks give theirs: UTC, without a time zone. Read through freezegun's module,
    which its search of the modules leaves alone: a name of this module bound to the real class would be replaced."""
    return freezegun_api.real_datetime.now(UTC).replace(tzinfo=None)


class SenderClock:
    """A check's clock: at ``epoch`` (offset 0) when the check starts; ``move_to(offset)`` sets it to ``epoch +
    offset`` s, forward only. It freezes nothing: it is the clock of a check run ahead of its turn behind a harness,
    whose sender reads only the ``now`` each call carries (``harness.RemoteSender.now``)."""

    def __init__(self, epoch: datetime = EPOCH) -> None:
        self.epoch = epoch
        self.offset = 0  # seconds since the epoch; read by the capture server, never computed from the clock

    def move_to(self, offset: int) -> None:
        if offset < self.offset:
            raise ValueError(f"the clock only moves forward (at +{self.offset} s, asked for +{offset} s)")
        self.offset = offset

    def at(self, offset: int) -> datetime:
        return self.epoch + timedelta(seconds=offset)

    def now(self) -> datetime:
        return self.at(self.offset)


class FrozenClock(SenderClock):
    """The process's time, frozen at ``epoch`` while entered and moved with ``move_to``: what an in-process sender
    reads from the standard library. ``freezer``: the run's, which the clock resumes and pauses; without one, a
    freezer of its own."""

    def __init__(self, epoch: datetime = EPOCH, freezer: RunFreezer | None = None) -> None:
        super().__init__(epoch)
        self._owned = freezer is None
        self._freezer = RunFreezer() if freezer is None else freezer
        self._frozen: Any = None

    def __enter__(self) -> FrozenClock:
        self._frozen = self._freezer.resume(self.epoch)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._owned:
            self._freezer.stop()
        else:
            self._freezer.pause()
        self._frozen = None

    def move_to(self, offset: int) -> None:
        super().move_to(offset)
        self._frozen.move_to(self.at(offset))
