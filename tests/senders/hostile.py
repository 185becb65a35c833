"""Hostile senders: they break the harness's assumptions, not only the rules."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance.sender.reference import Delivery
from senders.base import Sender, headers, post

# Hostile: senders that break the harness's assumptions, not only the rules.


class RaisesWhenRefused(Sender):
    """run_due lets a refused connection escape."""

    def post(self, delivery: Delivery) -> int | None:
        status = super().post(delivery)
        if status is None:
            raise ConnectionRefusedError(f"cannot reach {delivery.url}")
        return status


class HangsWhenRefused(Sender):
    """run_due never returns once a connection is refused."""

    def post(self, delivery: Delivery) -> int | None:
        status = super().post(delivery)
        if status is None:
            threading.Event().wait()
        return status


class HangsAlways(Sender):
    def run_due(self) -> None:
        threading.Event().wait()


class HangsOnLineSeparators(Sender):
    """run_due never returns once an event holds U+2028, which only generated data puts in a first name."""

    def run_due(self) -> None:
        if any("\u2028".encode() in delivery.body for delivery in self.pending):
            threading.Event().wait()
        super().run_due()


class RaisesInEmit(Sender):
    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        raise RuntimeError("the queue is not configured")


class PostsNotJson(Sender):
    def post(self, delivery: Delivery) -> int | None:
        delivery.body = b"<event>not json</event>"
        return super().post(delivery)


class PostsHugeBodies(Sender):
    """Every delivery padded to 2 MB with an extra field: valid JSON, but no event is that big."""

    def post(self, delivery: Delivery) -> int | None:
        if not delivery.body.endswith(b'"}'):
            delivery.body = delivery.body[:-1] + b',"padding":"' + b"x" * 2_000_000 + b'"}'
        return super().post(delivery)


class PostsToWrongPath(Sender):
    def post(self, delivery: Delivery) -> int | None:
        return post(delivery.url + "/v2", delivery.body, headers(delivery), self.timeout)[0]


class AlsoPostsToLegacyPath(Sender):
    """Posts a copy of every attempt to the endpoint's URL plus /legacy, as a dispatcher halfway through a
    migration would: every subscribed URL gets exactly what it should, and one nobody subscribed gets copies."""

    def post(self, delivery: Delivery) -> int | None:
        post(delivery.url + "/legacy", delivery.body, headers(delivery), self.timeout)
        return super().post(delivery)


class PutsInsteadOfPosting(Sender):
    def post(self, delivery: Delivery) -> int | None:
        parts = urlsplit(delivery.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=self.timeout)
        try:
            connection.request("PUT", parts.path, delivery.body, headers(delivery))
            return connection.getresponse().status
        except OSError:
            return None
        finally:
            connection.close()


class NotASender:
    """What a factory returns by mistake: something without the protocol's methods."""

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None: ...


class SubscribeWithoutEvents(Sender):
    def subscribe(self, url: str, secret: str) -> None:  # type: ignore[override]
        super().subscribe(url, secret)


def factory_that_raises() -> Sender:
    raise RuntimeError("DATABASE_URL is not set")


class LeaksItsSecret(Sender):
    """Raises with the endpoint's secret in the message, as careless error handling does."""

    def subscribe(self, url: str, secret: str, events: list[str] | None = None) -> None:
        raise ValueError(f"endpoint {url} rejected secret {secret!r}")


class SendsItsSecret(Sender):
    """Puts the endpoint's secret in a header of every delivery, as a misread of 'signature' would."""

    def post(self, delivery: Delivery) -> int | None:
        secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
        return post(delivery.url, delivery.body, {**headers(delivery), "X-Webhook-Secret": secret}, self.timeout)[0]


class DeliversTwiceAtOnce(Sender):
    """Every attempt goes out twice, concurrently, as two workers that both picked up the same job would."""

    def post(self, delivery: Delivery) -> int | None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = list(pool.map(lambda _: super(DeliversTwiceAtOnce, self).post(delivery), range(2)))
        return statuses[0]


PADDING = 8 * 1024 * 1024  # bytes of the padding field PostsEightMegabytes adds to every event: 32x what is kept
_MEGABYTE_OF_X = b"x" * (1 << 20)


class PostsEightMegabytes(Sender):
    """Every event carries an extra 8 MB field, sent and signed as JSON.stringify: the bytes and the signature
    are right, the size is not. The padding is streamed at each attempt, never held, so the test stays light."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        first = len(self.pending)
        event_id = super().emit(event_type, data)
        for delivery in self.pending[first:]:
            secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
            mac = hmac.new(secret.encode(), digestmod=hashlib.sha256)
            for chunk in self._padded(delivery.body):
                mac.update(chunk)
            delivery.signature = mac.hexdigest()
        return event_id

    @staticmethod
    def _padded(body: bytes) -> Iterator[bytes]:
        yield body[:-1] + b',"padding":"'
        for _ in range(PADDING // len(_MEGABYTE_OF_X)):
            yield _MEGABYTE_OF_X
        yield b'"}'

    def post(self, delivery: Delivery) -> int | None:
        size = len(delivery.body) - 1 + len(b',"padding":"') + PADDING + 2
        padded = self._padded(delivery.body)
        return post(delivery.url, padded, {**headers(delivery), "Content-Length": str(size)}, self.timeout)[0]


class SendsLatin1(Sender):
    """Signs the UTF-8 bytes of JSON.stringify, as documented, but puts them on the wire as ISO-8859-1 (what
    ``getBytes("ISO-8859-1")`` does): every event with a non-ASCII character arrives as bytes that are not UTF-8.
    The bytes are fixed at emit, so every retry is the same."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        first = len(self.pending)
        event_id = super().emit(event_type, data)
        for delivery in self.pending[first:]:
            delivery.body = delivery.body.decode("utf-8").encode("latin-1", "replace")
        return event_id


class PostsItsSecret(Sender):
    """Posts the endpoint's secret as the body, as a sender mixing up its fields would: not JSON, so the failure
    quotes what arrived."""

    def post(self, delivery: Delivery) -> int | None:
        secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
        return post(delivery.url, f"secret={secret}".encode(), headers(delivery), self.timeout)[0]
