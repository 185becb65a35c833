"""The frozen clock the sender suite drives: freezegun, started for one check and moved in whole seconds.

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
  under a frozen clock. Nothing in the suite computes a deadline from the clock: bounded waits are
  ``Thread.join(timeout)`` and ``select`` timeouts, which the kernel measures.
"""

from __future__ import annotations

import encodings
import random
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import hypothesis
from freezegun import freeze_time

from horneross_conformance.checks import exploration
from horneross_conformance.transport import client

# A fixed, unremarkable instant with whole seconds: a sender that writes milliseconds or none compares equal.
EPOCH = datetime(2026, 3, 14, 15, 9, 26, tzinfo=UTC)
# The suite's own machinery, never the sender: named from the modules themselves, so that a move cannot break it.
# The bounded HTTP client measures its deadlines with time.monotonic(): a remote sender's calls (sender.harness)
# run under the frozen clock, and a deadline computed from it would never come.
REAL_TIME_FOR = (hypothesis.__name__, exploration.__name__, client.__name__)
# Each start of the clock looks through every module not named in its ignore list for references to the real time
# functions, and a pytest process holds over a thousand. These neither read a sender's clock nor ever run between a
# check and the sender it calls, so they are left out of that search: schemathesis, which generates events as
# Hypothesis does, pygments, which colours pytest's output, and the codecs. Being named also gives real time to any
# read of the clock with one of their frames among its five nearest callers (each a prefix of module names): none
# is ever there in a sender's calls. pytest is not named: the suite's own reads, a few frames below pytest's, must
# stay frozen, as must a sender's, however it is called.
NEVER_NEAR_THE_SENDER = ("schemathesis", "pygments", encodings.__name__)


def epoch_for(seed: int) -> datetime:
    """The instant a run's clock starts at, drawn from the run's seed: a whole second between 2025 and 2030, so that
    no sender can recognize the suite by a fixed date, and the seed repeats a run exactly."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = int((datetime(2030, 1, 1, tzinfo=UTC) - start).total_seconds())
    return start + timedelta(seconds=random.Random(seed).randrange(span))


class FrozenClock:
    """Frozen at ``EPOCH`` (offset 0) while entered; ``move_to(offset)`` sets the time to ``EPOCH + offset`` s."""

    def __init__(self, epoch: datetime = EPOCH) -> None:
        self.epoch = epoch
        self.offset = 0  # seconds since the epoch; read by the capture server, never computed from the clock
        self._freezer = freeze_time(epoch)
        kept = tuple(name for name in self._freezer.ignore if name != "threading")
        self._freezer.ignore = kept + REAL_TIME_FOR + NEVER_NEAR_THE_SENDER
        self._frozen: Any = None

    def __enter__(self) -> FrozenClock:
        self._frozen = self._freezer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._freezer.stop()
        self._frozen = None

    def move_to(self, offset: int) -> None:
        if offset < self.offset:
            raise ValueError(f"the clock only moves forward (at +{self.offset} s, asked for +{offset} s)")
        self.offset = offset
        self._frozen.move_to(self.at(offset))

    def at(self, offset: int) -> datetime:
        return self.epoch + timedelta(seconds=offset)
