"""The sender harness protocol, the suite's end: a sender in any language, driven through five JSON calls.

``pytest --horneross-sender=http://HOST:PORT/BASE`` hands the sender suite a ``RemoteSender`` per check instead of
an in-process adapter: the same three methods, each a POST to the vendor's harness carrying ``now``, the time of
its check's clock: the frozen time the suite reads, or the clock of a check run ahead of its turn (``sender.ahead``)
(docs: docs/sender-suite.md, "Certifying a sender in any language"; data: schemas/sender-harness.schema.json).
The checks cannot tell the two apart.

Every call goes through the toolkit's bounded client (one total deadline, answers cut at 64 KiB, redirects never
followed). Whatever goes wrong with a call (a status other than 200, a body that is not a JSON object, no answer,
a refused connection) is a ``HarnessFailure``: one sentence with the call, the status and the start of the body,
shown inert. The run redacts every secret from it, so an error body that echoes a webhook secret shows none.

User information in the URL is the harness's credential, sent with every call and shown nowhere: a token alone
(``http://TOKEN@HOST:PORT``, as the Python bridge prints it) as ``Authorization: Bearer TOKEN``, a user and a
password as HTTP Basic. A URL without one sends no ``Authorization``. The credential is a secret of the run
(``secrets``): every message of this module, and everything the run shows, is cleared of it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from horneross_conformance.checks.registry import CheckFailed
from horneross_conformance.core.canonical import TooDeep, canonical_bytes, parse_json
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.transport.client import DeliveryError
from horneross_conformance.transport.connections import Connections
from horneross_conformance.transport.endpoints import parse_endpoint

SCHEMES = ("http://", "https://")
SENDER_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")  # the protocol's S: URL-safe, and short enough to print
SHOWN = 100  # characters of an answer's body quoted in a message


class HarnessFailure(CheckFailed):
    """A call of the harness did not get a correct answer: the sender's failure in the check that made it."""


def is_harness_url(source: str) -> bool:
    """Whether ``--horneross-sender`` names a harness (a URL) rather than ``MODULE:FACTORY``."""
    return source.lower().startswith(SCHEMES)


def format_now(moment: datetime) -> str:
    """``2026-12-01T12:00:00.000Z``: RFC 3339 UTC with milliseconds, as every call carries it."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def frozen_now() -> datetime:
    # The standard library's clock, which the suite freezes while a check runs: the harness gets the frozen time.
    return datetime.now(UTC)


class Harness:
    """The vendor's harness at one base URL: makes the calls, checks the answers and the sender ids it gives."""

    def __init__(self, base_url: str, timeout: float, ca_bundle: str | None = None) -> None:
        endpoint = parse_endpoint(base_url, ca_bundle)  # ValueError: not an http(s) URL
        if "?" in endpoint.target or "#" in base_url:
            raise ValueError(f"{endpoint.display!r} has a query or fragment: give the harness's base URL only")
        self.base = endpoint
        self.base_path = endpoint.target.rstrip("/")
        self.timeout = timeout
        self.headers, self.secrets = _credential(base_url)
        self._redact = Redactor(self.secrets)
        self._given: set[str] = set()  # every sender id of the run: a sender left running must never be confused
        self._lock = threading.Lock()
        # one connection is kept, by the rule of the deliveries', and serves the calls that come one after another;
        # a call made while another is under way (a check run ahead of its turn: sender.ahead) opens one of its own
        self._connections = Connections(endpoint, kept_at_most=1)

    @property
    def display(self) -> str:
        return f"{self.base.scheme}://{self.base.address}{self.base_path}"  # as given, without user information

    def call(self, path: str, body: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """POST ``body`` to ``BASE + path``; the answer's JSON object, or ``HarnessFailure`` saying what came."""
        what = f"POST {self.base_path}{path}"
        limit = self.timeout if timeout is None else timeout
        headers = {"Content-Type": "application/json", **self.headers}
        try:
            # canonical_bytes: JSON.stringify's text, so a lone surrogate in emitted data crosses as its escape
            answer = self._connections.post(canonical_bytes(body), headers, limit, target=self.base_path + path)
        except DeliveryError as error:
            raise self.failure(f"the harness did not answer {what}: {error}") from None
        status = f"{answer.status} {_printable(answer.reason)}".strip()
        try:
            parsed = parse_json(answer.body)  # bounded in depth: a harness's answer is read like any outside JSON
        except TooDeep as error:
            if answer.status == 200:
                raise self.failure(f"the harness's answer to {what} cannot be read: {error}") from None
            parsed = None
        except ValueError:  # UnicodeDecodeError included
            parsed = None
        if answer.status != 200:
            message = parsed.get("error") if isinstance(parsed, dict) else None
            said = f"error {message[:SHOWN]!r}" if isinstance(message, str) else _start(answer.body)
            raise self.failure(f"the harness answered {what} with {status}, not 200 ({said})")
        if not isinstance(parsed, dict):
            kind = "is not JSON" if parsed is None and answer.body.strip() != b"null" else "is not a JSON object"
            raise self.failure(f"the harness's answer to {what} {kind} ({_start(answer.body)})")
        return parsed

    def disconnect(self) -> None:
        """Close the connection kept to the harness between calls."""
        self._connections.close()

    def failure(self, message: str) -> HarnessFailure:
        """A failed call, said without the harness's credential, whatever the harness echoed of it."""
        return HarnessFailure(self._redact(message))

    def create(self, timeout: float | None = None, now: datetime | None = None) -> str:
        """``POST BASE/senders`` at ``now`` (default: the frozen time): a fresh sender's id, checked to be well
        formed and new to the run."""
        answer = self.call("/senders", {"now": format_now(now or frozen_now())}, timeout)
        sender = answer.get("sender")
        if not (isinstance(sender, str) and SENDER_ID.fullmatch(sender)):
            raise self.failure(
                f"the harness's answer to POST {self.base_path}/senders has no usable sender id (a string of "
                f"[A-Za-z0-9._~-]): {_start(json.dumps(answer).encode())}"
            )
        with self._lock:
            if sender in self._given:
                raise self.failure(
                    f"the harness answered POST {self.base_path}/senders with the sender id {sender!r}, which it "
                    "gave before: each call must create a new sender, with an id of its own"
                )
            self._given.add(sender)
        return sender

    def close(self, sender: str) -> None:
        self.call(f"/senders/{sender}/close", {})

    def preflight(self) -> None:
        """Create a sender and close it; raise ``ValueError`` with one sentence when the harness cannot."""
        try:
            self.close(self.create())
        except HarnessFailure as error:
            raise ValueError(f"{self.display} does not serve the sender harness protocol: {error}") from None


class RemoteSender:
    """A sender behind the harness, with the adapter's three methods. It is created on its first call, at the time
    ``now`` gives for that call, so that ``now`` never goes back for it; ``close`` ends it. ``now`` is where every
    call's time is read: the process's frozen clock, or the clock of a check run ahead of its turn."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.sender: str | None = None
        self.now: Callable[[], datetime] = frozen_now
        self._lock = threading.Lock()
        # The suite waits for a call at most its own bound (target.SenderTarget.call: the timeout, or twice it for
        # a run_due that outlasts held answers). A request always outlasts that bound, so that a harness that does
        # not answer is seen as a call that did not return (which the watchdog counts), never as a failed request.
        self._patience = 3 * harness.timeout + 1

    def __repr__(self) -> str:
        return f"RemoteSender({self.harness.display!r}, {self.sender!r})"

    def _path(self, call: str) -> str:
        with self._lock:
            if self.sender is None:
                self.sender = self.harness.create(self._patience, self.now())
            return f"/senders/{self.sender}/{call}"

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        path = self._path("subscribe")
        body = {"now": format_now(self.now()), "url": url, "secret": secret, "events": events}
        self.harness.call(path, body, self._patience)

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        path = self._path("emit")
        answer = self.harness.call(
            path, {"now": format_now(self.now()), "type": event_type, "data": data}, self._patience
        )
        event_id = answer.get("id")
        if not isinstance(event_id, str) or not event_id:
            raise self.harness.failure(
                f"the harness's answer to POST {self.harness.base_path}{path} has no event id (a string starting "
                f"with evt_): {_start(json.dumps(answer).encode())}"
            )
        # an id that does not start with evt_ is returned as is: SND-02 judges it, as it does an adapter's
        return event_id

    def run_due(self) -> None:
        self.harness.call(self._path("run-due"), {"now": format_now(self.now())}, self._patience)

    def close(self) -> None:
        """End the sender at the harness, if it was ever created; a failure here changes no verdict."""
        with self._lock:
            sender, self.sender = self.sender, None
        if sender is not None:
            # the check is over: a harness that cannot close keeps a sender it will never be asked for again
            with contextlib.suppress(HarnessFailure):
                self.harness.close(sender)


def _credential(base_url: str) -> tuple[dict[str, str], list[str]]:
    """The ``Authorization`` header the URL's user information makes, and the secrets it holds (their forms)."""
    parts = urlsplit(base_url)
    if parts.username is None:
        return {}, []
    user = unquote(parts.username)
    if parts.password is None:
        return {"Authorization": f"Bearer {user}"}, [user]
    password = unquote(parts.password)
    basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {basic}"}, [password, basic]


def _start(body: bytes) -> str:
    """The start of a body, inert (escaped by ``repr``), with its length when it is cut."""
    if not body:
        return "an empty body"
    text = body[: SHOWN * 4].decode("utf-8", "replace")
    shown = repr(text[:SHOWN])
    return f"body {shown}" + (f" ... ({len(body)} bytes)" if len(text) > SHOWN or len(body) > SHOWN * 4 else "")


def _printable(reason: str) -> str:
    return "".join(c for c in reason[:60] if c.isprintable() and c.isascii())
