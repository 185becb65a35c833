"""Senders that break subscriptions and fan-out (SND-08)."""

from __future__ import annotations

import time

from horneross_conformance.sender.reference import MAX_ATTEMPTS, RETRY_DELAYS
from senders.base import Sender

# Broken: subscriptions and fan-out (SND-08)


class DeliversUnsubscribed(Sender):
    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        super().subscribe(url, secret, None)


class OneSecretForAll(Sender):
    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        first = self.subscriptions[0].secret if self.subscriptions else secret
        super().subscribe(url, first, events)


class SuccessEndsEveryEndpoint(Sender):
    """One event, one outcome: a 200 anywhere ends the retries everywhere."""

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            if delivery not in self.pending:
                continue
            delivery.attempts += 1
            if self.post(delivery) == 200:
                self.pending = [d for d in self.pending if d.body != delivery.body]
            elif delivery.attempts == MAX_ATTEMPTS:
                self.pending.remove(delivery)
            else:
                delivery.due = time.time() + RETRY_DELAYS[delivery.attempts - 1]
