"""HTTP servers that count the connections they were given: what tells a kept connection from a new one
(tests/transport/test_client.py, test_connections.py)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from horneross_conformance.core.limits import ANSWER_KEPT_BYTES


class Counting(http.server.BaseHTTPRequestHandler):
    """Answers every POST 200 with a short body; counts the connections it was given and keeps the paths asked
    for. HTTP/1.1: keeps the connections."""

    protocol_version = "HTTP/1.1"
    body = b'{"ok":true}'

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def counting_server(handler: type[Counting] = Counting) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.connections = 0  # type: ignore[attr-defined]
    server.paths = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class OldServer(Counting):
    protocol_version = "HTTP/1.0"  # closes after each answer: nothing to keep


class HugeAnswers(Counting):
    body = b"x" * (ANSWER_KEPT_BYTES + 10)  # read only in part: the rest would be taken for the next answer
