"""Sender checks that mostly wait, run ahead of their turn alongside the others, when the sender is behind a harness.

SND-RTY-013 holds each of five attempts until the sender gives up on it: the sender's own delivery timeout, in real
time, five times over (2.5 s for the references), with nothing else to do. In process, a sender reads the time from
the standard library, which the suite freezes for the whole process, so one check runs at a time. Behind a harness
(``harness.RemoteSender``), a sender reads only the ``now`` each call carries, and the protocol gives each sender a
clock of its own. There the waiting checks (phase ``LATE``: after the others that need no other done) start when the
first check after the preflight starts, each on a thread of its own with its own sender, clock
(``clock.SenderClock``), caller and wire log; their endpoints' time and wire log are theirs
(``capture.CaptureEndpoint.timed_by``), so what a check in its turn sees is unchanged. Each takes its result in its
turn, so reports and output keep the suite's order.

As with the receiver's checks ahead of their turn (``receiver.ahead``), a check that passes ahead of its turn passes,
and any other outcome does not count: it runs again alone in its turn, with a fresh sender, and that outcome is its
verdict. Whatever its sender delivered stays in the run's account, judged by the sweeps like every delivery, but
the events it emitted are no longer owed (``CaptureLog.withdraw``): run again, it emits fresh ones, which are.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from horneross_conformance.checks.exploration import Generation
from horneross_conformance.checks.registry import LATE, Case, Watchdog
from horneross_conformance.sender.capture import CaptureLog, CaptureServer
from horneross_conformance.sender.clock import SenderClock, epoch_for
from horneross_conformance.sender.harness import RemoteSender
from horneross_conformance.sender.target import Caller, Emitted, SenderTarget
from horneross_conformance.transport.wire import WireLog


class Run(Protocol):
    """What of the run the checks ahead of their turn share: its capture log and server, bounds and generation."""

    log: CaptureLog
    server: CaptureServer
    timeout: float
    generation: Generation

    def make_sender(self) -> RemoteSender: ...

    def release_sender(self, sender: RemoteSender) -> None: ...


@dataclass(slots=True)
class _Ahead:
    """One check run ahead of its turn, on ``thread``: ``detail`` stays None unless it passed."""

    log: WireLog
    caller: Caller
    thread: threading.Thread | None = None
    detail: str | None = None
    emitted: list[Emitted] = field(default_factory=list)  # its target's


class Ahead:
    """The checks of one run that run ahead of their turn: started once, each taken in its turn or settled."""

    def __init__(self, run: Run, preflight_id: str) -> None:
        self._run = run
        self._preflight_id = preflight_id
        self._started = False
        self._running: dict[str, _Ahead] = {}

    def take(self, case: Case, selected: Sequence[Case]) -> tuple[str, WireLog] | None:
        """``case``'s account and wire log if it passed ahead of its turn (starting the waiting checks of
        ``selected`` first, at the first check after the preflight); None: run it now, alone."""
        if not self._started and case.id != self._preflight_id:
            self._started = True
            for each in selected:
                if each.phase == LATE and each is not case:
                    self._running[each.id] = self._start(each)
        ahead = self._running.get(case.id)
        if ahead is None or ahead.thread is None:
            return None
        ahead.thread.join()  # bounded: every call of the check is (an interrupt here leaves it to ``settle``)
        del self._running[case.id]
        return None if ahead.detail is None else (ahead.detail, ahead.log)

    def settle(self) -> None:
        """Before the run's account is judged (``after_run``), or when it ends: the checks whose turn never came (a
        run stopped early: ``-x``, a stuck sender, an interrupt) call their sender no more and end with the call
        under way, if any (bounded, as every call is), and their events are no longer owed: their outcome was
        never taken."""
        for ahead in self._running.values():
            ahead.caller.stop()
        for ahead in self._running.values():
            if ahead.thread is not None:
                ahead.thread.join()
            self._run.log.withdraw(ahead.emitted)
        self._running.clear()

    def _start(self, case: Case) -> _Ahead:
        ahead = _Ahead(WireLog(self._run.log.wire.redactor), Caller())
        ahead.thread = threading.Thread(target=self._check, args=(case, ahead), name="horneross-ahead", daemon=True)
        ahead.thread.start()
        return ahead

    def _check(self, case: Case, ahead: _Ahead) -> None:
        run = self._run
        caller = ahead.caller
        try:
            sender = run.make_sender()
            clock = SenderClock(epoch_for(run.generation.seed))
            sender.now = clock.now
            target = SenderTarget(
                sender,
                run.log,
                run.server,
                clock,
                run.timeout,
                Watchdog(),  # a sender stuck here is found again in its turn, by the run's watchdog
                run.generation,
                requirement=case.requirement,
                tenant=case.id,
                caller=caller,
                ahead_log=ahead.log,
            )
            ahead.emitted = target.emitted
            try:
                ahead.detail = case.run(target)
            except Exception:  # any outcome but a pass is decided alone, in its turn
                run.log.withdraw(target.emitted)
            finally:
                target.close()
                run.release_sender(sender)
        except Exception:  # the factory's failure: decided alone, in its turn too
            ahead.detail = None
        finally:
            caller.close()
