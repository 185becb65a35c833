"""What the sender suite's checks share: delivering and pairing events, reading bodies, judging signatures."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.checks.registry import Cause, CheckFailed, Inconclusive
from horneross_conformance.core.canonical import canonical_bytes, same_json
from horneross_conformance.core.compiled import violations
from horneross_conformance.core.contract import DUE, EVENT_TYPES, SIGNATURE_HEADER
from horneross_conformance.core.events import sample_data, stress_texts
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.signing import sign
from horneross_conformance.core.validation import schema_name_for
from horneross_conformance.core.writers import WRITERS, output, writer_of
from horneross_conformance.sender.capture import Capture, CaptureEndpoint
from horneross_conformance.sender.schedule import Departure, Emission, Expected, Plan, play
from horneross_conformance.sender.suite import signature_causes as causes
from horneross_conformance.sender.target import Emitted, SenderTarget, body_json, carried, why_unreadable

HEX64 = re.compile(r"[0-9a-f]{64}")


RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|\+00:00)")


SIGNATURE = SIGNATURE_HEADER.lower()


def deliver(
    target: SenderTarget, emissions: list[tuple[str, dict[str, Any]]], endpoint: CaptureEndpoint
) -> list[Capture]:
    """Emit each event now, run what is due, and return, in the order emitted, the delivery of each at
    ``endpoint`` (found by conversation id; what cannot be matched pairs with what is left, in order)."""
    first = len(target.emitted)
    for event_type, data in emissions:
        target.emit(event_type, data)
    emitted = target.emitted[first:]
    arrived = [c for c in target.run_due() if c.endpoint is endpoint]
    paired: dict[int, Capture] = {}
    unmatched = []
    for capture in arrived:
        match = emission_of(target, capture)
        index = next((i for i, e in enumerate(emitted) if e is match), None)
        if index is None or index in paired:
            unmatched.append(capture)
        else:
            paired[index] = capture
    for index in range(len(emitted)):
        if index not in paired and unmatched:
            paired[index] = unmatched.pop(0)
    if len(paired) < len(emitted):
        # an event emitted and never delivered is SND-08's fault (docs/contract.md, decision 15), judged over the
        # whole run by SND-WIRE-006
        raise Inconclusive(
            f"{len(paired)} of {len(emitted)} emitted events arrived at endpoint {endpoint.label}", owner="SND-08"
        )
    return [paired[index] for index in range(len(emitted))]


def play_for(requirement: str, target: SenderTarget, plan: Plan, run_due_bound: float | None = None) -> None:
    """Play ``plan``. A departure that is another requirement's business makes the check inconclusive, naming
    that requirement, instead of failing a second requirement for the same fault; the end of the run checks that
    the owner did fail (``checks.verdict``), whatever order the checks ran in."""
    try:
        play(target, plan, run_due_bound)
    except Departure as departure:
        if departure.owner != requirement:
            raise Inconclusive(str(departure), owner=departure.owner) from None
        raise


def samples() -> list[tuple[str, dict[str, Any]]]:
    return [(event_type, sample_data(event_type)) for event_type in EVENT_TYPES]


def stress_samples() -> list[tuple[str, dict[str, Any]]]:
    """One message and one lead per stress text: the text as the content, and as the lead's first name."""
    emissions: list[tuple[str, dict[str, Any]]] = []
    for text in stress_texts():
        message = sample_data("conversation.message.created")
        message["content"] = text["text"]
        lead = sample_data("lead.captured")
        lead["contact"]["firstName"] = text["text"]
        emissions += [("conversation.message.created", message), ("lead.captured", lead)]
    return emissions


def event_or_fail(capture: Capture) -> dict[str, Any]:
    """The delivery's JSON object, for a check of SND-01: ``CheckFailed`` saying what arrived instead."""
    problem = why_unreadable(capture)
    if problem:
        raise CheckFailed(problem)
    body: dict[str, Any] = body_json(capture)
    return body


def event_or_inconclusive(capture: Capture) -> dict[str, Any]:
    """The delivery's JSON object, for a check of another requirement: what cannot be read is SND-01's fault,
    so this check is inconclusive (``Inconclusive``) instead of failing its own requirement for it."""
    problem = why_unreadable(capture)
    if problem:
        raise Inconclusive(problem, owner="SND-01")
    body: dict[str, Any] = body_json(capture)
    return body


def emission_of(target: SenderTarget, capture: Capture) -> Emitted | None:
    """The emitted event a delivery carries (``target.carried``; the order of deliveries is the sender's business)."""
    return carried(target.log, capture)


@dataclass(frozen=True)
class SignatureProblem:
    """Why a delivery's signature is not the documented one: a message, and the root cause it shares with the
    other deliveries signed the same way, when the bytes signed are known (``signature_causes``)."""

    message: str
    cause: Cause | None = None

    def __str__(self) -> str:
        return self.message

    def failure(self, context: str = "") -> CheckFailed:
        return CheckFailed(self.message + context, self.cause)


def signature_problem(capture: Capture, secret: str, emitted: Emitted | None) -> SignatureProblem | None:
    """Why the delivery's signature is not the documented one, or ``None`` when it is. ``emitted``: the event
    the delivery carries, when known. A body that cannot be read, or whose data is not the data emitted, is
    SND-01's fault: the signature cannot be judged then (``Inconclusive``)."""
    signature = capture.headers.get(SIGNATURE)
    where = capture.where
    if signature is None:
        return SignatureProblem(f"the delivery to {where} has no {SIGNATURE_HEADER} header")
    payload = event_or_inconclusive(capture)
    expected = sign(canonical_bytes(payload), secret)
    if signature == expected:
        return None
    if emitted is not None and not same_json(payload.get("data"), emitted.data):
        raise Inconclusive(f"the data delivered to {where} is not the data emitted", owner="SND-01")
    if signature.lower() == expected:
        return SignatureProblem(
            f"the signature to {where} is uppercase hex: the documented receiver compares lowercase with ==="
        )
    if not HEX64.fullmatch(signature):
        return SignatureProblem(
            f"the signature to {where} is not 64 lowercase hex digits: {for_terminal(repr(signature[:80]))}"
        )
    evidence = f"to {where}, expected {expected}, received {signature}; {_shown_body(capture.body)}"
    if signature == sign(capture.body, secret):
        evidence += f"; {first_difference(capture.body, canonical_bytes(payload))}"
        cause = causes.sends_another_writer(writer_of(payload, capture.body), evidence)
    elif signed := [w for w in WRITERS if (out := output(w, payload)) is not None and sign(out, secret) == signature]:
        cause = causes.signs_another_writer(signed, evidence)
    else:
        cause = causes.unexplained(evidence)
    return SignatureProblem(causes.refer_to(cause, where), cause)


def bodies_problem(captures: list[Capture], expected: Callable[[Capture], bytes], said: str) -> None:
    """SND-04's judgement of ``captures``: ``CheckFailed`` for a body that is not ``expected`` (its JSON.stringify)
    nor the bytes signed; else, when some bodies were other bytes but each the bytes signed, SND-03's excuse."""
    excuse = None
    for capture in captures:
        wanted = expected(capture)
        if capture.body != wanted:
            found = signed_as_sent(capture)
            if found is None:
                raise CheckFailed(f"{said}: {first_difference(capture.body, wanted)}")
            excuse = excuse or found
    if excuse is not None:  # every such body was the bytes signed: SND-03's fault
        raise excuse


def signed_as_sent(capture: Capture) -> Inconclusive | None:
    """For SND-04's checks, meeting a body that is not JSON.stringify of its payload: when the sender signed exactly
    those bytes, it sends what it signs, and signing other bytes than JSON.stringify's is SND-03's fault alone
    (decision 14): the excuse, else ``None``."""
    signature = capture.headers.get(SIGNATURE)
    endpoint = capture.endpoint
    if endpoint is None or signature is None or signature != sign(capture.body, endpoint.secret):
        return None
    return Inconclusive(
        f"the body sent to {capture.where} is not JSON.stringify of its payload, but it is the bytes signed: the "
        "sender sends what it signs, and signs other bytes than JSON.stringify's, which is SND-03's fault",
        owner="SND-03",
    )


SENT_SHOWN = 160  # bytes of a body a signature failure shows


def _shown_body(body: bytes) -> str:
    """The bytes sent, as a message shows them: the start, inert, and the size."""
    start = for_terminal(repr(body[:SENT_SHOWN]))
    return f"the {len(body)} bytes sent: {start}{'...' if len(body) > SENT_SHOWN else ''}"


def first_difference(sent: bytes, expected: bytes) -> str:
    index = next((i for i, (a, b) in enumerate(zip(sent, expected, strict=False)) if a != b), None)
    if index is None:
        index = min(len(sent), len(expected))
    return (
        f"at byte {index}: sent {sent[max(0, index - 20) : index + 20]!r}, "
        f"JSON.stringify gives {expected[max(0, index - 20) : index + 20]!r}"
    )


def check_payload(capture: Capture, event_type: str, data: dict[str, Any] | None = None) -> None:
    """POST, application/json, a JSON object valid for its type and, when ``data`` is given, carrying it."""
    if capture.method != "POST":
        raise CheckFailed(f"a {event_type} delivery arrived as {for_terminal(capture.method)}, not POST")
    content_type = capture.headers.get("content-type")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        shown = "no Content-Type" if content_type is None else f"Content-Type {content_type!r}"
        raise CheckFailed(
            f"a {event_type} delivery arrived with {shown}: without application/json the documented Express "
            "receiver parses nothing and rejects every delivery"
        )
    body = event_or_fail(capture)
    errors = violations(body, "event.schema.json" if body.get("type") in EVENT_TYPES else schema_name_for(body))
    if errors:
        raise CheckFailed(f"a {event_type} delivery is not valid: {errors[0]}")
    if data is not None and not same_json(body.get("data"), data):
        raise CheckFailed(f"the data of a {event_type} delivery differs from the data emitted: {body.get('data')!r}")


def one_event_plan(endpoint: CaptureEndpoint, expected: Expected | None = None) -> Plan:
    data = sample_data("conversation.message.created")
    return Plan(
        [Emission(0, "conversation.message.created", data)],
        [expected or Expected(endpoint, 0, DUE, failure=endpoint.script(1).describe())],
    )
