"""Forgeries: senders built to earn CONFORMANT without doing the work. Each does its own job right, so that only
accounting for every delivery of the run, and every event emitted, tells them apart."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.reference import MAX_ATTEMPTS, RETRY_DELAYS, Delivery
from senders.base import Sender

# Forgeries: senders built to earn CONFORMANT without doing the work (issue 21). Each does its own job right, so
# that only accounting for every delivery of the run, and every event emitted, tells them apart.

_EVERY_SUBSCRIPTION: dict[str, list[tuple[str, str]]] = {}  # by server ("http://127.0.0.1:PORT"): (url, secret)


def _server(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# How many of the last subscriptions of other senders TenantLeak delivers each event to: every check's events reach
# endpoints of several other checks, sweeps and schedules alike, without thousands of deliveries.
LEAKED_TO = 12


class TenantLeak(Sender):
    """Delivers every event correctly to its subscribers, and once more to every endpoint that any other sender of
    the process subscribed on the same server, signed with that endpoint's own secret: each customer's events at
    every other customer's endpoints (a registry shared by all the tenants of a process)."""

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        super().subscribe(url, secret, events)
        seen = _EVERY_SUBSCRIPTION.setdefault(_server(url), [])
        seen.append((url, secret))
        del seen[:-LEAKED_TO]

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        first = len(self.pending)
        event_id = super().emit(event_type, data)
        mine = {s.url for s in self.subscriptions}
        for delivery in self.pending[first : first + 1]:
            for url, secret in _EVERY_SUBSCRIPTION.get(_server(delivery.url), []):
                if url not in mine:
                    self.pending.append(Delivery(url, delivery.body, sign(delivery.body, secret), time.time()))
        return event_id


class NeverRetriesNonAscii(Sender):
    """Retries on schedule, except an event whose body holds a non-ASCII character: dropped after its first failed
    attempt (a queue that cannot store such a body, say)."""

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            delivery.attempts += 1
            status = self.post(delivery)
            if status == 200 or delivery.attempts == MAX_ATTEMPTS or not delivery.body.isascii():
                self.pending.remove(delivery)
            else:
                delivery.due = time.time() + RETRY_DELAYS[delivery.attempts - 1]


class DropsLoneSurrogates(Sender):
    """Never delivers an event holding a lone surrogate (its JSON.stringify escape \\ud83d): emit() returns an id
    and queues nothing, with no error anywhere."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        if re.search(rb"\\ud[89a-f][0-9a-f]{2}", canonical_bytes(data)):
            return f"evt_{random.getrandbits(64):016x}"
        return super().emit(event_type, data)


class SendsWelcomePing(Sender):
    """Sends each new endpoint a signed "webhook.ping" event, of a type nobody subscribed to and never emitted, as
    many platforms do to verify a URL; every emitted event is delivered right."""

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        super().subscribe(url, secret, events)
        ping = {
            "id": f"evt_{random.getrandbits(64):016x}",
            "type": "webhook.ping",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": {"conversationId": f"conv_ping{random.getrandbits(32):08x}"},
        }
        body = canonical_bytes(ping)
        self.pending.append(Delivery(url, body, sign(body, secret), time.time()))


class DeliversOneCallLate(Sender):
    """Each run_due() makes the attempts that were due at the call before it, as a dispatcher whose worker wakes up
    a tick late would: every attempt arrives, each one call of run_due() after it was due."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[Delivery] = []

    def run_due(self) -> None:
        now = time.time()
        late, self.waiting = self.waiting, [d for d in self.pending if d.due <= now]
        self.pending = [d for d in self.pending if d not in self.waiting]
        for delivery in late:
            delivery.attempts += 1
            if self.post(delivery) != 200 and delivery.attempts < MAX_ATTEMPTS:
                delivery.due = now + RETRY_DELAYS[delivery.attempts - 1]
                self.pending.append(delivery)
