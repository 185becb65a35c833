"""RCV-01 and RCV-02: the endpoint answers, and acknowledges each event type and documented example with 200."""

from __future__ import annotations

from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.events import (
    documentation_examples,
)
from horneross_conformance.receiver.suite.deliveries import acknowledge, event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, acknowledged, require_200

cases = Registry()


PREFLIGHT_ID = "RCV-PRE-001"


@cases.case(PREFLIGHT_ID, "RCV-01", "The endpoint accepts connections")
def reachable(target: ReceiverTarget) -> str:
    return target.preflight()


def _accepts_type(case_id: str, event_type: str) -> None:
    def check(target: ReceiverTarget) -> str:
        return acknowledge(target, event_in_conversation(target, event_type), f"a correctly signed {event_type} event")

    cases.case(case_id, "RCV-01", f"Acknowledges {event_type}")(check)


_accepts_type("RCV-ACK-001", "conversation.created")
_accepts_type("RCV-ACK-002", "conversation.message.created")
_accepts_type("RCV-ACK-003", "conversation.status.changed")
_accepts_type("RCV-ACK-004", "lead.captured")


def _accepts_example(case_id: str, name: str) -> None:
    def check(target: ReceiverTarget) -> str:
        event = dict(documentation_examples())[name]
        if event["type"] != "conversation.created":
            target.conversation_id(event["data"]["conversationId"])
        return acknowledge(target, event, f"the documentation's example '{name}'")

    cases.case(case_id, "RCV-01", f"Acknowledges the documentation's example {name}")(check)


_accepts_example("RCV-ACK-005", "doc-payload-format")
_accepts_example("RCV-ACK-006", "doc-nuevo-mensaje")
_accepts_example("RCV-ACK-007", "doc-lead-capturado")


@cases.case("RCV-ACK-100", "RCV-02", "The acknowledgement is exactly 200, not another 2xx or a redirect")
def exactly_200(target: ReceiverTarget) -> str:
    try:
        _, response = target.deliver_event(event_in_conversation(target, "conversation.message.created"))
    except CheckFailed as error:
        raise Inconclusive(f"{error}: no answer in time is RCV-01's fault, not a wrong kind of success") from None
    if response.status >= 400:  # a refusal or a crash is not an acknowledgement of the wrong kind
        raise Inconclusive(
            f"answered {response.summary()}: a 4xx or 5xx to a correct delivery is RCV-01's fault; RCV-02 is about "
            "answering another 2xx or a 3xx where 200 is due"
        )
    require_200(response, "a correct delivery")
    return acknowledged(response)
