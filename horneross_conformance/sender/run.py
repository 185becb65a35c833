"""The sender suite run against one sender: what the engine needs of the sender role (``engine.RoleRun``).

Every check gets a fresh sender: from the factory (``--horneross-sender=MODULE:FACTORY``), from a harness serving
a sender in any language (an http(s) URL), or from the pytest fixture ``horneross_sender`` a conftest.py overrides
(``fixture``: the plugin hands the engine the fixture's sender). One capture server serves the whole run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.options import FROM_FIXTURE, OptionError, Options
from horneross_conformance.checks.registry import Case, CheckFailed, UnusableTarget, Watchdog
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.catalogue import Role
from horneross_conformance.sender.adapter import check_sender, load_factory, probe_factory
from horneross_conformance.sender.ahead import Ahead
from horneross_conformance.sender.capture import CaptureLog, CaptureServer
from horneross_conformance.sender.clock import FrozenClock, RunFreezer, epoch_for
from horneross_conformance.sender.harness import Harness, RemoteSender, is_harness_url
from horneross_conformance.sender.suite import PREFLIGHT_ID, suite
from horneross_conformance.sender.suite.sweeps import after_the_run
from horneross_conformance.sender.target import Caller, SenderTarget
from horneross_conformance.transport.server import LOOPBACK, cannot_listen
from horneross_conformance.transport.wire import WireRecorder

HOST_NAME = re.compile(r"[A-Za-z0-9._-]{1,253}|[0-9A-Fa-f:.]{2,45}")  # a DNS name, an IPv4 or an IPv6 address
WILDCARDS = ("0.0.0.0", "::")


class NotASender(UnusableTarget):
    """What the factory (or the fixture) gave is not a sender: a usage error, before any verdict."""


class SenderRun:
    """The sender suite against the senders ``factory`` makes (None: each check is handed its sender)."""

    role: Role = "sender"
    preflight_id = PREFLIGHT_ID
    preflight_failure = "the sender delivered nothing"

    def __init__(
        self,
        source: str,
        timeout: float,
        generation: Generation,
        factory: Callable[[], Any] | None = None,
        release: Callable[[Any], None] | None = None,
        capture_bind: str = LOOPBACK,
        capture_host: str | None = None,
        capture_port: int = 0,
        secrets: Sequence[str] = (),
        harness: Harness | None = None,
        ahead: bool = True,
    ) -> None:
        self.cases: list[Case] = suite.cases
        self.harness = harness  # the vendor's harness the senders are behind, if they are
        self.source = source  # as shown: a harness URL without its user information
        self.timeout = timeout
        self.generation = generation
        self.factory = factory
        self.release = release
        self.log = CaptureLog(hold_limit=timeout)
        self.server = CaptureServer(self.log, port=capture_port, bind=capture_bind, advertised=capture_host)
        self.watchdog = Watchdog()
        self.caller = Caller()  # the thread every call of the adapter runs on, in turn
        self.freezer = RunFreezer()  # each check's clock resumes it and pauses it
        self.checked_sender = False
        # behind a harness, each sender has a clock of its own: the checks that only wait run alongside the others
        # (a pytest-xdist worker runs only the checks the controller hands it, which it cannot know ahead)
        self.ahead = Ahead(self, PREFLIGHT_ID) if harness is not None and ahead else None
        for secret in secrets:  # a harness's credentials: never shown
            self.log.wire.redactor.add(secret)

    @classmethod
    def from_options(
        cls, options: Options, generation: Generation, factory: Callable[[], Any] | None = None, ahead: bool = True
    ) -> SenderRun:
        """The run ``options`` ask for, its factory (``factory``, or the one ``options.sender`` names) loaded and
        probed, or its harness asked to answer now; ``OptionError`` naming the option at fault."""
        source = options.sender
        assert source is not None
        bind, host = capture_address(options.capture_bind, options.capture_host)
        release: Callable[[Any], None] | None = None
        secrets: Sequence[str] = ()
        harness: Harness | None = None
        if factory is not None:
            try:
                probe_factory(factory)
            except ValueError as error:
                raise OptionError("sender", str(error)) from None
        elif is_harness_url(source):
            try:
                harness = Harness(source, options.timeout, options.ca_bundle)
            except ValueError as error:
                raise OptionError("sender", str(error)) from None
            try:
                harness.preflight()
            except ValueError as error:
                harness.disconnect()  # the connection its first call kept: no run will close it
                raise OptionError("sender", str(error)) from None
            except BaseException:
                harness.disconnect()
                raise
            factory, release, secrets, source = (
                (lambda: RemoteSender(harness)),
                RemoteSender.close,
                harness.secrets,
                harness.display,
            )
        elif source != FROM_FIXTURE:
            try:
                factory = load_factory(source)
                probe_factory(factory)
            except ValueError as error:
                raise OptionError("sender", str(error)) from None
        port = options.capture_port
        if port:
            try:
                _free(bind, port)
            except OptionError:
                if harness is not None:
                    harness.disconnect()
                raise
        return cls(
            source,
            options.timeout,
            generation,
            factory,
            release,
            capture_bind=bind,
            capture_host=host,
            capture_port=port,
            secrets=secrets,
            harness=harness,
            ahead=ahead,
        )

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
        return f"timeout {self.timeout:g} s per call of the adapter, {self.generation.describe()}{where}"

    def stopped(self) -> str | None:
        return self.watchdog.stuck

    def make_sender(self) -> Any:
        """A fresh sender from the factory; the factory's failure is the check's."""
        assert self.factory is not None
        try:
            return self.factory()
        except Exception as error:
            raise CheckFailed(f"the factory raised {type(error).__name__}: {error}") from None

    def release_sender(self, sender: Any) -> None:
        if self.release is not None:
            self.release(sender)

    def run_case(self, case: Case, selected: Sequence[Case], sender: Any = None) -> str:
        if not self.server.is_running():
            self.server.start()
        if self.ahead is not None:  # the sender the plugin made for this check, if any, is then left unused
            taken = self.ahead.take(case, selected)
            if taken is not None:
                detail, log = taken
                self.log.wire.adopt(log)
                return detail
        made = sender is None
        if made:
            sender = self.make_sender()
        try:
            return self._run_case(case, sender)
        finally:
            if made:
                self.release_sender(sender)

    def _run_case(self, case: Case, sender: Any) -> str:
        if not self.checked_sender:
            try:
                check_sender(sender)
            except ValueError as error:
                raise NotASender(f"{self.source}: {error}") from None
            self.checked_sender = True
        with FrozenClock(epoch_for(self.generation.seed), self.freezer) as clock:
            self.log.offset = lambda: clock.offset
            target = SenderTarget(
                sender,
                self.log,
                self.server,
                clock,
                self.timeout,
                self.watchdog,
                self.generation,
                requirement=case.requirement,
                tenant=case.id,
                caller=self.caller,
            )
            try:
                return case.run(target)
            finally:
                target.close()

    def after_run(self) -> list[CheckResult]:
        """Every request the capture servers got, judged again now that no check runs: what came after the sweeps,
        or in a run whose selection left them out, is still accounted for."""
        if self.ahead is not None:
            self.ahead.settle()
        return after_the_run(self.log)

    def notes(self) -> list[str]:
        note = self.log.budget_note
        return [note] if note else []

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.settle()
        self.caller.close()
        if self.harness is not None:
            self.harness.disconnect()
        self.freezer.stop()
        if self.server.is_running():
            self.server.stop()


def _free(bind: str, port: int) -> None:
    """``OptionError`` when nothing can listen on ``port`` of ``bind`` now (another program has it, say)."""
    why = cannot_listen(bind, port)
    if why:
        raise OptionError("capture_port", f"cannot listen on port {port} of {bind} ({why})")


def capture_address(bind: str, host: str | None) -> tuple[str, str]:
    """Where the capture endpoints listen, and the host their URLs carry; checked by binding once."""
    why = cannot_listen(bind, 0)
    if why:
        raise OptionError("capture_bind", f"cannot listen on {bind!r} ({why})")
    if host is None:
        host = LOOPBACK if bind in WILDCARDS else bind
    if not HOST_NAME.fullmatch(host):
        raise OptionError("capture_host", f"{host!r} is not a host name or IP address")
    return bind, host
