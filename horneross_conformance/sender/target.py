"""The vendor's sender as the sender suite sees it: a fresh adapter per check, the capture servers, the clock.

Every call into the adapter runs on a thread of its own and is waited for at most ``timeout`` seconds (the
kernel measures that wait, not the frozen clock). A call that raises or does not return becomes a
``CheckFailed`` with one sentence; a sender that stops returning twice in a row is marked stuck, so the
remaining checks end at once instead of each waiting out the timeout.
"""

from __future__ import annotations

import copy
import queue
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.checks.exploration import DEFAULT_GENERATION, Generation
from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Watchdog
from horneross_conformance.core.canonical import TooDeep
from horneross_conformance.core.contract import SUCCESS_STATUS
from horneross_conformance.core.events import has_lone_surrogate
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import CAPTURE_KEPT_BYTES
from horneross_conformance.sender.adapter import Sender
from horneross_conformance.sender.capture import (
    HOLDING,
    POLL,
    Answer,
    Capture,
    CaptureEndpoint,
    CaptureLog,
    CaptureServer,
    RefusingPort,
    Script,
    parsed_body,
)
from horneross_conformance.sender.clock import SenderClock
from horneross_conformance.transport.wire import WireLog


class NoReturn(CheckFailed):
    """A call of the adapter did not return within its bound."""


class Raised(CheckFailed):
    """A call of the adapter raised ``error``; the message says so in one sentence."""

    def __init__(self, message: str, error: BaseException) -> None:
        super().__init__(message)
        self.error = error


class RefusedLoneSurrogate(Inconclusive):
    """emit() refused data holding a lone surrogate, in a check whose requirement is not the one that owns it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, owner=LONE_SURROGATE_OWNER)


# docs/contract.md, decision 14: an emit() that cannot take a lone surrogate is a signing fault, SND-03's alone
LONE_SURROGATE_OWNER = "SND-03"
# Each endpoint's secret: this prefix, as webhook secrets often have, then 24 random bytes. A run holds hundreds
# of them, and its redactor indexes every form of each by its first characters: with one prefix they share a few
# buckets, looked for with str.find, instead of hundreds walked a character at a time (4x less time a text).
ENDPOINT_SECRET_PREFIX = "whsec_"


@dataclass(frozen=True, slots=True)
class Emitted:
    offset: int
    event_type: str
    data: dict[str, Any]
    returned: Any  # what emit returned: the event id, if the sender keeps the protocol
    tenant: str = ""  # the check whose sender emitted it: its endpoints, and no other, may receive it
    to: tuple[CaptureEndpoint, ...] = ()  # the endpoints subscribed to its type when it was emitted


class Caller:
    """The thread the adapter's calls run on, one after another, each waited for at most its bound: one thread for
    a whole run instead of one per call (a run makes about 650 calls). A call that does not return in time keeps its
    thread; the next call gets a new one, and the stuck one ends once its call returns."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Any] | None = None
        self._stopped = False

    def call(self, function: Callable[..., Any], arguments: tuple[Any, ...], limit: float) -> dict[str, Any]:
        """``{"value": ...}`` or ``{"error": ...}`` once ``function(*arguments)`` is done; ``{}`` when it did not
        return within ``limit`` seconds. Once ``stop`` was called, an error at once, the adapter never called."""
        if self._stopped:
            return {"error": CheckFailed("the run ended before this check could")}
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(self._jobs,), name="horneross-adapter", daemon=True).start()
        outcome: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((function, arguments, outcome, done))
        if not done.wait(limit):
            self._jobs.put(None)  # the stuck thread ends after its call; the next call starts another
            self._jobs = None
            return {}
        return outcome

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.put(None)
            self._jobs = None

    def stop(self) -> None:
        """Call the adapter no more: the check this caller serves is ended by its next call."""
        self._stopped = True


def _serve(jobs: queue.SimpleQueue[Any]) -> None:
    while (job := jobs.get()) is not None:
        function, arguments, outcome, done = job
        try:
            outcome["value"] = function(*arguments)
        except BaseException as error:  # whatever the adapter raises is reported, never re-raised here
            outcome["error"] = error
        finally:
            done.set()


class SenderTarget:
    def __init__(
        self,
        sender: Sender,
        log: CaptureLog,
        server: CaptureServer,
        clock: SenderClock,
        timeout: float,
        watchdog: Watchdog,
        generation: Generation = DEFAULT_GENERATION,
        requirement: str = "",
        tenant: str = "",
        caller: Caller | None = None,
        ahead_log: WireLog | None = None,
    ) -> None:
        self.sender = sender
        self.caller = caller if caller is not None else Caller()  # the run's, or one of its own
        self.log = log
        self.server = server
        self.clock = clock
        self.timeout = timeout
        self.watchdog = watchdog
        self.generation = generation
        self.requirement = requirement  # the requirement of the check this target serves
        self.tenant = tenant  # the check this target serves, as a customer of the sender: its case id
        self.emitted: list[Emitted] = []
        self._settled = 0  # how many of ``emitted`` a run_due that returned has had to deliver
        self.captures: list[Capture] = []  # everything that arrived during this check
        self._cursor = log.mark()
        self._labels = iter(string.ascii_uppercase)
        self._ports: list[RefusingPort] = []
        self.endpoints: list[CaptureEndpoint] = []
        # run ahead of its turn (sender.ahead): what arrives at its endpoints is timed by its own clock, kept here
        self.ahead_log = ahead_log

    def __repr__(self) -> str:
        return f"SenderTarget({type(self.sender).__name__}, at +{self.clock.offset} s)"  # never a secret

    @property
    def offset(self) -> int:
        return self.clock.offset

    # endpoints

    def endpoint(
        self,
        script: Script = lambda attempt: Answer(SUCCESS_STATUS),
        events: list[str] | None = None,
        refusing: bool = False,
    ) -> CaptureEndpoint:
        """A new endpoint with its own secret, subscribed to ``events``. ``refusing``: its port refuses
        connections until ``open`` is called for it."""
        label = next(self._labels)
        path = self.log.new_path()
        base = self.server.base_url()
        if refusing:
            port = RefusingPort(self.server.bind, self.server.advertised)
            self._ports.append(port)
            base = port.base_url()
        secret = ENDPOINT_SECRET_PREFIX + secrets.token_urlsafe(24)
        self.log.wire.redactor.add(secret)
        selection = None if events is None else tuple(events)
        endpoint = CaptureEndpoint(label, f"{base}{path}", path, secret, script, self.tenant, selection, refusing)
        if self.ahead_log is not None:
            clock = self.clock
            endpoint.timed_by, endpoint.wire_log = (lambda: clock.offset), self.ahead_log
        self.log.register(endpoint)
        self.endpoints.append(endpoint)
        self.call("subscribe", self.sender.subscribe, endpoint.url, secret, events)
        endpoint.subscribed = True
        return endpoint

    def open(self, endpoint: CaptureEndpoint) -> None:
        """Start listening on a refusing endpoint's port."""
        for port in self._ports:
            if endpoint.url.startswith(port.base_url() + "/"):
                port.open(self.log)

    def close(self) -> None:
        for port in self._ports:
            port.close()

    # the adapter

    def emit(self, event_type: str, data: dict[str, Any]) -> Emitted:
        """Emit ``data``; what is recorded is a copy made before the sender saw it, which it cannot change."""
        kept = copy.deepcopy(data)
        try:
            returned = self.call("emit", self.sender.emit, event_type, data)
        except Raised as raised:
            if not (holds_lone_surrogate(kept) and _about_surrogates(raised.error)):
                raise
            message = (
                f"{raised} for data holding a lone surrogate (half an emoji, as a message cut short leaves): "
                "JSON.stringify writes it as the escape \\ud83d, so serialize it that way (escape U+D800 to U+DFFF "
                "before encoding to UTF-8) instead of passing it to an encoder that refuses it"
            )
            if self.requirement == LONE_SURROGATE_OWNER:
                raise CheckFailed(message) from None
            raise RefusedLoneSurrogate(f"{raised} for data holding a lone surrogate") from None
        to = tuple(e for e in self.endpoints if e.subscribed and e.wants(event_type))
        emitted = Emitted(self.offset, event_type, kept, returned, self.tenant, to)
        self.emitted.append(emitted)
        conversation = kept.get("conversationId")
        if isinstance(conversation, str):
            self.log.emitted[conversation] = emitted
        return emitted

    def run_due(self, bound: float | None = None) -> list[Capture]:
        """Call ``run_due`` and return what arrived since the last call. Once it returns, every event emitted so
        far is owed to the endpoints subscribed to its type: its first attempt was due (``CaptureLog.owed``)."""
        self.call("run_due", self.sender.run_due, bound=bound)
        self.log.owe(self.emitted[self._settled :])
        self._settled = len(self.emitted)
        return self.arrived()

    def arrived(self) -> list[Capture]:
        """What arrived since the last look, at this check's endpoints or at paths no endpoint has. A delivery that
        carries another check's event is left out: it is a leak between the sender's customers (SND-08's, judged
        over the whole run by ``attribution``), never an attempt of this check's events. So is what a sender left
        running by an earlier check still delivers to that check's endpoints."""
        new = self.log.since(self._cursor)
        self._cursor += len(new)
        mine = [
            c
            for c in new
            if c.endpoint is None or (any(c.endpoint is e for e in self.endpoints) and not foreign(self.log, c))
        ]
        self.captures += mine
        return mine

    def settle_held(self) -> None:
        """Wait until every attempt held at this check's endpoints has had its answer: the sender hung up, or the
        hold limit passed. The sender's ``run_due`` returns as it hangs up, a moment before the capture server sees
        it; once settled, each held attempt's answer is final and its exchange is in the check's wire log. Waits are
        counted in polls: the clock may be frozen."""
        for _ in range(round((self.log.hold_limit + 1) / POLL)):
            self.arrived()
            if not any(capture.answered == HOLDING for capture in self.captures):
                return
            threading.Event().wait(POLL)

    def move_to(self, offset: int) -> None:
        self.clock.move_to(offset)

    def call(self, name: str, function: Callable[..., Any], *arguments: Any, bound: float | None = None) -> Any:
        """Call the adapter on a thread of its own, waiting at most ``bound`` (default: the timeout) seconds."""
        limit = self.timeout if bound is None else bound
        outcome = self.caller.call(function, arguments, limit)
        when = f"at +{self.offset} s"
        if not outcome:
            self.watchdog.missed(lambda n: f"the sender stopped returning ({name} did not return within {limit:g} s)")
            raise NoReturn(f"{name}() did not return within {limit:g} s ({when})")
        self.watchdog.answered()
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, CheckFailed):  # a remote sender's failed call (sender.harness): said already
                raise Raised(f"{name}(): {error} ({when})", error)
            # redacted by the run; inert here, since the text is the sender's (a harness's answer, say)
            raise Raised(f"{name}() raised {type(error).__name__}: {for_terminal(str(error))} ({when})", error)
        return outcome.get("value")


def carried(log: CaptureLog, capture: Capture) -> Emitted | None:
    """The emitted event a delivery carries, found among every emission of the run by its conversation id: unique
    per emission and plain ASCII, so it survives whatever the sender did to the rest. ``None`` for a delivery the
    run kept no body of (``BodyNotKept``): paired in order, and whatever judges it is inconclusive."""
    try:
        body = body_json(capture)
    except BodyNotKept:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    conversation = data.get("conversationId") if isinstance(data, dict) else None
    found: Emitted | None = log.emitted.get(conversation) if isinstance(conversation, str) else None
    return found


def foreign(log: CaptureLog, capture: Capture) -> bool:
    """Whether a delivery to an endpoint carries an event that another check's sender emitted: one customer's
    event at another customer's endpoint."""
    emitted = carried(log, capture) if capture.endpoint is not None else None
    return emitted is not None and capture.endpoint is not None and emitted.tenant != capture.endpoint.tenant


def holds_lone_surrogate(node: Any) -> bool:
    """Whether a string of ``node`` (a key or a value, at any depth) holds half of a surrogate pair. A walk with a
    stack of its own, not a recursion: no depth makes it fail."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _about_surrogates(error: BaseException) -> bool:
    """Whether an exception is an encoder's refusal of a surrogate, rather than some other fault of the sender."""
    return isinstance(error, UnicodeError) or "surrogate" in str(error).lower()


class BodyNotKept(Inconclusive):
    """A delivery whose body the run did not keep (its budget for bodies was spent): no check can judge it, and
    the run cannot certify the sender."""


def _judgeable(capture: Capture) -> None:
    """``BodyNotKept`` for a delivery to an endpoint whose body was not kept (a stray request's body is never
    judged as an event: only its path is)."""
    if capture.unkept is not None and capture.endpoint is not None:
        raise BodyNotKept(
            f"a delivery of {capture.size} bytes to {capture.where} cannot be judged: its body was {capture.unkept}"
        )


def body_json(capture: Capture) -> Any:
    """The body as the documented receiver reads it, or ``None`` when it is not JSON or was not kept whole;
    ``BodyNotKept`` (inconclusive) for a delivery the run kept no body of."""
    _judgeable(capture)
    if capture.size > len(capture.body):
        return None
    try:
        return parsed_body(capture)
    except ValueError:  # UnicodeDecodeError included
        return None


EXPRESS_LIMIT = 100 * 1024  # express.json()'s default limit: the documented receiver answers 413 above it


def why_unreadable(capture: Capture) -> str | None:
    """Why the delivery cannot be read as an event's JSON object, or ``None`` when it can.

    That is SND-01's business alone: the checks of other requirements, meeting such a delivery, are inconclusive
    and say so, rather than failing their own requirement for the same fault."""
    where = capture.where
    if capture.size > CAPTURE_KEPT_BYTES:  # by its size alone, kept or not
        return (
            f"a delivery of {capture.size} bytes arrived at {where}, far more than the event emitted: the documented "
            f"Express receiver (express.json(), {EXPRESS_LIMIT // 1024} kB by default) refuses it with 413"
        )
    _judgeable(capture)  # a body the run did not keep is no fault of the sender's: inconclusive, not SND-01's
    if capture.size > len(capture.body):  # a stray request's: only its start is ever kept
        return f"a request of {capture.size} bytes to {where} was {capture.unkept or 'not kept whole'}"
    try:
        capture.body.decode("utf-8")
    except UnicodeDecodeError as error:
        start = error.start
        return (
            f"a delivery to {where} is not UTF-8, as JSON on the wire must be: byte {capture.body[start]:#04x} at "
            f"{start}, in {capture.body[max(0, start - 20) : start + 20]!r}"
        )
    try:
        body = parsed_body(capture)
    except TooDeep as error:
        return f"a delivery to {where} cannot be read: {error}"
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return f"a delivery to {where} is not a JSON object: {excerpt(capture.body)}"
    return None


def excerpt(body: bytes, limit: int = 80) -> str:
    """The start of a body for a message, with its length when it is longer."""
    text = repr(body[:limit])
    return text + (f" ... ({len(body)} bytes)" if len(body) > limit else "")
