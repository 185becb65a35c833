"""Endpoints that do not speak HTTP properly: silent, raw, dripping, TLS, closed ports."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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
    data = Path(__file__).parent.parent / "data"
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


CERTIFICATE = Path(__file__).parent.parent / "data" / "selfsigned-cert.pem"  # CN and IP 127.0.0.1, a CA of its own
OTHER_CA = Path(__file__).parent.parent / "data" / "other-ca-cert.pem"  # a CA that signed nothing here


@contextmanager
def serve_tls(app: Callable[..., Any]) -> Iterator[str]:
    """Serve a WSGI app over TLS with the self-signed certificate; yields its https base URL."""
    from horneross_conformance.transport.server import serve

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE, Path(__file__).parent.parent / "data" / "selfsigned-key.pem")
    with serve(app, tls=context) as base:
        yield base


def closed_port() -> str:
    """A URL on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhook"
