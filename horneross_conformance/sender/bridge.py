"""Serve any Python sender factory over the sender harness protocol: ``python -m horneross_conformance.sender.bridge``.

    python -m horneross_conformance.sender.bridge MODULE:FACTORY [--port N] [--host 127.0.0.1] [--base PATH]
                                                  [--allow-host NAME ...]

prints ``listening PORT`` as its first line and ``url URL`` as its second, the URL to give ``--horneross-sender``,
then answers the five calls of the protocol with the adapters the factory returns, so that a Python sender can be
certified the way a sender in any other language is, and the protocol path of the suite checked against the Python
reference.

Only its caller may use it. Each call makes it POST caller-chosen JSON, signed with a caller-chosen secret, to a
caller-chosen URL: open, it would be a signing oracle for every local process, and for every web page through DNS
rebinding (a page whose name now resolves to 127.0.0.1 posts to it as to its own site). So:

- Every call carries a token, ``Authorization: Bearer TOKEN``, or is answered 401. The token is read from the
  environment variable ``HORNEROSS_HARNESS_TOKEN`` (16 URL-safe characters at least), never from the command line,
  where every local user could read it in the process list; without it, the bridge makes one and prints it in the
  URL of its second line. The suite sends it when the harness URL carries it as its user information,
  ``--horneross-sender=http://TOKEN@127.0.0.1:PORT``, and redacts it from everything it shows.
- The ``Host`` header must name a loopback host (``127.0.0.1``, ``::1``, ``localhost``, any port), the address the
  bridge listens on, or a name given with ``--allow-host`` (repeatable); a rebinding page sends its own name: 403.
  So is a request whose ``Origin`` is not one of those hosts: a browser's cross-site request.
- It keeps at most 256 senders open, and takes 64 subscriptions and 10,000 emits per sender (429 beyond; lower
  them with ``--max-senders``, ``--max-subscriptions``, ``--max-emits``), and request bodies of 1 MiB (413 beyond).
- It reads every request on the toolkit's bounded server (``BRIDGE_BOUNDS``): a whole request within 10 s, at most
  256 connections, a slow one pushed out for a newcomer; so a client that drips its bytes holds no call.

Each sender lives in a process of its own, with a frozen clock of its own (``bridge_senders``): the calls for one
sender are made one at a time, each at the ``now`` it carries, and a slow call for one sender never holds a call
for another.
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import json
import os
import re
import secrets
import signal
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance.core.canonical import TooDeep, parse_json
from horneross_conformance.core.limits import BRIDGE_BODY_LIMIT, BRIDGE_BOUNDS
from horneross_conformance.sender.bridge_senders import ForkServer, ProcessEnded, SenderProcess
from horneross_conformance.transport.http_request import Request
from horneross_conformance.transport.http_server import BoundedServer, Handle, Reply

CALLS = ("subscribe", "emit", "run-due", "close")
TOKEN_ENV = "HORNEROSS_HARNESS_TOKEN"
TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,200}")  # URL-safe, so that it stands as a URL's user information as it is
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})
_HOST = re.compile(r"(?:\[(?P<six>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::[0-9]{1,5})?")
# The suite holds one sender open per check (two while an earlier one is closed): this leaves room for several
# suites at once, and bounds the processes a caller can make the bridge hold (each sender's is its own).
MAX_SENDERS = 256
MAX_SUBSCRIPTIONS = 64  # per sender: a check subscribes a handful of endpoints
MAX_EMITS = 10_000  # per sender: a generated check emits some hundreds (50 events, shrinking), and each is kept


class CallError(Exception):
    """A call the bridge refuses: its status, and the one sentence of its ``{"error": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(eq=False)
class Open:
    process: SenderProcess
    last: datetime  # the latest ``now`` it was given; never goes back
    lock: threading.Lock
    subscriptions: int = 0
    emits: int = 0
    gone: bool = False  # closed, or its process ended


def parse_now(value: object) -> datetime:
    if not isinstance(value, str) or len(value) != 24 or not value.endswith("Z"):
        raise CallError(400, "now must be an RFC 3339 UTC time with milliseconds, such as 2026-12-01T12:00:00.000Z.")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise CallError(400, "now is not a valid calendar time.") from None


class Bridge:
    """The open senders, by id; each call waits for its own sender only."""

    def __init__(self, forks: ForkServer, caps: tuple[int, int, int] = (MAX_SENDERS, MAX_SUBSCRIPTIONS, MAX_EMITS)):
        self.forks = forks
        self.max_senders, self.max_subscriptions, self.max_emits = caps
        self.senders: dict[str, Open] = {}
        self._starting = 0
        self._lock = threading.Lock()  # the table of senders only: never held while a sender works

    def handle(self, path: list[str], body: dict[str, Any]) -> dict[str, Any]:
        if path == ["senders"]:
            return {"sender": self.create(parse_now(body.get("now")))}
        if len(path) != 3 or path[0] != "senders" or path[2] not in CALLS:
            raise CallError(404, "not a call of the sender harness protocol.")
        with self._lock:
            current = self.senders.get(path[1])
        if current is None:
            raise CallError(404, "there is no such sender: create one with POST BASE/senders.")
        with current.lock:
            if current.gone:
                raise CallError(404, "there is no such sender: create one with POST BASE/senders.")
            return self._call(path[1], current, path[2], body)

    def create(self, now: datetime) -> str:
        with self._lock:
            if len(self.senders) + self._starting >= self.max_senders:
                raise CallError(429, f"{self.max_senders} senders are open, the most this bridge keeps: close one.")
            self._starting += 1
        try:
            try:
                process = self.forks.new_sender()
                answer = process.call({"call": "create", "now": now.isoformat()})
            except ProcessEnded:
                raise CallError(500, "the process of a new sender ended before the sender was made.") from None
            if "status" in answer:
                process.end()
                raise CallError(answer["status"], answer["error"])
            sender_id = secrets.token_urlsafe(12)
            with self._lock:
                self.senders[sender_id] = Open(process, now, threading.Lock())
            return sender_id
        finally:
            with self._lock:
                self._starting -= 1

    def _call(self, sender_id: str, current: Open, call: str, body: dict[str, Any]) -> dict[str, Any]:
        if call == "close":
            self._forget(sender_id, current)
            with contextlib.suppress(ProcessEnded):  # gone already: closed all the same
                current.process.call({"call": "close"})
            current.process.end()
            return {}
        now = parse_now(body.get("now"))
        if now < current.last:
            raise CallError(400, "now is earlier than a now this sender was given before.")
        current.last = now
        message: dict[str, Any] = {"call": call, "now": now.isoformat()}
        if call == "subscribe":
            url, secret, events = body.get("url"), body.get("secret"), body.get("events")
            if not isinstance(url, str) or not isinstance(secret, str):
                raise CallError(400, "url and secret must be strings.")
            if events is not None and not (isinstance(events, list) and all(isinstance(e, str) for e in events)):
                raise CallError(400, "events must be null or an array of event type strings.")
            current.subscriptions = _counted(current.subscriptions, self.max_subscriptions, "subscriptions")
            message |= {"url": url, "secret": secret, "events": events}
        elif call == "emit":
            event_type, data = body.get("type"), body.get("data")
            if not isinstance(event_type, str) or not isinstance(data, dict):
                raise CallError(400, "type must be a string and data a JSON object.")
            current.emits = _counted(current.emits, self.max_emits, "emits")
            message |= {"type": event_type, "data": data}
        try:
            answer = current.process.call(message)
        except ProcessEnded:
            self._forget(sender_id, current)
            current.process.end()
            raise CallError(500, f"the sender's process ended during {call}: the sender is gone.") from None
        if "status" in answer:
            raise CallError(answer["status"], answer["error"])
        return answer

    def _forget(self, sender_id: str, current: Open) -> None:
        current.gone = True
        with self._lock:
            self.senders.pop(sender_id, None)

    def stop(self) -> None:
        with self._lock:
            left, self.senders = list(self.senders.values()), {}
        for current in left:
            current.process.kill()
        self.forks.stop()


def _counted(count: int, limit: int, what: str) -> int:
    if count >= limit:
        raise CallError(429, f"this sender has had {limit} {what}, the most this bridge takes for one sender.")
    return count + 1


@dataclass(frozen=True)
class Guard:
    """Who may call: the token every call carries, and the hosts a request may name (Host, Origin)."""

    token: str
    hosts: frozenset[str]

    def admit(self, host: str | None, origin: str | None, authorization: str | None) -> None:
        if _host_name(host) not in self.hosts:
            raise CallError(403, "the Host header names no host of this bridge (see --allow-host).")
        if origin is not None and (urlsplit(origin).hostname or "") not in self.hosts:
            raise CallError(403, "a request from a web page of another site is refused (its Origin header).")
        if authorization is None:
            raise CallError(401, "every call needs the bridge's token: Authorization: Bearer TOKEN.")
        expected = f"Bearer {self.token}".encode()
        if not hmac.compare_digest(authorization.encode("utf-8", "surrogateescape"), expected):
            raise CallError(401, "the token is not this bridge's.")


def _host_name(value: str | None) -> str | None:
    match = _HOST.fullmatch((value or "").strip())
    return (match.group("six") or match.group("name")).lower() if match else None


def handler_for(bridge: Bridge, guard: Guard, base: str) -> Handle:
    """The bridge's answer to one request: the guard first, then the call; every answer JSON. An answer given
    before the body was read (a refusal) closes the connection: what is left of the body is no next request."""

    def handle(request: Request) -> Reply:
        try:
            if request.method != "POST":  # a browser's preflight (OPTIONS) included: nothing is allowed across sites
                raise CallError(405, "every call of the sender harness protocol is a POST.")
            guard.admit(request.header("Host"), request.header("Origin"), request.header("Authorization"))
            answer = bridge.handle(_route(request.target, base), _body(request))
        except CallError as error:
            return _answer(error.status, {"error": str(error)})
        except ValueError as error:
            return _answer(500, {"error": str(error)})
        return _answer(200, answer)

    return handle


def _route(target: str, base: str) -> list[str]:
    path = target.split("?", 1)[0]
    if base and not path.startswith(base + "/"):
        raise CallError(404, "not a call of the sender harness protocol.")
    return path[len(base) :].strip("/").split("/")


def _body(request: Request) -> dict[str, Any]:
    media_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    length = request.header("Content-Length") or ""
    if not (length.isascii() and length.isdigit() and len(length) <= 12) or request.header("Transfer-Encoding"):
        raise CallError(411, "the request needs a Content-Length of ASCII digits.")  # "²" is a digit to isdigit
    if int(length) > BRIDGE_BODY_LIMIT:
        raise CallError(413, "the request body is larger than 1 MiB.")
    data = request.read()
    if media_type != "application/json":
        raise CallError(400, "the request must have Content-Type: application/json.")
    try:
        body = parse_json(data)
    except TooDeep as error:
        raise CallError(400, f"the request body cannot be read: {error}.") from None
    except ValueError:
        raise CallError(400, "the request body is not JSON in UTF-8.") from None
    if not isinstance(body, dict):
        raise CallError(400, "the request body must be a JSON object.")
    return body


def _answer(status: int, body: dict[str, Any]) -> Reply:
    headers = [("Content-Type", "application/json")]
    if status == 401:
        headers.append(("WWW-Authenticate", "Bearer"))
    return Reply(status, json.dumps(body).encode("ascii"), headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m horneross_conformance.sender.bridge",
        description="Serve a Python sender factory over the sender harness protocol. Every call must carry the "
        f"token of {TOKEN_ENV} (or the one printed in the URL of the second line, when that variable is not set).",
    )
    parser.add_argument("factory", metavar="MODULE:FACTORY")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--base", default="", help="the base path of the calls (default: none)")
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the Host header may give besides loopback ones (host.docker.internal); repeatable",
    )
    for name, default, what in (
        ("senders", MAX_SENDERS, "open senders"),
        ("subscriptions", MAX_SUBSCRIPTIONS, "subscriptions per sender"),
        ("emits", MAX_EMITS, "emits per sender"),
    ):
        parser.add_argument(f"--max-{name}", type=_positive, default=default, metavar="N", help=f"at most N {what}")
    args = parser.parse_args(argv)
    given = os.environ.get(TOKEN_ENV)
    if given is not None and not TOKEN.fullmatch(given):
        print(f"{TOKEN_ENV} must be 16 to 200 characters of A-Z, a-z, 0-9, '.', '_', '~' and '-'", file=sys.stderr)
        return 2
    if not hasattr(os, "fork"):
        print("the bridge runs each sender in a process of its own, forked: this system cannot fork", file=sys.stderr)
        return 2
    try:
        bridge = Bridge(ForkServer(args.factory), (args.max_senders, args.max_subscriptions, args.max_emits))
    except ValueError as error:
        print(f"{args.factory}: {error}", file=sys.stderr)
        return 2
    try:
        return _serve(bridge, args, given)
    finally:
        bridge.stop()


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= 1_000_000):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 1000000")
    return int(text)


def _serve(bridge: Bridge, args: argparse.Namespace, given: str | None) -> int:
    try:
        sender_id = bridge.create(datetime.now(UTC))  # the factory is checked once, before anyone calls
        bridge.handle(["senders", sender_id, "close"], {})
    except CallError as error:
        print(f"{args.factory}: {error}", file=sys.stderr)
        return 2
    token = given or secrets.token_urlsafe(24)
    hosts = LOOPBACK | {name.lower() for name in args.allow_host}
    hosts |= {args.host.strip("[]").lower()} - WILDCARDS
    base = "/" + args.base.strip("/") if args.base.strip("/") else ""
    handle = handler_for(bridge, Guard(token, frozenset(hosts)), base)
    try:
        server = BoundedServer(args.host, args.port, handle, BRIDGE_BOUNDS, name="horneross-conformance bridge")
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # the processes of the senders end with the bridge
    port = server.port
    host = "127.0.0.1" if args.host in WILDCARDS else args.host
    shown = f"[{host}]" if ":" in host else host
    user = f"${TOKEN_ENV}" if given else token  # a token of the environment is not printed
    print(f"listening {port}", flush=True)
    print(f"url http://{user}@{shown}:{port}{base}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
