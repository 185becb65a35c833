"""Conformant variants: different ways of being right."""

from __future__ import annotations

import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.reference import MAX_ATTEMPTS, RETRY_DELAYS, Delivery
from senders.base import Sender

# Conformant variants: different ways of being right.


class ThreadedSender(Sender):
    """Delivers in parallel on worker threads, which read the (frozen) time themselves."""

    def run_due(self) -> None:
        due = [d for d in self.pending if d.due <= time.time()]
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(pool.map(self._attempt_and_schedule, due))
        for delivery, done in zip(due, statuses, strict=True):
            if done:
                self.pending.remove(delivery)

    def _attempt_and_schedule(self, delivery: Delivery) -> bool:
        delivery.attempts += 1
        if self.post(delivery) == 200 or delivery.attempts == MAX_ATTEMPTS:
            return True
        delivery.due = time.time() + RETRY_DELAYS[delivery.attempts - 1]  # read on the worker thread
        return False


class DeliversInEmit(Sender):
    """Makes the first attempt inside emit(), as a dispatcher that sends at once would."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        event_id = super().emit(event_type, data)
        self.run_due()
        return event_id


class MillisecondTimestamps(Sender):
    """Writes timestamps with milliseconds and +00:00: the same instant, still RFC 3339 UTC."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        return self._emit_with(event_type, data, datetime.now(UTC).isoformat(timespec="milliseconds"))

    def _emit_with(self, event_type: str, data: dict[str, Any], stamp: str, event_id: str | None = None) -> str:
        event_id = event_id or f"evt_{random.getrandbits(64):016x}"
        body = canonical_bytes({"id": event_id, "type": event_type, "timestamp": stamp, "data": data})
        for subscription in self.subscriptions:
            if subscription.wants(event_type):
                self.pending.append(Delivery(subscription.url, body, sign(body, subscription.secret), time.time()))
        return event_id


CALLS_LOG = "HORNEROSS_TEST_CALLS_LOG"  # the file CallsLogged writes to


class CallsLogged(Sender):
    """The reference, writing a line to the file ``HORNEROSS_TEST_CALLS_LOG`` names as each call of the adapter
    starts and as it ends: ``PID start run_due``. Behind the bridge each sender lives in a process of its own, so
    the file holds the calls of every sender of a run in the order they happened, without reading any clock."""

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        self._logged("subscribe", lambda: super(CallsLogged, self).subscribe(url, secret, events))

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        event_id: str = self._logged("emit", lambda: super(CallsLogged, self).emit(event_type, data))
        return event_id

    def run_due(self) -> None:
        self._logged("run_due", lambda: super(CallsLogged, self).run_due())

    def _logged(self, call: str, make: Any) -> Any:
        self._line(f"start {call}")
        try:
            return make()
        finally:
            self._line(f"end {call}")

    @staticmethod
    def _line(text: str) -> None:
        with open(os.environ[CALLS_LOG], "a", encoding="utf-8") as log:  # one short append: never torn
            log.write(f"{os.getpid()} {text}\n")
