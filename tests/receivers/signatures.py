"""Receivers that verify the signature wrongly, each in one way real integrations do: over a re-serialization, with
another secret, or not at all."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any, ClassVar

from horneross_conformance import sign, verify
from horneross_conformance.core.events import has_lone_surrogate
from receivers.base import SECRET, PlainReceiver

# Broken signature verification ------------------------------------------------------------------------------


class JsonDumpsDefault(PlainReceiver):
    """Re-serializes with Python's default json.dumps: ', ' and ': ' separators, non-ASCII escaped."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event).encode()


class EscapesNonAscii(PlainReceiver):
    """Compact, but escapes every non-ASCII character (json.dumps' ensure_ascii default)."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":")).encode()


class NaivePythonSerializer(PlainReceiver):
    """Compact UTF-8 json.dumps: right for most text, wrong for lone surrogates and for numbers like 1e-7."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")


class HtmlSafeSerializer(PlainReceiver):
    """Re-serializes with a hand-rolled "safe" JSON writer: ASCII only, HTML-safe (``\\/``, ``\\u003C``,
    ``\\u0027``), every control character as an uppercase ``\\u00XX``. Right for plain text, wrong for each stress
    text."""

    escapes: ClassVar[dict[str, str]] = {"/": "\\/", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"}
    short: ClassVar[dict[str, str]] = {"b": "u0008", "f": "u000c", "n": "u000a", "r": "u000d", "t": "u0009"}

    def serialize(self, event: Any) -> bytes:
        text = json.dumps(event, separators=(",", ":"))
        text = "".join(self.escapes.get(character, character) for character in text)
        return re.sub(r"\\(u[0-9a-f]{4}|.)", lambda m: "\\" + self._upper(m.group(1)), text).encode()

    def _upper(self, escape: str) -> str:
        escape = self.short.get(escape, escape)
        return "u" + escape[1:].upper() if escape.startswith("u") else escape


class CrashesOnLoneSurrogate(PlainReceiver):
    """Verifies correctly, then writes the message to a UTF-8 log, which raises on a lone surrogate (500)."""

    def accept(self, event: dict[str, Any]) -> str:
        str(event.get("data", {}).get("content", "")).encode("utf-8")
        return super().accept(event)


class ReplacesLoneSurrogates(PlainReceiver):
    """Its parser replaces each lone surrogate with U+FFFD (as Go's encoding/json does) and it verifies by
    re-serializing what it parsed: it rejects exactly the events that carry a lone surrogate, with 401."""

    def parse(self, body: bytes) -> Any:
        return _replaced(json.loads(body))


def _replaced(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings replaced by U+FFFD (``json.loads`` joins the pairs)."""
    if isinstance(value, str):
        return re.sub("[\ud800-\udfff]", "\ufffd", value)
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    if isinstance(value, dict):
        return {_replaced(key): _replaced(item) for key, item in value.items()}
    return value


class RefusesLoneSurrogates(PlainReceiver):
    """A careful PHP or Ruby receiver: verifies the raw bytes first, then parses with a parser that refuses a lone
    surrogate escape by design (PHP's json_decode, Ruby's JSON.parse) and answers 400. RCV-14 only."""

    def handle(self, body: bytes, signature: str | None) -> str:
        if not verify(body, signature, SECRET):
            return "401 Unauthorized"
        return super().handle(body, signature)

    def parse(self, body: bytes) -> Any:
        event = json.loads(body)
        if has_lone_surrogate(json.dumps(event, ensure_ascii=False)):
            raise ValueError("Single unpaired UTF-16 surrogate in unicode escape")  # PHP's words
        return event

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return True  # done on the raw bytes, before parsing


class SortsKeys(PlainReceiver):
    """Re-serializes compactly but with sorted keys (json.dumps(sort_keys=True), a sorted map): every event fails."""

    def serialize(self, event: Any) -> bytes:
        return json.dumps(event, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode(
            "utf-8", "surrogatepass"
        )


class RejectsAskingForHelp(PlainReceiver):
    """Verifies the raw body correctly, then answers 401 to any message asking for help ("ayuda"): a signature
    fault no re-serialization explains, which the controls (none of which asks for help) must not explain."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, SECRET) and b"ayuda" not in body


class WrongSecret(PlainReceiver):
    """Verifies the raw body correctly, with another secret than the endpoint's."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, "whsec_the_staging_one")


class ParserInFront(PlainReceiver):
    """A body parser in front of the route hands the handler an object, and the handler signs its string form
    (in Express, String(req.body) is '[object Object]'): every event fails."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(str(event).encode(), signature, SECRET)


class SlowForResolved(PlainReceiver):
    """Calls a slow CRM when a conversation is resolved (the documentation's example status): past the suite's
    timeout for newStatus "resolved", instant for everything else. RCV-01 only: every other check that sends a
    status change confirms with a control and calls itself inconclusive."""

    delay = 1.5

    def accept(self, event: dict[str, Any]) -> str:
        data = event.get("data")
        resolved = isinstance(data, dict) and data.get("newStatus") == "resolved"
        if event.get("type") == "conversation.status.changed" and resolved:
            time.sleep(self.delay)
        return super().accept(event)


class RejectsEverything(PlainReceiver):
    """Answers 401 to every delivery (a gateway in front of it wants a token Horneross never sends)."""

    def handle(self, body: bytes, signature: str | None) -> str:
        return "401 Unauthorized"


class AcceptsAnySignature(PlainReceiver):
    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return True


class AcceptsMissingHeader(PlainReceiver):
    """Skips verification when the header is absent ("not every sender signs")."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return signature is None or super().verified(event, body, signature)


class AcceptsTruncated(PlainReceiver):
    """Compares with startswith, so any prefix of the right signature passes."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return signature is not None and sign(self.serialize(event), SECRET).startswith(signature) and signature != ""


class RawBodyOnly(PlainReceiver):
    """Correct for conformant senders: verifies the raw bytes only, never the re-serialized form."""

    def verified(self, event: Any, body: bytes, signature: str | None) -> bool:
        return verify(body, signature, SECRET)


class Verifying(PlainReceiver):
    """A receiver that answers 200 to a delivery signed with its secret and 401 to any other, recording each: the
    inspector's replays' target, not one of the zoo (not exported, so the zoo's runs leave it out)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret
        self.received: list[tuple[bytes, str | None]] = []
        self.guard = threading.Lock()

    def handle(self, body: bytes, signature: str | None) -> str:
        with self.guard:
            self.received.append((body, signature))
        return "200 OK" if verify(body, signature, self.secret) else "401 Unauthorized"
