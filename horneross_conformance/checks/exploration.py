"""Running a check over generated events with Hypothesis: seeded, shrunk, bounded in time, and quiet.

The check is a function of one generated event. It raises ``Counterexample`` when the target fails on it, and
Hypothesis shrinks the event to the smallest one that still fails. It raises ``Stop`` to end the exploration at
once, without shrinking: the target gave no answer (shrinking would wait out the timeout again and again), or the
time budget is spent. Hypothesis prints nothing, writes no example database, and keeps nothing after the
exploration: its storage is a private folder removed at the end (``hypothesis_state.storage_of_this_exploration``).
A drawing the target passed in full is given again to the next exploration of the process that would draw it
(``drawings``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.checks import drawings
from horneross_conformance.checks.hypothesis_state import (
    leave_the_toolkits_own_literals_out,
    random_seeded_per_event,
    storage_of_this_exploration,
)
from horneross_conformance.checks.registry import Cause, CheckFailed, NotRequested

DEFAULT_EXAMPLES = 50  # generated events per generated check (--horneross-examples)
DEFAULT_BUDGET = 60.0  # seconds one generated check may take, shrinking included
DEFAULT_IN_FLIGHT = 8  # deliveries in flight at first (--horneross-in-flight: at first and at most; ``in_flight``)


@dataclass(frozen=True, slots=True)
class Generation:
    """What the user asked of the generated checks: how many events each, from which seed, within what time, and
    how many deliveries in flight at once where order does not matter."""

    examples: int = DEFAULT_EXAMPLES
    seed: int = 0
    budget: float = DEFAULT_BUDGET
    in_flight: int | None = None  # deliveries in flight: at first and at most; None: as the round trip asks
    shrink: bool = True  # a failing event is shrunk to the smallest that still fails (--horneross-no-shrink: not)

    @classmethod
    def for_run(
        cls, examples: int, seed: int | None, timeout: float, in_flight: int | None = None, shrink: bool = True
    ) -> Generation:
        """A run's settings: a random seed unless one is given (the suite prints it, so a run can be repeated),
        and a budget that lets a slow target answer a few deliveries."""
        chosen = secrets.randbelow(2**32) if seed is None else seed
        return cls(examples, chosen, max(DEFAULT_BUDGET, 3 * timeout), in_flight, shrink)

    def seed_for(self, case_id: str) -> int:
        """The case's own seed, from the run's: a case run alone with -k generates what it generated in the run."""
        digest = hashlib.sha256(f"{self.seed}:{case_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def explore(
        self,
        case_id: str,
        check: Callable[[Any], None],
        strategy: Callable[[], Any],
        explicit: Callable[[], list[Any]] = list,
        on_failure: Callable[[], None] = lambda: None,
    ) -> Exploration:
        """Explore one generated check with the run's settings, one event at a time. ``strategy`` and ``explicit``
        are built only here: Hypothesis takes a moment to load, which ``--horneross-examples=0`` never
        needs. ``on_failure``: called each time the target fails on an event, right after that event's
        exchange. ``in_flight.explore_generated`` is the same with deliveries in flight."""
        seed = self.requested_seed(case_id)
        return explore(check, strategy(), self.examples, seed, self.budget, explicit(), on_failure, shrink=self.shrink)

    def requested_seed(self, case_id: str) -> int:
        """The seed of one generated check; ``NotRequested`` when the run asked for no generated events."""
        if self.examples == 0:
            raise NotRequested("--horneross-examples=0")
        return self.seed_for(case_id)

    def account(self, exploration: Exploration) -> str:
        """What a passing generated check tried, for its detail in the report."""
        counted = f" and {exploration.derived_count} derived" if exploration.derived_count else ""
        ended = f"; stopped early: {exploration.stopped}" if exploration.stopped else ""
        alone = (
            f"; {exploration.passed_alone} failed only while others were in flight and passed alone, so the rest "
            "went one at a time (holding concurrent deliveries is RCV-10)"
            if exploration.passed_alone
            else ""
        )
        return f"{exploration.tried} events ({self.examples} generated{counted}), seed {self.seed}{ended}{alone}"

    def describe(self) -> str:
        """``50 generated events per check, seed 1234``, for a run's header."""
        unshrunk = ", failures not shrunk" if not self.shrink else ""
        return f"{self.examples} generated events per check, seed {self.seed}{unshrunk}"

    def rerun(self, case_id: str) -> str:
        return f"Run these events again: --horneross-seed={self.seed} -k {case_id}"


DEFAULT_GENERATION = Generation()


class Counterexample(CheckFailed):
    """The target failed on ``event``, delivered as ``body``: the message says what it did, ``why`` why that is
    wrong."""

    def __init__(self, message: str, event: Any, body: bytes, why: str = "", cause: Cause | None = None) -> None:
        super().__init__(message, cause)
        self.event = event
        self.body = body
        self.why = why


class Stop(BaseException):
    """Ends the exploration at once. A ``BaseException``, so that Hypothesis passes it through without shrinking."""

    def __init__(self, reason: str, found: Counterexample | None = None, busy: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.found = found
        self.busy = busy  # the target may still be working on what it did not answer (it timed out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Exploration:
    """What exploring one generated check found. The derived events (the cases every run sends first, Hypothesis'
    explicit examples) are never shrunk."""

    tried: int  # events tried, shrinking included
    found: Counterexample | None  # the failing event reported, if any
    shrunk: bool = False  # whether ``found`` is the result of shrinking (not an early stop)
    stopped: str | None = None  # why the exploration ended early, if it did
    flaky: bool = False  # the target did not fail again on the same event
    found_derived: bool = False  # ``found`` is one of the derived events
    derived_count: int = 0  # how many derived events there were
    passed_alone: int = 0  # deliveries that failed only while others were in flight (see ``in_flight``)


def tried_noun(noun: str, count: int) -> str:
    """``event`` or ``events``, ``set of data`` or ``sets of data``: the noun for ``count`` of it."""
    if count == 1:
        return noun
    head, _, tail = noun.partition(" ")
    return f"{head}s" + (f" {tail}" if tail else "")


def how_found(exploration: Exploration, what: str) -> str:
    """How the failing ``what`` (``event``, or ``data`` for the data a sender was asked to emit) was found, for the
    failure message."""
    noun = "set of data" if what == "data" else what
    tried = f"{exploration.tried} {tried_noun(noun, exploration.tried)} tried"
    if exploration.found_derived:
        how = f"one of the derived cases every run sends first, {tried}"
    elif exploration.shrunk:
        how = f"the smallest failing {noun}, shrunk; {tried}"
    elif exploration.flaky:
        how = f"{tried}; sent again, the same {noun} did not fail: flaky"
    elif exploration.found is not None and not exploration.stopped:
        how = f"the first failing {noun} found, not shrunk (--horneross-no-shrink); {tried}"
    else:
        how = tried
    return how + (f"; ended at once, not shrunk: {exploration.stopped}" if exploration.stopped else "")


def budget_spent(budget: float, events: int) -> str:
    """Why an exploration ended early: its time budget was spent after ``events`` events."""
    return f"the time budget of {budget:g} s was spent after {events} events"


def drawn_before(strategy: Any, examples: int, seed: int, explicit: list[Any]) -> list[Any] | None:
    """The events ``explore`` with these settings would give its check, the derived ones first, if this process drew
    them already (``drawings``: ``draw`` ahead of time, or an exploration the target passed), without drawing; None
    if they are still to be drawn."""
    if examples == 0:
        return None
    leave_the_toolkits_own_literals_out()
    drawing = drawings.about_to_draw(strategy, examples, seed, len(explicit))
    generated = drawings.recall(drawing) if drawing is not None else None
    return None if generated is None else [*explicit, *generated]


def draw(strategy: Any, examples: int, seed: int, budget: float, explicit: list[Any]) -> None:
    """Draw now what ``explore`` with these settings will draw, delivering nothing, so that it finds it drawn
    (``drawn_before``). Nothing when it would not be kept (more events than ``drawings`` keeps)."""
    if 0 < examples <= drawings.KEPT_EVENTS:
        explore(_delivered_nowhere, strategy, examples, seed, budget, explicit)


def _delivered_nowhere(event: Any) -> None:
    """The check of a drawing made ahead of its exploration: nothing is delivered, nothing fails."""


def explore(
    check: Callable[[Any], None],
    strategy: Any,
    examples: int,
    seed: int,
    budget: float,
    explicit: Iterable[Any] = (),
    on_failure: Callable[[], None] = lambda: None,
    *,
    shrink: bool = True,
) -> Exploration:
    """Run ``check`` on every ``explicit`` event, then on ``examples`` generated ones; shrink a failure (unless
    ``shrink`` is false: the first failing event is reported as found, each shrinking step being one more delivery).
    ``on_failure`` is called each time ``check`` fails on an event (the last call is for the event reported)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import example as explicit_example
    from hypothesis import seed as with_seed
    from hypothesis.errors import Flaky
    from hypothesis.reporting import with_reporter

    leave_the_toolkits_own_literals_out()
    deadline = time.monotonic() + budget
    explicit = list(explicit)
    tried = 0
    found: Counterexample | None = None
    found_at = 0
    tested: list[Any] = []  # the events given to ``check``, in order: the drawing, kept if the target passed them all

    def attempt(event: Any) -> None:
        nonlocal tried, found, found_at
        if time.monotonic() > deadline:
            raise Stop(budget_spent(budget, tried))
        tried += 1
        tested.append(event)
        try:
            check(event)
        except Counterexample as failure:
            found, found_at = failure, tried
            on_failure()
            raise
        except Stop as stop:
            if stop.found is not None:
                on_failure()
            raise

    def stopped(stop: Stop) -> Exploration:
        nonlocal found, found_at
        if stop.found is not None:
            found, found_at = stop.found, tried
        derived = 0 < found_at <= len(explicit)
        return Exploration(
            tried=tried, found=found, stopped=stop.reason, found_derived=derived, derived_count=len(explicit)
        )

    # A drawing this process made already, that a target passed in full, is given again without drawing
    # (``drawings``). Should this target fail on one of its events, Hypothesis draws them again to shrink the failure:
    # the events the target passed a moment ago pass without being delivered again, the one it failed on fails
    # again without being delivered again, and the rest is as in an exploration that drew them. Each replayed event
    # is tested with the random module seeded as Hypothesis seeds it for each event: a target that draws its ids from
    # it gets the same ones.
    seeded_random = random_seeded_per_event()  # None: nothing is replayed, every exploration draws
    replayable = examples > 0 and seeded_random is not None
    drawing = drawings.about_to_draw(strategy, examples, seed, len(explicit)) if replayable else None
    generated = drawings.recall(drawing) if drawing is not None else None
    passed_before, failed_then = 0, None
    if generated is not None and seeded_random is not None:
        try:
            with with_reporter(lambda *_: None), storage_of_this_exploration():  # as around a drawn exploration
                for event in [*explicit, *generated]:
                    with seeded_random():
                        attempt(event)
        except Stop as stop:
            return stopped(stop)
        except Counterexample as failure:
            passed_before, failed_then = tried - 1, failure
        else:
            return Exploration(tried=tried, found=None, derived_count=len(explicit))
    calls = 0

    def replayed_then_attempted(event: Any) -> None:
        nonlocal calls
        calls += 1
        if failed_then is not None and calls <= passed_before + 1:
            if calls <= passed_before:
                return
            raise failed_then
        attempt(event)

    generating = (Phase.explicit, Phase.generate, *((Phase.shrink,) if shrink else ())) if examples else ()
    run = given(strategy)(replayed_then_attempted)  # type: ignore[no-untyped-call]
    for event in reversed(explicit):
        run = explicit_example(event)(run)
    run = settings(
        parent=settings.get_profile("default"),
        max_examples=max(examples, 1),
        database=None,
        deadline=None,
        derandomize=False,
        phases=generating or (Phase.explicit,),
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )(with_seed(seed)(run))
    # The key of Hypothesis' example database, which is off (database=None): without one given, Hypothesis reads
    # and tokenizes this function's source on every exploration to make it (2% of a receiver run). Hypothesis' own
    # find() gives its key the same way.
    run._hypothesis_internal_database_key = None
    flaky = False
    with with_reporter(lambda *_: None), storage_of_this_exploration():
        try:
            run()
        except Stop as stop:
            return stopped(stop)
        except Counterexample:
            pass
        except Flaky:
            flaky = True
    if drawing is not None and generated is None and found is None and not flaky:
        drawings.keep(drawing, tested)
    derived = 0 < found_at <= len(explicit)
    shrunk = shrink and found is not None and not (derived or flaky)
    return Exploration(
        tried=tried, found=found, shrunk=shrunk, flaky=flaky, found_derived=derived, derived_count=len(explicit)
    )
