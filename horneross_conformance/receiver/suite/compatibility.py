"""RCV-05 to RCV-09, RCV-11 and RCV-12: old events, redeliveries, forward compatibility, order, bad bodies."""

from __future__ import annotations

import json

from horneross_conformance.checks.registry import CheckFailed, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import LAST_RETRY_AGE
from horneross_conformance.core.events import (
    envelope,
    new_id,
    sample_data,
    sample_event,
)
from horneross_conformance.receiver.suite.deliveries import event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, acknowledged, require_200

cases = Registry()


@cases.case("RCV-OLD-001", "RCV-05", "Accepts an event whose timestamp is 2 h 36 min old (the last retry)")
def old_timestamp(target: ReceiverTarget) -> str:
    data = sample_data("conversation.message.created", target.conversation_id())
    event = envelope("conversation.message.created", data, LAST_RETRY_AGE)
    _, response = target.deliver_event(event)
    require_200(response, f"an event with timestamp {event['timestamp']} (2 h 36 min ago, when the 5th attempt comes)")
    return acknowledged(response)


@cases.case("RCV-DUP-001", "RCV-06", "Acknowledges again a redelivery of an event it already acknowledged")
def redelivery(target: ReceiverTarget) -> str:
    body, first = target.deliver_event(event_in_conversation(target, "lead.captured"))
    if first.status != 200:
        raise CheckFailed(f"the first delivery was not acknowledged: answered {first.summary()}")
    second = target.deliver(body)
    require_200(second, "the same event delivered again (a retry after a lost 200)")
    return acknowledged(second)


@cases.case("RCV-FWD-001", "RCV-07", "Acknowledges an event type it does not know")
def unknown_type(target: ReceiverTarget) -> str:
    event = envelope("conversation.assigned", {"conversationId": target.conversation_id(), "assigneeId": new_id("usr")})
    _, response = target.deliver_event(event)
    require_200(response, "a correctly signed event of a type added later (conversation.assigned)")
    return acknowledged(response)


@cases.case("RCV-FWD-002", "RCV-07", "Acknowledges an event with unknown extra fields")
def unknown_fields(target: ReceiverTarget) -> str:
    data = sample_data("lead.captured", target.conversation_id())
    data["contact"]["lastName"] = "Núñez"
    data["source"] = {"channel": "whatsapp", "campaign": None, "tags": ["promo", "2026"]}
    event = envelope("lead.captured", data)
    event["apiVersion"] = "2026-11-01"
    _, response = target.deliver_event(event)
    require_200(response, "a lead.captured event with fields added later (apiVersion, data.source, contact.lastName)")
    return acknowledged(response)


@cases.case(
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


@cases.case("RCV-BAD-001", "RCV-09", "Answers 4xx to a body that is not JSON")
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


@cases.case("RCV-NUM-001", "RCV-11", "Accepts extra fields holding numbers that serializers write differently")
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


@cases.case("RCV-NUM-002", "RCV-11", "Accepts extra fields holding integer-like object keys")
def integer_keys(target: ReceiverTarget) -> str:
    data = sample_data("lead.captured", target.conversation_id())
    data["answers"] = {"2": "sí", "10": "no", "1": "tal vez", "name": "María"}
    _, response = target.deliver_event(envelope("lead.captured", data))
    require_200(response, 'an object with keys "1", "2", "10" (JSON.stringify puts them first, in numeric order)')
    return acknowledged(response)


@cases.case("RCV-CANON-001", "RCV-12", "Verifies a correctly signed body that is not in canonical form")
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
