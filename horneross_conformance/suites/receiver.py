"""The receiver suite: the checks run against an integrator's endpoint, each naming its requirement.

Every delivery is a fresh event (new ids). Events of a conversation follow its conversation.created, which the
target sends once, before the first event that needs it, so checks still run alone or in any order (``-k``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from horneross_conformance.canonical import canonical_bytes
from horneross_conformance.client import Response
from horneross_conformance.events import (
    documentation_examples,
    envelope,
    new_id,
    sample_data,
    sample_event,
    stress_texts,
)
from horneross_conformance.receiver_target import ReceiverTarget, acknowledged, require_200
from horneross_conformance.signing import sign
from horneross_conformance.suites.base import CheckFailed, Inconclusive, Registry
from horneross_conformance.suites.receiver_generated import register as register_generated
from horneross_conformance.validation import EVENT_TYPES

suite = Registry()
PREFLIGHT_ID = "RCV-PRE-001"
LAST_RETRY_AGE = timedelta(hours=2, minutes=36)  # 1 + 5 + 30 min + 2 h after the event (docs/contract.md, decision 2)
BURST_SIZE = 20


def event_in_conversation(target: ReceiverTarget, event_type: str) -> dict[str, Any]:
    """A sample event in the run's open conversation (a conversation.created opens its own)."""
    if event_type == "conversation.created":
        return sample_event(event_type)
    return sample_event(event_type, target.conversation_id())


@suite.case(PREFLIGHT_ID, "RCV-01", "The endpoint accepts connections")
def reachable(target: ReceiverTarget) -> str:
    return target.preflight()


# RCV-01: a correct delivery of each type, and the documentation's own examples, get 200.


def _accepts_type(event_type: str) -> None:
    def check(target: ReceiverTarget) -> str:
        _, response = target.deliver_event(event_in_conversation(target, event_type))
        require_200(response, f"a correctly signed {event_type} event")
        return acknowledged(response)

    suite.case(f"RCV-ACK-{EVENT_TYPES.index(event_type) + 1:03d}", "RCV-01", f"Acknowledges {event_type}")(check)


for _type in EVENT_TYPES:
    _accepts_type(_type)


def _accepts_example(number: int, name: str) -> None:
    def check(target: ReceiverTarget) -> str:
        event = dict(documentation_examples())[name]
        if event["type"] != "conversation.created":
            target.conversation_id(event["data"]["conversationId"])
        _, response = target.deliver_event(event)
        require_200(response, f"the documentation's example '{name}'")
        return acknowledged(response)

    suite.case(f"RCV-ACK-{number:03d}", "RCV-01", f"Acknowledges the documentation's example {name}")(check)


for _number, (_name, _) in enumerate(documentation_examples(), start=len(EVENT_TYPES) + 1):
    _accepts_example(_number, _name)


@suite.case("RCV-ACK-100", "RCV-02", "The acknowledgement is exactly 200, not another 2xx or a redirect")
def exactly_200(target: ReceiverTarget) -> str:
    _, response = target.deliver_event(event_in_conversation(target, "conversation.message.created"))
    require_200(response, "a correct delivery")
    return acknowledged(response)


# RCV-03: deliveries whose signature does not verify are rejected. Each is followed by the same event correctly
# signed, so that a rejection is known to be about the signature and not about something else.

Forgery = Callable[[ReceiverTarget, bytes, str], Response]  # (target, canonical body, its right signature)


def _rejects(case_id: str, title: str, forge: Forgery) -> None:
    def check(target: ReceiverTarget) -> str:
        body = canonical_bytes(event_in_conversation(target, "conversation.message.created"))
        response = forge(target, body, target.sign(body))
        if response.status == 200:
            raise CheckFailed(f"accepted {title} (answered 200): anyone could forge deliveries")
        control = target.deliver(body)
        if control.status != 200:
            raise Inconclusive(
                f"rejected it ({response.status}), but also rejected the same event correctly signed "
                f"({control.status}), so the rejection says nothing about the signature"
            )
        advice = "" if response.status == 401 else "; 401 is the documented answer"
        return f"rejected with {response.status}{advice}"

    suite.case(case_id, "RCV-03", f"Rejects {title}")(check)


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


# RCV-04: text that stresses re-serialization, correctly signed.


def _accepts_text(number: int, name: str, text: str) -> None:
    def check(target: ReceiverTarget) -> str:
        event = event_in_conversation(target, "conversation.message.created")
        event["data"]["content"] = text
        _, response = target.deliver_event(event)
        require_200(response, f"a correctly signed message with {name} text")
        return acknowledged(response)

    suite.case(f"RCV-UNI-{number:03d}", "RCV-04", f"Accepts a message with stress text: {name}")(check)


for _number, _entry in enumerate(stress_texts(), start=1):
    _accepts_text(_number, _entry["name"], _entry["text"])


@suite.case("RCV-OLD-001", "RCV-05", "Accepts an event whose timestamp is 2 h 36 min old (the last retry)")
def old_timestamp(target: ReceiverTarget) -> str:
    data = sample_data("conversation.message.created", target.conversation_id())
    event = envelope("conversation.message.created", data, LAST_RETRY_AGE)
    _, response = target.deliver_event(event)
    require_200(response, f"an event with timestamp {event['timestamp']} (2 h 36 min ago, when the 5th attempt comes)")
    return acknowledged(response)


@suite.case("RCV-DUP-001", "RCV-06", "Acknowledges again a redelivery of an event it already acknowledged")
def redelivery(target: ReceiverTarget) -> str:
    body, first = target.deliver_event(event_in_conversation(target, "lead.captured"))
    if first.status != 200:
        raise CheckFailed(f"the first delivery was not acknowledged: answered {first.summary()}")
    second = target.deliver(body)
    require_200(second, "the same event delivered again (a retry after a lost 200)")
    return acknowledged(second)


@suite.case("RCV-FWD-001", "RCV-07", "Acknowledges an event type it does not know")
def unknown_type(target: ReceiverTarget) -> str:
    event = envelope("conversation.assigned", {"conversationId": target.conversation_id(), "assigneeId": new_id("usr")})
    _, response = target.deliver_event(event)
    require_200(response, "a correctly signed event of a type added later (conversation.assigned)")
    return acknowledged(response)


@suite.case("RCV-FWD-002", "RCV-07", "Acknowledges an event with unknown extra fields")
def unknown_fields(target: ReceiverTarget) -> str:
    data = sample_data("lead.captured", target.conversation_id())
    data["contact"]["lastName"] = "Núñez"
    data["source"] = {"channel": "whatsapp", "campaign": None, "tags": ["promo", "2026"]}
    event = envelope("lead.captured", data)
    event["apiVersion"] = "2026-11-01"
    _, response = target.deliver_event(event)
    require_200(response, "a lead.captured event with fields added later (apiVersion, data.source, contact.lastName)")
    return acknowledged(response)


@suite.case(
    "RCV-ORD-001",
    "RCV-08",
    "Acknowledges events of a conversation that arrive before its conversation.created",
)
def out_of_order(target: ReceiverTarget) -> str:
    conversation = new_id("conv")
    for event_type in ("conversation.message.created", "conversation.status.changed", "conversation.created"):
        _, response = target.deliver_event(sample_event(event_type, conversation))
        require_200(response, f"{event_type} for a conversation whose conversation.created had not arrived yet")
    return "3 events acknowledged in reverse order"


@suite.case("RCV-BAD-001", "RCV-09", "Answers 4xx to a body that is not JSON")
def not_json(target: ReceiverTarget) -> str:
    body = b'{"id":"evt_broken","type":"conversation.created","data":{"conversationId":'
    response = target.deliver(body)  # signed, so only the body's syntax is wrong
    if 400 <= response.status < 500:
        return f"answered {response.status}"
    if response.status == 200:
        raise CheckFailed("acknowledged (200) a body that is not JSON: the event was lost, not processed")
    raise CheckFailed(
        f"answered {response.summary()} to a body that is not JSON; a 4xx tells the sender the fault is its own"
    )


@suite.case("RCV-NUM-001", "RCV-11", "Accepts extra fields holding numbers that serializers write differently")
def numbers(target: ReceiverTarget) -> str:
    data = sample_data("conversation.message.created", target.conversation_id())
    data["metrics"] = {
        "micro": 0.000001,
        "tiny": 1e-7,
        "ratio": 1.5e-10,
        "score": 0.1,
        "half": -0.5,
        "whole": 2.0,
        "big": 1e21,
        "count": 10000000000000000,
        "huge": 1.7976931348623157e308,
    }
    _, response = target.deliver_event(envelope("conversation.message.created", data))
    require_200(response, "numbers written as JSON.stringify writes them (0.000001, 1e-7, 1e+21)")
    return acknowledged(response)


@suite.case("RCV-NUM-002", "RCV-11", "Accepts extra fields holding integer-like object keys")
def integer_keys(target: ReceiverTarget) -> str:
    data = sample_data("lead.captured", target.conversation_id())
    data["answers"] = {"2": "sí", "10": "no", "1": "tal vez", "name": "María"}
    _, response = target.deliver_event(envelope("lead.captured", data))
    require_200(response, 'an object with keys "1", "2", "10" (JSON.stringify puts them first, in numeric order)')
    return acknowledged(response)


@suite.case("RCV-CANON-001", "RCV-12", "Verifies a correctly signed body that is not in canonical form")
def non_canonical_body(target: ReceiverTarget) -> str:
    event = event_in_conversation(target, "lead.captured")
    signature = target.sign(canonical_bytes(event))
    pretty = json.dumps(event, indent=2, ensure_ascii=True).encode("ascii")
    response = target.deliver(pretty, signature=signature)
    if response.status == 200:
        return "verifies JSON.stringify of the parsed body, as the documentation does"
    raise CheckFailed(
        f"answered {response.status} to a pretty-printed body signed over its JSON.stringify form: it verifies "
        "the raw bytes only, which works with senders that send exactly what they sign (decision 4)"
    )


register_generated(suite)


# Last, so that an endpoint still busy with the burst cannot fail any other check.
@suite.case("RCV-BURST-001", "RCV-10", f"Holds a burst of {BURST_SIZE} concurrent deliveries")
def burst(target: ReceiverTarget) -> str:
    results: list[Response | str] = []
    lock = threading.Lock()
    conversation = target.conversation_id()

    def one(event_type: str) -> None:
        try:
            outcome: Response | str = target.deliver_event(sample_event(event_type, conversation), concurrent=True)[1]
        except CheckFailed as error:
            outcome = str(error)
        with lock:
            results.append(outcome)

    threads = [
        threading.Thread(target=one, args=(EVENT_TYPES[i % len(EVENT_TYPES)],), daemon=True) for i in range(BURST_SIZE)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(target.timeout + 5)
    ok = sum(1 for r in results if isinstance(r, Response) and r.status == 200)
    if ok == BURST_SIZE:
        return f"{BURST_SIZE} concurrent deliveries acknowledged"
    failures = sorted(
        {
            r if isinstance(r, str) else f"answered {r.status}"
            for r in results
            if not (isinstance(r, Response) and r.status == 200)
        }
    )
    lost = BURST_SIZE - len(results)
    raise CheckFailed(
        f"only {ok} of {BURST_SIZE} concurrent deliveries acknowledged"
        + (f" ({lost} unfinished)" if lost else "")
        + ": "
        + "; ".join(failures)
    )
