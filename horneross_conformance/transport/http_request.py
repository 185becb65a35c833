"""One HTTP/1.1 request read off a connection within its ``RequestBounds``, whatever the client sends.

The head (request line and headers) is read before anything is handled: at most ``head`` bytes (431 above), a
request line and headers that are HTTP/1.x (400, 505). The body is read as the handler asks for it (``Body``), so
that a handler may answer from the head alone (a bridge call without its token) or read the body in pieces and
keep only its start (a capture): at most ``body`` bytes (413), its end found one way only (a Content-Length of
ASCII digits, or chunked, never both: 400, 501), chunk sizes checked (``-1``, ``1_0`` or 20 digits of them are a
400, not a read to the end of the stream), a body over ``small_body`` read by at most ``large_bodies`` requests at
a time (503 after waiting). Everything, head and body, arrives within ``request_time`` of the moment the
connection started to wait for it, however slowly its bytes drip in.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from horneross_conformance.core.limits import RequestBounds

_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")  # at most 4 GiB: anything longer is over every body bound anyway
_LENGTH = re.compile(r"[0-9]{1,18}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_TARGET = re.compile(r"[\x21-\x7e]+")  # a request target: visible ASCII, as RFC 9112 has it
_PIECE = 65536  # bytes asked of the socket at a time


class Refused(Exception):
    """The request cannot be read: answer ``status`` with the message, and close the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Gone(Exception):
    """The client closed, broke or ran out of time: nothing to answer."""


class Connection:
    """One client's socket, read with a deadline per request; ``reading`` while it waits for or reads one."""

    def __init__(self, sock: socket.socket, bounds: RequestBounds, large: threading.BoundedSemaphore) -> None:
        self.sock = sock
        self.bounds = bounds
        self.large = large
        self.buffer = bytearray()
        self.deadline = 0.0
        self.reading = True
        self.since = time.monotonic()

    def left(self) -> float:
        """Seconds left for the current request; ``Gone`` once there are none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Gone
        return left

    def fill(self) -> None:
        try:
            self.sock.settimeout(self.left())
            chunk = self.sock.recv(_PIECE)
        except OSError:  # a timeout, a reset, or a shutdown by the server pushing this connection out
            raise Gone from None
        if not chunk:
            raise Gone
        self.buffer += chunk

    def read_until(self, marker: bytes, limit: int, what: str) -> bytes:
        start = 0
        while (found := self.buffer.find(marker, start)) < 0:
            if len(self.buffer) > limit:
                raise Refused(431 if what == "head" else 400, f"the {what} is longer than {limit} bytes")
            start = max(0, len(self.buffer) - len(marker) + 1)
            self.fill()
        if found > limit:
            raise Refused(431 if what == "head" else 400, f"the {what} is longer than {limit} bytes")
        data = bytes(self.buffer[:found])
        del self.buffer[: found + len(marker)]
        return data

    def read_some(self, size: int) -> bytes:
        """Between 1 and ``size`` bytes: what the buffer holds, or one read of the socket."""
        if not self.buffer:
            self.fill()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
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
            try:
                self.sock.settimeout(self.left())
                count = self.sock.recv_into(view[have:])
            except OSError:
                raise Gone from None
            if not count:
                raise Gone
            have += count
        view.release()
        return bytes(received)

    def read_request(self) -> Request:
        """The next request's head, its body left to read (``Request.body``)."""
        self.deadline = time.monotonic() + self.bounds.request_time
        while self.buffer[:2] == b"\r\n":  # a stray line break between requests is allowed
            del self.buffer[:2]
        head = self.read_until(b"\r\n\r\n", self.bounds.head, "head").decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or not _TARGET.fullmatch(parts[1]):
            raise Refused(400, "the request line is not METHOD TARGET HTTP/1.1")
        if parts[2] not in ("HTTP/1.1", "HTTP/1.0"):
            raise Refused(505, "only HTTP/1.1 and HTTP/1.0 are spoken here")
        request = Request(parts[0], parts[1], parts[2])
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.fullmatch(name):
                raise Refused(400, "a header line is not NAME: VALUE")
            request.headers.append((name, value.strip(" \t")))
        connection = (request.header("connection") or "").lower()
        request.keep_alive = "close" not in connection and (parts[2] == "HTTP/1.1" or "keep-alive" in connection)
        request.body = Body(self, request)
        return request

    def send(self, data: bytes) -> None:
        try:
            self.sock.settimeout(self.bounds.request_time)  # a client that does not read its answer is let go in time
            self.sock.sendall(data)
        except OSError:
            raise Gone from None


@dataclass(slots=True, eq=False)
class Request:
    method: str
    target: str  # the path and query, as the client wrote it on the request line
    version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)  # as the client wrote them, in order
    keep_alive: bool = True
    body: Body = field(default=None)  # type: ignore[assignment]  # set by Connection.read_request
    socket: socket.socket | None = None  # the client's connection, to see it hang up (``client_gone``)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def read(self) -> bytes:
        """The whole body."""
        return self.body.read()

    def hung_up(self, wait: float) -> bool:
        """Whether the client has closed the connection, looking for up to ``wait`` seconds (measured by the
        kernel, not by a clock a test may have frozen). Bytes it sent after this request are no hang-up."""
        if self.socket is None:
            threading.Event().wait(wait)
            return False
        readable, _, _ = select.select([self.socket], [], [], wait)
        if not readable:
            return False
        try:
            if self.socket.recv(1, socket.MSG_PEEK) == b"":
                return True
        except (OSError, ValueError):  # reset; or a TLS socket, which cannot peek: taken as gone
            return True
        threading.Event().wait(wait)  # the next request's bytes: readable again at once, so wait here
        return False


class Body:
    """A request's body as the handler reads it, within the bounds: ``read(size)`` as a file's, ``read()`` all of
    it. A body that cannot be read raises ``Refused`` or ``Gone``, and remembers it (``failed``): the server
    answers that, whatever the handler made of the exception."""

    def __init__(self, connection: Connection, request: Request) -> None:
        self._connection = connection
        self._request = request
        self.failed: Refused | Gone | None = None
        self.size = 0  # bytes read so far
        self._started = False
        self._place: _LargeBody | None = None
        self._chunk_left = 0  # of the current chunk, chunked
        lengths = {value.strip() for name, value in request.headers if name.lower() == "content-length"}
        coding = request.header("transfer-encoding")
        self.chunked = coding is not None
        self.length: int | None = None  # the Content-Length; None when chunked
        # A body whose end cannot be found is refused when it is read: a handler may answer first, from the head
        # alone (the bridge's 411), and the connection is closed after any answer to it.
        self._unreadable: Refused | None = None
        if coding is not None:
            if lengths:
                self._unreadable = Refused(
                    400, "both Content-Length and Transfer-Encoding: the body's end is ambiguous"
                )
            elif coding.strip().lower() != "chunked":
                self._unreadable = Refused(
                    501, f"Transfer-Encoding {coding[:40]!r} is not supported; send chunked or a length"
                )
        elif lengths:
            length = lengths.pop()
            if lengths or not _LENGTH.fullmatch(length):
                self._unreadable = Refused(400, "Content-Length is not one number")
            else:
                self.length = int(length)
        self.done = not self.chunked and not self.length and self._unreadable is None  # the whole body was read

    def read(self, size: int = -1) -> bytes:
        if self.failed is not None:
            raise self.failed
        if self.done or size == 0:
            return b""
        try:
            return self._read(size)
        except (Refused, Gone) as error:
            self.failed = error
            self._release()
            raise

    def readline(self, size: int = -1) -> bytes:
        """A line, as WSGI's input has it: read a byte at a time from what the buffer holds (rarely called)."""
        line = bytearray()
        while (size < 0 or len(line) < size) and not line.endswith(b"\n") and (byte := self.read(1)):
            line += byte
        return bytes(line)

    def _read(self, size: int) -> bytes:
        if self._unreadable is not None:
            raise self._unreadable
        connection = self._connection
        limit = connection.bounds.body
        connection.reading = True
        try:
            if self.chunked:
                return self._read_chunked(size, limit)
            assert self.length is not None
            if not self._started:
                if self.length > limit:
                    raise Refused(413, f"the body is larger than {limit} bytes")
                if self.length > connection.bounds.small_body:
                    self._take_place()
                self._start()
            left = self.length - self.size
            data = connection.read_exact(left) if size < 0 or size >= left else connection.read_some(size)
            self.size += len(data)
            if self.size == self.length:
                self._end()
            return data
        finally:
            connection.reading = False

    def _read_chunked(self, size: int, limit: int) -> bytes:
        connection = self._connection
        self._start()
        pieces = bytearray()
        while not self.done and (size < 0 or len(pieces) < size):
            if self._chunk_left == 0:
                if pieces and size >= 0 and not connection.buffer:
                    break  # what has come so far, rather than wait for the next chunk
                self._next_chunk(limit)
                continue
            want = self._chunk_left if size < 0 else min(self._chunk_left, size - len(pieces))
            data = connection.read_exact(want) if size < 0 else connection.read_some(want)
            pieces += data
            self._chunk_left -= len(data)
            if self._chunk_left == 0 and connection.read_exact(2) != b"\r\n":
                raise Refused(400, "a chunk does not end with CRLF")
        return bytes(pieces)

    def _next_chunk(self, limit: int) -> None:
        connection = self._connection
        size_line = connection.read_until(b"\r\n", 4096, "chunk size line").split(b";")[0].strip(b" \t")
        if not _CHUNK_SIZE.fullmatch(size_line):
            raise Refused(400, f"the chunk size {size_line[:20]!r} is not a hexadecimal number")
        size = int(size_line, 16)
        if size == 0:
            trailers = 0
            while line := connection.read_until(b"\r\n", connection.bounds.head, "trailer"):  # up to the empty line
                trailers += len(line) + 2
                if trailers > connection.bounds.head:
                    raise Refused(431, f"the trailers are longer than {connection.bounds.head} bytes")
            self._end()
            return
        if self.size + size > limit:
            raise Refused(413, f"the chunked body is larger than {limit} bytes")
        if self._place is None and self.size + size > connection.bounds.small_body:
            self._take_place()
        self.size += size  # counted when announced: the bound holds before the bytes are read
        self._chunk_left = size

    def close(self) -> None:
        """The handler is done with the body, read or not: its place among the large bodies is free."""
        self._release()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            if (self._request.header("expect") or "").lower() == "100-continue":
                self._connection.send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _take_place(self) -> None:
        place = _LargeBody(self._connection.large, self._connection.deadline)
        place.enter()
        self._place = place

    def _end(self) -> None:
        self.done = True
        self._release()

    def _release(self) -> None:
        if self._place is not None:
            self._place.leave()
            self._place = None


class _LargeBody:
    """A place among the ``large_bodies`` requests allowed to read a large body, waited for until the deadline."""

    def __init__(self, places: threading.BoundedSemaphore, deadline: float) -> None:
        self.places, self.deadline = places, deadline

    def enter(self) -> None:
        if not self.places.acquire(timeout=max(self.deadline - time.monotonic(), 0)):
            raise Refused(503, "too many large bodies are being received at once; try again")

    def leave(self) -> None:
        self.places.release()
