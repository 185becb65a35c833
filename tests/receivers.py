"""Receivers for the suite's self-tests: one written plainly and correctly, and subclasses that each break it in
one way that real integrations get wrong. Plus raw-socket endpoints that never answer or drip bytes."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from horneross_conformance import canonical_bytes, sign, verify
from horneross_conformance.core.events import has_lone_surrogate

SECRET = "whsec_selftest_8c1d7f2a90b34e6e"
KNOWN_TYPES = {
    "conversation.created",
    "conversation.message.created",
    "conversation.status.changed",
    "lead.captured",
}


class PlainReceiver:
    """Correct, and deliberately different from the reference: it verifies only by re-serializing, as the
    documentation's Express receiver does."""

    status_ok = "200 OK"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.conversations: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        try:
            status, extra_headers = self.handle(body, environ.get("HTTP_X_HORNEROSS_SIGNATURE")), []
        except Redirect as redirect:
            status, extra_headers = "301 Moved Permanently", [("Location", redirect.location)]
        except Exception:
            status, extra_headers = "500 Internal Server Error", []
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0"), *extra_headers])
        return [b""]

    def handle(self, body: bytes, signature: str | None) -> str:
        try:
            event = self.parse(body)
        except ValueError:
            return self.malformed()
        if not self.verified(event, body, signature):
            return "401 Unauthorized"
        return self.accept(event)

    def parse(self, body: bytes) -> Any:
        return json.loads(body)

    def malformed(self) -> str:
        return "400 Bad Request"

    def serialize(self, event: Any) -> bytes:
        return canonical_bytes(event)

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(self.serialize(event), signature, SECRET)

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            self.seen.add(str(event.get("id")))
            if event.get("type") == "conversation.created":
                self.conversations.add(str(event["data"].get("conversationId")))
        return self.status_ok


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


# Broken signature verification ------------------------------------------------------------------------------


class JsonDumpsDefault(PlainReceiver):
    """Re-serializes with Python's default json.dumps: ', ' and ': ' separators, non-ASCII escaped."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event).encode()


class EscapesNonAscii(PlainReceiver):
    """Compact, but escapes every non-ASCII character (json.dumps' ensure_ascii default)."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":")).encode()


class NaivePythonSerializer(PlainReceiver):
    """Compact UTF-8 json.dumps: right for most text, wrong for lone surrogates and for numbers like 1e-7."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


class HtmlSafeSerializer(PlainReceiver):
    """Re-serializes with a hand-rolled "safe" JSON writer: ASCII only, HTML-safe (``\\/``, ``\\u003C``,
    ``\\u0027``), every control character as an uppercase ``\\u00XX``. Right for plain text, wrong for each stress
    text."""

    escapes: ClassVar[dict[str, str]] = {"/": "\\/", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}
    short: ClassVar[dict[str, str]] = {"b": "u0008", "f": "u000c", "n": "u000a", "r": "u000d", "t": "u0009"}

    def serialize(self, event: Any) -> bytes:
        text = json.dumps(event, separators=(",", ":"))
        text = "".join(self.escapes.get(character, character) for character in text)
        return re.sub(r"\\(u[0-9a-f]{4}|.)", lambda m: "\\" + self._upper(m.group(1)), text).encode()

    def _upper(self, escape: str) -> str:
        escape = self.short.get(escape, escape)
        return "u" + escape[1:].upper() if escape.startswith("u") else escape


class CrashesOnLoneSurrogate(PlainReceiver):
    """Verifies correctly, then writes the message to a UTF-8 log, which raises on a lone surrogate (500)."""

    def accept(self, event: dict[str, Any]) -> str:
        str(event.get("data", {}).get("content", "")).encode("utf-8")
        return super().accept(event)


class RefusesLoneSurrogates(PlainReceiver):
    """A careful PHP or Ruby receiver: verifies the raw bytes first, then parses with a parser that refuses a lone
    surrogate escape by design (PHP's json_decode, Ruby's JSON.parse) and answers 400. RCV-14 only."""

    def handle(self, body: bytes, signature: str | None) -> str:
        if not verify(body, signature, SECRET):
            return "401 Unauthorized"
        return super().handle(body, signature)

    def parse(self, body: bytes) -> Any:
        event = json.loads(body)
        if has_lone_surrogate(json.dumps(event, ensure_ascii=False)):
            raise ValueError("Single unpaired UTF-16 surrogate in unicode escape")  # PHP's words
        return event

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return True  # done on the raw bytes, before parsing


class SortsKeys(PlainReceiver):
    """Re-serializes compactly but with sorted keys (json.dumps(sort_keys=True), a sorted map): every event fails."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode(
            "utf-8", "surrogatepass"
        )


def _sorted(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    return [_sorted(item) for item in node] if isinstance(node, list) else node


def go_marshal(value: Any) -> bytes:
    """What Go's json.Marshal writes for a map[string]any: keys sorted, compact, non-ASCII raw, and <, >, &, U+2028
    and U+2029 escaped as \\u003c, \\u003e, \\u0026, \\u2028, \\u2029."""
    text = canonical_bytes(_sorted(value)).decode("utf-8", "surrogatepass")  # its numbers are JavaScript's
    for character in "<>&\u2028\u2029":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text.encode("utf-8", "surrogatepass")


class GoMarshalsAMap(PlainReceiver):
    """Go: decodes the body into a map[string]any and signs json.Marshal of it (keys sorted at every level, HTML
    characters and line separators escaped)."""

    def serialize(self, event: Any) -> bytes:
        return go_marshal(event)


class GoStructWithAMapForData(PlainReceiver):
    """Go: the envelope decoded into a struct whose fields follow Horneross' order (id, type, timestamp, data), data
    into a map[string]any, then json.Marshal: the envelope keeps its order, the keys inside data come out sorted.
    Its events with sorted data (a status change) pass, the others fail: no guess from that, only the controls."""

    def serialize(self, event: Any) -> bytes:
        fields = ",".join(f'"{key}":{go_marshal(event[key]).decode()}' for key in ("id", "type", "timestamp", "data"))
        return ("{" + fields + "}").encode("utf-8", "surrogatepass")


class RejectsAskingForHelp(PlainReceiver):
    """Verifies the raw body correctly, then answers 401 to any message asking for help ("ayuda"): a signature
    fault no re-serialization explains, which the controls (none of which asks for help) must not explain."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, SECRET) and b"ayuda" not in body


class WrongSecret(PlainReceiver):
    """Verifies the raw body correctly, with another secret than the endpoint's."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, "whsec_the_staging_one")


class ParserInFront(PlainReceiver):
    """A body parser in front of the route hands the handler an object, and the handler signs its string form
    (in Express, String(req.body) is '[object Object]'): every event fails."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(str(event).encode(), signature, SECRET)


class SlowForResolved(PlainReceiver):
    """Calls a slow CRM when a conversation is resolved (the documentation's example status): past the suite's
    timeout for newStatus "resolved", instant for everything else. RCV-01 only: every other check that sends a
    status change confirms with a control and calls itself inconclusive."""

    delay = 1.5

    def accept(self, event: dict[str, Any]) -> str:
        data = event.get("data")
        resolved = isinstance(data, dict) and data.get("newStatus") == "resolved"
        if event.get("type") == "conversation.status.changed" and resolved:
            time.sleep(self.delay)
        return super().accept(event)


class RejectsEverything(PlainReceiver):
    """Answers 401 to every delivery (a gateway in front of it wants a token Horneross never sends)."""

    def handle(self, body: bytes, signature: str | None) -> str:
        return "401 Unauthorized"


class AcceptsAnySignature(PlainReceiver):
    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return True


class AcceptsMissingHeader(PlainReceiver):
    """Skips verification when the header is absent ("not every sender signs")."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return signature is None or super().verified(event, body, signature)


class AcceptsTruncated(PlainReceiver):
    """Compares with startswith, so any prefix of the right signature passes."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return signature is not None and sign(self.serialize(event), SECRET).startswith(signature) and signature != ""


class RawBodyOnly(PlainReceiver):
    """Correct for conformant senders: verifies the raw bytes only, never the re-serialized form."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, SECRET)


# Broken acknowledgement -------------------------------------------------------------------------------------


class Answers204(PlainReceiver):
    status_ok = "204 No Content"


class Answers202(PlainReceiver):
    status_ok = "202 Accepted"


class Answers201(PlainReceiver):
    """201 to every correct delivery, 401 to forged ones: the status is wrong, the verification right."""

    status_ok = "201 Created"


class Answers201ToLeads(PlainReceiver):
    """201 to correct lead.captured deliveries alone, 200 to every other type."""

    def accept(self, event: dict[str, Any]) -> str:
        super().accept(event)
        return "201 Created" if event.get("type") == "lead.captured" else self.status_ok


class RefusesPrototypeKeys(PlainReceiver):
    """Refuses a body holding a member named __proto__, constructor or prototype with 400, before verifying, as
    Fastify's and Koa's hardened parsers do to stop prototype poisoning: conformant, since no sender sends them."""

    def parse(self, body: bytes) -> Any:
        def refuse(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            if any(key in ("__proto__", "constructor", "prototype") for key, _ in pairs):
                raise ValueError("prototype poisoning")
            return dict(pairs)

        return json.loads(body, object_pairs_hook=refuse)


class RedirectsToNewPath(PlainReceiver):
    """Moved its endpoint and answers 301 to the old one."""

    def accept(self, event: dict[str, Any]) -> str:
        raise Redirect("/webhooks/v2")


class RejectsOldTimestamps(PlainReceiver):
    """Replay protection with a 5-minute window: rejects the later retries."""

    def accept(self, event: dict[str, Any]) -> str:
        sent = datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
        if datetime.now(UTC) - sent > timedelta(minutes=5):
            return "400 Bad Request"
        return super().accept(event)


class RejectsUnknownTypes(PlainReceiver):
    def accept(self, event: dict[str, Any]) -> str:
        return super().accept(event) if event.get("type") in KNOWN_TYPES else "400 Bad Request"


class RejectsUnknownFields(PlainReceiver):
    """Validates with a closed schema (additionalProperties: false) and rejects anything it does not know."""

    def accept(self, event: dict[str, Any]) -> str:
        if set(event) - {"id", "type", "timestamp", "data"}:
            return "422 Unprocessable Entity"
        return super().accept(event)


class Answers500OnMalformedJson(PlainReceiver):
    def malformed(self) -> str:
        return "500 Internal Server Error"


class AcknowledgesMalformedJson(PlainReceiver):
    def malformed(self) -> str:
        return "200 OK"


class RejectsDuplicates(PlainReceiver):
    """Treats a redelivery as a conflict instead of acknowledging it again."""

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            if str(event.get("id")) in self.seen:
                return "409 Conflict"
        return super().accept(event)


class RejectsUnknownConversation(PlainReceiver):
    """Looks up the conversation of each message or status change and 404s when it has not seen it created."""

    def accept(self, event: dict[str, Any]) -> str:
        kind = event.get("type")
        conversation = str(event.get("data", {}).get("conversationId"))
        if kind in ("conversation.message.created", "conversation.status.changed"):
            with self.lock:
                if conversation not in self.conversations:
                    return "404 Not Found"
        return super().accept(event)


class LoadSensitive(PlainReceiver):
    """Counts the deliveries in flight; ``under_load`` says what happens when there are more than ``limit``."""

    limit = 2

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            self.in_flight += 1
            crowded = self.in_flight > self.limit
        try:
            return self.under_load(event, crowded)
        finally:
            with self.lock:
                self.in_flight -= 1

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        raise NotImplementedError


class OneAtATime(LoadSensitive):
    """Answers 503 when more than two deliveries are in flight (a worker pool of two)."""

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(0.02)
        return "503 Service Unavailable" if crowded else PlainReceiver.accept(self, event)


class SlowUnderLoad(LoadSensitive):
    """Conformant one delivery at a time (50 ms each); with more than four in flight, each takes a second (past a
    short timeout). Only RCV-10 may fail: the burst's timeouts must not end the checks that follow it. The 50 ms
    are what makes a burst pile up on a busy machine too: answered at once when alone, deliveries that arrived a
    little apart never crowded it, and the burst passed."""

    limit = 4

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(1 if crowded else 0.05)
        return PlainReceiver.accept(self, event)


# Broken only on rare but valid input: the hand-picked checks miss them, the generated checks must not -------


def first_name(event: Any) -> Any:
    """The contact's first name where a documented event has one; None elsewhere. Events of types added later
    may hold a ``contact`` of any shape: the broken receivers below must break only in their own way."""
    data = event.get("data") if isinstance(event, dict) else None
    contact = data.get("contact") if isinstance(data, dict) else None
    return contact.get("firstName") if isinstance(contact, dict) else None


class CrashesOnEmptyFirstName(PlainReceiver):
    """Greets the contact by initial (``firstName[0]``): an empty first name, which the schema allows, raises."""

    def accept(self, event: dict[str, Any]) -> str:
        name = first_name(event)
        if name is not None:
            str(name)[0].upper()
        return super().accept(event)


class HangsOnEmptyFirstName(PlainReceiver):
    """Waits forever on a lookup keyed by the contact's first name when it is empty (a full-table scan); counts
    the deliveries it hung on."""

    def __init__(self) -> None:
        super().__init__()
        self.hung = 0

    def accept(self, event: dict[str, Any]) -> str:
        if first_name(event) == "":
            with self.lock:
                self.hung += 1
            time.sleep(5)
        return super().accept(event)


class TopLevelExtrasAreText(PlainReceiver):
    """Keeps envelope fields added later as trimmed text (``apiVersion`` is one): one that holds anything but a
    string, which nothing promises, raises."""

    def accept(self, event: dict[str, Any]) -> str:
        for key in set(event) - {"id", "type", "timestamp", "data"}:
            str.strip(event[key])
        return super().accept(event)


class KnowsFourStatuses(PlainReceiver):
    """Maps newStatus onto its own enum and answers 400 to any other: the documentation shows only 'resolved',
    and the set of statuses is open."""

    statuses = frozenset({"open", "pending", "resolved", "closed"})

    def accept(self, event: dict[str, Any]) -> str:
        if event.get("type") == "conversation.status.changed" and event["data"].get("newStatus") not in self.statuses:
            return "400 Bad Request"
        return super().accept(event)


class CrashesOnSeparatorInName(PlainReceiver):
    """Writes first names to a line-based export that raises on U+2028 or U+2029 (message content is fine)."""

    def accept(self, event: dict[str, Any]) -> str:
        name = str(first_name(event) or "")
        if "\u2028" in name or "\u2029" in name:
            raise ValueError("line separator in a CSV field")
        return super().accept(event)


class TreatsDigitKeysAsIndices(PlainReceiver):
    """Re-serializes like JSON.stringify, except that it orders every all-digit key first, as if it were an array
    index. JSON.stringify does that only for canonical indices below 2**32 - 1: "01" and "4294967295" keep their
    place among the other keys."""

    def serialize(self, event: Any) -> bytes:
        return canonical_bytes(_digit_keys_first(event))


class SortsIndexKeysAsText(PlainReceiver):
    """Re-serializes like JSON.stringify, except that it puts array-index keys first in text order ("1", "10", "2")
    instead of numeric order, as a hand-written port of JSON.stringify might."""

    def serialize(self, event: Any) -> bytes:
        return _in_order(_digit_keys_first(event, key=str))


def _in_order(node: Any) -> bytes:
    """JSON.stringify's bytes for every value, but the keys in the order given."""
    if isinstance(node, dict):
        return b"{" + b",".join(canonical_bytes(k) + b":" + _in_order(v) for k, v in node.items()) + b"}"
    if isinstance(node, list):
        return b"[" + b",".join(_in_order(v) for v in node) + b"]"
    return canonical_bytes(node)


def _digit_keys_first(node: Any, key: Any = int) -> Any:
    if isinstance(node, dict):
        digits = sorted((name for name in node if name.isdigit()), key=key)
        ordered = digits + [name for name in node if not name.isdigit()]
        return {name: _digit_keys_first(node[name], key) for name in ordered}
    if isinstance(node, list):
        return [_digit_keys_first(value, key) for value in node]
    return node


class CrashesOnLongMessages(PlainReceiver):
    """Stores content in a column of 65,535 bytes and answers 500 when a longer message overflows it."""

    def accept(self, event: dict[str, Any]) -> str:
        content = str(event.get("data", {}).get("content", ""))
        if len(content.encode("utf-8", "surrogatepass")) > 65535:
            raise ValueError("data too long for column 'content'")
        return super().accept(event)


class RejectsLongMessages(PlainReceiver):
    """Refuses bodies above 64 KiB on purpose, with 413 (as express.json() does above 100 KiB): conformant."""

    def handle(self, body: bytes, signature: str | None) -> str:
        return "413 Payload Too Large" if len(body) > 64 * 1024 else super().handle(body, signature)


# Endpoints that do not speak HTTP properly ------------------------------------------------------------------


@contextmanager
def silent_endpoint(accepted: list[socket.socket] | None = None) -> Iterator[str]:
    """Accepts connections (the kernel completes them) and never answers. With ``accepted``, the connections are
    taken, kept open and never answered, and each is appended there: what a test counts instead of timing."""
    if accepted is not None:

        def hold(connection: socket.socket, stop: threading.Event) -> None:
            with connection:
                stop.wait()

        with raw_endpoint(hold, accepted) as url:
            yield url
        return
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/webhook"
    finally:
        listener.close()


@contextmanager
def raw_endpoint(
    handle: Callable[[socket.socket, threading.Event], None], accepted: list[socket.socket] | None = None
) -> Iterator[str]:
    """A loopback server that runs ``handle(connection, stop)`` on a thread per connection; yields its URL. Each
    connection is appended to ``accepted`` when one is given."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            if accepted is not None:
                accepted.append(connection)
            threading.Thread(target=handle, args=(connection, stop), daemon=True).start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/webhook"
    finally:
        stop.set()
        # close() alone does not wake a thread blocked in accept(); that thread would then accept on whatever
        # socket reuses the file descriptor, answering another test's requests. shutdown() wakes it.
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        server.join(5)
        assert not server.is_alive(), "the raw endpoint's accept loop did not stop"


def read_request_head(connection: socket.socket) -> bytes:
    connection.settimeout(2)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@contextmanager
def dripping_endpoint(interval: float, accepted: list[socket.socket] | None = None) -> Iterator[str]:
    """Answers '200 OK' one byte every ``interval`` seconds, so that no single read ever times out."""

    def drip(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK":
                if stop.wait(interval):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return

    with raw_endpoint(drip, accepted) as url:
        yield url


@contextmanager
def tls_endpoint() -> Iterator[str]:
    """Speaks TLS with a self-signed certificate (tests/data), which no trust store accepts; yields an https URL."""
    data = Path(__file__).parent / "data"
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(data / "selfsigned-cert.pem", data / "selfsigned-key.pem")

    def handshake(connection: socket.socket, stop: threading.Event) -> None:
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError):
            pass  # the client hangs up when it sees the certificate

    with raw_endpoint(handshake) as url:
        yield url.replace("http://", "https://")


@contextmanager
def answering_endpoint(head: bytes, body_size: int = 0) -> Iterator[str]:
    """Answers every request with ``head`` then, when ``body_size``, that many bytes streamed in 1 MiB pieces
    (a 100 MB body), stopping when the client hangs up; then closes the connection."""
    piece = b"x" * (1 << 20)

    def answer(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            try:
                read_request_head(connection)
                connection.sendall(head)
                sent = 0
                while sent < body_size and not stop.is_set():
                    connection.sendall(piece[: body_size - sent])
                    sent += len(piece)
            except OSError:
                return  # the client hung up: it keeps only the start of a huge answer

    with raw_endpoint(answer) as url:
        yield url


CERTIFICATE = Path(__file__).parent / "data" / "selfsigned-cert.pem"  # CN and IP 127.0.0.1, a CA of its own
OTHER_CA = Path(__file__).parent / "data" / "other-ca-cert.pem"  # a CA that signed nothing here


@contextmanager
def serve_tls(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app over TLS with the self-signed certificate; yields its https base URL."""
    from horneross_conformance.transport.server import serve

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE, Path(__file__).parent / "data" / "selfsigned-key.pem")
    with serve(app, tls=context) as base:
        yield base


def closed_port() -> str:
    """A URL on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhook"


class AcceptsExactlyTheLastRetryWindow(PlainReceiver):
    """Conformant at the boundary: rejects events older than 2 h 36 min and half a second (for clock drift)."""

    def accept(self, event: dict[str, Any]) -> str:
        sent = datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
        if datetime.now(UTC) - sent > timedelta(hours=2, minutes=36, milliseconds=500):
            return "400 Bad Request"
        return super().accept(event)
