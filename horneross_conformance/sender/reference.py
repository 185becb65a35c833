"""The reference sender: a small, fully conformant Horneross webhook dispatcher, in one readable file.

Read it as the model implementation. What it does, and why:

1. ``subscribe(url, secret, events)`` registers an endpoint with its own secret and its selection of event
   types (``None``: all of them).
2. ``emit(event_type, data)`` builds the event once: an ``evt_`` id, the ``type``, the ``timestamp`` of *now*
   (RFC 3339, UTC) and the data. It serializes it once with ``canonical_bytes``, exactly
   ``JSON.stringify(event)``, and signs those bytes once per endpoint. Every attempt sends exactly these bytes and
   this signature, so retries are identical to the first attempt (docs/contract.md, decisions 3 and 4).
3. ``run_due()`` makes every attempt whose time has come. Success is exactly HTTP 200. Anything else is a
   failure: another 2xx, a redirect (never followed), 4xx, 5xx, no answer within ``timeout``, a refused
   connection. After a failure the next attempt is due 1 min, 5 min, 30 min, then 2 h later, counted from the
   failure. After the fifth attempt there is no other (decisions 1 and 2).
4. Time comes from the standard library (``time.time()``, ``datetime.now()``), so a frozen clock drives it.

What a production dispatcher adds and this model leaves out: a persistent outbox (here the pending deliveries
live in memory and die with the process), and a total deadline per attempt (``timeout`` here bounds each socket
operation, so an endpoint that drips its answer can hold an attempt longer).

``for_conformance`` is the factory the suite uses (``--horneross-sender=horneross_conformance.sender.reference:
for_conformance``): the same sender with a short delivery timeout, so that the check with answers slower than
the timeout costs a fraction of a second per attempt instead of ten.
"""

from __future__ import annotations

import http.client
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import (
    EVENT_ID_PREFIX,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    SIGNATURE_HEADER,
    SUCCESS_STATUS,
)
from horneross_conformance.core.signing import sign


@dataclass(frozen=True)
class Subscription:
    url: str
    secret: str
    events: frozenset[str] | None  # None: every event type

    def wants(self, event_type: str) -> bool:
        return self.events is None or event_type in self.events


@dataclass
class Delivery:
    """One event on its way to one endpoint: the bytes and signature are fixed once, for every attempt."""

    url: str
    body: bytes
    signature: str
    due: float  # when the next attempt is due, in time.time() seconds
    attempts: int = 0


class ReferenceSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout  # seconds to wait for an answer before the attempt counts as failed
        self.subscriptions: list[Subscription] = []
        self.pending: list[Delivery] = []

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        self.subscriptions.append(Subscription(url, secret, None if events is None else frozenset(events)))

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        event_id = f"{EVENT_ID_PREFIX}{secrets.token_hex(12)}"
        event = {
            "id": event_id,
            "type": event_type,
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": data,
        }
        body = canonical_bytes(event)
        now = time.time()
        for subscription in self.subscriptions:
            if subscription.wants(event_type):
                self.pending.append(Delivery(subscription.url, body, sign(body, subscription.secret), due=now))
        return event_id

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            delivery.attempts += 1
            status = self.post(delivery)
            if status == SUCCESS_STATUS or delivery.attempts == MAX_ATTEMPTS:
                self.pending.remove(delivery)
            else:
                delivery.due = time.time() + RETRY_DELAYS[delivery.attempts - 1]

    def post(self, delivery: Delivery) -> int | None:
        """POST the delivery once: the HTTP status, or None when no answer came."""
        url = urlsplit(delivery.url)
        connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(url.hostname or "", url.port, timeout=self.timeout)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: delivery.signature}
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            connection.request("POST", target, delivery.body, headers)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return None  # refused, reset, timed out, not HTTP: a failure like any other, retried on schedule
        finally:
            connection.close()


def for_conformance() -> ReferenceSender:
    return ReferenceSender(timeout=0.5)
