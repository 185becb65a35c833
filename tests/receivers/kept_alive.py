"""A WSGI app served as uvicorn serves FastAPI and Starlette apps: HTTP/1.1, connections kept open between requests.

The toolkit's own server keeps connections too; this is another implementation (h11), with its own timing: each
connection kept until it has been idle 5 s, the WSGI app run on a pool of threads (``WORKERS`` requests at once),
and an answer's head and body written apart. Each request can be answered ``latency`` seconds late: an endpoint
across a network, or one that writes to a database before answering. It counts the connections it was given.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

WORKERS = 32  # requests the app answers at once: more than the receiver suite ever keeps in flight unless asked


class KeptAlive:
    """The app, answering each request ``latency`` seconds late; counts the requests, the most at once, and the
    connections they came on (told apart by the client's address and port)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], latency: float = 0.0) -> None:
        self.app = app
        self.latency = latency
        self.base = ""  # http://127.0.0.1:PORT once served
        self.clients: set[tuple[str, int]] = set()
        self.requests = 0
        self.now = 0
        self.most = 0
        self.lock = threading.Lock()

    @property
    def connections(self) -> int:
        return len(self.clients)

    def answer(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        with self.lock:
            self.requests += 1
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            if self.latency:
                time.sleep(self.latency)
            started: list[Any] = []
            body = b"".join(self.app(environ, lambda status, headers, exc_info=None: started.extend((status, headers))))
            return started[0], started[1], body
        finally:
            with self.lock:
                self.now -= 1


def _environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
    host, port = scope.get("server") or ("127.0.0.1", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"],
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").upper().replace("-", "_"), raw_value.decode("latin-1")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


@contextlib.contextmanager
def serve_keeping_alive(app: Callable[..., Iterable[bytes]], latency: float = 0.0) -> Iterator[KeptAlive]:
    """Serve ``app`` on 127.0.0.1 until the block ends; yields its ``KeptAlive``, whose ``base`` is the base URL."""
    import uvicorn

    served = KeptAlive(app, latency)
    pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="kept-alive")

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        with served.lock:
            served.clients.add(tuple(scope.get("client") or ("", 0)))  # type: ignore[arg-type]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        loop = asyncio.get_running_loop()
        status, headers, content = await loop.run_in_executor(pool, served.answer, _environ(scope, body))
        encoded = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]
        await send({"type": "http.response.start", "status": int(status.split()[0]), "headers": encoded})
        await send({"type": "http.response.body", "body": content})

    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    # no Server header: the suite would take it for the endpoint's stack (FastAPI/Starlette), not the app's
    server = uvicorn.Server(uvicorn.Config(asgi, log_level="error", lifespan="off", server_header=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    served.base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        yield served
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
        pool.shutdown(wait=False)
