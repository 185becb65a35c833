"""The self-tests' plain receiver, written correctly, with the secret every receiver here verifies with, and a
conformant variant at the boundary of the last retry."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from horneross_conformance import canonical_bytes, verify
from horneross_conformance.core.contract import EVENT_TYPES

SECRET = "whsec_selftest_8c1d7f2a90b34e6e"
KNOWN_TYPES = frozenset(EVENT_TYPES)  # a receiver written against the documentation knows every documented type


class PlainReceiver:
    """Correct, and deliberately different from the reference: it verifies only by re-serializing, as the
    documentation's Express receiver does."""

    status_ok = "200 OK"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.conversations: set[str] = set()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        try:
            status, extra_headers = self.handle(body, environ.get("HTTP_X_HORNEROSS_SIGNATURE")), []
        except Redirect as redirect:
            status, extra_headers = "301 Moved Permanently", [("Location", redirect.location)]
        except Exception:
            status, extra_headers = "500 Internal Server Error", []
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0"), *extra_headers])
        return [b""]

    def handle(self, body: bytes, signature: str | None) -> str:
        try:
            event = self.parse(body)
        except ValueError:
            return self.malformed()
        if not self.verified(event, body, signature):
            return "401 Unauthorized"
        return self.accept(event)

    def parse(self, body: bytes) -> Any:
        return json.loads(body)

    def malformed(self) -> str:
        return "400 Bad Request"

    def serialize(self, event: Any) -> bytes:
        return canonical_bytes(event)

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(self.serialize(event), signature, SECRET)

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            self.seen.add(str(event.get("id")))
            if event.get("type") == "conversation.created":
                self.conversations.add(str(event["data"].get("conversationId")))
        return self.status_ok


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


class AcceptsExactlyTheLastRetryWindow(PlainReceiver):
    """Conformant at the boundary: rejects events older than 2 h 36 min and half a second (for clock drift)."""

    def accept(self, event: dict[str, Any]) -> str:
        sent = datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
        if datetime.now(UTC) - sent > timedelta(hours=2, minutes=36, milliseconds=500):
            return "400 Bad Request"
        return super().accept(event)
