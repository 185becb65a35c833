"""A minimal HTTP/1.1 client for deliveries, bounded by one total deadline.

The standard library's clients apply their timeout to each socket operation, so an endpoint that drips one byte
every few seconds can hold them forever, and they resolve names without any timeout. Here every step (name
resolution, connect, TLS handshake, sending, reading) shares one deadline, redirects are never followed (a 3xx is
an answer like any other), and at most ``ANSWER_KEPT_BYTES`` bytes of the answer are kept.
"""

from __future__ import annotations

import ipaddress
import re
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import ANSWER_KEPT_BYTES
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.transport.endpoints import Endpoint, tls_context

DEFAULT_TIMEOUT = 10.0  # seconds a delivery may take, all included (--horneross-timeout)
_MAX_HEAD = 64 * 1024
ErrorKind = Literal["dns", "refused", "timeout", "tls", "reset", "protocol"]
# What an answer's numbers may look like. ASCII digits only: ``str.isdigit`` also accepts "²" and "٣", which
# ``int`` then refuses or reads; and a length of more than 18 digits is no real length (nor can ``int`` read
# 5,000 of them). An endpoint sending anything else gets a sentence, never an exception of the toolkit's.
_STATUS = re.compile(r"[0-9]{3}")
_LENGTH = re.compile(r"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")


class DeliveryError(Exception):
    """The delivery got no HTTP answer. ``kind`` says why; the message is one sentence for a person."""

    def __init__(self, kind: ErrorKind, message: str, connected: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.connected = connected  # the endpoint took the connection: a timeout then is its slowness
        self.sent_whole = False  # the whole request went before it (``exchange``)


@dataclass(slots=True)
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    elapsed: float = 0.0
    version: str = ""  # the answer's HTTP version: HTTP/1.1, HTTP/1.0
    # seconds from the request's first byte sent to the answer's last byte read: the endpoint's time and the
    # network's, without connecting (set by ``connections.Connections``, which may reuse a connection)
    round_trip: float = 0.0
    sent_again: bool = False  # sent once more on a new connection: a kept one closed unanswered (``connections``)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def redact(self, redactor: Redactor) -> None:
        """Remove the run's secrets, in every form, from what the endpoint sent: one that echoes the secret (a debug
        page, a helpful error) must not put it in any message."""
        self.body = redactor.redact_bytes(self.body)
        self.headers = [(name, redactor(value)) for name, value in self.headers]
        self.reason = redactor(self.reason)

    def summary(self) -> str:
        """``'401 Unauthorized: "Firma inválida"'``, for messages: inert, whatever the endpoint wrote."""
        text = for_terminal(self.body[:120].decode("utf-8", "replace").strip())
        return f"{self.status} {self.reason}".strip() + (f': "{text}"' if text else "")


def post(endpoint: Endpoint, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` on a new connection and return the answer, or raise ``DeliveryError``; never takes much longer
    than ``timeout``. ``connections.Connections`` sends on connections kept between requests."""
    started = time.monotonic()
    deadline = started + timeout
    request = _request(endpoint, body, headers, "close")
    sock = open_connection(endpoint, deadline)
    try:
        response, _ = exchange(sock, request, deadline, timeout)
    finally:
        sock.close()
    response.elapsed = time.monotonic() - started
    return response


def exchange(
    sock: socket.socket, request: bytes, deadline: float, timeout: float, reader: _Reader | None = None
) -> tuple[Response, bool]:
    """Send ``request`` and read its answer; with whether the endpoint answered before it had read all of it.

    A server may answer before it has read the whole request (413 to a body over its limit) and close: sending then
    breaks, but the answer is there to read, and it is the endpoint's real answer. When there is none, the error of
    the send is raised, ``sent_whole`` False; an error reading the answer to a request that went whole has
    ``sent_whole`` True (what a kept connection's caller needs, to tell a stale connection from an endpoint's)."""
    reader = reader if reader is not None else _Reader(sock, deadline, timeout)
    try:
        _send(sock, request, deadline, timeout)
    except DeliveryError as error:
        if error.kind != "reset":
            error.sent_whole = False
            raise
        try:
            return _read_response(sock, deadline, timeout, reader), True
        except DeliveryError:
            error.sent_whole = False
            raise error from None
    try:
        return _read_response(sock, deadline, timeout, reader), False
    except DeliveryError as error:
        error.sent_whole = True
        raise


def _request(endpoint: Endpoint, body: bytes, headers: dict[str, str], connection: str) -> bytes:
    head = [f"POST {endpoint.target} HTTP/1.1", f"Host: {endpoint.host_header}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += [f"Content-Length: {len(body)}", f"Connection: {connection}", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


def quiet(sock: socket.socket) -> bool:
    """Nothing to read on an idle connection: no close, no reset, no byte the endpoint sent unasked."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return False
    try:
        if hasattr(select, "poll"):  # any descriptor number, where select() stops at 1024
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _keeps_alive(response: Response) -> bool:
    return response.version == "HTTP/1.1" and "close" not in (response.header("connection") or "").lower()


def open_connection(endpoint: Endpoint, deadline: float) -> socket.socket:
    """Resolve, connect and (for https) shake hands before ``deadline``."""
    address = _resolve(endpoint, deadline)
    try:
        sock = socket.create_connection(address, timeout=_remaining(deadline))
    except ConnectionRefusedError:
        raise DeliveryError("refused", f"connection refused by {endpoint.address}") from None
    except TimeoutError:
        raise DeliveryError("timeout", f"no TCP connection to {endpoint.address} in time") from None
    except OSError as error:
        raise DeliveryError("refused", f"cannot connect to {endpoint.address}: {error}") from None
    if endpoint.scheme == "https":
        return _handshake(sock, endpoint, deadline)
    return sock


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _resolve(endpoint: Endpoint, deadline: float) -> tuple[str, int]:
    """getaddrinfo has no timeout of its own: run it in a daemon thread and stop waiting at the deadline. An address
    written as one (127.0.0.1, ::1, every delivery of a run on loopback) needs no lookup, nor a thread."""
    try:
        return str(ipaddress.ip_address(endpoint.host)), endpoint.port
    except ValueError:
        pass
    result: list[tuple[str, int]] = []
    failure: list[str] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
            address = infos[0][4]
            result.append((str(address[0]), int(address[1])))
        except OSError as error:
            failure.append(str(error))

    worker = threading.Thread(target=lookup, name="horneross-resolve", daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0))
    if result:
        return result[0]
    if failure:
        raise DeliveryError("dns", f"cannot resolve host {endpoint.host!r}: {failure[0]}")
    raise DeliveryError("timeout", f"resolving host {endpoint.host!r} took too long")


def _handshake(sock: socket.socket, endpoint: Endpoint, deadline: float) -> socket.socket:
    context = tls_context(endpoint.ca_bundle)
    tls = context.wrap_socket(sock, server_hostname=endpoint.host, do_handshake_on_connect=False)
    tls.setblocking(False)
    try:
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                _wait(tls, deadline, read=True)
            except ssl.SSLWantWriteError:
                _wait(tls, deadline, read=False)
    except ssl.SSLCertVerificationError as error:
        tls.close()
        raise DeliveryError("tls", f"TLS certificate of {endpoint.host} not trusted: {error.verify_message}") from None
    except (ssl.SSLError, OSError) as error:
        tls.close()
        raise DeliveryError("tls", f"TLS handshake with {endpoint.host} failed: {error}") from None
    except TimeoutError:
        tls.close()
        raise DeliveryError("timeout", f"TLS handshake with {endpoint.host} did not finish in time") from None
    tls.setblocking(True)
    return tls


def _wait(sock: socket.socket, deadline: float, read: bool) -> None:
    left = _remaining(deadline)
    readable, writable, _ = select.select([sock] if read else [], [] if read else [sock], [], left)
    if not readable and not writable:
        raise TimeoutError


def _send(sock: socket.socket, data: bytes, deadline: float, timeout: float) -> None:
    try:
        sock.settimeout(_remaining(deadline))
        sock.sendall(data)  # since Python 3.5 the timeout bounds the whole sendall
    except TimeoutError:
        raise DeliveryError(
            "timeout", f"the endpoint did not take the request within {timeout:g} s", connected=True
        ) from None
    except OSError as error:
        raise DeliveryError("reset", f"the connection broke while sending: {error}") from None


def _read_response(sock: socket.socket, deadline: float, timeout: float, reader: _Reader | None = None) -> Response:
    reader = reader if reader is not None else _Reader(sock, deadline, timeout)
    while True:
        status, reason, headers = _parse_head(reader)
        if status >= 200 or status == 101:
            break  # 1xx interim answers (100 Continue) are skipped
    response = Response(status, reason, headers)
    response.version = reader.version
    length = response.header("content-length")
    chunked = "chunked" in (response.header("transfer-encoding") or "").lower()
    if status in (101, 204, 304):  # no body
        return response
    if chunked:
        response.body = _read_chunked(reader)
    elif length is not None:
        if not _LENGTH.fullmatch(length.strip()):
            raise DeliveryError("protocol", f"the answer's Content-Length is not a length: {_quoted(length)}")
        response.body = reader.read_exact(int(length))
    else:
        response.body = reader.read_to_close()
        reader.whole = False  # read to the close: nothing left to keep
    return response


def _parse_head(reader: _Reader) -> tuple[int, str, list[tuple[str, str]]]:
    head = reader.read_until(b"\r\n\r\n", _MAX_HEAD)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not _STATUS.fullmatch(parts[1]):
        raise DeliveryError("protocol", f"the answer is not HTTP (no three-digit status): {_quoted(lines[0])}")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    reader.version = parts[0]
    # The reason phrase is for people only, and the endpoint chose it: kept inert (a bare LF, which the split on
    # CRLF leaves in it, or an escape sequence, would otherwise plant lines and colours in every message).
    return int(parts[1]), for_terminal(parts[2]) if len(parts) > 2 else "", headers


def _read_chunked(reader: _Reader) -> bytes:
    body = bytearray()
    while True:
        size_line = reader.read_until(b"\r\n", 1024).split(b";")[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_line):  # int(..., 16) would take "-1", " 1_0" and "0x10"
            raise DeliveryError("protocol", f"the answer's chunk size is not hexadecimal: {_quoted(size_line)}")
        size = int(size_line, 16)
        if size == 0:
            while reader.read_until(b"\r\n", _MAX_HEAD):  # trailer lines, up to the empty one
                pass
            return bytes(body)
        body += reader.read_exact(size)  # at most ANSWER_KEPT_BYTES of it
        if len(body) >= ANSWER_KEPT_BYTES:
            reader.whole = False
            return bytes(body[:ANSWER_KEPT_BYTES])  # enough kept: the rest of the answer is not read
        reader.read_exact(2)


def _quoted(text: str | bytes) -> str:
    """The start of what the endpoint sent, inert: quoted, its controls escaped, never a whole flood of it."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    return for_terminal(repr(text[:60]) + ("..." if len(text) > 60 else ""))


class _Reader:
    """Buffered reads from a socket where every read shares the request's deadline."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float) -> None:
        self.sock, self.deadline, self.timeout = sock, deadline, timeout
        self.buffer = bytearray()
        self.closed = False
        self.received = 0  # bytes of the answer received so far
        self.whole = True  # False once part of the answer was left unread: the connection cannot serve another
        self.version = ""  # the answer's HTTP version

    def _fill(self) -> None:
        if self.closed:
            raise DeliveryError("reset", "the connection closed before the answer was complete")
        try:
            self.sock.settimeout(_remaining(self.deadline))
            chunk = self.sock.recv(65536)
        except TimeoutError:
            what = "an answer" if not self.buffer else "the rest of the answer"
            raise DeliveryError(
                "timeout", f"no complete answer within {self.timeout:g} s (waited for {what})", connected=True
            ) from None
        except OSError as error:
            raise DeliveryError("reset", f"the connection broke while reading the answer: {error}") from None
        if not chunk:
            self.closed = True
        self.received += len(chunk)
        self.buffer += chunk

    def read_until(self, marker: bytes, limit: int) -> bytes:
        """The bytes before ``marker``; both are consumed."""
        while True:
            found = self.buffer.find(marker)
            if found >= 0:
                data = bytes(self.buffer[:found])
                del self.buffer[: found + len(marker)]
                return data
            if len(self.buffer) > limit:
                raise DeliveryError("protocol", "the answer's header section is too long")
            if self.closed and not self.buffer:
                raise DeliveryError("reset", "the connection closed without an answer")
            self._fill()

    def read_exact(self, size: int) -> bytes:
        keep = min(size, ANSWER_KEPT_BYTES)
        if keep < size:
            self.whole = False
        while len(self.buffer) < keep:
            self._fill()
        data = bytes(self.buffer[:keep])
        del self.buffer[:keep]
        return data

    def read_to_close(self) -> bytes:
        while not self.closed and len(self.buffer) < ANSWER_KEPT_BYTES:
            self._fill()
        return bytes(self.buffer[:ANSWER_KEPT_BYTES])
