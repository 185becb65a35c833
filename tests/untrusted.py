"""JSON nested past what the toolkit reads (docs/contract.md, decision 18), and senders that deliver it.

``nested(n)`` is JSON exactly ``n`` levels deep. ``with_member(document, n)`` adds a member to a JSON object's text
so that the whole document is exactly ``n`` levels deep: ``MAX_JSON_DEPTH`` must be read as before, one level more
is refused in one sentence.
"""

from __future__ import annotations

import time

from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import EVENT_ID_PREFIX, MAX_JSON_DEPTH
from horneross_conformance.core.signing import sign
from horneross_conformance.sender.reference import ReferenceSender

FAR_TOO_DEEP = 50_000  # levels: far past any recursion limit, as a hostile peer sends
FORBIDDEN = ("RecursionError", "INTERNALERROR", "Traceback", "internal error")  # what no output may hold


def nested(levels: int) -> bytes:
    """Arrays nested ``levels`` deep."""
    return b"[" * levels + b"]" * levels


def with_member(document: bytes, levels: int) -> bytes:
    """A JSON object's text with a member ``deep`` that makes the whole document ``levels`` deep."""
    assert document.endswith(b"}")
    return document[:-1] + b',"deep":' + nested(levels - 1) + b"}"


def at_the_limit(document: bytes) -> bytes:
    return with_member(document, MAX_JSON_DEPTH)


def too_deep(document: bytes) -> bytes:
    return with_member(document, FAR_TOO_DEEP)


def assert_clean(*outputs: str) -> None:
    """No output shows a recursion error, an internal error or a traceback."""
    for output in outputs:
        for word in FORBIDDEN:
            assert word not in output, (word, output[-3000:])


class MemberSender(ReferenceSender):
    """The reference sender, but every delivery carries one more member, last (its body is still exactly what it
    signs, and JSON.stringify writes it so)."""

    def __init__(self) -> None:
        super().__init__(timeout=0.5)
        self.added: set[int] = set()

    def member(self, body: bytes) -> bytes:
        raise NotImplementedError

    def emit(self, event_type: str, data: dict[str, object]) -> str:
        event_id = super().emit(event_type, data)
        for delivery in self.pending:
            if id(delivery) not in self.added:
                self.added.add(id(delivery))
                secret = next(s.secret for s in self.subscriptions if s.url == delivery.url)
                delivery.body = self.member(delivery.body)
                delivery.signature = sign(delivery.body, secret)
        return event_id


class DeepSender(MemberSender):
    """Every delivery carries a member nested 3,000 deep: three times past Python's recursion limit, 30 times past
    the contract's (the parsers' own tests go to 50,000; hundreds of deliveries that deep cost the run seconds)."""

    def member(self, body: bytes) -> bytes:
        return with_member(body, 3000)


class AtTheLimitSender(MemberSender):
    """Every delivery is exactly ``MAX_JSON_DEPTH`` levels deep: a conformant sender."""

    def member(self, body: bytes) -> bytes:
        return at_the_limit(body)


class PaddedSender(MemberSender):
    """Every delivery carries a member of 3,000 characters: longer than what a capture keeps of a body it does not
    keep whole, still a small conformant delivery."""

    def member(self, body: bytes) -> bytes:
        return body[:-1] + b',"padding":"' + b"x" * 3000 + b'"}'


def event_body(event_type: str = "conversation.created") -> bytes:
    """A valid delivery's bytes."""
    return canonical_bytes(
        {
            "id": f"{EVENT_ID_PREFIX}{int(time.time() * 1000)}",
            "type": event_type,
            "timestamp": "2026-03-14T15:09:26Z",
            "data": {"conversationId": "conv_deep"},
        }
    )
