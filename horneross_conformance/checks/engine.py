"""The check engine: one suite against one target, check by check, then what only the whole run can tell.

A role (``receiver.run``, ``sender.run``) gives the engine its target as a ``RoleRun``: the suite's cases, how to
run one, whether the target stopped answering, and the checks over the whole run. The engine gives every check one
outcome (``CheckResult``), with its message made safe to show once, here; keeps the run's results; and judges the
run (``checks.verdict``). The pytest plugin, the ``run`` command and the Python API are adapters over it: pytest
runs one check per item (``Engine.check``) and hands the results back (``Engine.record``), the others iterate
``Engine.run``. Every report reads the same ``RunVerdict``.

The cases run in the suite's phases whatever order an adapter asks for (``Case.phase``): the preflight first, the
checks that must run after all others (a burst, the sweeps over every delivery) last, so that no verdict depends
on the order of the rest.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from horneross_conformance.checks.registry import Case, Cause, CheckFailed, Inconclusive, NotRequested, UnusableTarget
from horneross_conformance.checks.results import NOT_REQUESTED, CheckResult
from horneross_conformance.checks.verdict import RunVerdict, judge
from horneross_conformance.core.catalogue import Role
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.version import __version__
from horneross_conformance.transport.wire import WireRecorder

INTERNAL_ERROR = "internal error in the toolkit, please report it"


class RoleRun(Protocol):
    """What a role gives the engine: its target, and how a check runs against it."""

    role: Role
    cases: list[Case]
    preflight_id: str
    preflight_failure: str  # what a failed preflight means, for the checks it stops

    @property
    def display(self) -> str: ...

    @property
    def wire(self) -> WireRecorder: ...

    def header(self) -> str: ...

    def stopped(self) -> str | None: ...

    def run_case(self, case: Case, selected: Sequence[Case], sender: Any = None) -> str: ...

    def after_run(self) -> list[CheckResult]: ...

    def notes(self) -> list[str]: ...

    def close(self) -> None: ...


@dataclass(slots=True)
class RunInfo:
    """What a report says of the run itself, to repeat it: version, seed, options, when, how long, the command."""

    version: str = __version__
    seed: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    started: str = ""  # RFC 3339 UTC
    seconds: float = 0.0
    command: str = ""  # the command that runs it again (the secret read from the environment, never shown)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "seed": self.seed,
            "options": self.options,
            "started": self.started,
            "seconds": round(self.seconds, 3),
            "command": self.command,
        }


def in_phases(cases: Iterable[Case]) -> list[Case]:
    """``cases`` in the suite's phases, each phase in the order given."""
    return sorted(cases, key=lambda case: case.phase)


class Engine:
    """One suite run against one target."""

    def __init__(self, role_run: RoleRun, strict: bool, info: RunInfo | None = None) -> None:
        self.role_run = role_run
        self.strict = strict
        self.info = info or RunInfo()
        self.results: list[CheckResult] = []
        self.selected: list[Case] | None = None  # None until the run's selection is known
        self.unreachable: str | None = None  # why no check can run after a failed preflight
        self._started = time.monotonic()
        self.info.started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def role(self) -> Role:
        return self.role_run.role

    @property
    def cases(self) -> list[Case]:
        return self.role_run.cases

    def select(self, cases: Iterable[Case]) -> list[Case]:
        """Keep ``cases`` for this run, in the suite's phases; what is left out is not checked, and says so."""
        self.selected = in_phases(cases)
        return self.selected

    def shown(self, message: str) -> str:
        """A message as every output may show it: the run's secrets removed in every form, and every control a
        terminal would act on escaped. Its own line breaks are kept (a reproducer, a failing event on lines of their
        own); the target's were escaped where its text was embedded."""
        return for_terminal(self.role_run.wire.redactor(message), keep_newlines=True)

    def check(self, case: Case, sender: Any = None) -> CheckResult:
        """Run one check and say its outcome; the result is the run's once ``record`` is given it."""
        preflight = case.id == self.role_run.preflight_id
        if self.unreachable and not preflight:
            return self._result(case, "skipped", f"not run: {self.unreachable}")
        stopped = self.role_run.stopped()
        if stopped:
            return self._result(case, "failed", f"not run: {stopped}")
        wire: dict[str, Any] | None = None
        try:
            with self.role_run.wire.recording() as log:
                try:
                    detail = self.role_run.run_case(case, self.selected or self.cases, sender)
                finally:
                    wire = log.as_json()
        except Inconclusive as error:
            return self._result(case, "skipped", f"inconclusive: {error}", wire, error.owner)
        except NotRequested as error:
            return self._result(case, "skipped", f"{NOT_REQUESTED}{error}", wire)
        except CheckFailed as error:
            if preflight:
                self.unreachable = f"{self.role_run.preflight_failure} (see {case.id})"
            return self._result(case, "failed", str(error), wire, cause=error.cause)
        except UnusableTarget:
            raise
        except Exception as error:  # a fault of the toolkit: said, never a verdict on the target
            trace = "".join(traceback.format_exception(error))
            return self._result(case, "failed", f"{INTERNAL_ERROR}:\n{trace}", wire, internal=True)
        return self._result(case, "passed", detail, wire)

    def _result(
        self,
        case: Case,
        outcome: Any,
        message: str,
        wire: dict[str, Any] | None = None,
        owner: str | None = None,
        internal: bool = False,
        cause: Cause | None = None,
    ) -> CheckResult:
        # the one place every check's message passes: from here on (terminal, JUnit XML, every report) it holds no
        # secret and nothing a terminal would act on
        if cause is not None:
            cause = Cause(*(self.shown(text) for text in (cause.id, cause.headline, cause.evidence, cause.fix)))
        return CheckResult(case.id, case.requirement, outcome, self.shown(message), wire, owner, internal, cause)

    def record(self, result: CheckResult) -> None:
        self.results.append(result)

    def after_run(self) -> list[CheckResult]:
        """The checks over the whole run, once every check is done: their results, made safe to show (not yet
        recorded: a pytest-xdist worker hands them to the controller instead)."""
        return [replace(result, message=self.shown(result.message)) for result in self.role_run.after_run()]

    def run(self, cases: Iterable[Case] | None = None, sender: Any = None) -> Iterator[CheckResult]:
        """The whole run: each selected check in the suite's phases, then the checks over the whole run; each
        result yielded as it happens, and recorded."""
        for case in self.select(self.cases if cases is None else cases):
            result = self.check(case, sender)
            self.record(result)
            yield result
        for result in self.after_run():
            self.record(result)
            yield result

    def verdict(self, notes: Sequence[str] = ()) -> RunVerdict:
        coverage = [(case.id, case.requirement) for case in self.cases]
        selected = None if self.selected is None else [case.id for case in self.selected]
        preconditions = {self.role_run.preflight_id}
        verdict = judge(self.role, self.role_run.display, self.results, coverage, self.strict, selected, preconditions)
        verdict.notes = [*notes, *(note for note in self.role_run.notes() if note not in notes)]
        self.info.seconds = time.monotonic() - self._started
        verdict.info = replace(
            self.info,
            options={name: self._shown_value(value) for name, value in self.info.options.items()},
            command=self.shown(self.info.command),
        )
        return verdict

    def _shown_value(self, value: Any) -> Any:
        """An option's value as reports show it: text made safe as any message is (a harness's token removed)."""
        if isinstance(value, str):
            return self.shown(value)
        if isinstance(value, tuple | list):
            return [self._shown_value(item) for item in value]
        return value

    def close(self) -> None:
        self.role_run.close()
