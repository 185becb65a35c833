"""The integrator's endpoint as the receiver suite sees it: where to POST, how to sign, how long to wait.

Every delivery goes through ``ReceiverTarget.deliver``, which turns "no answer" into a ``CheckFailed`` with one
clear sentence, and notices an endpoint that has stopped answering altogether so the remaining checks end at once
instead of each waiting out the timeout. Deliveries go over the run's kept connections (``connections``), and each
acknowledged one tells the run's window of deliveries in flight how long the endpoint took (``in_flight.Window``).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from horneross_conformance.checks.exploration import DEFAULT_GENERATION, Generation
from horneross_conformance.checks.in_flight import Window
from horneross_conformance.checks.registry import Cause, CheckFailed, Inconclusive, Watchdog
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER, SUCCESS_STATUS
from horneross_conformance.core.events import new_id, sample_event
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.core.signing import sign
from horneross_conformance.core.version import __version__
from horneross_conformance.receiver.diagnosis import SignatureExperiment, control_answer, diagnose, fix, server_of
from horneross_conformance.transport import wire
from horneross_conformance.transport.client import DeliveryError, Response, open_connection
from horneross_conformance.transport.connections import SENT_AGAIN, Connections
from horneross_conformance.transport.endpoints import Endpoint, parse_endpoint

SIGNED = object()  # ``deliver(signature=SIGNED)``: sign the body with the target's secret
PREFLIGHT_LIMIT = 5.0  # seconds; reaching a live endpoint takes milliseconds
PREFLIGHT_HINTS = {
    "refused": " Is the receiver running, and is the URL right?",
    "dns": " Is the host name right?",
    "timeout": " Is the address right, and does a firewall let it through?",
    "tls": " Certificates are checked against the system's trust store, or a CA bundle given with "
    "--horneross-ca-bundle (commands: --ca-bundle).",
    "reset": "",
    "protocol": "",
}


SLOW_ANSWER_HINT = (
    " The endpoint took the connection but did not answer in time: it should answer 200 at once and do its work "
    "afterwards (or give it a longer timeout)"
)


def delivery_hint(error: DeliveryError) -> str:
    """What to look at for a delivery that got no answer: a timeout after the connection was made is the
    endpoint's slowness, not the address or a firewall."""
    return SLOW_ANSWER_HINT if error.kind == "timeout" and error.connected else PREFLIGHT_HINTS[error.kind]


TOO_MANY_REQUESTS = 429


@dataclass(slots=True)
class AheadOfTurn:
    """What the deliveries of a check run ahead of its turn met. ``strained``: one got an answer that the load of
    the others may explain as well as the endpoint's own behaviour (no answer, 429, a 5xx), so that even a pass
    (a forgery "rejected" with 503, a type "refused" while RCV-02 judges the others) is decided alone.
    ``unanswered``: one got no answer; ``timed_out``: because of the timeout, so that the endpoint may still be
    working on it."""

    strained: bool = False
    unanswered: bool = False
    timed_out: bool = False


def _nothing() -> None:
    pass


class NoAnswer(CheckFailed):
    """A delivery got no HTTP answer; ``kind`` says why (a ``timeout`` may leave the endpoint still working)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class ReceiverTarget:
    def __init__(
        self,
        url: str,
        secret: str,
        timeout: float,
        generation: Generation = DEFAULT_GENERATION,
        ca_bundle: str | None = None,
        stack: str | None = None,
    ) -> None:
        self.endpoint: Endpoint = parse_endpoint(url, ca_bundle)
        self.connections = Connections(self.endpoint)  # kept open between deliveries where the endpoint keeps them
        self._secret = secret
        self.wire = wire.WireRecorder(Redactor([secret]))  # this target's run: its wire logs and its secret
        self.timeout = timeout
        self.generation = generation
        self.window = Window.for_setting(generation.in_flight)  # deliveries in flight, learnt from the answers
        self.watchdog = Watchdog()
        self._conversation: str | None = None
        self._opened: set[str] = set()
        self._lock = threading.Lock()
        self.experiment = SignatureExperiment()  # why it rejects correctly signed deliveries, asked once a run
        self.stack = stack  # the endpoint's stack as the user named it (--horneross-stack), for the fix's idiom
        self._ahead: dict[int, AheadOfTurn] = {}  # threads running checks ahead of their turn (``ahead_of_turn``)
        # what the thread that runs the checks does while a check's deliveries are in flight: the run sets it before
        # each check (``ReceiverRun``: draw the next generated check's events)
        self.meanwhile: Callable[[], None] = _nothing

    def __repr__(self) -> str:
        return f"ReceiverTarget({self.endpoint.display!r}, timeout={self.timeout:g})"  # never the secret

    def sign(self, body: bytes) -> str:
        return sign(body, self._secret)

    @property
    def settle(self) -> float:
        """Seconds to wait before delivering anything alone after a delivery alongside others got no answer in time:
        the endpoint may still be working on what the suite gave up on, and gets twice the timeout to finish it."""
        return 2 * self.timeout

    def preflight(self) -> str:
        """Open one connection (and TLS handshake); raise ``CheckFailed`` with a clear message if that fails."""
        started = time.monotonic()
        try:
            open_connection(self.endpoint, started + min(self.timeout, PREFLIGHT_LIMIT)).close()
        except DeliveryError as error:
            raise CheckFailed(f"cannot reach {self.endpoint.display}: {error}.{delivery_hint(error)}") from None
        return f"connected in {(time.monotonic() - started) * 1000:.0f} ms"

    @contextlib.contextmanager
    def ahead_of_turn(self) -> Iterator[AheadOfTurn]:
        """Deliveries of a check run ahead of its turn, alongside others, on this thread: as ``concurrent``, and
        what they met is told (``AheadOfTurn``)."""
        thread, met = threading.get_ident(), AheadOfTurn()
        self._ahead[thread] = met
        try:
            yield met
        finally:
            del self._ahead[thread]

    def deliver(
        self,
        body: bytes,
        signature: Any = SIGNED,
        content_type: str | None = "application/json",
        concurrent: bool = False,
        control: bool = False,
    ) -> Response:
        """POST ``body`` as Horneross would. ``signature``: SIGNED, a header value, or None for no header.

        ``concurrent`` deliveries (a deliberate burst, deliveries in flight) never mark the endpoint unresponsive:
        timeouts under load are the burst check's finding, not a reason to end the other checks. Nor does a
        ``control`` delivery (the same event without the feature under test, sent after a failure): it often repeats
        a delivery that just got no answer, and that second miss says nothing new about the endpoint."""
        ahead = self._ahead.get(threading.get_ident())
        concurrent = concurrent or ahead is not None
        headers = {"User-Agent": f"horneross-conformance/{__version__}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if signature is SIGNED:
            headers[SIGNATURE_HEADER] = self.sign(body)
        elif signature is not None:
            headers[SIGNATURE_HEADER] = signature
        exchange = wire.Exchange(f"POST {self.endpoint.display}", wire.headers(headers.items()), wire.text(body), "")
        try:
            response = self.connections.post(body, headers, self.timeout)
        except DeliveryError as error:
            exchange.status = f"no answer: {error}"
            self.wire.record(exchange)
            if ahead is not None:
                ahead.strained = ahead.unanswered = True
                ahead.timed_out = ahead.timed_out or error.kind == "timeout"
            if error.kind == "timeout" and not (concurrent or control):
                self.watchdog.missed(lambda n: f"{n} deliveries in a row got no answer within {self.timeout:g} s")
            raise NoAnswer(f"no answer: {error}", error.kind) from None
        _redact(response, self.wire.redactor)
        exchange.status = f"{response.status} {response.reason}".strip()
        exchange.response_headers = wire.headers(response.headers)
        exchange.response_body = wire.text(response.body)
        exchange.when = f"{response.elapsed * 1000:.0f} ms"
        if response.sent_again:  # the endpoint may have had it twice: the log says so
            exchange.when += f"; {SENT_AGAIN}"
        self.wire.record(exchange)
        if ahead is not None and (response.status == TOO_MANY_REQUESTS or response.status >= 500):
            ahead.strained = True
        if response.status == SUCCESS_STATUS:  # the endpoint's whole work, as on every acknowledged delivery
            self.window.answered(response.round_trip)
        self.watchdog.answered()  # any answer shows the endpoint alive, even one among others in flight
        return response

    def close(self) -> None:
        """Close the connections kept open to the endpoint."""
        self.connections.close()

    @property
    def unresponsive(self) -> str | None:
        return self.watchdog.stuck

    def conversation_id(self, conversation: str | None = None) -> str:
        """A conversation opened with a conversation.created delivery, once per run, so that events sent by checks
        of other requirements arrive in their natural order (order is RCV-08's business, not theirs). Without an
        argument: the run's own conversation."""
        # held while the conversation.created goes out: with deliveries in flight, no event of the conversation
        # may overtake it
        with self._lock:
            if conversation is None:
                self._conversation = conversation = self._conversation or new_id("conv")
            if conversation not in self._opened:
                self._opened.add(conversation)
                self.deliver_event(sample_event("conversation.created", conversation))
        return conversation

    def deliver_event(self, event: Any, concurrent: bool = False, control: bool = False) -> tuple[bytes, Response]:
        """Sign and send an event exactly as a conformant sender does: the canonical bytes, signed."""
        body = canonical_bytes(event)
        return body, self.deliver_canonical(body, concurrent=concurrent, control=control)

    def deliver_canonical(self, body: bytes, concurrent: bool = False, control: bool = False) -> Response:
        """Send canonical bytes, signed exactly as a conformant sender signs them."""
        return self.deliver(body, concurrent=concurrent, control=control)

    def why_not(self, response: Response) -> tuple[str, Cause | None]:
        """Why an answer other than 200 to a correctly signed canonical body is wrong; for a 401 or 403, the root
        cause the signature experiment shows (``receiver.diagnosis``), which every check it explains shares, and
        a one-line reference to it."""
        if response.status not in (401, 403):
            return explain(response.status, response), None
        answers = self.experiment.answers(self.conversation_id(), self._control_answer)
        cause = diagnose(answers, server_of(response), self.stack)
        return refer_to(cause), cause

    def _control_answer(self, body: bytes) -> str:
        """How the endpoint answered a control of the signature experiment, signed over its own bytes."""
        try:
            response = self.deliver(body, control=True)
        except CheckFailed as error:
            return f"no answer ({error})"
        return control_answer(response.status)


def refer_to(cause: Cause) -> str:
    """A check's one line about the root cause it shares, said in full once, at the head of the verdict."""
    return f"the signature was right: root cause [{cause.id}], said once at the head of the verdict"


def _redact(response: Response, redact: Redactor) -> None:
    """An endpoint that echoes the secret (a debug page, a helpful error), in any form, must not put it in any
    message."""
    response.redact(redact)


def explain(status: int, response: Response) -> str:
    """Why an answer other than 200 to a correct delivery is wrong, in Horneross' terms."""
    if 200 <= status < 300:
        return (
            f"only exactly 200 acknowledges; Horneross takes {status} as a failure and retries the event 4 more times"
        )
    if 300 <= status < 400:
        where = response.header("location")
        shown = f" (Location: {for_terminal(where)})" if where else ""  # the endpoint's text: inert
        return f"redirects are not followed{shown}, so Horneross retries"
    if status in (401, 403):
        return (
            "the signature was right: the lowercase hex HMAC-SHA256 of exactly the bytes of the body, which is what "
            f"to verify. {fix(server_of(response))}"
        )
    if 400 <= status < 500:
        return "the delivery was correct and signed, and Horneross retries anything but 200"
    if 500 <= status < 600:
        return "a server error makes Horneross retry the event 4 more times"
    return f"{status} is not an HTTP status (HTTP defines 100 to 599), and Horneross retries anything but 200"


def accepted(response: Response) -> bool:
    """Whether the endpoint took the delivery: 200, or another 2xx or a 3xx, whose exact status is RCV-02's business
    (a 3xx: it got past verification, and sent the sender elsewhere)."""
    return 200 <= response.status < 400


def other_success(response: Response, what: str) -> Inconclusive | None:
    """For a check of any requirement but RCV-02: a correct delivery answered with a 2xx or 3xx other than 200 is
    RCV-02's fault alone (one fault, one requirement), so the check cannot judge its own subject."""
    if response.status == SUCCESS_STATUS or not accepted(response):
        return None
    return Inconclusive(
        f"{what}: answered {response.summary()}, a success other than exactly 200, which is RCV-02's business",
        owner="RCV-02",
    )


def require_200(response: Response, what: str) -> None:
    """A correct delivery must be answered 200; another success is RCV-02's (``other_success``)."""
    excuse = other_success(response, what)
    if excuse is not None:
        raise excuse
    if response.status != SUCCESS_STATUS:
        raise CheckFailed(f"{what}: answered {response.summary()}; {explain(response.status, response)}")


def acknowledged(response: Response) -> str:
    return f"200 in {response.elapsed * 1000:.0f} ms"
