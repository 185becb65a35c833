"""Headless Chromium driven over the DevTools protocol, with nothing but the standard library.

Chosen over Selenium (a pip package and Debian's chromium-driver) and Playwright (a pip package and a browser
download of its own): the protocol is a WebSocket of JSON messages, and the few commands a test needs (navigate,
evaluate, screenshot) take a small client; Debian's ``chromium`` is the only thing installed. Every read is bounded
in time.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1400,900",
]
START_LIMIT = 20.0
CALL_LIMIT = 20.0


class Tab:
    """One page of the browser, over its own WebSocket."""

    def __init__(self, ws_url: str) -> None:
        rest = ws_url.removeprefix("ws://")
        address, _, path = rest.partition("/")
        host, _, port = address.rpartition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=CALL_LIMIT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /{path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("the browser closed the DevTools connection")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"no WebSocket: {head[:80]!r}")
        self.next_id = 0

    def _exact(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("the browser closed the DevTools connection")
            data += chunk
        return bytes(data)

    def _send(self, text: str) -> None:
        payload = text.encode()
        mask = os.urandom(4)
        size = len(payload)
        if size < 126:
            head = struct.pack("!BB", 0x81, 0x80 | size)
        elif size < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, size)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _receive(self) -> str:
        message = b""
        while True:
            first, second = self._exact(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack("!H", self._exact(2))[0]
            elif size == 127:
                size = struct.unpack("!Q", self._exact(8))[0]
            message += self._exact(size)
            if first & 0x80:
                return message.decode()

    def call(self, method: str, **params: Any) -> Any:
        self.next_id += 1
        self._send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + CALL_LIMIT
        while time.monotonic() < deadline:
            reply = json.loads(self._receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, limit: float = 10.0) -> Any:
        """The value of ``expression`` once it is truthy; fails the test if it never is within ``limit``."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:  # the page is still loading
                value = None
            if value:
                return value
            time.sleep(0.02)
        pytest.fail(f"never true in the page: {expression}")

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"])

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a fresh profile; yields a function that opens a new tab at a URL."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    # Chromium's helper processes may still write to the profile as the browser ends: all of them are ended
    # (a session of their own), and a file left behind does not fail the run
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        tabs: list[Tab] = []
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + START_LIMIT
            while not port_file.exists() or not port_file.read_text().strip():
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("chromium did not start")
                time.sleep(0.05)
            port = port_file.read_text().split()[0]

            def open_tab(url: str) -> Tab:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
                with urllib.request.urlopen(request, timeout=CALL_LIMIT) as answer:
                    target = json.load(answer)
                tab = Tab(target["webSocketDebuggerUrl"])
                tabs.append(tab)
                tab.call("Page.enable")
                tab.call("Page.navigate", url=url)
                return tab

            yield open_tab
        finally:
            for tab in tabs:
                tab.close()
            _end(process, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                _end(process, signal.SIGKILL)
                process.wait(10)


def _end(process: subprocess.Popen[bytes], which: signal.Signals) -> None:
    """Send ``which`` to the browser and every process of its session (renderers, the zygote, the GPU process)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, which)
