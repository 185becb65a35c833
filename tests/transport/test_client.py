"""The delivery client against real sockets speaking odd but legal HTTP, and some that is not HTTP at all."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from receivers import closed_port, raw_endpoint, read_request_head, tls_endpoint

from horneross_conformance.core.limits import ANSWER_KEPT_BYTES
from horneross_conformance.transport.client import DeliveryError, post
from horneross_conformance.transport.endpoints import parse_endpoint

HOLD = 30  # seconds a kept connection stays open at most: far past any deadline here, so the client ends first


@contextmanager
def canned(answer: bytes, close: bool = True, hung_up: threading.Event | None = None) -> Iterator[str]:
    """A server that reads the request head, writes ``answer``, and closes; or keeps the connection open until the
    client hangs up (then sets ``hung_up``) or the test ends, so that a client that ends has ended on its own."""

    def respond(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            read_request_head(connection)
            connection.sendall(answer)
            if close:
                return
            connection.settimeout(0.1)
            for _ in range(HOLD * 10):
                if stop.is_set():
                    return
                try:
                    if connection.recv(65536) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            else:
                return  # held to the end: the client did not hang up
            if hung_up is not None:
                hung_up.set()

    with raw_endpoint(respond) as url:
        yield url


def call(url: str, timeout: float = 2) -> tuple[int, bytes]:
    response = post(parse_endpoint(url), b"{}", {"Content-Type": "application/json"}, timeout)
    return response.status, response.body


def test_content_length_body_even_when_the_connection_stays_open() -> None:
    """The server never closes first: an answer at all (not a timeout) was read to its Content-Length."""
    with canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK", close=False) as url:
        assert call(url) == (200, b"OK")


def test_chunked_body_with_trailers() -> None:
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nOK\r\n3;ext=1\r\n!!!\r\n0\r\nX-T: 1\r\n\r\n"
    with canned(answer, close=False) as url:
        assert call(url) == (200, b"OK!!!")


def test_interim_100_continue_is_skipped() -> None:
    with canned(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n") as url:
        assert call(url) == (401, b"")


def test_http_1_0_answer_without_length_reads_to_close() -> None:
    with canned(b"HTTP/1.0 200 OK\r\n\r\nall of it") as url:
        assert call(url) == (200, b"all of it")


def test_a_huge_answer_is_cut_at_the_limit() -> None:
    with canned(b"HTTP/1.1 500 Oops\r\nContent-Length: 999999999\r\n\r\n" + b"x" * (ANSWER_KEPT_BYTES + 10)) as url:
        status, body = call(url)
    assert status == 500 and len(body) == ANSWER_KEPT_BYTES


def test_a_huge_chunk_is_cut_at_the_limit_and_the_answer_kept() -> None:
    chunk = b"y" * (ANSWER_KEPT_BYTES + 10)
    answer = b"HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n" + f"{len(chunk):x}\r\n".encode() + chunk
    with canned(answer + b"\r\n0\r\n\r\n") as url:
        status, body = call(url)
    assert status == 500 and body == chunk[:ANSWER_KEPT_BYTES]


def test_redirects_are_answers_not_followed() -> None:
    with canned(b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n") as url:
        assert call(url) == (302, b"")


@pytest.mark.parametrize(
    ("answer", "kind", "words"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "protocol", "the answer is not HTTP"),
        (b"", "reset", "closed without an answer"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
            "reset",
            "closed before the answer was complete",
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "protocol", "Content-Length is not a length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "protocol", "chunk size is not"),
        # what str.isdigit or int(..., 16) would have let through, then choked on or misread
        ("HTTP/1.1 ²00 OK\r\nContent-Length: 0\r\n\r\n".encode(), "protocol", "no three-digit status"),
        ("HTTP/1.1 2٠0 OK\r\nContent-Length: 0\r\n\r\n".encode(), "protocol", "no three-digit status"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", "protocol", "not a length"),
        ("HTTP/1.1 200 OK\r\nContent-Length: ³\r\n\r\n".encode(), "protocol", "not a length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nabc", "protocol", "chunk size is not"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\nabc", "protocol", "chunk size is not"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\na", "protocol", "chunk size is not"),
    ],
)
def test_broken_answers_are_delivery_errors(answer: bytes, kind: str, words: str) -> None:
    with canned(answer) as url, pytest.raises(DeliveryError) as error:
        call(url)
    assert error.value.kind == kind
    assert words in str(error.value)


def test_what_the_endpoint_wrote_is_quoted_inert_and_short_in_the_error() -> None:
    answer = b"HTTP/1.1 \x1b[2J\nverdict: CONFORMANT" + b"x" * 5000 + b"\r\n\r\n"
    with canned(answer) as url, pytest.raises(DeliveryError) as error:
        call(url)
    message = str(error.value)
    assert "\x1b" not in message and "\n" not in message and "\\x1b[2J\\n" in message and len(message) < 200


def test_a_reason_phrase_is_kept_inert() -> None:
    """The head is split on CRLF, so a bare LF stays in the reason phrase: it must not start a line anywhere."""
    answer = b"HTTP/1.1 500 \x1b[2J\x1b[H42 passed\nDeliver this one again:\x9b\r\nContent-Length: 0\r\n\r\n"
    with canned(answer) as url:
        response = post(parse_endpoint(url), b"{}", {}, 2)
    assert response.status == 500
    assert response.reason == "\\x1b[2J\\x1b[H42 passed\\nDeliver this one again:\\x9b"
    assert response.reason.isprintable() and response.summary().isprintable()


@pytest.mark.parametrize("url", ["http://127.0.0.1:0/w", "https://example.test:0/"])
def test_port_0_is_an_invalid_url(url: str) -> None:
    with pytest.raises(ValueError, match="port 0"):
        parse_endpoint(url)


@pytest.mark.parametrize(
    "url", ["https://admin:pw-123@example.test:x/", "ftp://admin:pw-123@example.test/", "https://admin:pw-123@/h"]
)
def test_an_invalid_url_is_named_without_its_user_information(url: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_endpoint(url)
    assert "pw-123" not in str(error.value) and "admin" not in str(error.value)


def test_refused_connection() -> None:
    with pytest.raises(DeliveryError) as error:
        call(closed_port())
    assert error.value.kind == "refused"


def test_tls_to_a_plain_http_server_fails_clearly_within_the_deadline() -> None:
    """The server keeps the connection open (HOLD): the client gives up on its own, by its deadline or on the
    first bytes that are no TLS, and hangs up first."""
    hung_up = threading.Event()
    with canned(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", close=False, hung_up=hung_up) as url:
        with pytest.raises(DeliveryError) as error:
            call(url.replace("http://", "https://"), timeout=1)
        assert hung_up.wait(HOLD), "the client waited for the server to close"
    assert error.value.kind in ("tls", "timeout")


def test_self_signed_certificate_is_one_clear_error() -> None:
    with tls_endpoint() as url, pytest.raises(DeliveryError) as error:
        call(url)
    assert error.value.kind == "tls"
    assert str(error.value) == "TLS certificate of 127.0.0.1 not trusted: self-signed certificate"


def test_host_header_and_request_line() -> None:
    seen: list[bytes] = []

    def record(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            seen.append(read_request_head(connection))
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    with raw_endpoint(record) as url:
        base = url.removesuffix("/webhook")
        post(parse_endpoint(f"{base}/a/b?x=1"), b"{}", {"X-Horneross-Signature": "ab"}, 2)
    head = seen[0].split(b"\r\n")
    assert head[0] == b"POST /a/b?x=1 HTTP/1.1"
    assert f"Host: {base.removeprefix('http://')}".encode() in head
    assert b"Content-Length: 2" in head and b"Connection: close" in head and b"X-Horneross-Signature: ab" in head


def test_display_hides_user_information() -> None:
    assert parse_endpoint("https://u:p@example.test/hook?a=1").display == "https://example.test:443/hook?a=1"


@pytest.mark.parametrize(
    ("url", "host_header", "display"),
    [
        ("https://example.test/hook", "example.test", "https://example.test:443/hook"),
        ("http://example.test:8080", "example.test:8080", "http://example.test:8080/"),
        ("http://[::1]:80/h", "[::1]", "http://[::1]:80/h"),
        ("https://[::1]:8443/h", "[::1]:8443", "https://[::1]:8443/h"),
    ],
)
def test_host_header_and_display(url: str, host_header: str, display: str) -> None:
    endpoint = parse_endpoint(url)
    assert (endpoint.host_header, endpoint.display) == (host_header, display)


def test_an_early_answer_to_a_body_the_server_stopped_reading_is_the_answer() -> None:
    """413 before the whole body is read, then a close: sending breaks, and the 413 is still the endpoint's answer."""
    body = b"x" * (8 * 1024 * 1024)  # far more than the socket buffers hold
    with canned(b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 9\r\n\r\ntoo large") as url:
        response = post(parse_endpoint(url), body, {"Content-Type": "application/json"}, 5)
    assert (response.status, response.body) == (413, b"too large")
    with canned(b"") as url, pytest.raises(DeliveryError) as error:  # no answer at all: still no answer
        post(parse_endpoint(url), body, {"Content-Type": "application/json"}, 5)
    assert error.value.kind == "reset"
