"""Senders that break the retry schedule (SND-05) or stopping (SND-06)."""

from __future__ import annotations

import random
import socket
import time
from urllib.parse import urlsplit

from horneross_conformance.sender.reference import MAX_ATTEMPTS, RETRY_DELAYS, Delivery
from senders.base import Sender, headers, post

# Broken: the schedule (SND-05)


class CountsFromFirstAttempt(Sender):
    """Delays counted from the first attempt: +0, +60, +300, +1800, +7200."""

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            delivery.attempts += 1
            first = getattr(delivery, "first", time.time())
            delivery.first = first  # type: ignore[attr-defined]
            if self.post(delivery) == 200 or delivery.attempts == MAX_ATTEMPTS:
                self.pending.remove(delivery)
            else:
                delivery.due = first + RETRY_DELAYS[delivery.attempts - 1]


class _Delays(Sender):
    delays: tuple[int, ...] = RETRY_DELAYS
    attempts = MAX_ATTEMPTS

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            delivery.attempts += 1
            if self.post(delivery) == 200 or delivery.attempts == self.attempts:
                self.pending.remove(delivery)
            else:
                delivery.due = time.time() + self.delay(delivery.attempts)

    def delay(self, attempt: int) -> float:
        return self.delays[attempt - 1]


class OffByOneSecond(_Delays):
    delays = (60, 301, 1800, 7200)


class Jitter(_Delays):
    """Adds a few seconds of random jitter, as many dispatchers do."""

    def delay(self, attempt: int) -> float:
        return RETRY_DELAYS[attempt - 1] + random.choice((-3, -2, -1, 1, 2, 3))


class FourAttempts(_Delays):
    attempts = 4


class SixAttempts(_Delays):
    delays = (*RETRY_DELAYS, 7200)
    attempts = 6


class AnyTwoHundredIsSuccess(Sender):
    def post(self, delivery: Delivery) -> int | None:
        status = super().post(delivery)
        return 200 if status is not None and 200 <= status < 300 else status


class GivesUpWhenRefused(Sender):
    def post(self, delivery: Delivery) -> int | None:
        url = urlsplit(delivery.url)
        try:
            socket.create_connection((url.hostname, url.port), timeout=self.timeout).close()
        except ConnectionRefusedError:
            delivery.attempts = MAX_ATTEMPTS  # "the endpoint is gone": no more attempts
            return None
        return super().post(delivery)


class TimeoutIsSuccess(Sender):
    """Treats an answer that never came as delivered."""

    def post(self, delivery: Delivery) -> int | None:
        status = super().post(delivery)
        return 200 if status is None else status


class FollowsRedirects(Sender):
    def post(self, delivery: Delivery) -> int | None:
        status, location = post(delivery.url, delivery.body, headers(delivery), self.timeout)
        if status in (301, 302, 307, 308) and location:
            moved = urlsplit(delivery.url)._replace(path=location)
            status, _ = post(moved.geturl(), delivery.body, headers(delivery), self.timeout)
        return status


# Broken: stopping (SND-06)


class RetriesAfterSuccess(Sender):
    """Sends a delivery once more a minute after its 200, "to be sure", whatever the attempt count."""

    def run_due(self) -> None:
        for delivery in [d for d in self.pending if d.due <= time.time()]:
            delivery.attempts += 1
            status = self.post(delivery)
            if getattr(delivery, "confirmed", False) or (status != 200 and delivery.attempts == MAX_ATTEMPTS):
                self.pending.remove(delivery)
            elif status == 200:
                delivery.confirmed = True  # type: ignore[attr-defined]
                delivery.due = time.time() + 60
            else:
                delivery.due = time.time() + RETRY_DELAYS[delivery.attempts - 1]


class OneAttempt(_Delays):
    """Makes the first attempt of every event and never retries it."""

    attempts = 1
