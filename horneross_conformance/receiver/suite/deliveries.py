"""What the receiver suite's checks share: events placed in the run's open conversation, and control deliveries.

One fault, one requirement: a check that fails delivers a control, the same event without the feature under test
(no extra field, a known type, natural order, alone, plain text), and calls itself inconclusive when the control
fails too. A receiver slow only for ``newStatus: "resolved"`` then fails RCV-01, whose events carry it, and not
every check that happens to send a status change.
"""

from __future__ import annotations

from typing import Any

from horneross_conformance.checks.registry import CheckFailed, Inconclusive
from horneross_conformance.core.contract import SUCCESS_STATUS
from horneross_conformance.core.events import (
    sample_event,
)
from horneross_conformance.receiver.target import ReceiverTarget, accepted, acknowledged, other_success

PLAIN_TEXT = "Hola, necesito ayuda"  # the sample message's text: ASCII, nothing a serializer writes differently


def event_in_conversation(target: ReceiverTarget, event_type: str) -> dict[str, Any]:
    """A sample event in the run's open conversation (a conversation.created opens its own)."""
    if event_type == "conversation.created":
        return sample_event(event_type)
    return sample_event(event_type, target.conversation_id())


def acknowledge(target: ReceiverTarget, event: Any, what: str, control: Any = None, without: str = "") -> str:
    """Deliver ``event``, which must be acknowledged with 200. When it is not and a ``control`` is given (the same
    event ``without`` the feature under test), the failure stands only if the control is acknowledged."""
    cause = None
    try:
        _, response = target.deliver_event(event)
    except CheckFailed as error:
        failure = f"{what}: {error}"
    else:
        if response.status == SUCCESS_STATUS:
            return acknowledged(response)
        excuse = other_success(response, what)
        if excuse is not None:
            raise excuse
        reason, cause = target.why_not(response)
        failure = f"{what}: answered {response.summary()}; {reason}"
    if control is not None:
        confirm(target, [control], without)
    raise CheckFailed(failure, cause)


def confirm(target: ReceiverTarget, controls: list[Any], without: str) -> None:
    """After a failure: deliver the ``controls`` in order (the same events ``without`` the feature under test);
    raise ``Inconclusive`` unless each is accepted, since the fault is then not this check's subject. A control
    answered with another success than 200 was accepted: the exact status is RCV-02's business."""
    for control in controls:
        try:
            _, response = target.deliver_event(control, control=True)
        except CheckFailed as error:
            seen = str(error)
        else:
            if accepted(response):
                continue
            seen = f"answered {response.summary()}"
        raise Inconclusive(
            f"not acknowledged, but neither was the same {control.get('type', 'event')} event {without} ({seen}): "
            "the fault is not what this check tests",
            owner="RCV-01",
        )
