"""The toolkit's one HTTP/1.1 server, bounded in size, time and number whatever its clients send.

Every server of the toolkit runs on it, each with the ``RequestBounds`` of its use (``core.limits``): ``listen``
and its inspector page, the sender suite's capture servers, the sender harness bridge, and the reference receiver
with any WSGI app (``transport.server.serve``). Each is open to whatever can reach it, a sender under test or a
web page included, and a server that one client can stall or bloat is useless for the requests it is there for:

- each request is read within the bounds of its use (``transport.http_request``): its head, its body as the
  handler reads it, the whole request within ``request_time``;
- at most ``connections`` connections; at the limit a new one pushes out the oldest connection that has been
  waiting for or reading its request for more than ``grace`` seconds, so that a thousand slow clients cannot keep
  a real request from being read and answered (a burst of real requests, all fresh, waits its turn instead);
- each connection on a thread of its own, so that a handler that holds its answer (a capture's held delivery, a
  bridge call waiting for its sender) holds no other; kept alive between requests when both sides want it and the
  body was read to its end, closed otherwise, after a short drain of what follows so that the answer arrives.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import RequestBounds
from horneross_conformance.transport.http_request import Connection, Gone, Refused, Request

LINGER_SECONDS = 1.0  # after an answer to a request whose body was not read: how long what follows is drained
LINGER_BYTES = 1024 * 1024  # and how much of it, so that closing does not reset the answer away


@dataclass(slots=True)
class Reply:
    """An answer: a status, a body (bytes, or parts written as they come), the headers (``None``: plain text),
    the reason phrase (``None``: the status's usual one)."""

    status: int
    body: bytes | Iterable[bytes] = b""
    headers: list[tuple[str, str]] | None = None
    reason: str | None = None


# What a handler returns: a status and a body; or, for the inspector's page, with headers of its own, and a body
# that may be a stream (server-sent events), written as it comes, on a connection closed at its end; or a Reply.
Answer = tuple[int, bytes] | tuple[int, bytes | Iterator[bytes], list[tuple[str, str]]] | Reply
Handle = Callable[[Request], Answer]


def _as_reply(answer: Answer) -> Reply:
    if isinstance(answer, Reply):
        return answer
    return Reply(answer[0], answer[1], answer[2] if len(answer) > 2 else None)


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def head(reply: Reply, length: int | None, keep_alive: bool) -> bytes:
    """The status line and headers of ``reply``: a Content-Length when ``length`` is known and the headers give
    none, and ``Connection: close`` when the connection ends after it."""
    reason = phrase(reply.status) if reply.reason is None else reply.reason
    given = reply.headers if reply.headers is not None else [("Content-Type", "text/plain; charset=utf-8")]
    lines = [f"HTTP/1.1 {reply.status} {reason}".rstrip(), f"Date: {formatdate(usegmt=True)}"]
    lines += [f"{name}: {value}" for name, value in given]
    if length is not None and _declared(given) is None:
        lines.append(f"Content-Length: {length}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _declared(headers: list[tuple[str, str]]) -> int | None:
    length = next((value for name, value in headers if name.lower() == "content-length"), None)
    return int(length) if length is not None and length.isascii() and length.isdigit() else None


class BoundedServer:
    """Accepts connections on ``host:port`` and gives each request to ``handle`` as soon as its head is read.
    ``answered`` is called once an answer is written; ``tls`` serves https; ``keep_alive=False`` closes every
    connection after its first answer; ``name`` starts the line a handler's failure prints on stderr."""

    def __init__(
        self,
        host: str,
        port: int,
        handle: Handle,
        bounds: RequestBounds,
        *,
        answered: Callable[[], None] | None = None,
        tls: ssl.SSLContext | None = None,
        keep_alive: bool = True,
        name: str = "horneross-conformance",
    ) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        dualstack = family == socket.AF_INET6 and host == "::" and socket.has_dualstack_ipv6()
        self.listener = socket.create_server((host, port), family=family, backlog=1024, dualstack_ipv6=dualstack)
        self.address: tuple[str, int] = self.listener.getsockname()[:2]
        self.handle, self.bounds, self.tls, self.keep_alive, self.name = handle, bounds, tls, keep_alive, name
        self.answered = answered or (lambda: None)
        self._connections: list[Connection] = []
        self._room = threading.Condition()
        self._large = threading.BoundedSemaphore(bounds.large_bodies)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.address[1]

    def start(self) -> None:
        """Serve on a thread of its own until ``stop``."""
        self._thread = threading.Thread(target=self.serve_forever, name=f"{self.name} accept", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """``shutdown``, and wait until the port is free again."""
        self.shutdown()
        if self._thread is not None:
            self._thread.join(5)
        self.listener.close()

    def serve_forever(self) -> None:
        with self.listener:
            self._accept()

    def _accept(self) -> None:
        self.listener.settimeout(0.5)  # shutdown wakes accept at once; the timeout is only a second way out
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
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # an answer's parts leave at once
            connection = Connection(sock, self.bounds, self._large)
            self._admit(connection)
            threading.Thread(target=self._serve, args=(connection,), name=self.name, daemon=True).start()

    def _admit(self, connection: Connection) -> None:
        """Room for ``connection``. At the limit, the oldest connection that has waited for or read its request for
        longer than ``grace`` is pushed out (a slow client, or an idle one a client kept alive); when there is none,
        the newcomer waits for room, and the connections after it wait in the system's backlog."""
        with self._room:
            while len(self._connections) >= self.bounds.connections and not self._stop.is_set():
                now = time.monotonic()
                slow = [c for c in self._connections if c.reading and now - c.since > self.bounds.grace]
                if slow:
                    oldest = min(slow, key=lambda c: c.since)
                    self._connections.remove(oldest)
                    _shut(oldest.sock)
                    break
                self._room.wait(0.05)
            self._connections.append(connection)

    def _serve(self, connection: Connection) -> None:
        try:
            if self.tls is not None:
                connection.sock = self._handshake(connection.sock)
            keep_alive = True
            while keep_alive and not self._stop.is_set():
                connection.reading, connection.since = True, time.monotonic()
                try:
                    request = connection.read_request()
                except Refused as refused:
                    connection.send(_refusal(refused))
                    _linger(connection)
                    return
                connection.reading = False
                request.socket = connection.sock
                keep_alive = self._answer(connection, request)
        except Gone:
            pass
        finally:
            with self._room:
                if connection in self._connections:
                    self._connections.remove(connection)
                    self._room.notify()
            _shut(connection.sock)
            connection.sock.close()

    def _handshake(self, sock: socket.socket) -> socket.socket:
        assert self.tls is not None
        try:
            sock.settimeout(self.bounds.request_time)
            return self.tls.wrap_socket(sock, server_side=True)
        except (OSError, ValueError):
            raise Gone from None

    def _answer(self, connection: Connection, request: Request) -> bool:
        """Answer ``request``; whether the connection may carry another."""
        body = request.body
        try:
            try:
                reply: Reply | None = _as_reply(self.handle(request))
            except (Refused, Gone):
                reply = None  # its body could not be read: body.failed says why
            except Exception as error:  # a handler's bug: one line, and the client still gets an answer
                print(f"{self.name}: internal error: {for_terminal(repr(error))}", file=sys.stderr)
                reply = Reply(500, b"internal error of the server\n")
        finally:
            body.close()
        if isinstance(body.failed, Refused):
            connection.send(_refusal(body.failed))
            _linger(connection)
            return False
        if reply is None:  # the client is gone
            raise Gone
        keep_alive = request.keep_alive and self.keep_alive and body.done
        try:
            kept = self._write(connection, request, reply, keep_alive)
        finally:  # a client that hung up before the answer (listen --delay) still made a request: it counts
            self.answered()
        if not body.done:
            _linger(connection)
            return False
        return kept

    def _write(self, connection: Connection, request: Request, reply: Reply, keep_alive: bool) -> bool:
        bodiless = request.method == "HEAD" or reply.status in (204, 304) or reply.status < 200
        if isinstance(reply.body, bytes | bytearray):
            connection.send(head(reply, len(reply.body), keep_alive) + (b"" if bodiless else bytes(reply.body)))
            return keep_alive
        # a stream: kept alive only when its headers declare its length, and it has exactly that
        declared = _declared(reply.headers or [])
        keep_alive = keep_alive and (declared is not None or bodiless)
        parts = iter(reply.body)
        sent = 0
        try:
            connection.send(head(reply, None, keep_alive))
            if not bodiless:
                for part in parts:
                    connection.send(part)
                    sent += len(part)
        except Gone:
            raise
        except Exception as error:  # the stream failed after its head: nothing to do but close
            print(f"{self.name}: internal error: {for_terminal(repr(error))}", file=sys.stderr)
            return False
        finally:
            close = getattr(reply.body, "close", None)
            if close is not None:
                close()
        return keep_alive and (bodiless or sent == declared)

    def shutdown(self) -> None:
        """Stop accepting, and let go of every connection that is not being answered."""
        self._stop.set()
        _shut(self.listener)  # wakes the accept
        with self._room:
            for connection in self._connections:
                if connection.reading:
                    _shut(connection.sock)


def _refusal(refused: Refused) -> bytes:
    message = f"{refused}\n".encode()
    return head(Reply(refused.status), len(message), False) + message


def _linger(connection: Connection) -> None:
    """Close the writing side, then read what the client still sends for a moment: a socket closed with unread
    bytes is reset, and a reset can destroy the answer before the client reads it (a 413 to a large body). The
    connection counts as reading meanwhile: at the limit, a newcomer may push it out at once."""
    sock = connection.sock
    connection.reading, connection.since = True, 0.0
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        drained = 0
        while drained < LINGER_BYTES and (left := deadline - time.monotonic()) > 0:
            sock.settimeout(left)
            chunk = sock.recv(65536)
            if not chunk:
                return
            drained += len(chunk)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked reading it
