"""SND-08: subscriptions, fan-out, and a secret and a schedule per endpoint."""

from __future__ import annotations

from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import DUE, EVENT_TYPES
from horneross_conformance.core.events import sample_data
from horneross_conformance.sender.capture import Answer, Capture, always
from horneross_conformance.sender.schedule import Emission, Expected, Plan
from horneross_conformance.sender.suite.verifiers import (
    emission_of,
    event_or_inconclusive,
    play_for,
    samples,
    signature_problem,
)
from horneross_conformance.sender.target import SenderTarget

cases = Registry()


@cases.case("SND-SUB-001", "SND-08", "Each endpoint gets exactly the event types it subscribed")
def subscriptions(target: SenderTarget) -> str:
    selections: list[list[str] | None] = [
        ["conversation.message.created"],
        ["lead.captured", "conversation.created"],
        None,
    ]
    endpoints = [target.endpoint(events=selection) for selection in selections]
    for event_type, data in samples():
        target.emit(event_type, data)
    target.run_due()
    for endpoint, selection in zip(endpoints, selections, strict=True):
        got = sorted(_emitted_type(target, c) for c in target.captures if c.endpoint is endpoint)
        wanted = sorted(selection or EVENT_TYPES)
        if got != wanted:
            shown = "every type" if selection is None else ", ".join(selection)
            raise CheckFailed(
                f"endpoint {endpoint.label}, subscribed to {shown}, received {', '.join(got) or 'nothing'}"
            )
    return "one endpoint per selection (one type, two types, all) received exactly its selection"


def _emitted_type(target: SenderTarget, capture: Capture) -> str:
    """The emitted type of a delivery (its own ``type`` field is SND-02's business)."""
    event_or_inconclusive(capture)
    emitted = emission_of(target, capture)
    return emitted.event_type if emitted else "an event never emitted"


@cases.case("SND-SUB-002", "SND-08", "Every endpoint gets its own delivery, signed with its own secret")
def own_secrets(target: SenderTarget) -> str:
    endpoints = [target.endpoint() for _ in range(3)]
    target.emit("lead.captured", sample_data("lead.captured"))
    target.run_due()
    for endpoint in endpoints:
        mine = [c for c in target.captures if c.endpoint is endpoint]
        if len(mine) != 1:
            raise CheckFailed(f"endpoint {endpoint.label} of 3 subscribed received {len(mine)} deliveries, not 1")
        emitted = emission_of(target, mine[0])
        if signature_problem(mine[0], endpoint.secret, emitted) is None:
            continue
        owner = next((e for e in endpoints if signature_problem(mine[0], e.secret, emitted) is None), None)
        if owner is None:
            raise Inconclusive(
                f"the signature to endpoint {endpoint.label} matches no endpoint's secret", owner="SND-03"
            )
        raise CheckFailed(f"the delivery to endpoint {endpoint.label} is signed with endpoint {owner.label}'s secret")
    return "3 endpoints, 3 deliveries, each signed with its endpoint's own secret"


@cases.case("SND-SUB-003", "SND-08", "Each endpoint and each event keeps its own retry schedule")
def independent_schedules(target: SenderTarget) -> str:
    failing = target.endpoint(always(Answer(500)))
    accepting = target.endpoint()
    emissions = [
        Emission(0, "conversation.message.created", sample_data("conversation.message.created")),
        Emission(30, "conversation.status.changed", sample_data("conversation.status.changed")),
    ]
    expected = [
        Expected(failing, 0, DUE, failure="was answered 500"),
        Expected(failing, 1, tuple(30 + offset for offset in DUE), failure="was answered 500"),
        Expected(accepting, 0, (0,), ends_with_200=True),
        Expected(accepting, 1, (30,), ends_with_200=True),
    ]
    play_for("SND-08", target, Plan(emissions, expected))
    return "two events 30 s apart: each retried on its own schedule at A, neither retried at B, which answered 200"
