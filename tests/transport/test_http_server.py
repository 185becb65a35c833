"""One HTTP server for every server of the toolkit: listen, the capture endpoints, the bridge and ``serve`` (the
reference receiver and any WSGI app) each read requests within the bounds of their use, on raw sockets."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Any

import pytest
from peers import python_bridge

from horneross_conformance.core.limits import CAPTURE_BOUNDS, LISTEN_BOUNDS
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.sender.capture import Answer, CaptureEndpoint, CaptureLog, CaptureServer, always
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.http_server import BoundedServer
from horneross_conformance.transport.server import serve

SECRET = "http-server-test-secret"
PATH = "/hook"


def exchange(where: tuple[str, int], data: bytes) -> bytes:
    """Send ``data`` on a connection of its own and read until the server closes it."""
    received = b""
    with socket.create_connection(where, timeout=10) as sock:
        sock.sendall(data)
        with suppress(OSError):
            while chunk := sock.recv(65536):
                received += chunk
    return received


@contextmanager
def running(server: BoundedServer | CaptureServer) -> Iterator[tuple[str, int]]:
    """``server``, started on loopback for the block, at its address."""
    server.start()
    try:
        yield ("127.0.0.1", server.port)
    finally:
        server.stop()


def listen_side() -> AbstractContextManager[tuple[str, int]]:
    return running(BoundedServer("127.0.0.1", 0, lambda request: (200, request.read()), LISTEN_BOUNDS))


@contextmanager
def served(app: Callable[..., Any]) -> Iterator[tuple[str, int]]:
    with serve(app) as base:
        endpoint = parse_endpoint(base)
        yield (endpoint.host, endpoint.port)


def capture(log: CaptureLog | None = None) -> AbstractContextManager[tuple[str, int]]:
    log = log or CaptureLog()
    log.register(CaptureEndpoint("A", "", PATH, "not-a-real-secret", always(Answer(200))))
    return running(CaptureServer(log))


@contextmanager
def bridge() -> Iterator[tuple[str, int]]:
    with python_bridge("horneross_conformance.sender.reference:for_conformance") as url:
        endpoint = parse_endpoint(url)
        yield (endpoint.host, endpoint.port)


SERVERS: dict[str, Callable[[], AbstractContextManager[tuple[str, int]]]] = {
    "listen": listen_side,
    "serve": lambda: served(ReferenceReceiver(SECRET)),
    "capture": capture,
    "bridge": bridge,
}


@pytest.mark.parametrize("name", SERVERS)
@pytest.mark.parametrize(
    ("sent", "answer"),
    [
        (b"POST /hook HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", b"the head is longer than 65536"),
        (b"POST /hook HTTP/2.0\r\nHost: x\r\n\r\n", b"only HTTP/1.1 and HTTP/1.0 are spoken here"),
        (b"POST /hook\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n", b"the request line is not METHOD TARGET HTTP/1.1"),
        (b"POST /hook HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", b"a header line is not NAME: VALUE"),
    ],
    ids=["head-too-long", "http-2", "control-in-target", "bad-header"],
)
def test_every_server_refuses_an_unreadable_head_in_one_sentence(name: str, sent: bytes, answer: bytes) -> None:
    with SERVERS[name]() as where:
        received = exchange(where, sent)
    status, _, rest = received.partition(b"\r\n")
    assert status.split(b" ")[1] in (b"400", b"431", b"505"), received[:300]
    assert rest.endswith(answer + b" bytes\n") or rest.endswith(answer + b"\n"), received[:300]


def delivery(body: bytes, *extra: bytes) -> bytes:
    head = [b"POST /hook HTTP/1.1", b"Host: x", b"Content-Type: application/json", *extra]
    return b"\r\n".join([*head, b"", b""]) + body


def test_a_capture_refuses_a_body_it_cannot_read_safely_and_records_nothing() -> None:
    log = CaptureLog()
    with capture(log) as where:
        negative = exchange(where, delivery(b"-1\r\n" + b"x" * 1000, b"Transfer-Encoding: chunked"))
        too_large = exchange(where, delivery(b"", b"Content-Length: %d" % (CAPTURE_BOUNDS.body + 1)))
        ambiguous = exchange(where, delivery(b"0\r\n\r\n", b"Content-Length: 5", b"Transfer-Encoding: chunked"))
        kept = exchange(where, delivery(b'{"a":1}', b"Content-Length: 7"))
    assert negative.startswith(b"HTTP/1.1 400 ") and b"chunk size b'-1' is not a hexadecimal number" in negative
    assert too_large.startswith(b"HTTP/1.1 413 ") and b"larger than 67108864 bytes" in too_large
    assert ambiguous.startswith(b"HTTP/1.1 400 ") and b"the body's end is ambiguous" in ambiguous
    assert kept.startswith(b"HTTP/1.1 200 OK\r\n")
    assert [(c.path, c.body) for c in log.captures] == [(PATH, b'{"a":1}')]


def test_a_capture_answers_on_a_connection_of_its_own_and_closes_it() -> None:
    """As the capture servers always have: a sender's next attempt arrives on a new connection."""
    log = CaptureLog()
    with capture(log) as where:
        received = exchange(where, delivery(b"{}", b"Content-Length: 2") * 2)  # two requests on one connection
    assert received.count(b"HTTP/1.1 ") == 1 and b"\r\nConnection: close\r\n" in received
    assert len(log.captures) == 1


def test_serve_keeps_a_connection_alive_between_requests() -> None:
    with served(ReferenceReceiver(SECRET)) as where, socket.create_connection(where, timeout=10) as sock:
        for _ in range(2):
            sock.sendall(b"GET /webhook HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while not answer.endswith(b"POST only"):
                answer += sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 405 Method Not Allowed\r\n") and b"Connection: close" not in answer


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers with what it was given: the method, CONTENT_LENGTH, the body and the path."""
    body = environ["wsgi.input"].read()
    seen = f"{environ['REQUEST_METHOD']} {environ.get('CONTENT_LENGTH')} {environ['PATH_INFO']} ".encode() + body
    start_response("299 Seen It", [("Content-Type", "text/plain"), ("Content-Length", str(len(seen)))])
    return [seen]


def test_a_wsgi_app_reads_a_chunked_body_without_content_length_and_keeps_its_reason_phrase() -> None:
    with served(echo) as where:
        received = exchange(
            where,
            b"POST /a%20b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
    assert received.startswith(b"HTTP/1.1 299 Seen It\r\n")
    assert received.endswith(b"\r\n\r\nPOST None /a b abcde")


def test_a_head_request_gets_the_headers_without_the_body() -> None:
    with served(echo) as where:
        received = exchange(where, b"HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 299 Seen It\r\n")
    assert received.endswith(b"Content-Length: 13\r\nConnection: close\r\n\r\n")  # of "HEAD None /x "


def test_an_answer_without_a_length_is_written_as_it_comes_and_closes_the_connection() -> None:
    second = threading.Event()

    def stream(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/event-stream")])
        yield b"first\n"
        second.wait(10)  # the test reads the first part before the second is written
        yield b"second\n"

    with served(stream) as where, socket.create_connection(where, timeout=10) as sock:
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        while not received.endswith(b"first\n"):
            received += sock.recv(65536)
        second.set()
        while chunk := sock.recv(65536):
            received += chunk
    assert b"Content-Length" not in received and b"\r\nConnection: close\r\n" in received
    assert received.endswith(b"\r\n\r\nfirst\nsecond\n")


def test_an_app_that_raises_is_a_500_and_one_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("broken on purpose")

    with served(broken) as where:
        received = exchange(where, b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 500 ")
    assert capsys.readouterr().err == (
        "horneross-conformance serve: the WSGI app raised RuntimeError('broken on purpose')\n"
    )
