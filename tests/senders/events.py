"""Senders that break the event or its signature (SND-01 to SND-04, SND-07)."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.reference import Delivery
from senders.base import LONE_SURROGATE, Sender, post
from senders.conformant import CallsLogged, MillisecondTimestamps

# Broken: the event and its signature (SND-01 .. SND-04, SND-07)


class UppercaseHex(Sender):
    def post(self, delivery: Delivery) -> int | None:
        delivery.signature = delivery.signature.upper()
        return super().post(delivery)


class NoContentType(Sender):
    def post(self, delivery: Delivery) -> int | None:
        return post(delivery.url, delivery.body, {SIGNATURE_HEADER: delivery.signature}, self.timeout)[0]


class NoContentTypeLogged(CallsLogged, NoContentType):
    """NoContentType, each call of its adapter written down as ``CallsLogged`` does."""


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


class SendsStringifySignsGoMarshal(_Serializer):
    """Sends JSON.stringify's bytes, but signs what Go's json.Marshal writes for the same event decoded into a map:
    keys sorted at every level, <, >, & and U+2028 escaped, a lone surrogate read as U+FFFD (a Go sender that
    signs before it encodes, say)."""

    def dumps(self, event: dict[str, Any]) -> bytes:
        return canonical_bytes(event)

    def signed_bytes(self, event: dict[str, Any], body: bytes) -> bytes:
        decoded = json.loads(LONE_SURROGATE.sub("\ufffd", json.dumps(event, ensure_ascii=False)))
        text = json.dumps(decoded, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        for character in "<>&\u2028\u2029":
            text = text.replace(character, f"\\u{ord(character):04x}")
        return text.encode("utf-8")


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
