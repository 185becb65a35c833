"""RCV-03: deliveries whose signature does not verify are rejected, each confirmed by a control delivery."""

from __future__ import annotations

from collections.abc import Callable

from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SUCCESS_STATUS
from horneross_conformance.core.events import (
    new_id,
)
from horneross_conformance.core.signing import sign
from horneross_conformance.receiver.suite.deliveries import event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, accepted
from horneross_conformance.transport.client import Response

cases = Registry()


Forgery = Callable[[ReceiverTarget, bytes, str], Response]  # (target, canonical body, its right signature)


def _rejects(case_id: str, title: str, forge: Forgery) -> None:
    def check(target: ReceiverTarget) -> str:
        body = canonical_bytes(event_in_conversation(target, "conversation.message.created"))
        response = forge(target, body, target.sign(body))
        if response.status == SUCCESS_STATUS:
            raise CheckFailed(f"accepted {title} (answered 200): anyone could forge deliveries")
        control = target.deliver(body)
        if not accepted(control):
            raise Inconclusive(
                f"rejected it ({response.status}), but also rejected the same event correctly signed "
                f"({control.status}), so the rejection says nothing about the signature",
                owner="RCV-01",
            )
        # The control tells acceptance apart: a forgery answered as the correctly signed event was (201 and 201)
        # was accepted, whatever the code; one answered otherwise (401 against 201) was told apart, and the 201 is
        # RCV-02's business (``accepted``).
        if response.status == control.status:
            raise CheckFailed(
                f"accepted {title}: answered {response.status}, as it answered the same event correctly signed, so "
                "it does not tell forgeries apart; reject them with 401"
            )
        advice = "" if response.status == 401 else "; 401 is the documented answer"
        return f"rejected with {response.status}{advice}"

    cases.case(case_id, "RCV-03", f"Rejects {title}")(check)


_rejects(
    "RCV-SIG-001",
    "a signature made with another secret",
    lambda target, body, good: target.deliver(body, signature=sign(body, "another-secret-" + new_id("k"))),
)


_rejects(
    "RCV-SIG-002", "a delivery without X-Horneross-Signature", lambda t, body, good: t.deliver(body, signature=None)
)


_rejects("RCV-SIG-003", "an empty X-Horneross-Signature", lambda t, body, good: t.deliver(body, signature=""))


_rejects(
    "RCV-SIG-004",
    "a truncated signature (last hex digit missing)",
    lambda t, body, good: t.deliver(body, signature=good[:-1]),
)


_rejects(
    "RCV-SIG-005",
    "a prefix-only signature (first 16 hex digits)",
    lambda t, body, good: t.deliver(body, signature=good[:16]),
)


_rejects(
    "RCV-SIG-006",
    "a body changed after signing",  # same length, one word changed
    lambda t, body, good: t.deliver(body.replace(b"Hola", b"Hula", 1), signature=good),
)
