"""Deliveries to one endpoint over connections kept open between them, and when one is sent again.

Opening a connection costs a round trip (two or three with TLS) before a delivery can go: across a network, as much
again as the delivery itself. ``Connections`` keeps the connections an endpoint keeps (an HTTP/1.1 answer without
``Connection: close``, read to its end and nothing after it) and sends the next deliveries on them. A delivery on a
kept connection must be judged exactly as one on a new connection, so a connection that waited (one the endpoint may
have closed while idle: a stale connection) is used by this rule:

- it waits at most ``IDLE_LIMIT`` seconds, and at most half the ``Keep-Alive: timeout=N`` the endpoint announces:
  well within every common server's idle timeout (Node 5 s, uvicorn 5 s, Apache 5 s, gunicorn 2 s, nginx 75 s), so
  that no idle timeout ends it while a delivery is on its way;
- before it is used it must be quiet: anything to read on it (a close, a reset, or bytes the endpoint sent unasked,
  such as a 408) ends it unused, and the delivery goes on a new connection: nothing of it was sent;
- if sending on it breaks before the whole request went, and no byte of an answer came, the endpoint never had the
  request: it goes once more, on a new connection, within the same deadline;
- if the whole request went and the endpoint closed the connection before any byte of an answer, it cannot be told
  whether the endpoint closed it unread (a close that crossed the request: an endpoint that closes kept connections
  without saying so, at once or when idle) or after acting on it. On a new connection the first would have been
  answered, so the delivery goes once more, on a new connection, and its exchange says so. But a second copy may be
  a redelivery to the endpoint (RCV-06's subject; RFC 9110, 9.2.2, retries no POST it cannot prove unapplied), so
  from then on every delivery to that endpoint goes on a new connection, as before connections were kept: only the
  deliveries under way on kept connections at that moment can go twice, in practice one a run. A new connection
  closed without an answer is no answer, as always.

The rest is ``client.post``'s: one deadline for every step (connecting included), at most ``ANSWER_KEPT_BYTES`` of an
answer kept, redirects never followed, an early answer (413 to a body the endpoint stopped reading) read as the answer.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from dataclasses import dataclass, replace

from horneross_conformance.transport.client import (
    DeliveryError,
    Response,
    _keeps_alive,
    _Reader,
    _request,
    exchange,
    open_connection,
    quiet,
)
from horneross_conformance.transport.endpoints import Endpoint

IDLE_LIMIT = 1.0  # seconds a kept connection may wait for its next delivery
SENT_AGAIN = "sent again on a new connection: the kept one closed before any byte of an answer"
KEPT_AT_MOST = 64  # idle connections kept at once: more than any number of deliveries in flight the suite chooses
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux's; elsewhere acknowledgements may wait
_ANNOUNCED = re.compile(r"(?:^|[\s,;])timeout\s*=\s*([0-9]{1,9})(?![0-9])", re.IGNORECASE)


class _NotReceived(Exception):
    """A kept connection broke before the endpoint had the whole request, and nothing of an answer came."""


class _Unanswered(Exception):
    """A kept connection closed after the whole request went, before any byte of an answer came."""


class _Acknowledging(_Reader):
    """``client._Reader`` that acknowledges at once each part of the answer it receives. A server that writes an
    answer's head and body apart without ``TCP_NODELAY`` (Python's http.server; uvicorn as served here) holds the
    body until the head is acknowledged, and Linux acknowledges 40 ms late when it has nothing to send: 40 ms more
    on every delivery on a kept connection (on one the server closes after its answer, the close sends it all)."""

    def _fill(self) -> None:
        if _QUICKACK is not None:
            with contextlib.suppress(OSError):
                self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        super()._fill()


@dataclass(slots=True)
class _Idle:
    sock: socket.socket
    until: float  # monotonic time past which it is not used again


class Connections:
    """The connections kept open to ``endpoint`` between deliveries, shared by every thread of a run. ``opened`` and
    ``reused`` count the connections opened and the deliveries sent on a kept one; ``keeping`` turns false once a
    kept connection closed unanswered after a whole request went on it."""

    def __init__(self, endpoint: Endpoint, kept_at_most: int = KEPT_AT_MOST) -> None:
        self.endpoint = endpoint
        self._kept_at_most = kept_at_most
        self._idle: list[_Idle] = []
        self._lock = threading.Lock()
        self._closed = False
        self.keeping = True
        self.opened = 0
        self.reused = 0

    def post(self, body: bytes, headers: dict[str, str], timeout: float, target: str | None = None) -> Response:
        """``client.post`` on a kept connection when there is one (the rule above), else on a new one that is kept
        if the endpoint keeps it. ``target``: another path (and query) at the same address than the endpoint's own,
        as a sender harness answers each call at a path of its own. Raises ``DeliveryError``; never takes much
        longer than ``timeout``."""
        started = time.monotonic()
        deadline = started + timeout
        endpoint = self.endpoint if target is None else replace(self.endpoint, target=target)
        request = _request(endpoint, body, headers, "keep-alive")
        sock = self._take()
        again = False
        if sock is not None:
            try:
                return self._exchange(sock, request, started, deadline, timeout, reused=True)
            except _NotReceived:
                pass  # the endpoint never had it: a new connection, as a delivery that found no kept one
            except _Unanswered:
                self._stop_keeping()
                again = True
        try:
            sock = open_connection(self.endpoint, deadline)
            with self._lock:
                self.opened += 1
            response = self._exchange(sock, request, started, deadline, timeout, reused=False)
        except DeliveryError as error:
            if not again:
                raise
            raise DeliveryError(error.kind, f"{error} ({SENT_AGAIN})", error.connected) from None
        response.sent_again = again
        return response

    def _stop_keeping(self) -> None:
        """No connection kept from now on: the endpoint closes them without saying so."""
        with self._lock:
            self.keeping = False
        self._close_idle()

    def _close_idle(self) -> None:
        """Close the connections waiting for a delivery (``_give`` keeps no more once ``keeping`` or ``_closed``
        says so)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for each in idle:
            each.sock.close()

    def _exchange(
        self, sock: socket.socket, request: bytes, started: float, deadline: float, timeout: float, reused: bool
    ) -> Response:
        reader = _Acknowledging(sock, deadline, timeout)
        sending = time.monotonic()
        try:
            try:
                response, answered_early = exchange(sock, request, deadline, timeout, reader)
            except DeliveryError as error:
                if reused and not reader.received and not error.sent_whole and error.kind == "reset":
                    raise _NotReceived from None
                if reused and not reader.received and error.sent_whole and error.kind == "reset":
                    raise _Unanswered from None
                raise
            # an answer before the whole request was read leaves what is left of the request on the connection
            keep = not answered_early and reader.whole and not reader.buffer and _keeps_alive(response)
        except BaseException:
            sock.close()
            raise
        now = time.monotonic()
        response.elapsed, response.round_trip = now - started, now - sending
        if keep:
            self._give(sock, _keep_for(response))
        else:
            sock.close()
        return response

    def _take(self) -> socket.socket | None:
        """The most recently kept connection that is still fit for a delivery; the others are closed."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                idle = self._idle.pop()
            if time.monotonic() < idle.until and quiet(idle.sock):
                with self._lock:
                    self.reused += 1
                return idle.sock
            idle.sock.close()

    def _give(self, sock: socket.socket, keep_for: float) -> None:
        with self._lock:
            if self.keeping and not self._closed and keep_for > 0 and len(self._idle) < self._kept_at_most:
                self._idle.append(_Idle(sock, time.monotonic() + keep_for))
                return
        sock.close()

    def close(self) -> None:
        """Close every kept connection; the connections of deliveries under way close when they end."""
        with self._lock:
            self._closed = True
        self._close_idle()


def _keep_for(response: Response) -> float:
    """How long the connection of ``response`` may wait for the next delivery: ``IDLE_LIMIT``, or half the idle
    timeout the endpoint announced (``Keep-Alive: timeout=5``) when that is less."""
    announced = _ANNOUNCED.search(response.header("keep-alive") or "")
    return IDLE_LIMIT if announced is None else min(IDLE_LIMIT, int(announced.group(1)) / 2)
