"""What a check is: a stable case id, the requirement it tests, a title, and a function that passes or fails.

A check function returns a short account of what it saw when the target passes, and raises ``CheckFailed`` with
one sentence for a person when it does not. ``Inconclusive`` means the check could not decide (the target failed
something else first), which is reported as skipped rather than guessed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

MISSED_IN_A_ROW = 2  # after this many calls in a row without an answer, a target counts as stuck


@dataclass(frozen=True, slots=True)
class Cause:
    """One fault of the target that makes several checks fail, said once for all of them: ``id`` tells causes
    apart (the same id, the same cause), ``headline`` names it in one sentence, ``evidence`` is what showed it,
    ``fix`` how to mend it. Each check it explains refers to it in one line."""

    id: str
    headline: str
    evidence: str
    fix: str


class CheckFailed(AssertionError):
    """The target does not meet the requirement; the message says what it did and why that is wrong. ``cause``:
    the root cause it shares with other checks, said once for all of them (``Cause``)."""

    def __init__(self, message: str = "", cause: Cause | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class Inconclusive(Exception):
    """The check cannot tell, for a reason the message gives.

    ``owner``: the requirement whose fault stopped the check, when it is another requirement's (one fault, one
    requirement). It is data, not text: at the end of the run the excuse is checked (``checks.verdict``), and an
    owner that passed makes this check fail its own requirement, since the fault it met was then its own.
    """

    def __init__(self, message: str, owner: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.owner = owner

    def __str__(self) -> str:
        return f"{self.message} (see {self.owner})" if self.owner else self.message


class UnusableTarget(Exception):
    """The target as given cannot be checked at all (a factory that makes no sender): a usage error, never a
    verdict; the engine lets it through to its adapter."""


class NotRequested(Exception):
    """The user's options leave this check out (``--horneross-examples=0``); the message names the option."""


# A case's phase: the run keeps them in this order, whatever order it is asked for. FIRST: a preflight. ANY: most
# checks. LATE: a check that mostly waits on the sender's own timeout; it runs after the ANY checks, so that when it
# runs ahead of its turn (sender.ahead) its wait overlaps theirs. LAST: what must see every other check done (a
# burst, a sweep).
FIRST, ANY, LATE, LAST = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Case:
    id: str  # stable, usable with -k: RCV-SIG-003
    requirement: str  # the catalogue id it covers: RCV-03
    title: str
    run: Callable[[Any], str]
    phase: int = ANY  # FIRST, ANY, LATE or LAST


class Registry:
    """An ordered list of cases, filled by the ``case`` decorator."""

    def __init__(self) -> None:
        self.cases: list[Case] = []

    def case(
        self, case_id: str, requirement: str, title: str, phase: int = ANY
    ) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
        def register(function: Callable[[Any], str]) -> Callable[[Any], str]:
            self.add(Case(case_id, requirement, title, function, phase))
            return function

        return register

    @classmethod
    def joined(cls, registries: Iterable[Registry]) -> Registry:
        """One registry holding the cases of ``registries``, in the order given: a suite made of its families."""
        whole = cls()
        for registry in registries:
            for case in registry.cases:
                whole.add(case)
        return whole

    def add(self, case: Case) -> None:
        if any(existing.id == case.id for existing in self.cases):
            raise ValueError(f"duplicate case id {case.id}")
        self.cases.append(case)


class Watchdog:
    """Counts calls in a row that got no answer (a delivery, a call of the adapter). After ``MISSED_IN_A_ROW``
    the target is stuck, and the remaining checks end at once instead of each waiting out the timeout."""

    def __init__(self) -> None:
        self.stuck: str | None = None
        self._missed = 0
        self._lock = threading.Lock()

    def answered(self) -> None:
        with self._lock:
            self._missed = 0

    def missed(self, describe: Callable[[int], str]) -> None:
        """One more call without an answer; ``describe(count)`` says what is stuck once it is."""
        with self._lock:
            self._missed += 1
            if self._missed >= MISSED_IN_A_ROW:
                self.stuck = describe(self._missed)
