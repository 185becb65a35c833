"""The HTTP side of ``listen``: requests read within bounds of size, time and number, whatever a client sends.

``listen`` is open to whatever can reach it, and a local receiver that one client can stall or bloat is useless for
the deliveries it is there to see. So every request is read under limits that hold whatever arrives:

- a head of at most 64 KiB, and a body of at most ``LISTEN_BODY_LIMIT``, with a Content-Length or chunked
  (chunk sizes are checked: ``-1``, ``1_0`` or 20 digits of them are a 400, not a read to the end of the stream);
- the whole request within ``REQUEST_TIME`` seconds, however slowly its bytes drip in;
- at most ``MAX_CONNECTIONS`` connections; at the limit a new one pushes out the oldest connection that has been
  waiting for or reading its request for more than ``GRACE`` seconds, so that a thousand slow clients cannot keep
  a real delivery from being read and answered (a burst of real deliveries, all fresh, waits its turn instead);
- bodies over ``SMALL_BODY`` held by at most ``LARGE_BODIES`` requests at a time, so that concurrent posts of the
  largest size cannot add up in memory.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus

from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import LISTEN_BODY_LIMIT

MAX_HEAD = 64 * 1024
MAX_CONNECTIONS = 256
REQUEST_TIME = 15.0  # seconds for a whole request to arrive, from the moment the connection waits for it
GRACE = 1.0  # seconds a connection may wait for or read its request before a newcomer may push it out
SMALL_BODY = 64 * 1024  # bodies up to this size are read at once by any number of connections
LARGE_BODIES = 2  # requests that may hold a larger body at the same time
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")  # at most 4 GiB: anything longer is over LISTEN_BODY_LIMIT anyway
_LENGTH = re.compile(r"[0-9]{1,18}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TARGET = re.compile(r"[\x21-\x7e]+")  # a request target: visible ASCII, as RFC 9112 has it


@dataclass(slots=True)
class Request:
    method: str
    target: str  # the path and query, as the client wrote it on the request line
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    keep_alive: bool = True

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)


# An answer: a status and a body; or, for the inspector's page, with headers of its own, and a body that may be a
# stream (server-sent events), written as it comes, on a connection closed at its end.
Answer = tuple[int, bytes] | tuple[int, bytes | Iterator[bytes], list[tuple[str, str]]]
Handle = Callable[[Request], Answer]


class _Refused(Exception):
    """The request cannot be read: answer ``status`` with the message, and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Gone(Exception):
    """The client closed, broke or ran out of time: nothing to answer."""


class _Connection:
    """One client's socket, read with a deadline per request; ``reading`` while it waits for or reads one."""

    def __init__(self, sock: socket.socket, large: threading.BoundedSemaphore) -> None:
        self.sock = sock
        self.large = large
        self.buffer = bytearray()
        self.deadline = 0.0
        self.reading = True
        self.since = time.monotonic()

    def _fill(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _Gone
        try:
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
        except OSError:  # a timeout, a reset, or a shutdown by the server pushing this connection out
            raise _Gone from None
        if not chunk:
            raise _Gone
        self.buffer += chunk

    def read_until(self, marker: bytes, limit: int, what: str) -> bytes:
        start = 0
        while (found := self.buffer.find(marker, start)) < 0:
            if len(self.buffer) > limit:
                raise _Refused(431 if what == "head" else 400, f"the {what} is longer than {limit} bytes")
            start = max(0, len(self.buffer) - len(marker) + 1)
            self._fill()
        if found > limit:
            raise _Refused(431 if what == "head" else 400, f"the {what} is longer than {limit} bytes")
        data = bytes(self.buffer[:found])
        del self.buffer[: found + len(marker)]
        return data

    def read_exact(self, size: int) -> bytes:
        if len(self.buffer) >= size:
            data = bytes(self.buffer[:size])
            del self.buffer[:size]
            return data
        # a large body is received in place, not grown chunk by chunk in the buffer and then copied
        received = bytearray(size)
        have = len(self.buffer)
        received[:have] = self.buffer
        self.buffer.clear()
        view = memoryview(received)
        while have < size:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Gone
            try:
                self.sock.settimeout(left)
                count = self.sock.recv_into(view[have:])
            except OSError:
                raise _Gone from None
            if not count:
                raise _Gone
            have += count
        view.release()
        return bytes(received)

    def read_request(self) -> Request:
        self.deadline = time.monotonic() + REQUEST_TIME
        while self.buffer[:2] == b"\r\n":  # a stray line break between requests is allowed
            del self.buffer[:2]
        head = self.read_until(b"\r\n\r\n", MAX_HEAD, "head").decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not _TARGET.fullmatch(parts[1]):
            raise _Refused(400, "the request line is not METHOD TARGET HTTP/1.1")
        if parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
            raise _Refused(505, "only HTTP/1.1 and HTTP/1.0 are spoken here")
        request = Request(parts[0], parts[1])
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.fullmatch(name):
                raise _Refused(400, "a header line is not NAME: VALUE")
            request.headers.append((name, value.strip(" \t")))
        connection = (request.header("connection") or "").lower()
        request.keep_alive = "close" not in connection and (parts[2] == "HTTP/1.1" or "keep-alive" in connection)
        request.body = self._body(request)
        return request

    def _body(self, request: Request) -> bytes:
        lengths = {value.strip() for name, value in request.headers if name.lower() == "content-length"}
        coding = request.header("transfer-encoding")
        if coding is not None:
            if lengths:
                raise _Refused(400, "both Content-Length and Transfer-Encoding: the body's end is ambiguous")
            if coding.strip().lower() != "chunked":
                raise _Refused(501, f"Transfer-Encoding {coding[:40]!r} is not supported; send chunked or a length")
            self._continue(request)
            return self._chunked()
        if not lengths:
            return b""
        length = lengths.pop()
        if lengths or not _LENGTH.fullmatch(length):
            raise _Refused(400, "Content-Length is not one number")
        size = int(length)
        if size > LISTEN_BODY_LIMIT:
            raise _Refused(413, f"the body is larger than {LISTEN_BODY_LIMIT} bytes")
        if size <= SMALL_BODY:
            self._continue(request)
            return self.read_exact(size)
        with self._large_body():
            self._continue(request)
            return self.read_exact(size)

    def _chunked(self) -> bytes:
        body = bytearray()
        large: _LargeBody | None = None
        try:
            while True:
                size_line = self.read_until(b"\r\n", 4096, "chunk size line").split(b";")[0].strip(b" \t")
                if not _CHUNK_SIZE.fullmatch(size_line):
                    raise _Refused(400, f"the chunk size {size_line[:20]!r} is not a hexadecimal number")
                size = int(size_line, 16)
                if size == 0:
                    trailers = 0
                    while line := self.read_until(b"\r\n", MAX_HEAD, "trailer"):  # up to the empty line
                        trailers += len(line) + 2
                        if trailers > MAX_HEAD:
                            raise _Refused(431, f"the trailers are longer than {MAX_HEAD} bytes")
                    return bytes(body)
                if len(body) + size > LISTEN_BODY_LIMIT:
                    raise _Refused(413, f"the chunked body is larger than {LISTEN_BODY_LIMIT} bytes")
                if large is None and len(body) + size > SMALL_BODY:
                    large = self._large_body()
                    large.__enter__()
                body += self.read_exact(size)
                if self.read_exact(2) != b"\r\n":
                    raise _Refused(400, "a chunk does not end with CRLF")
        finally:
            if large is not None:
                large.__exit__()

    def _large_body(self) -> _LargeBody:
        return _LargeBody(self.large, self.deadline)

    def _continue(self, request: Request) -> None:
        if (request.header("expect") or "").lower() == "100-continue":
            self.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def send(self, data: bytes) -> None:
        try:
            self.sock.settimeout(REQUEST_TIME)  # a client that does not read its answer is let go in time
            self.sock.sendall(data)
        except OSError:
            raise _Gone from None


class _LargeBody:
    """A place among the ``LARGE_BODIES`` requests allowed to hold a large body, waited for until the deadline."""

    def __init__(self, places: threading.BoundedSemaphore, deadline: float) -> None:
        self.places, self.deadline = places, deadline

    def __enter__(self) -> None:
        if not self.places.acquire(timeout=max(self.deadline - time.monotonic(), 0)):
            raise _Refused(503, "too many large bodies are being received at once; try again")

    def __exit__(self, *_: object) -> None:
        self.places.release()


def answer(
    status: int,
    body: bytes | None,
    keep_alive: bool,
    head_only: bool = False,
    headers: list[tuple[str, str]] | None = None,
) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    given = [f"{name}: {value}" for name, value in headers or []]
    lines = [
        f"HTTP/1.1 {status} {reason}".rstrip(),
        *(given or ["Content-Type: text/plain; charset=utf-8"]),
        *([f"Content-Length: {len(body)}"] if body is not None else []),
        *([] if keep_alive else ["Connection: close"]),
        "",
        "",
    ]
    return "\r\n".join(lines).encode("latin-1") + (b"" if head_only or body is None else body)


class BoundedServer:
    """Accepts connections on ``host:port`` and gives each complete request to ``handle``; ``answered`` is called
    once an answer is written."""

    def __init__(self, host: str, port: int, handle: Handle, answered: Callable[[], None]) -> None:
        self.listener = socket.create_server((host, port), backlog=1024)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self.handle, self.answered = handle, answered
        self._connections: list[_Connection] = []
        self._room = threading.Condition()
        self._large = threading.BoundedSemaphore(LARGE_BODIES)
        self._stop = threading.Event()

    def serve_forever(self) -> None:
        with self.listener:
            self._accept()

    def _accept(self) -> None:
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                time.sleep(0.01)  # out of file descriptors, say: let connections finish
                continue
            connection = _Connection(sock, self._large)
            self._admit(connection)
            threading.Thread(target=self._serve, args=(connection,), name="horneross-listen", daemon=True).start()

    def _admit(self, connection: _Connection) -> None:
        """Room for ``connection``. At the limit, the oldest connection that has waited for or read its request for
        longer than ``GRACE`` is pushed out (a slow client, or an idle one a sender kept alive); when there is none,
        the newcomer waits for room, and the connections after it wait in the system's backlog."""
        with self._room:
            while len(self._connections) >= MAX_CONNECTIONS and not self._stop.is_set():
                now = time.monotonic()
                slow = [c for c in self._connections if c.reading and now - c.since > GRACE]
                if slow:
                    oldest = min(slow, key=lambda c: c.since)
                    self._connections.remove(oldest)
                    _shut(oldest.sock)
                    break
                self._room.wait(0.05)
            self._connections.append(connection)

    def _serve(self, connection: _Connection) -> None:
        keep_alive = True
        try:
            while keep_alive and not self._stop.is_set():
                connection.reading, connection.since = True, time.monotonic()
                try:
                    request = connection.read_request()
                except _Refused as refused:
                    connection.send(answer(refused.status, f"{refused}\n".encode(), keep_alive=False))
                    return
                connection.reading = False
                headers: list[tuple[str, str]] | None = None
                try:
                    handled = self.handle(request)
                    status, body = handled[0], handled[1]
                    headers = handled[2] if len(handled) > 2 else None
                except Exception as error:  # a bug of the listener's: one line, and the client still gets an answer
                    print(f"horneross-conformance listen: internal error: {for_terminal(repr(error))}", file=sys.stderr)
                    status, body = 500, b"internal error of the listener\n"
                if not isinstance(body, bytes):  # a stream: its head, then each part as it comes, until it ends
                    connection.send(answer(status, None, keep_alive=False, headers=headers))
                    for part in body:
                        connection.send(part)
                    return
                keep_alive = request.keep_alive
                try:
                    connection.send(answer(status, body, keep_alive, request.method == "HEAD", headers))
                finally:  # a sender that hung up before the answer (--delay) still made a delivery: --count counts it
                    self.answered()
        except _Gone:
            pass
        finally:
            with self._room:
                if connection in self._connections:
                    self._connections.remove(connection)
                    self._room.notify()
            _shut(connection.sock)
            connection.sock.close()

    def shutdown(self) -> None:
        """Stop accepting, and let go of every connection that is not being answered."""
        self._stop.set()
        with self._room:
            for connection in self._connections:
                if connection.reading:
                    _shut(connection.sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading it
