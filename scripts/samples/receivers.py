"""Receivers the documentation's samples run the suite against: each one a real integration's mistake, made once.

A sample only, read by ``scripts/capture_samples.py``; the tests' zoo of broken receivers is ``tests/receivers``, and
the Go receivers the samples run are the tests' own, ``tests/go/receiver``.
Each is a WSGI application verifying with ``SECRET``, the secret the samples give the suite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from horneross_conformance import verify

SECRET = "whsec_demo"
KNOWN_TYPES = ("conversation.created", "conversation.message.created", "conversation.status.changed", "lead.captured")


class Receiver:
    """Verifies the raw body, answers 400 to a body that is not JSON and 200 to the rest: right, until a subclass
    makes its one mistake."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        try:
            event = json.loads(body)
            status = (
                self.answer(event, body, environ.get("HTTP_X_HORNEROSS_SIGNATURE"))
                if isinstance(event, dict)
                else "400 Bad Request"
            )
        except ValueError:
            status = "400 Bad Request"
        start_response(status, [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]

    def answer(self, event: dict[str, Any], body: bytes, signature: str | None) -> str:
        return "200 OK" if self.verified(event, body, signature) else "401 Unauthorized"

    def verified(self, event: dict[str, Any], body: bytes, signature: str | None) -> bool:
        return verify(body, signature, SECRET)


class TrustsUnsignedRejectsNewTypes(Receiver):
    """Skips verification when the header is missing ("not every sender signs"), and answers 400 to an event type
    it does not know."""

    def answer(self, event: dict[str, Any], body: bytes, signature: str | None) -> str:
        if signature is not None and not self.verified(event, body, signature):
            return "401 Unauthorized"
        return "200 OK" if event.get("type") in KNOWN_TYPES else "400 Bad Request"


class KnowsFourStatuses(Receiver):
    """Verifies correctly, then maps ``newStatus`` onto an enum of the four statuses it knows and answers 400 to
    any other (the documentation shows only ``resolved``; the set is open)."""

    def answer(self, event: dict[str, Any], body: bytes, signature: str | None) -> str:
        if not self.verified(event, body, signature):
            return "401 Unauthorized"
        data = event.get("data")
        status = data.get("newStatus") if isinstance(data, dict) else None
        if event.get("type") == "conversation.status.changed" and status not in (
            "open",
            "pending",
            "resolved",
            "closed",
        ):
            return "400 Bad Request"
        return "200 OK"
