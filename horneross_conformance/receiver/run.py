"""The receiver suite run against one endpoint: what the engine needs of the receiver role (``engine.RoleRun``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.options import OptionError, Options
from horneross_conformance.checks.registry import Case
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.catalogue import Role
from horneross_conformance.core.stacks import stack_named
from horneross_conformance.receiver.ahead import Ahead
from horneross_conformance.receiver.suite import PREFLIGHT_ID, suite
from horneross_conformance.receiver.suite.generated import DRAWN, draw_ahead
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport.endpoints import tls_context
from horneross_conformance.transport.wire import WireRecorder


class ReceiverRun:
    """The receiver suite against one endpoint. ``ahead``: hand-picked checks may run ahead of their turn (not in a
    pytest-xdist worker, which runs only the checks the controller hands it, and cannot know them ahead)."""

    role: Role = "receiver"
    preflight_id = PREFLIGHT_ID
    preflight_failure = "the endpoint is unreachable"

    def __init__(self, target: ReceiverTarget, ahead: bool = True) -> None:
        self.cases: list[Case] = suite.cases
        self.target = target
        self.ahead = Ahead(target, self.stopped, enabled=ahead)
        self._drawn_ahead: set[str] = set()  # generated checks whose events were drawn ahead of their turn

    @classmethod
    def from_options(cls, options: Options, generation: Generation, ahead: bool = True) -> ReceiverRun:
        """The run ``options`` ask for; ``OptionError`` naming the option at fault."""
        assert options.endpoint is not None
        secret = options.endpoint_secret()
        if not secret:
            raise OptionError("secret", "the endpoint's secret is required")
        try:
            tls_context(options.ca_bundle)
        except ValueError as error:
            raise OptionError("ca_bundle", str(error)) from None
        try:
            stack = stack_named(options.stack) if options.stack else None
            target = ReceiverTarget(options.endpoint, secret, options.timeout, generation, options.ca_bundle, stack)
        except ValueError as error:
            raise OptionError("endpoint", str(error)) from None
        return cls(target, ahead)

    @property
    def display(self) -> str:
        return self.target.endpoint.display

    @property
    def wire(self) -> WireRecorder:
        return self.target.wire

    def header(self) -> str:
        return f"timeout {self.target.timeout:g} s, {self.target.generation.describe()}"

    def stopped(self) -> str | None:
        return f"the endpoint stopped answering ({self.target.unresponsive})" if self.target.unresponsive else None

    def run_case(self, case: Case, selected: Sequence[Case], sender: Any = None) -> str:
        if self.ahead.enabled:
            self.target.meanwhile = self._draw_next(case, selected)
        ran = self.ahead.take(case, list(selected))
        if ran is not None:
            return ran
        detail = case.run(self.target)
        if case.id in self.ahead.failed:  # it failed alongside others and passes alone: more than the endpoint holds
            self.target.window.overloaded()
        return detail

    def _draw_next(self, case: Case, selected: Sequence[Case]) -> Callable[[], None]:
        """What to do while ``case``'s deliveries are in flight: draw the events of the next generated check of the
        run, which then only delivers them in its turn. Its events are those it would draw in its turn
        (``exploration.drawn_before``), and no delivery of it goes out before its turn: each verdict is as if the
        checks ran one after another. A drawing that fails is made again in the check's turn, which reports why."""
        later = list(selected)[list(selected).index(case) + 1 :] if case in selected else []
        upcoming = next((each.id for each in later if each.id in DRAWN), None)

        def draw_next() -> None:
            if upcoming is None or upcoming in self._drawn_ahead or self.stopped():
                return
            self._drawn_ahead.add(upcoming)
            with contextlib.suppress(Exception):  # drawn again in its turn, which reports it
                draw_ahead(self.target, upcoming)

        return draw_next

    def after_run(self) -> list[CheckResult]:
        return []

    def notes(self) -> list[str]:
        return []

    def close(self) -> None:
        self.target.close()
