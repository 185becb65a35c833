"""RCV-05 to RCV-09, RCV-11 and RCV-12: old events, redeliveries, forward compatibility, order, bad bodies."""

from __future__ import annotations

import copy
import json

from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import LAST_RETRY_AGE, SUCCESS_STATUS, TYPE_ADDED_LATER
from horneross_conformance.core.events import (
    envelope,
    new_id,
    sample_data,
    sample_event,
)
from horneross_conformance.receiver.suite.deliveries import acknowledge, confirm, event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, acknowledged, other_success, require_200

cases = Registry()


@cases.case("RCV-OLD-001", "RCV-05", "Accepts an event whose timestamp is 2 h 36 min old (the last retry)")
def old_timestamp(target: ReceiverTarget) -> str:
    data = sample_data("conversation.message.created", target.conversation_id())
    event = envelope("conversation.message.created", data, LAST_RETRY_AGE)
    control = envelope("conversation.message.created", sample_data(event["type"], target.conversation_id()))
    what = f"an event with timestamp {event['timestamp']} (2 h 36 min ago, when the 5th attempt comes)"
    return acknowledge(target, event, what, control, "dated now")


@cases.case("RCV-DUP-001", "RCV-06", "Acknowledges again a redelivery of an event it already acknowledged")
def redelivery(target: ReceiverTarget) -> str:
    body, first = target.deliver_event(event_in_conversation(target, "lead.captured"))
    if first.status != SUCCESS_STATUS:  # the first delivery is the control: a redelivery is this check's subject
        owner = "RCV-02" if 200 <= first.status < 400 else "RCV-01"
        raise Inconclusive(f"the first delivery was not acknowledged (answered {first.summary()})", owner=owner)
    second = target.deliver(body)
    require_200(second, "the same event delivered again (a retry after a lost 200)")
    return acknowledged(second)


@cases.case("RCV-FWD-001", "RCV-07", "Acknowledges an event type it does not know")
def unknown_type(target: ReceiverTarget) -> str:
    event = envelope(TYPE_ADDED_LATER, {"conversationId": target.conversation_id(), "assigneeId": new_id("usr")})
    control = event_in_conversation(target, "conversation.message.created")
    what = f"a correctly signed event of a type added later ({TYPE_ADDED_LATER})"
    return acknowledge(target, event, what, control, "of a known type")


@cases.case("RCV-FWD-002", "RCV-07", "Acknowledges an event with unknown extra fields")
def unknown_fields(target: ReceiverTarget) -> str:
    control = event_in_conversation(target, "lead.captured")
    event = copy.deepcopy(control)
    event["data"]["contact"]["lastName"] = "Núñez"
    event["data"]["source"] = {"channel": "whatsapp", "campaign": None, "tags": ["promo", "2026"]}
    event["apiVersion"] = "2026-11-01"
    control["id"] = new_id("evt")  # a fresh event: a redelivery is RCV-06's subject
    what = "a lead.captured event with fields added later (apiVersion, data.source, contact.lastName)"
    return acknowledge(target, event, what, control, "without the fields added later")


@cases.case(
    "RCV-ORD-001",
    "RCV-08",
    "Acknowledges events of a conversation that arrive before its conversation.created",
)
def out_of_order(target: ReceiverTarget) -> str:
    conversation = new_id("conv")
    order = ("conversation.message.created", "conversation.status.changed", "conversation.created")
    for event_type in order:
        try:
            acknowledge(
                target,
                sample_event(event_type, conversation),
                f"{event_type} for a conversation whose conversation.created had not arrived yet",
            )
        except CheckFailed:
            natural = new_id("conv")  # the same events in their natural order, in a conversation of their own
            confirm(target, [sample_event(t, natural) for t in reversed(order)], "in natural order")
            raise
    return "3 events acknowledged in reverse order"


@cases.case("RCV-BAD-001", "RCV-09", "Answers 4xx to a body that is not JSON")
def not_json(target: ReceiverTarget) -> str:
    body = b'{"id":"evt_broken","type":"conversation.created","data":{"conversationId":'
    response = target.deliver(body)  # signed, so only the body's syntax is wrong
    if 400 <= response.status < 500:
        return f"answered {response.status}"
    if response.status == SUCCESS_STATUS:
        raise CheckFailed("acknowledged (200) a body that is not JSON: the event was lost, not processed")
    confirm(target, [event_in_conversation(target, "conversation.created")], "as valid JSON")
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
    control = envelope("conversation.message.created", copy.deepcopy(data))
    del control["data"]["metrics"]
    what = "numbers written as JSON.stringify writes them (0.000001, 1e-7, 1e+21)"
    return acknowledge(target, envelope("conversation.message.created", data), what, control, "without the numbers")


@cases.case("RCV-NUM-002", "RCV-11", "Accepts extra fields holding integer-like object keys")
def integer_keys(target: ReceiverTarget) -> str:
    data = sample_data("lead.captured", target.conversation_id())
    control = envelope("lead.captured", copy.deepcopy(data))
    data["answers"] = {"2": "sí", "10": "no", "1": "tal vez", "name": "María"}
    what = 'an object with keys "1", "2", "10" (JSON.stringify puts them first, in numeric order)'
    return acknowledge(target, envelope("lead.captured", data), what, control, "without those keys")


@cases.case("RCV-CANON-001", "RCV-12", "Verifies a correctly signed body that is not in canonical form")
def non_canonical_body(target: ReceiverTarget) -> str:
    event = event_in_conversation(target, "lead.captured")
    signature = target.sign(canonical_bytes(event))
    pretty = json.dumps(event, indent=2, ensure_ascii=True).encode("ascii")
    response = target.deliver(pretty, signature=signature)
    if response.status == SUCCESS_STATUS:
        return "verifies JSON.stringify of the parsed body, as the documentation does"
    excuse = other_success(response, "a pretty-printed body signed over its JSON.stringify form")
    if excuse is not None:
        raise excuse
    control = copy.deepcopy(event)
    control["id"] = new_id("evt")
    confirm(target, [control], "in JSON.stringify form")
    # The same payload, signed the same way, accepted in one layout and not in another: the verification depends on
    # the bytes as they arrived, not on JSON.stringify of what they parse to.
    raise CheckFailed(
        f"answered {response.status} to a pretty-printed body signed over its JSON.stringify form, and 200 to the "
        "same event sent in that form: it verifies the bytes as they arrive, which works with senders that send "
        "exactly what they sign (decision 4)"
    )
