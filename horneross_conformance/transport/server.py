"""Serve a WSGI application on a background thread, for the embedded reference targets and for tests."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

LOOPBACK = "127.0.0.1"  # where every server of the toolkit listens unless told otherwise


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request on stderr would bury the suite's own output


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False  # server_close would otherwise join every handler thread, without any time limit
    request_queue_size = 128  # a burst of concurrent deliveries must not overflow the listen backlog


@contextlib.contextmanager
def serve(
    app: Callable[..., Any], host: str = LOOPBACK, port: int = 0, tls: ssl.SSLContext | None = None
) -> Iterator[str]:
    """Run ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``, or https with ``tls``)."""
    server = make_server(host, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


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
