"""RCV-01 and RCV-02: the endpoint answers, and acknowledges each event type and documented example with 200."""

from __future__ import annotations

from horneross_conformance.checks.registry import FIRST, CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS, SUCCESS_STATUS
from horneross_conformance.core.events import documentation_examples
from horneross_conformance.receiver.suite.deliveries import acknowledge, event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, accepted, explain

cases = Registry()


PREFLIGHT_ID = "RCV-PRE-001"


@cases.case(PREFLIGHT_ID, "RCV-01", "The endpoint accepts connections", FIRST)
def reachable(target: ReceiverTarget) -> str:
    return target.preflight()


def _accepts_type(case_id: str, event_type: str) -> None:
    def check(target: ReceiverTarget) -> str:
        return acknowledge(target, event_in_conversation(target, event_type), f"a correctly signed {event_type} event")

    cases.case(case_id, "RCV-01", f"Acknowledges {event_type}")(check)


for _type in EVENT_TYPES:
    _accepts_type(PER_TYPE_CHECKS[_type]["RCV-ACK"], _type)


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
    """One event of each type, so that another success for one type alone (201 to leads) is this check's finding,
    which the checks of RCV-01 and the others defer to. A type refused (4xx, 5xx, no answer) is RCV-01's business;
    the check judges the types the endpoint accepted, and needs one at least."""
    acknowledged_types, refused = [], []
    for event_type in EVENT_TYPES:
        what = f"a correct {event_type} delivery"
        try:
            _, response = target.deliver_event(event_in_conversation(target, event_type))
        except CheckFailed as error:
            refused.append(f"{what}: {error}")
            continue
        if not accepted(response):  # a refusal or a crash is not an acknowledgement of the wrong kind
            refused.append(f"{what}: answered {response.summary()}")
        elif response.status != SUCCESS_STATUS:
            raise CheckFailed(f"{what}: answered {response.summary()}; {explain(response.status, response)}")
        else:
            acknowledged_types.append(event_type)
    if not acknowledged_types:
        raise Inconclusive(
            f"{refused[0]}: a 4xx, a 5xx or no answer to a correct delivery is RCV-01's fault; RCV-02 is about "
            "answering another 2xx or a 3xx where 200 is due",
            owner="RCV-01",
        )
    refusals = f"; {len(refused)} refused, which is RCV-01's business" if refused else ""
    return f"{len(acknowledged_types)} event types acknowledged with exactly 200{refusals}"
