"""The two suite runs inside pytest: the receiver suite against an endpoint, the sender suite against a sender.

Each fills in what ``pytest_run.SuiteRun`` leaves to a role: its target, how a check is run against it, when the
target has stopped answering, and (the sender suite) what is judged once every check is done.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import pytest

from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.registry import Watchdog
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.catalogue import Role
from horneross_conformance.pytest_run import CaseItem, SuiteRun
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport.wire import WireRecorder


class ReceiverRun(SuiteRun):
    """The receiver suite against one endpoint."""

    role: Role = "receiver"
    preflight_failure = "the endpoint is unreachable"

    def __init__(self, config: pytest.Config, target: ReceiverTarget, report: str | None, strict: bool) -> None:
        from horneross_conformance.receiver.ahead import Ahead
        from horneross_conformance.receiver.suite import PREFLIGHT_ID, suite

        super().__init__(config, suite.cases, report, strict)
        self.preflight_id = PREFLIGHT_ID
        self.target = target
        # a pytest-xdist worker runs only the checks the controller hands it, which it cannot know ahead
        self.ahead = Ahead(target, self.stopped, enabled=not hasattr(config, "workerinput"))

    @property
    def display(self) -> str:
        return self.target.endpoint.display

    @property
    def wire(self) -> WireRecorder:
        return self.target.wire

    def header(self) -> str:
        return f"timeout {self.target.timeout:g} s, {generation_header(self.target.generation)}"

    def stopped(self) -> str | None:
        return f"the endpoint stopped answering ({self.target.unresponsive})" if self.target.unresponsive else None

    def run_case(self, item: CaseItem) -> str:
        ran = self.ahead.take(item.case, [i.case for i in item.session.items if isinstance(i, CaseItem)])
        if ran is not None:
            return ran
        return item.case.run(self.target)


class SenderRun(SuiteRun):
    """The sender suite against a sender adapter: a fresh sender per check, one capture server for the run."""

    role: Role = "sender"
    preflight_failure = "the sender delivered nothing"

    def __init__(
        self,
        config: pytest.Config,
        source: str,
        timeout: float,
        generation: Generation,
        report: str | None,
        strict: bool,
        capture_bind: str = "127.0.0.1",
        capture_host: str | None = None,
    ) -> None:
        from horneross_conformance.sender.capture import CaptureLog, CaptureServer
        from horneross_conformance.sender.suite import PREFLIGHT_ID, suite

        super().__init__(config, suite.cases, report, strict)
        self.preflight_id = PREFLIGHT_ID
        self.source = source
        self.timeout = timeout
        self.generation = generation
        self.log = CaptureLog(hold_limit=timeout)
        self.server = CaptureServer(self.log, bind=capture_bind, advertised=capture_host)
        self.watchdog = Watchdog()
        self.checked_sender = False

    @property
    def display(self) -> str:
        return self.source

    @property
    def wire(self) -> WireRecorder:
        return self.log.wire

    def header(self) -> str:
        server = self.server
        where = (
            f", capture endpoints on {server.bind} as {server.advertised}" if server.advertised != server.bind else ""
        )
        return f"timeout {self.timeout:g} s per call of the adapter, {generation_header(self.generation)}{where}"

    def stopped(self) -> str | None:
        return self.watchdog.stuck

    def run_case(self, item: CaseItem) -> str:
        from horneross_conformance.sender.adapter import Sender, check_sender
        from horneross_conformance.sender.clock import FrozenClock, epoch_for
        from horneross_conformance.sender.target import SenderTarget

        sender = cast("Sender", item.funcargs["horneross_sender"])
        if not self.checked_sender:
            try:
                check_sender(sender)
            except ValueError as error:
                pytest.exit(f"{self.source}: {error}", returncode=pytest.ExitCode.USAGE_ERROR)
            self.checked_sender = True
        if not self.server.is_running():
            self.server.start()
        with FrozenClock(epoch_for(self.generation.seed)) as clock:
            self.log.offset = lambda: clock.offset
            target = SenderTarget(
                sender,
                self.log,
                self.server,
                clock,
                self.timeout,
                self.watchdog,
                self.generation,
                requirement=item.case.requirement,
                tenant=item.case.id,
            )
            try:
                return item.case.run(target)  # its message is made safe to show by CaseItem.runtest
            finally:
                target.close()

    def after_run(self) -> list[CheckResult]:
        """Every request the capture servers got, judged again now that no check runs: what came after the sweeps,
        or in a run whose selection left them out, is still accounted for. Only what this process has not already
        reported comes back."""
        from horneross_conformance.sender.suite.sweeps import after_the_run

        reported = {(r.case_id, r.outcome) for r in self.results}
        return [
            replace(result, message=self.shown(result.message))  # a sender's bytes: inert, and without secrets
            for result in after_the_run(self.log)
            if (result.case_id, "failed") not in reported and (result.case_id, result.outcome) not in reported
        ]

    def notes(self) -> list[str]:
        note = self.log.budget_note
        return [note] if note else []

    def pytest_unconfigure(self) -> None:
        if self.server.is_running():
            self.server.stop()
        super().pytest_unconfigure()


def generation_header(generation: Generation) -> str:
    return f"{generation.examples} generated events per check, seed {generation.seed}"
