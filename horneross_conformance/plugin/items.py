"""The suite's checks as pytest items: one item per case, named by its case id and keyworded with its requirement.

An item runs its check through the engine (``Engine.check``) and turns the outcome into pytest's: passed, skipped
(inconclusive, not requested, not run) or failed, with the engine's message, already safe to show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from horneross_conformance.checks.registry import Case, CheckFailed, UnusableTarget
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.catalogue import Requirement, requirement


def _receiver_check() -> None:
    """A receiver check needs no fixture: the endpoint is the run's."""


def _sender_check(horneross_sender: object) -> None:
    """A sender check gets a fresh sender from the ``horneross_sender`` fixture, which a conftest.py may override."""


class CaseItem(pytest.Function):
    """One check of the suite, named by its case id (``RCV-SIG-003``) and keyworded with its requirement id.

    A ``pytest.Function``, so that fixtures work: the sender suite's sender comes from one.
    """

    def __init__(self, *, case: Case, session_run: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.run = session_run
        self.requirement: Requirement = requirement(case.requirement)
        self.extra_keyword_matches.add(case.requirement)  # so that -k RCV-03 selects the requirement's checks
        self.result: CheckResult | None = None
        self.user_properties += [
            ("requirement", case.requirement),
            ("level", self.requirement.level),
            ("case", case.id),
        ]

    def runtest(self) -> None:
        sender = self.funcargs.get("horneross_sender")
        try:
            self.result = result = self.run.engine.check(self.case, sender)
        except UnusableTarget as error:
            pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)
        if result.outcome == "skipped":
            pytest.skip(result.message)
        if result.outcome == "failed":
            raise CheckFailed(result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return f"{self.case.id} [{self.requirement.level} {self.requirement.id}] {excinfo.value}"
        internal = f"internal error in the toolkit, please report it:\n{super().repr_failure(excinfo)}"
        shown: str = self.run.engine.shown(internal)
        return shown

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.case.id}: {self.case.title}"


class SuiteCollector(pytest.Collector):
    def __init__(self, *, session_run: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = session_run

    def collect(self) -> Iterator[CaseItem]:
        check = _sender_check if self.run.engine.role == "sender" else _receiver_check
        for case in self.run.engine.cases:
            yield CaseItem.from_parent(self, name=case.id, callobj=check, case=case, session_run=self.run)
