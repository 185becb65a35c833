"""Deliveries over kept connections: reused while the endpoint keeps them, and a delivery on one judged exactly as on a
new connection: a connection the endpoint closed while idle is never used, a request that did not go whole goes once
more on a new connection, and one closed unanswered after it went whole goes once more too, after which no connection
is kept, so that no other delivery can go twice."""

from __future__ import annotations

import select
import socket
import ssl
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from counting_servers import Counting, HugeAnswers, OldServer, counting_server
from receivers import CERTIFICATE, raw_endpoint

from horneross_conformance.transport import connections
from horneross_conformance.transport.client import DeliveryError, Response
from horneross_conformance.transport.connections import Connections, _keep_for
from horneross_conformance.transport.endpoints import parse_endpoint

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK"
Act = Callable[[int, int, socket.socket], bool]  # connection number, request number on it, the connection: go on?


def kept_to(url: str) -> Connections:
    return Connections(parse_endpoint(url))


def deliver(kept: Connections, body: bytes = b"{}", timeout: float = 5) -> Response:
    return kept.post(body, {"Content-Type": "application/json"}, timeout)


class Script:
    """A raw endpoint that reads whole requests (head and Content-Length body) and does, on connection N, request M,
    what ``act(N, M, connection)`` does; it counts the connections and the requests it received whole."""

    def __init__(self, act: Act) -> None:
        self.act = act
        self.connections = 0
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, connection: socket.socket, stop: threading.Event) -> None:
        with self.lock:
            self.connections += 1
            number = self.connections
        connection.settimeout(5)
        buffer = b""
        with connection:
            for request in range(1, 100):
                while b"\r\n\r\n" not in buffer:
                    chunk = _recv(connection)
                    if not chunk:
                        return
                    buffer += chunk
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                length = next(
                    int(line[15:]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
                )
                while len(buffer) < length:
                    chunk = _recv(connection)
                    if not chunk:
                        return
                    buffer += chunk
                body, buffer = buffer[:length], buffer[length:]
                with self.lock:
                    self.requests.append(body)
                if not self.act(number, request, connection):
                    return


def _recv(connection: socket.socket) -> bytes:
    try:
        return connection.recv(65536)
    except OSError:
        return b""


@contextmanager
def scripted(act: Act) -> Iterator[tuple[str, Script]]:
    script = Script(act)
    with raw_endpoint(script) as url:
        yield url, script


def answer_then(close: str) -> Act:
    """Answer each connection's first request, then close it: ``close``: "fin" (an idle timeout's ordinary close) or
    "reset" (an abortive one)."""

    def act(number: int, request: int, connection: socket.socket) -> bool:
        connection.sendall(OK)
        if close == "reset":
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        return False

    return act


def wait_for_the_close(kept: Connections) -> socket.socket:
    """The one idle connection, once the endpoint's close has reached it."""
    idle = kept._idle[0].sock
    readable, _, _ = select.select([idle], [], [], 5)
    assert readable, "the endpoint's close did not arrive"
    return idle


def test_deliveries_share_a_kept_connection_while_the_endpoint_keeps_it() -> None:
    with counting_server() as server:
        kept = kept_to(f"http://127.0.0.1:{server.server_port}/webhook")
        answers = [deliver(kept) for _ in range(5)]
        kept.close()
    assert [a.status for a in answers] == [200] * 5 and answers[-1].body == b'{"ok":true}'
    assert server.connections == 1  # type: ignore[attr-defined]
    assert (kept.opened, kept.reused) == (1, 4)
    assert all(0 < a.round_trip <= a.elapsed for a in answers)


def test_requests_to_other_paths_of_the_address_share_the_kept_connection_each_on_its_own_path() -> None:
    """As a sender harness is called: each call at a path of its own, one connection for them all."""
    with counting_server() as server:
        kept = kept_to(f"http://127.0.0.1:{server.server_port}/harness")
        answers = [kept.post(b"{}", {}, 5, target=f"/harness/{call}") for call in ("senders", "emit", "run_due")]
        answers.append(deliver(kept))  # the endpoint's own target when none is given
        kept.close()
    assert [a.status for a in answers] == [200] * 4
    assert server.paths == ["/harness/senders", "/harness/emit", "/harness/run_due", "/harness"]  # type: ignore[attr-defined]
    assert server.connections == 1 and (kept.opened, kept.reused) == (1, 3)  # type: ignore[attr-defined]


class _AnnouncesNoIdleTime(Counting):
    def end_headers(self) -> None:
        self.send_header("Keep-Alive", "timeout=0")
        super().end_headers()


class _SaysClose(Counting):
    def end_headers(self) -> None:
        self.send_header("Connection", "close")
        super().end_headers()


@pytest.mark.parametrize(
    "handler",
    [OldServer, HugeAnswers, _SaysClose, _AnnouncesNoIdleTime],
    ids=["HTTP/1.0", "answer cut", "Connection: close", "Keep-Alive: timeout=0"],
)
def test_a_connection_the_endpoint_does_not_keep_or_that_holds_unread_bytes_is_not_reused(
    handler: type[Counting],
) -> None:
    with counting_server(handler) as server:
        kept = kept_to(f"http://127.0.0.1:{server.server_port}/webhook")
        answers = [deliver(kept) for _ in range(3)]
    assert [a.status for a in answers] == [200] * 3
    assert server.connections == 3 and kept.reused == 0  # type: ignore[attr-defined]
    assert kept._idle == []


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 1.0),
        ("timeout=5", 1.0),  # Node's default: 5 s
        ("timeout=1", 0.5),
        ("timeout=1, max=100", 0.5),
        ("max=3,timeout=0", 0.0),  # not kept at all
        ("timeout=abc", 1.0),
        ("xtimeout=1", 1.0),
    ],
)
def test_a_kept_connection_waits_at_most_a_second_and_half_the_idle_time_the_endpoint_announces(
    header: str | None, seconds: float
) -> None:
    response = Response(200, "OK", [("Keep-Alive", header)] if header is not None else [])
    assert _keep_for(response) == seconds


def test_a_connection_kept_past_its_time_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections, "IDLE_LIMIT", 0.0)  # past its time as soon as it is kept
    with counting_server() as server:
        kept = kept_to(f"http://127.0.0.1:{server.server_port}/webhook")
        assert [deliver(kept).status for _ in range(3)] == [200] * 3
    assert server.connections == 3 and kept.reused == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("close", ["fin", "reset"])
def test_a_connection_the_endpoint_closed_while_idle_is_not_used_and_the_delivery_goes_once(close: str) -> None:
    with scripted(answer_then(close)) as (url, script):
        kept = kept_to(url)
        assert deliver(kept, b'{"n":1}').status == 200
        wait_for_the_close(kept)
        assert deliver(kept, b'{"n":2}').status == 200
        kept.close()
    assert script.requests == [b'{"n":1}', b'{"n":2}']  # each once
    assert script.connections == 2 and kept.reused == 0


def test_a_request_that_did_not_go_whole_on_a_kept_connection_goes_once_more_on_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The endpoint reset the connection while idle, and the reset came just after the connection was found quiet:
    sending breaks, no byte of an answer comes, and the endpoint never had the request."""
    with scripted(answer_then("reset")) as (url, script):
        kept = kept_to(url)
        assert deliver(kept, b'{"n":1}').status == 200
        wait_for_the_close(kept)
        monkeypatch.setattr(connections, "quiet", lambda sock: True)  # the reset raced the check
        assert deliver(kept, b'{"n":2}').status == 200
        kept.close()
    assert script.requests == [b'{"n":1}', b'{"n":2}']
    assert script.connections == 2 and kept.reused == 1


@pytest.mark.parametrize("close", ["fin", "reset"])
def test_a_kept_connection_closed_unanswered_after_the_whole_request_went_sends_it_again_and_keeps_none_after(
    close: str,
) -> None:
    """The endpoint closed the kept connection as the request arrived, after answering the first (it closes them
    without saying so, or its close crossed the request): on a new connection it would have answered, so the delivery
    goes once more there, says so, and from then on no connection is kept: no other delivery can go twice."""

    def act(number: int, request: int, connection: socket.socket) -> bool:
        if number == 1 and request == 2:
            if close == "reset":
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False  # read whole, closed without an answer
        connection.sendall(OK)
        return True

    with scripted(act) as (url, script):
        kept = kept_to(url)
        assert not deliver(kept, b'{"n":1}').sent_again
        again = deliver(kept, b'{"n":2}')
        after = [deliver(kept, b'{"n":3}'), deliver(kept, b'{"n":4}')]
        kept.close()
    assert again.status == 200 and again.sent_again
    assert [a.sent_again for a in after] == [False, False]
    assert script.requests == [b'{"n":1}', b'{"n":2}', b'{"n":2}', b'{"n":3}', b'{"n":4}']
    assert not kept.keeping and kept.reused == 1 and script.connections == 4  # each delivery after on its own


def test_an_endpoint_that_closes_each_connection_after_its_answer_without_saying_so_answers_every_delivery() -> None:
    """HTTP/1.1 answers without ``Connection: close``, each connection closed right after: the close found before a
    delivery, or crossing it, never turns into no answer, and at most one delivery goes twice."""
    with scripted(answer_then("fin")) as (url, script):
        kept = kept_to(url)
        answers = [deliver(kept, b'{"n":%d}' % n) for n in range(30)]
        kept.close()
    assert [a.status for a in answers] == [200] * 30
    # the one sent again is, here, one the endpoint closed the connection on unread: it had it once
    assert sum(a.sent_again for a in answers) <= 1 and 30 <= len(script.requests) <= 31


def test_a_new_connection_closed_unanswered_is_no_answer_and_not_sent_again() -> None:
    def act(number: int, request: int, connection: socket.socket) -> bool:
        return False  # every request read whole, closed without an answer

    with scripted(act) as (url, script), pytest.raises(DeliveryError) as error:
        deliver(kept_to(url), b'{"n":1}')
    assert error.value.kind == "reset" and str(error.value) == "the connection closed without an answer"
    assert script.requests == [b'{"n":1}']


def test_a_delivery_sent_again_that_gets_no_answer_either_says_it_went_again() -> None:
    def act(number: int, request: int, connection: socket.socket) -> bool:
        if number == 1 and request == 1:
            connection.sendall(OK)
            return True
        return False  # the kept connection and the new one alike: closed without an answer

    with scripted(act) as (url, script):
        kept = kept_to(url)
        deliver(kept, b'{"n":1}')
        with pytest.raises(DeliveryError) as error:
            deliver(kept, b'{"n":2}')
    assert str(error.value) == f"the connection closed without an answer ({connections.SENT_AGAIN})"
    assert script.requests == [b'{"n":1}', b'{"n":2}', b'{"n":2}']


def test_a_kept_connection_whose_endpoint_then_never_answers_ends_at_the_deadline() -> None:
    stop = threading.Event()

    def act(number: int, request: int, connection: socket.socket) -> bool:
        if request == 1:
            connection.sendall(OK)
            return True
        stop.wait(10)  # never answers the second: holds it until the test ends
        return False

    with scripted(act) as (url, script):
        kept = kept_to(url)
        deliver(kept)
        with pytest.raises(DeliveryError) as error:
            deliver(kept, timeout=0.3)
        stop.set()
    assert error.value.kind == "timeout" and error.value.connected
    assert "no complete answer within 0.3 s" in str(error.value)
    assert script.connections == 1 and len(script.requests) == 2


def test_an_early_answer_on_a_kept_connection_is_the_answer_and_the_connection_is_not_kept_after_it() -> None:
    body = b"x" * (8 * 1024 * 1024)  # far more than the socket buffers hold

    def refuse_large(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                head += connection.recv(65536)
            if b"Content-Length: 2\r\n" in head:  # the small one: answered, kept
                connection.sendall(OK)
                head = b""
                while b"\r\n\r\n" not in head:
                    head += connection.recv(65536)
            connection.sendall(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large")

    with raw_endpoint(refuse_large) as url:
        kept = kept_to(url)
        assert deliver(kept).status == 200
        answer = deliver(kept, body)
        kept.close()
    assert (answer.status, answer.body) == (413, b"too large")
    assert kept.reused == 1 and kept._idle == []


def test_kept_connections_over_tls() -> None:
    import http.server

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE, CERTIFICATE.parent / "selfsigned-key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    server.connections, server.paths = 0, []  # type: ignore[attr-defined]
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kept = Connections(parse_endpoint(f"https://127.0.0.1:{server.server_port}/webhook", str(CERTIFICATE)))
        answers = [deliver(kept) for _ in range(3)]
        kept.close()
    finally:
        server.shutdown()
        server.server_close()
    assert [a.status for a in answers] == [200] * 3
    assert server.connections == 1 and kept.reused == 2  # type: ignore[attr-defined]


def test_closing_closes_the_kept_connections_and_keeps_none_after() -> None:
    with counting_server() as server:
        kept = kept_to(f"http://127.0.0.1:{server.server_port}/webhook")
        deliver(kept)
        idle = kept._idle[0].sock
        kept.close()
        assert idle.fileno() == -1
        deliver(kept)  # a delivery after close still goes, on a connection closed after it
    assert kept._idle == [] and server.connections == 2  # type: ignore[attr-defined]


def test_a_delivery_sent_again_says_so_in_its_check_s_wire_log() -> None:
    from receivers import SECRET

    from horneross_conformance.receiver.target import ReceiverTarget

    def act(number: int, request: int, connection: socket.socket) -> bool:
        if number == 1 and request == 2:
            return False
        connection.sendall(OK)
        return True

    with scripted(act) as (url, script):
        target = ReceiverTarget(url, SECRET, timeout=5)
        with target.wire.recording() as log:
            answers = [target.deliver(b"{}").status for _ in range(3)]
        target.close()
    assert answers == [200] * 3 and len(script.requests) == 4
    assert [e.when.endswith(f"ms; {connections.SENT_AGAIN}") for e in log.exchanges] == [False, True, False]


class _Recording:
    """A socket that answers at once and records its options."""

    def __init__(self) -> None:
        self.options: list[tuple[int, int, int]] = []

    def setsockopt(self, level: int, option: int, value: int) -> None:
        self.options.append((level, option, value))

    def settimeout(self, seconds: float) -> None:
        pass

    def recv(self, size: int) -> bytes:
        return OK


def test_a_kept_connection_acknowledges_each_part_of_an_answer_at_once() -> None:
    """A server that writes head and body apart without TCP_NODELAY holds the body until the head is acknowledged;
    Linux would acknowledge 40 ms late, on every delivery on a kept connection. Each read asks for an immediate
    acknowledgement where the system has the option (Linux's TCP_QUICKACK)."""
    sock = _Recording()
    reader = connections._Acknowledging(sock, time.monotonic() + 5, 5)  # type: ignore[arg-type]
    reader._fill()
    reader._fill()
    if sys.platform == "linux":
        assert sock.options == [(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)] * 2
    else:
        assert connections._QUICKACK is None and sock.options == []
