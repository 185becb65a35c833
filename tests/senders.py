"""Senders for the sender suite's self-tests: conformant variants, and broken ones that each break one rule.

Each is a factory (a class called without arguments). They derive from the reference sender and change the
least that breaks, or keeps, one rule, so that a verdict is about that rule and nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.reference import MAX_ATTEMPTS, RETRY_DELAYS, Delivery, ReferenceSender

TIMEOUT = 0.5
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def headers(delivery: Delivery) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: delivery.signature}


def post(
    url: str, body: bytes | Iterable[bytes], headers: dict[str, str], timeout: float
) -> tuple[int | None, str | None]:
    """One POST (a body given in pieces is streamed): the status and Location, or (None, None) when no answer came."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path, body, headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    except (OSError, http.client.HTTPException):
        return None, None
    finally:
        connection.close()


class Sender(ReferenceSender):
    """The reference sender with the short timeout the suite's slow-answer check needs."""

    def __init__(self) -> None:
        super().__init__(timeout=TIMEOUT)


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


# Broken: the event and its signature (SND-01 .. SND-04, SND-07)


class UppercaseHex(Sender):
    def post(self, delivery: Delivery) -> int | None:
        delivery.signature = delivery.signature.upper()
        return super().post(delivery)


class NoContentType(Sender):
    def post(self, delivery: Delivery) -> int | None:
        return post(delivery.url, delivery.body, {SIGNATURE_HEADER: delivery.signature}, self.timeout)[0]


class _Serializer(Sender):
    """Serializes and signs with ``dumps`` instead of JSON.stringify."""

    def dumps(self, event: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def signed_bytes(self, event: dict[str, Any], body: bytes) -> bytes:
        return body

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        event_id = f"evt_{random.getrandbits(64):016x}"
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        event = {"id": event_id, "type": event_type, "timestamp": stamp, "data": data}
        body = self.dumps(event)
        for subscription in self.subscriptions:
            if subscription.wants(event_type):
                signature = sign(self.signed_bytes(event, body), subscription.secret)
                self.pending.append(Delivery(subscription.url, body, signature, time.time()))
        return event_id


class PrettyPrintedSigned(_Serializer):
    def dumps(self, event: dict[str, Any]) -> bytes:
        text = json.dumps(event, indent=2, ensure_ascii=False)
        # lone surrogates escaped as JSON.stringify does, so the body stays valid UTF-8: only the layout differs
        return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


class EscapesNonAscii(_Serializer):
    """Python's default json.dumps: compact, but every non-ASCII character escaped, and that signed."""

    def dumps(self, event: dict[str, Any]) -> bytes:
        return json.dumps(event, separators=(",", ":")).encode("ascii")


class PythonNumbers(_Serializer):
    """Compact UTF-8 json.dumps, lone surrogates escaped as JSON.stringify does: right for every text, so the
    hand-picked checks pass it; wrong for numbers (1e-07, 1e+16, 2.0) and integer-like keys, which only generated
    data carries."""

    def dumps(self, event: dict[str, Any]) -> bytes:
        text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


class DropsEmptyStrings(Sender):
    """Leaves out data fields whose value is an empty string, to save bytes: a message with empty content
    arrives without its required content, a lead with an empty first name without it."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        return super().emit(event_type, _without_empty_strings(data))


def _without_empty_strings(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_empty_strings(value) for key, value in node.items() if value != ""}
    return node


class SendsPrettySignsCanonical(PrettyPrintedSigned):
    """Signs JSON.stringify, as documented, but sends pretty-printed bytes: only raw-body receivers reject it."""

    def signed_bytes(self, event: dict[str, Any], body: bytes) -> bytes:
        return canonical_bytes(event)


class RaisesOnLoneSurrogate(Sender):
    """Encodes the event with a UTF-8 encoder that refuses lone surrogates, as most do: emit() raises
    UnicodeEncodeError for a message cut in the middle of an emoji, and is right for every other text."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # what the sender's queue does first
        return super().emit(event_type, data)


class NotEvtIds(MillisecondTimestamps):
    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._emit_with(event_type, data, stamp, event_id=f"{random.getrandbits(64):016x}")


class LocalTimestamps(MillisecondTimestamps):
    """The right instant, written in Buenos Aires time: RFC 3339, but not UTC."""

    def emit(self, event_type: str, data: dict[str, Any]) -> str:
        stamp = datetime.now(timezone(timedelta(hours=-3))).isoformat(timespec="seconds")
        return self._emit_with(event_type, data, stamp)


class NewIdPerRetry(Sender):
    def post(self, delivery: Delivery) -> int | None:
        if delivery.attempts == 1:
            return super().post(delivery)
        event = json.loads(delivery.body)
        event["id"] = f"evt_{random.getrandbits(64):016x}"
        secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
        delivery.body = canonical_bytes(event)
        delivery.signature = sign(delivery.body, secret)
        return super().post(delivery)


class TimestampAtDelivery(Sender):
    def post(self, delivery: Delivery) -> int | None:
        event = json.loads(delivery.body)
        event["timestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
        delivery.body = canonical_bytes(event)
        delivery.signature = sign(delivery.body, secret)
        return super().post(delivery)


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


class OneAttempt(_Delays):
    """Makes the first attempt of every event and never retries it."""

    attempts = 1
