"""``horneross-conformance listen``: a local receiver for development, an offline webhook.site that verifies.

Each delivery is printed as it arrives with its signature verdict, its schema verdict and a summary of the
event. The answers can be chosen to exercise a sender's retries: a fixed status, failing the first N attempts of
each event, a delay. ``--forward-to`` relays verified deliveries, bytes and signature unchanged, to the app being
developed, and answers the sender with the app's answer. ``--log`` keeps every delivery as JSON Lines.

Whatever a client sends, the listener stays bounded (``transport.http_server``, with ``LISTEN_BOUNDS``) and what it
prints or logs is inert and
cleared of the secret; a delivery logs the start of its body, and an output that falls behind drops and counts.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from horneross_conformance.cli.secret import NoSecret, add_secret_option, read_secret
from horneross_conformance.cli.usage import EXIT_FAILED, EXIT_OK, http_status, usage_error
from horneross_conformance.core.canonical import TooDeep, canonical_bytes, parse_json
from horneross_conformance.core.contract import SIGNATURE_HEADER, SUCCESS_STATUS
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import LISTEN_BOUNDS
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.core.signing import verify
from horneross_conformance.core.version import __version__
from horneross_conformance.inspector.store import DeliveryStore, default_path
from horneross_conformance.inspector.web import Inspector
from horneross_conformance.logs.event_files import event_problems
from horneross_conformance.transport.client import DeliveryError, Response, post
from horneross_conformance.transport.curl import display_json
from horneross_conformance.transport.endpoints import Endpoint, parse_endpoint
from horneross_conformance.transport.http_request import Request
from horneross_conformance.transport.http_server import Answer, BoundedServer

FORWARD_TIMEOUT = 10.0
# What one delivery may put in the output and the log, whatever its size: a body of 16 MiB is logged by its start.
LOG_BODY = 64 * 1024  # characters of a body kept in the log
SHOWN_FIELD = 120  # characters of a path, a method or an id shown on the terminal
SHOWN_PROBLEM = 400  # characters of a schema problem (which quotes the value at fault)
LOGGED_PROBLEMS = 50
# What may wait for a terminal or a file that is not keeping up (a paused terminal, a pipe nobody reads): beyond
# this, deliveries are answered as usual but left out of that output, and a note counts them.
PRINT_BACKLOG = 8 * 1024 * 1024  # characters
LOG_BACKLOG = 32 * 1024 * 1024


def add_parser(commands: Any) -> None:
    command = commands.add_parser(
        "listen",
        help="receive deliveries locally: verify, validate and print each one; inject failures",
        description="A local webhook receiver for development: prints each delivery with its signature verdict, "
        "schema verdict and event summary. By default it answers 200 to verified deliveries and 401 to the others "
        "(200 to all when no secret is given). Stop it with Ctrl-C.",
    )
    command.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    command.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)")
    add_secret_option(command)
    command.add_argument(
        "--status", type=http_status, metavar="CODE", help="answer every delivery with this status (100 to 599)"
    )
    command.add_argument(
        "--fail-first",
        type=int,
        default=0,
        metavar="N",
        help="answer the first N attempts of each event with a failure",
    )
    command.add_argument(
        "--fail-status",
        type=http_status,
        default=500,
        metavar="CODE",
        help="the failure --fail-first answers (default 500)",
    )
    command.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="wait this long before answering")
    command.add_argument(
        "--forward-to", metavar="URL", help="relay verified deliveries to this URL, and its answer back"
    )
    command.add_argument("--log", metavar="FILE", help="append every delivery to FILE as JSON Lines")
    command.add_argument(
        "--db",
        nargs="?",
        const=str(default_path()),
        metavar="PATH",
        help="keep every delivery, its exact bytes included, in this SQLite history (bounded, the oldest dropped); "
        "without PATH, in the user's data folder; 'replay' sends them again",
    )
    command.add_argument(
        "--ui",
        action="store_true",
        help="also serve a live page of the deliveries, with replay, on the same port (at the URL printed, with its "
        "token); keeps them in --db, the default one when not given",
    )
    command.add_argument("--count", type=int, metavar="N", help="stop after N deliveries")
    command.add_argument("--quiet", "-q", action="store_true", help="one line per delivery, no problem details")
    command.set_defaults(handler=listen_command)


PLAIN_TEXT = "text/plain; charset=utf-8"
_HEADER_VALUE = re.compile(r"[!-~][ -~]{0,199}")  # a content type relayed: one printable ASCII value, bounded


class Listener:
    """What the server does with each delivery; independent of the HTTP plumbing, and thread-safe."""

    def __init__(
        self,
        args: argparse.Namespace,
        secret: str | None,
        forward: Endpoint | None,
        log: IO[str] | None,
        store: DeliveryStore | None = None,
    ):
        self.args = args
        self.store = store
        self._secret = secret
        self._redactor = Redactor([secret] if secret else [])
        self.forward = forward
        self.log = log
        self.lock = threading.Lock()
        self.received = 0
        self.good = 0
        self.answered_count = 0
        self.attempts: dict[str, int] = {}
        self.done = threading.Event()
        self.printed = Outlet(_print, PRINT_BACKLOG, "{} deliveries not printed: the output was not being read")
        self.logged = Outlet(self._log_line, LOG_BACKLOG, "{} deliveries not logged: --log was not being written")

    def handle(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        signature = next((v for k, v in headers if k.lower() == SIGNATURE_HEADER.lower()), None)
        unread = "the body is not JSON"
        try:
            payload: Any = parse_json(body)  # as the documented receiver reads it (NaN is not JSON), depth bounded
            parsed = True
        except TooDeep as error:
            payload, parsed, unread = None, False, f"the body cannot be read: {error}"
        except ValueError:
            payload, parsed = None, False
        signature_verdict, verified = self._signature(body, signature, payload if parsed else None, parsed)
        if method != "POST":
            problems = [f"{method} instead of POST"]
        elif not parsed:
            problems = [unread]
        else:
            problems = [f"{p or '/'}: {m} ({r})" for p, r, m in event_problems(payload)]
        event_id = payload.get("id") if isinstance(payload, dict) else None
        with self.lock:
            self.received += 1
            number = self.received
            attempt = 1
            if isinstance(event_id, str):
                attempt = self.attempts[event_id] = self.attempts.get(event_id, 0) + 1
        status, note, relayed = self._answer(attempt, verified, body, signature)
        if self.args.delay > 0:
            time.sleep(self.args.delay)
        good = verified is not False and not problems  # problems name a method other than POST
        self._record(number, method, path, headers, body, payload, attempt, signature_verdict, problems, status, note)
        with self.lock:
            self.good += good
        if relayed is not None:  # the app's own answer, to the sender: its status, body and content type
            kind = relayed.header("content-type") or ""
            return status, relayed.body, [("Content-Type", kind if _HEADER_VALUE.fullmatch(kind) else PLAIN_TEXT)]
        return status, b"ok" if status == SUCCESS_STATUS else f"{status}".encode()

    def answered(self) -> None:
        """A delivery's answer is written: with --count, the last one ends the listener."""
        with self.lock:
            self.answered_count += 1
            if self.args.count is not None and self.answered_count >= self.args.count:
                self.done.set()

    def _redact(self, text: str) -> str:
        """A sender that sends the secret itself (in a header, in the body) does not get it into the log."""
        return self._redactor(text)

    def _signature(self, body: bytes, signature: str | None, payload: Any, parsed: bool) -> tuple[str, bool | None]:
        if self._secret is None:
            return "signature not checked (no secret)", None
        if signature is None:
            return f"signature MISSING ({SIGNATURE_HEADER})", False
        if verify(body, signature, self._secret):
            return "signature ok", True
        if parsed and verify(canonical_bytes(payload), signature, self._secret):
            return "signature ok for the JSON.stringify form, not for the bytes sent", True
        return "signature WRONG", False

    def _answer(
        self, attempt: int, verified: bool | None, body: bytes, signature: str | None
    ) -> tuple[int, str, Response | None]:
        """The status to answer, a note on why, and the app's answer to relay (``--forward-to``)."""
        args = self.args
        if args.status is not None:
            return args.status, "--status", None
        if verified is False:  # a forged delivery is no attempt of a sender's to exercise
            return 401, "not verified", None
        if attempt <= args.fail_first:
            return args.fail_status, f"--fail-first {args.fail_first}", None
        if self.forward is not None:
            headers = {"Content-Type": "application/json", "User-Agent": f"horneross-conformance/{__version__}"}
            if signature is not None:
                headers[SIGNATURE_HEADER] = signature
            try:
                answer = post(self.forward, body, headers, FORWARD_TIMEOUT)
            except DeliveryError as error:
                return 502, f"forwarding to {self.forward.display} failed: {error}", None
            return answer.status, f"from {self.forward.display}: {answer.summary()}", answer
        return SUCCESS_STATUS, "", None

    def _record(
        self,
        number: int,
        method: str,
        path: str,
        headers: list[tuple[str, str]],
        body: bytes,
        payload: Any,
        attempt: int,
        signature_verdict: str,
        problems: list[str],
        status: int,
        note: str,
    ) -> None:
        now = datetime.now()
        schema_verdict = "schema ok" if not problems else f"schema: {len(problems)} problem{'s' * (len(problems) > 1)}"
        # Everything here may come from the sender: the secret (in a query string, a field, a header) is removed in
        # every form, and what is printed is inert and cut short.
        line = (
            f"{now:%H:%M:%S} #{number} {_cut(method)} {_cut(path)} {_summary(payload)} attempt {attempt} | "
            f"{signature_verdict} | {schema_verdict} | answered {status}" + (f" ({note})" if note else "")
        )
        details = [] if self.args.quiet else [f"    {_cut(problem, SHOWN_PROBLEM)}" for problem in problems[:10]]
        self.printed.put("\n".join(for_terminal(self._redact(text)) for text in [line, *details]))
        if self.log is None and self.store is None:
            return
        text = self._redact(body[: LOG_BODY * 4].decode("utf-8", "replace"))  # redacted whole, then cut
        entry = {
            "n": number,
            "received": now.astimezone().isoformat(),
            "method": method,
            "path": self._redact(path),
            "headers": {name: self._redact(value) for name, value in headers},
            "body": text[:LOG_BODY],
            "attempt": attempt,
            "signature": signature_verdict,
            "problems": [self._redact(problem[:1000]) for problem in problems[:LOGGED_PROBLEMS]],
            "status": status,
        }
        if len(text) > LOG_BODY or len(body) > LOG_BODY * 4:
            entry["body_bytes"] = len(body)  # the body was cut: its full size
        if len(problems) > LOGGED_PROBLEMS:
            entry["problem_count"] = len(problems)
        if self.store is not None:
            self.store.add(entry, body)
        if self.log is not None:
            self.logged.put(json.dumps(entry))  # ASCII: lone surrogates and all survive any file

    def _log_line(self, line: str) -> None:
        assert self.log is not None
        try:
            self.log.write(line + "\n")
            self.log.flush()
        except OSError as error:
            print(f"horneross-conformance listen: --log: {error.strerror or error}", file=sys.stderr)


class Outlet:
    """A writer thread fed through a queue bounded in characters, in order of arrival. Answers never wait for it:
    when whoever reads the output falls behind (a paused terminal, a pipe nobody reads), what no longer fits is
    dropped, counted, and the count written once the output moves again, so memory never grows with the backlog."""

    def __init__(self, write: Callable[[str], None], limit: int, note: str) -> None:
        self._write, self._limit, self._note = write, limit, note
        self._items: deque[str] = deque()
        self._size = 0
        self._dropped = 0
        self._closed = False
        self._changed = threading.Condition()

    def put(self, text: str) -> None:
        with self._changed:
            if self._size + len(text) > self._limit:
                self._dropped += 1
                return
            self._items.append(text)
            self._size += len(text)
            self._changed.notify()

    def close(self) -> None:
        """Write what is queued, then end the thread."""
        with self._changed:
            self._closed = True
            self._changed.notify()

    def run(self) -> None:
        while True:
            with self._changed:
                while not self._items and not self._dropped and not self._closed:
                    self._changed.wait()
                dropped, self._dropped = self._dropped, 0
                if not self._items and not dropped:
                    return  # closed, and everything written
                text = self._items.popleft() if self._items else None
                if text is not None:
                    self._size -= len(text)
            if text is not None:
                self._write(text)
            if dropped:
                print(f"horneross-conformance listen: {self._note.format(dropped)}", file=sys.stderr, flush=True)


def _print(text: str) -> None:
    try:
        print(text, flush=True)
    except UnicodeEncodeError:  # a terminal that is not UTF-8
        print(text.encode("ascii", "backslashreplace").decode("ascii"), flush=True)


def _cut(text: str, limit: int = SHOWN_FIELD) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _summary(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "(not an event)"
    data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
    parts = [payload.get("type"), payload.get("id"), data.get("conversationId")]
    summary = " ".join(_cut(part) for part in parts if isinstance(part, str)) or "(an object without type or id)"
    content = data.get("content") if isinstance(data.get("content"), str) else data.get("newStatus")
    if isinstance(content, str):
        summary += f" {display_json(json.dumps(content[:40], ensure_ascii=False))}"
    return summary


def listen_command(args: argparse.Namespace) -> int:
    try:
        forward = parse_endpoint(args.forward_to) if args.forward_to else None
        secret = read_secret(args.secret_env, required=False)
    except (ValueError, NoSecret) as error:
        return usage_error("listen", str(error))
    if args.forward_to and secret is None:
        return usage_error("listen", f"--forward-to relays verified deliveries only; set {args.secret_env}")
    try:
        log = open(args.log, "a", encoding="utf-8") if args.log else None  # noqa: SIM115 (closed below)
    except OSError as error:
        return usage_error("listen", f"{args.log}: {error.strerror or error}")
    try:
        store = DeliveryStore(args.db or default_path()) if args.db or args.ui else None
    except (ValueError, OSError) as error:
        return usage_error("listen", f"--db: {getattr(error, 'strerror', None) or error}")
    listener = Listener(args, secret, forward, log, store)

    inspector: Inspector | None = None
    serving = threading.local()  # whether this connection's thread is answering the page, not a delivery

    def handle(request: Request) -> Answer:
        serving.page = False
        body = request.read()  # whole, within LISTEN_BOUNDS, before anything is counted
        serving.page = inspector is not None and inspector.serves(request.target)
        if inspector is not None and serving.page:
            return inspector.answer(request.method, request.target, request.headers, body)
        return listener.handle(request.method, request.target, request.headers, body)

    def answered() -> None:
        if not getattr(serving, "page", False):  # --count counts deliveries, not the page's requests
            listener.answered()

    try:
        server = BoundedServer(
            args.host, args.port, handle, LISTEN_BOUNDS, answered=answered, name="horneross-conformance listen"
        )
    except OSError as error:
        return usage_error("listen", f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    host, port = str(server.address[0]), server.address[1]
    if store is not None and args.ui:
        inspector = Inspector(store, secret, host, port)
    signal.signal(signal.SIGTERM, lambda *_: listener.done.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    writers = [threading.Thread(target=outlet.run, daemon=True) for outlet in (listener.printed, listener.logged)]
    try:  # from the first line printed on, Ctrl-C ends the listener with its summary, however early it comes
        print(f"listening on http://{host}:{port}/ (any path)", flush=True)
        if secret is None:
            print(f"  signatures are not checked: set {args.secret_env} to verify them", flush=True)
        else:
            print(f"  verifying {SIGNATURE_HEADER} with the secret in {args.secret_env}", flush=True)
        if forward is not None:
            print(f"  forwarding verified deliveries to {forward.display}", flush=True)
        if inspector is not None:
            print(f"  inspector: {inspector.url}", flush=True)
        if store is not None:
            print(for_terminal(f"  keeping every delivery in {store.path} ({len(store)} kept so far)"), flush=True)
        print("  Ctrl-C to stop", flush=True)
        for started in (*writers, thread):  # the writers first: once a delivery can be answered, all have started
            started.start()
        while not listener.done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        # Stopping: a SIGTERM from now on (a second stop, a supervisor's) changes nothing, and must not find the
        # interpreter exiting, when Python has put back the default action and the signal would end the process.
        # Nor does a Ctrl-C: one that came with a SIGTERM may be handled only now, after the SIGTERM ended the wait,
        # and raised here it would cut the summary short.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, lambda *_: None)
        if inspector is not None:
            inspector.stopped.set()
        server.shutdown()
        if thread.ident is not None:
            thread.join(1)
        for outlet, writer in zip((listener.printed, listener.logged), writers, strict=True):
            outlet.close()  # every delivery recorded so far is printed and logged before the summary
            if writer.ident is None:
                writer.start()
            writer.join()
        if log is not None:
            log.close()
        if store is not None:
            store.close()
            if store.failed:
                print(
                    f"horneross-conformance listen: {store.failed} deliveries not kept in --db: {store.failure}",
                    file=sys.stderr,
                )
    received, good = listener.received, listener.good
    if secret is None:  # nothing was verified: "signed and valid" would claim what was never checked
        print(
            f"stopped: {received} deliveries, {good} valid, {received - good} with problems; no signature was "
            f"checked (set {args.secret_env} to verify them)",
            flush=True,
        )
        return EXIT_FAILED  # 0 means every delivery was signed and valid, which nobody checked
    print(f"stopped: {received} deliveries, {good} signed and valid, {received - good} with problems", flush=True)
    return EXIT_OK if received == good else EXIT_FAILED
