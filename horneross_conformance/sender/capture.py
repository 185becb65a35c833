"""The sender suite's receiving end: capture servers that record every attempt and answer as told.

Each endpoint a check subscribes has its own path and its own script: the answer to its first, second, ...
attempt (a status, optionally held until the sender hangs up). Every request is recorded with the frozen
clock's offset at which it arrived, whatever its method, path or body, so a sender that posts garbage, posts
elsewhere or follows a redirect is described, never crashes the suite.

Each capture server is the toolkit's bounded server (``transport.http_server``, with ``CAPTURE_BOUNDS``): a sender
under test is a client like any other, and one that drips, floods or posts megabytes cannot stall a run. Every
answer closes its connection, so each attempt of a sender arrives on a connection of its own.

A refused connection needs a port with nothing listening: ``RefusingPort`` holds a port bound but not listening
(the kernel refuses connections to it, and no other program can take it), and ``open`` later starts a server there.
"""

from __future__ import annotations

import hashlib
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from horneross_conformance.core.canonical import parse_json
from horneross_conformance.core.contract import SUCCESS_STATUS
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import (
    CAPTURE_BOUNDS,
    CAPTURE_BUDGET_BYTES,
    CAPTURE_KEPT_BYTES,
    CAPTURE_START_BYTES,
)
from horneross_conformance.transport import wire
from horneross_conformance.transport.http_request import Request
from horneross_conformance.transport.http_server import BoundedServer, Reply, phrase
from horneross_conformance.transport.server import LOOPBACK

CHUNK = 64 * 1024  # bytes read from the socket at a time
POLL = 0.02  # seconds between looks at a held connection
HOLDING = "holding"  # what a held attempt was answered, until the sender hangs up or the hold limit passes
# The path prefix of the Location every redirect answers with: a request there is a sender following a redirect,
# which is SND-05's fault (a 3xx is a failure to retry), never a stray delivery of SND-08's (decision 14)
REDIRECTED = "/redirected"
UNREAD = object()  # a capture whose body no check has parsed yet


@dataclass(frozen=True, slots=True)
class Answer:
    status: int = SUCCESS_STATUS
    hold: bool = False  # keep the sender waiting until it hangs up (or the hold limit), then answer ``status``

    def describe(self) -> str:
        if self.hold:
            return "was kept waiting past the sender's timeout"
        return f"was answered {self.status}"


Script = Callable[[int], Answer]  # attempt number (1-based) -> the answer to give


def always(answer: Answer) -> Script:
    return lambda attempt: answer


def succeed_at(k: int, failure: Answer = Answer(500)) -> Script:
    """Fail every attempt before the ``k``-th, answer 200 from it on."""
    return lambda attempt: Answer(SUCCESS_STATUS) if attempt >= k else failure


@dataclass(eq=False)
class CaptureEndpoint:
    """One URL a check subscribes: its label in messages (``A``), its secret, the script of its answers, and whose
    it is: the check (``tenant``) whose sender subscribed it, to the event types ``events`` (None: every type)."""

    label: str
    url: str
    path: str
    secret: str
    script: Script
    tenant: str = ""
    events: tuple[str, ...] | None = None
    refusing: bool = False  # its port refused connections at first: its first attempts could not arrive
    subscribed: bool = False  # subscribe() returned for it
    # requests received, by the conversation id of the event they carry (None: unreadable): the script answers an
    # event's n-th attempt, whatever else the sender posts to the same URL (a ping, another customer's event)
    attempts: dict[object, int] = field(default_factory=dict)
    # A check run ahead of its turn (sender.ahead): its clock, which times what arrives here, and its wire log, which
    # records it. None: the clock and the wire log of the check in its turn (CaptureLog.offset, WireRecorder).
    timed_by: Callable[[], int] | None = None
    wire_log: wire.WireLog | None = None

    def __repr__(self) -> str:
        return f"CaptureEndpoint({self.label!r}, {self.url!r})"  # never the secret

    def wants(self, event_type: str) -> bool:
        return self.events is None or event_type in self.events

    def describe(self) -> str:
        """``endpoint A of SND-SUB-001, subscribed to lead.captured``, for messages."""
        selection = "every type" if self.events is None else ", ".join(self.events) or "no type"
        return f"endpoint {self.label} of {self.tenant or 'its check'}, subscribed to {selection}"


@dataclass(slots=True)
class Capture:
    """One request as it arrived (recorded on arrival, before the answer, which a held answer fills in later)."""

    endpoint: CaptureEndpoint | None  # None: a path no endpoint has
    attempt: int  # the endpoint's attempt number (0 for a stray request)
    offset: int  # when it arrived, in seconds, on the clock of its check (``CaptureEndpoint.timed_by``, else the
    # check in its turn, whose clock times every stray request but those beneath a check run ahead of its turn)
    method: str
    path: str
    headers: dict[str, str]  # lower-case names; a repeated header keeps its values joined by ", "
    body: bytes  # at most CAPTURE_KEPT_BYTES bytes; CAPTURE_START_BYTES when ``unkept`` says why
    size: int  # the body's full length
    answered: str  # what the suite answered ("500", or "held 0.3 s, the sender hung up")
    sha256: str = ""  # of the whole body, in hex, however little of it is kept
    unkept: str | None = None  # why only the body's start is kept, when it is not kept as far as it could be
    # ``body`` as parse_json reads it, or the ValueError it raised: read once, by ``parsed_body`` (``UNREAD`` before)
    parsed: Any = field(default=UNREAD, repr=False, compare=False)

    @property
    def followed_redirect(self) -> bool:
        """Whether this request went to the Location of a redirect the suite answered."""
        return self.endpoint is None and self.path.startswith(f"{REDIRECTED}/")

    @property
    def where(self) -> str:
        return f"endpoint {self.endpoint.label}" if self.endpoint else f"{self.shown_path} (no endpoint has this path)"

    @property
    def shown_path(self) -> str:
        """The path as the sender chose it, inert: it arrives percent-decoded, so it may hold any control."""
        return for_terminal(self.path)


@dataclass
class CaptureLog:
    """Every request received by the servers of a run, and the endpoints they belong to."""

    hold_limit: float = 10.0  # seconds a held answer waits at most for the sender to hang up
    offset: Callable[[], int] = lambda: 0  # the current offset of the clock of the check in its turn
    captures: list[Capture] = field(default_factory=list)
    emitted: dict[str, Any] = field(default_factory=dict)  # the run's emitted events by conversation id
    # The run's emitted events whose first attempt was due at their subscribers: a run_due() returned after them
    owed: list[Any] = field(default_factory=list)
    wire: wire.WireRecorder = field(default_factory=wire.WireRecorder)  # the run's wire logs and secrets
    budget: int = field(default_factory=lambda: CAPTURE_BUDGET_BYTES)  # bytes of delivery bodies kept in all
    kept: int = 0  # bytes of delivery bodies kept so far
    unkept: int = 0  # deliveries not kept for want of budget
    _endpoints: dict[str, CaptureEndpoint] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def new_path() -> str:
        """A path no sender can tell from a production URL by its shape (no fixed prefix, no counter): random, and
        unique in the run (64 bits)."""
        return f"/{secrets.token_hex(8)}"

    def register(self, endpoint: CaptureEndpoint) -> None:
        with self._lock:
            self._endpoints[endpoint.path] = endpoint

    def owe(self, emitted: list[Any]) -> None:
        with self._lock:
            self.owed.extend(emitted)

    def withdraw(self, emitted: list[Any]) -> None:
        """No longer owe ``emitted``: the events of a check run ahead of its turn that did not pass there. It runs
        again alone, with fresh events, which are owed instead; what its sender delivered stays in the account."""
        withdrawn = {id(each) for each in emitted}
        with self._lock:
            self.owed = [each for each in self.owed if id(each) not in withdrawn]

    def mark(self) -> int:
        with self._lock:
            return len(self.captures)

    def since(self, mark: int) -> list[Capture]:
        with self._lock:
            return self.captures[mark:]

    @property
    def budget_note(self) -> str | None:
        """A sentence for the reports once deliveries were not kept for want of budget, else ``None``."""
        if not self.unkept:
            return None
        return (
            f"{self.unkept} deliveries were not kept: the run's {_mib(self.budget)} budget for delivery bodies was "
            "spent, so only their size, SHA-256 and start are known, and the checks that needed them are inconclusive"
        )

    def handle(self, request: Request) -> Reply:
        path, method = path_of(request.target), request.method.upper()
        with self._lock:
            delivery = path in self._endpoints  # a stray request keeps its start only, whatever the budget
        data, size, digest = read_body(request, CAPTURE_KEPT_BYTES if delivery else CAPTURE_START_BYTES)
        with self._lock:
            endpoint = self._endpoints.get(path)
            attempt = 0
            if endpoint is not None:
                event = conversation_of(data) if size == len(data) else None
                attempt = endpoint.attempts[event] = endpoint.attempts.get(event, 0) + 1
            # the check of an endpoint times what arrives there, and a stray request beneath the path of an endpoint
            # run ahead of its turn (or at the Location of its redirect): only a sender that knows that random path
            # can make one
            owner = endpoint if endpoint is not None else self._beneath(path)
            offset = owner.timed_by() if owner is not None and owner.timed_by is not None else self.offset()
            unkept = None
            if endpoint is None and size > len(data):
                unkept = f"not kept: a request to a path no endpoint has keeps its first {CAPTURE_START_BYTES} bytes"
            elif endpoint is not None and self.kept + len(data) <= self.budget:
                self.kept += len(data)
            elif endpoint is not None and size > CAPTURE_START_BYTES:  # a shorter one is kept whole: its start
                data = data[:CAPTURE_START_BYTES]
                self.unkept += 1
                unkept = f"not kept: the run's {_mib(self.budget)} budget for delivery bodies was spent"
        # A redirect's Location answers 200: a sender that follows it takes that for success and is seen stopping.
        stray = Answer(SUCCESS_STATUS) if path.startswith(REDIRECTED) else Answer(404)
        answer = endpoint.script(attempt) if endpoint else stray
        headers: dict[str, str] = {}
        for name, value in request.headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        capture = Capture(endpoint, attempt, offset, method, path, headers, data, size, HOLDING, digest, unkept)
        with self._lock:
            self.captures.append(capture)
        said = self._hold(request) if answer.hold else str(answer.status)
        shown_headers = wire.headers(request.headers)
        exchange = wire.Exchange(f"{method} {path}", shown_headers, wire.text(data, size), said)
        exchange.when = f"+{offset} s"
        self.wire.record(exchange, owner.wire_log if owner is not None else None)
        capture.answered = said  # last: an attempt no longer holding is in its wire log (``settle_held``)
        answered = [("Content-Type", "text/plain; charset=utf-8")]
        if 300 <= answer.status < 400 and endpoint is not None:
            answered.append(("Location", f"{REDIRECTED}{endpoint.path}"))  # a sender must not follow it
        return Reply(answer.status, b"", answered, phrase(answer.status).upper() or "UNKNOWN")

    def _beneath(self, path: str) -> CaptureEndpoint | None:
        """The endpoint of a run ahead of its turn under whose path a stray request went (``/PATH/legacy``, or the
        Location its redirect answered), which then times it and keeps it in its wire log; None for any other."""
        ahead = [e for e in self._endpoints.values() if e.timed_by is not None]
        for endpoint in ahead:
            if path.startswith((f"{endpoint.path}/", f"{REDIRECTED}{endpoint.path}")):
                return endpoint
        return None

    def _hold(self, request: Request) -> str:
        """Wait until the sender closes the connection, at most ``hold_limit`` s (counted in polls: the clock
        is frozen), and say which came first."""
        polls = max(1, round(self.hold_limit / POLL))
        for done in range(polls):
            if request.hung_up(POLL):
                return f"held {done * POLL:.2f} s, until the sender hung up"
        return f"held {self.hold_limit:g} s, the sender still waiting"


def parsed_body(capture: Capture) -> Any:
    """``parse_json(capture.body)``, read once per capture: every check of a run looks at the run's deliveries, some
    checks at every one of them, and reading each body again took a sixth of a sender suite run. The value is
    shared by every caller, which only reads it. Raises what ``parse_json`` raises (``TooDeep``, ``ValueError``)."""
    if capture.parsed is UNREAD:
        try:
            capture.parsed = parse_json(capture.body)
        except ValueError as error:  # UnicodeDecodeError and TooDeep included
            capture.parsed = error
    if isinstance(capture.parsed, ValueError):
        raise capture.parsed.with_traceback(None)
    return capture.parsed


def conversation_of(body: bytes) -> object:
    """The conversation id of the event a body carries, or None when it cannot be read as one."""
    try:
        event = parse_json(body)
    except ValueError:
        return None
    data = event.get("data") if isinstance(event, dict) else None
    conversation = data.get("conversationId") if isinstance(data, dict) else None
    return conversation if isinstance(conversation, str) else None


def path_of(target: str) -> str:
    """The path of a request target as the capture records it: percent-decoded (UTF-8, a byte that is not shown
    as U+FFFD), one leading slash, no query; of an absolute URL, its path."""
    split = urlsplit(target)
    path = f"/{split.netloc}{split.path}" if not split.scheme and split.netloc else split.path
    return "/" + unquote(path).lstrip("/")


def read_body(request: Request, keep: int = CAPTURE_KEPT_BYTES) -> tuple[bytes, int, str]:
    """The body's first ``keep`` bytes, its full length and the SHA-256 of all of it (hex). The whole body is read,
    so the sender sees its answer as any receiver would give it, but only the start is held: a 50 MB delivery
    costs 256 KiB."""
    stream = request.body
    kept = bytearray()
    size = 0
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        digest.update(chunk)
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept), size, digest.hexdigest()


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB" if size >= 1024 * 1024 else f"{size / 1024:g} KiB"


def url_host(host: str) -> str:
    """A host as it stands in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class CaptureServer:
    """A capture server whose every request goes to ``log.handle``, started and stopped as a run needs it. ``bind``:
    the address it listens on; ``advertised``: the host name subscription URLs carry, which the sender's process
    must reach (defaults: the loopback address, for a sender in the suite's own process or on its host)."""

    def __init__(self, log: CaptureLog, port: int = 0, bind: str = LOOPBACK, advertised: str | None = None) -> None:
        self.bind = bind
        self.advertised = advertised or bind
        self.port = port  # the port given; once started, the one it listens on
        self.capture_log = log
        self._server: BoundedServer | None = None

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the capture server is already running")
        self._server = BoundedServer(
            self.bind, self.port, self.capture_log.handle, CAPTURE_BOUNDS, keep_alive=False, name="capture server"
        )
        self.port = self._server.port
        self._server.start()

    def stop(self) -> None:
        if self._server is None:
            raise RuntimeError("the capture server is not running")
        server, self._server = self._server, None
        server.stop()

    def is_running(self) -> bool:
        return self._server is not None

    def base_url(self) -> str:
        return f"http://{url_host(self.advertised)}:{self.port}"


class RefusingPort:
    """A port that refuses connections until ``open`` starts a capture server on it (same bind and advertised
    host as the run's capture server)."""

    def __init__(self, bind: str = LOOPBACK, advertised: str | None = None) -> None:
        family = socket.AF_INET6 if ":" in bind else socket.AF_INET
        self._socket: socket.socket | None = socket.socket(family, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((bind, 0))  # bound, never listening: the kernel answers connections with RST
        self.port: int = self._socket.getsockname()[1]
        self.bind = bind
        self.advertised = advertised or bind
        self.server: CaptureServer | None = None

    def base_url(self) -> str:
        return f"http://{url_host(self.advertised)}:{self.port}"

    def open(self, log: CaptureLog) -> None:
        self._release()
        self.server = CaptureServer(log, port=self.port, bind=self.bind, advertised=self.advertised)
        self.server.start()

    def close(self) -> None:
        self._release()
        if self.server is not None and self.server.is_running():
            self.server.stop()

    def _release(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
