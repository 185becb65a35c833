"""Serve a WSGI application on a background thread, on the toolkit's bounded server: the embedded reference
receiver, and any WSGI app a test or a user serves."""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import SERVE_BOUNDS
from horneross_conformance.transport.http_request import Gone, Refused, Request
from horneross_conformance.transport.http_server import BoundedServer, Reply

LOOPBACK = "127.0.0.1"  # where every server of the toolkit listens unless told otherwise
_NAME = "horneross-conformance serve"
WsgiApp = Callable[..., Any]


@contextlib.contextmanager
def serve(app: WsgiApp, host: str = LOOPBACK, port: int = 0, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Run ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``, or https with ``tls``)."""
    server = BoundedServer(host, port, wsgi_handler(app, "https" if tls else "http"), SERVE_BOUNDS, tls=tls, name=_NAME)
    server.start()
    try:
        yield f"{'https' if tls else 'http'}://{host}:{server.port}"
    finally:
        server.stop()


def wsgi_handler(app: WsgiApp, scheme: str) -> Callable[[Request], Reply]:
    """A handler of the bounded server that calls ``app`` as PEP 3333 has it: the body is ``wsgi.input``, read
    within the server's bounds; CONTENT_LENGTH only when the client sent one (a chunked body has none); an answer
    whose headers give no Content-Length is written as it comes, and its connection closed at its end."""

    def handle(request: Request) -> Reply:
        environ = _environ(request, scheme)
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., None]:
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [status, headers]
            return written.append

        written: list[bytes] = []  # what the app wrote with the legacy write() callable
        try:
            result = app(environ, start_response)
            parts = iter(result)
            first = next((part for part in parts if part), b"")  # start_response is called by now
            if not started:
                raise ValueError("the WSGI app returned without calling start_response")
        except (Refused, Gone):
            raise  # its body could not be read: the server answers that
        except Exception as error:
            print(f"{_NAME}: the WSGI app raised {for_terminal(repr(error))}", file=sys.stderr)
            return Reply(500, b"A server error occurred.\n")
        code, _, reason = str(started[0]).partition(" ")
        body: bytes | Iterable[bytes] = b"".join([*written, first])
        if isinstance(result, list | tuple):
            body = b"".join([*written, *result])
        elif first:
            body = _stream(b"".join([*written, first]), parts, result)
        else:
            _close(result)
        return Reply(int(code), body, list(started[1]), reason)

    return handle


def _stream(first: bytes, rest: Iterator[bytes], result: Any) -> Iterator[bytes]:
    try:
        yield first
        yield from rest
    finally:
        _close(result)


def _close(result: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _environ(request: Request, scheme: str) -> dict[str, Any]:
    path, _, query = request.target.partition("?")
    server, client = _addresses(request.socket)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, "iso-8859-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": request.version,
        "REMOTE_ADDR": str(client[0]),
        "CONTENT_TYPE": request.header("content-type") or "text/plain",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": request.body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    length = request.header("content-length")
    if length:
        environ["CONTENT_LENGTH"] = length
    for name, value in request.headers:
        key = name.replace("-", "_").upper()
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            continue
        key = f"HTTP_{key}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def _addresses(sock: socket.socket | None) -> tuple[Any, Any]:
    """This end's and the client's address; empty ones once the client is gone."""
    try:
        if sock is not None:
            return sock.getsockname(), sock.getpeername()
    except OSError:
        pass
    return ("", 0), ("", 0)


def cannot_listen(host: str, port: int) -> str | None:
    """Why nothing could listen on ``port`` of ``host`` now (another program has it, an address not of this
    machine), in words; ``None`` when something could."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except (OSError, UnicodeError, ValueError) as error:
        return str(getattr(error, "strerror", None) or error)
    return None
