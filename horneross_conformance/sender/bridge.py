"""Serve any Python sender factory over the sender harness protocol: ``python -m horneross_conformance.sender.bridge``.

``python -m horneross_conformance.sender.bridge MODULE:FACTORY --port N [--host 127.0.0.1]`` prints
``listening PORT`` as its first line and answers the five calls of the protocol with the adapter the factory
returns, so a Python sender can be certified the way a sender in any other language is, and the protocol path
of the suite can be checked against the Python reference.

The adapter reads the time from the standard library, as it does in-process. The bridge freezes that clock with
freezegun (``threading`` dropped from its ignore list, as in ``sender.clock``) and sets it to each call's ``now``
before calling the adapter. One clock per process means one call at a time: calls are serialized.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from freezegun import freeze_time

from horneross_conformance.core.canonical import TooDeep, parse_json
from horneross_conformance.sender.adapter import Sender, check_sender, load_factory, probe_factory

MAX_REQUEST = 1024 * 1024  # bytes of a request body
REQUEST_SECONDS = 10  # a request must arrive within this time
CALLS = ("subscribe", "emit", "run-due", "close")


class CallError(Exception):
    """A call the bridge refuses: its status, and the one sentence of its ``{"error": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Open:
    sender: Sender
    last: datetime  # the latest ``now`` it was given; never goes back


def parse_now(value: object) -> datetime:
    if not isinstance(value, str) or len(value) != 24 or not value.endswith("Z"):
        raise CallError(400, "now must be an RFC 3339 UTC time with milliseconds, such as 2026-12-01T12:00:00.000Z.")
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise CallError(400, "now is not a valid calendar time.") from None


class Bridge:
    """The senders the factory made, by id, and the one frozen clock they all read."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory
        self.senders: dict[str, Open] = {}
        self._lock = threading.Lock()  # one call at a time: the clock is the process's
        self._freezer = freeze_time(datetime.now(UTC))
        self._freezer.ignore = tuple(name for name in self._freezer.ignore if name != "threading")
        self._frozen: Any = None

    def start(self) -> None:
        self._frozen = self._freezer.start()

    def stop(self) -> None:
        self._freezer.stop()

    def handle(self, path: list[str], body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if path == ["senders"]:
                now = parse_now(body.get("now"))
                self._frozen.move_to(now)
                sender = self._call(self.factory)
                check_sender(sender)  # a factory that changed its mind since the start: ValueError, a 500
                sender_id = secrets.token_urlsafe(12)
                self.senders[sender_id] = Open(sender, now)
                return {"sender": sender_id}
            if len(path) != 3 or path[0] != "senders" or path[2] not in CALLS:
                raise CallError(404, "not a call of the sender harness protocol.")
            current = self.senders.get(path[1])
            if current is None:
                raise CallError(404, "there is no such sender: create one with POST BASE/senders.")
            return self._call_sender(current, path[1], path[2], body)

    def _call_sender(self, current: Open, sender_id: str, call: str, body: dict[str, Any]) -> dict[str, Any]:
        if call == "close":
            del self.senders[sender_id]
            return {}
        now = parse_now(body.get("now"))
        if now < current.last:
            raise CallError(400, "now is earlier than a now this sender was given before.")
        current.last = now
        self._frozen.move_to(now)
        sender = current.sender
        if call == "subscribe":
            url, secret, events = body.get("url"), body.get("secret"), body.get("events")
            if not isinstance(url, str) or not isinstance(secret, str):
                raise CallError(400, "url and secret must be strings.")
            if events is not None and not (isinstance(events, list) and all(isinstance(e, str) for e in events)):
                raise CallError(400, "events must be null or an array of event type strings.")
            self._call(sender.subscribe, url, secret, events)
            return {}
        if call == "emit":
            event_type, data = body.get("type"), body.get("data")
            if not isinstance(event_type, str) or not isinstance(data, dict):
                raise CallError(400, "type must be a string and data a JSON object.")
            event_id = self._call(sender.emit, event_type, data)
            if not isinstance(event_id, str):
                raise CallError(500, f"emit() returned a {type(event_id).__name__}, not an event id.")
            return {"id": event_id}
        self._call(sender.run_due)
        return {}

    @staticmethod
    def _call(function: Callable[..., Any], *arguments: Any) -> Any:
        try:
            return function(*arguments)
        except Exception as error:
            # The suite shows this sentence in the check's failure, with every secret of its run redacted.
            raise CallError(500, f"{function.__name__}() raised {type(error).__name__}: {error}"[:300]) from None


def handler_for(bridge: Bridge, base: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = REQUEST_SECONDS  # a client that sends its request slowly is dropped

        def do_POST(self) -> None:
            try:
                answer = bridge.handle(self._route(), self._body())
            except CallError as error:
                self._answer(error.status, {"error": str(error)})
            except ValueError as error:
                self._answer(500, {"error": str(error)})
            else:
                self._answer(200, answer)

        def do_GET(self) -> None:
            self._answer(405, {"error": "every call of the sender harness protocol is a POST."})

        def _route(self) -> list[str]:
            path = self.path.split("?", 1)[0]
            if base and not path.startswith(base + "/"):
                raise CallError(404, "not a call of the sender harness protocol.")
            return path[len(base) :].strip("/").split("/")

        def _body(self) -> dict[str, Any]:
            media_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            length = self.headers.get("Content-Length") or ""
            if not (length.isascii() and length.isdigit() and len(length) <= 12):  # "²" is a digit to isdigit
                raise CallError(411, "the request needs a Content-Length of ASCII digits.")
            if int(length) > MAX_REQUEST:
                self.close_connection = True
                raise CallError(413, "the request body is larger than 1 MiB.")
            data = self.rfile.read(int(length))
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

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode("ascii")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # stdout holds "listening PORT" alone; a line per call would bury it

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m horneross_conformance.sender.bridge",
        description="Serve a Python sender factory over the sender harness protocol.",
    )
    parser.add_argument("factory", metavar="MODULE:FACTORY")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default 0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--base", default="", help="the base path of the calls (default: none)")
    args = parser.parse_args(argv)
    try:
        factory = load_factory(args.factory)
        probe_factory(factory)
    except ValueError as error:
        print(f"{args.factory}: {error}", file=sys.stderr)
        return 2
    bridge = Bridge(factory)
    base = "/" + args.base.strip("/") if args.base.strip("/") else ""
    try:
        server = ThreadingHTTPServer((args.host, args.port), handler_for(bridge, base))
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 2
    server.daemon_threads = True
    bridge.start()
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
