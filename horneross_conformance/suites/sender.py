"""The sender suite: the checks run against a vendor's dispatcher through the adapter, each naming its requirement.

Every check gets a fresh sender from the factory, its own endpoints (each with its own secret and script of
answers) and a clock frozen at ``clock.EPOCH``. A check looks only at what its requirement is about, and says
"inconclusive" (skipped) when the sender failed something else first: a sender with a wrong signature fails the
signature requirement, not the retry schedule.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from horneross_conformance.canonical import canonical_bytes
from horneross_conformance.capture import Answer, Capture, Endpoint, always, succeed_at
from horneross_conformance.events import sample_data, stress_texts
from horneross_conformance.schedule import DUE, Departure, Emission, Expected, Plan, play
from horneross_conformance.sender_target import Emitted, SenderTarget, excerpt, parsed_body, unreadable
from horneross_conformance.signing import SIGNATURE_HEADER, sign
from horneross_conformance.suites.base import CheckFailed, Inconclusive, Registry
from horneross_conformance.suites.sender_generated import register as register_generated
from horneross_conformance.validation import EVENT_TYPES, schema_errors

suite = Registry()
PREFLIGHT_ID = "SND-PRE-001"
FAILURE_STATUSES = (201, 202, 204, 301, 302, 400, 401, 404, 410, 429, 500, 503)
HEX64 = re.compile(r"[0-9a-f]{64}")
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|\+00:00)")
SIGNATURE = SIGNATURE_HEADER.lower()


# helpers


def deliver(target: SenderTarget, emissions: list[tuple[str, dict[str, Any]]], endpoint: Endpoint) -> list[Capture]:
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
        raise Inconclusive(f"{len(paired)} of {len(emitted)} emitted events arrived at endpoint {endpoint.label}")
    return [paired[index] for index in range(len(emitted))]


def play_for(requirement: str, target: SenderTarget, plan: Plan, run_due_bound: float | None = None) -> None:
    """Play ``plan``. A departure that is another requirement's business, when that one already failed in
    this run, makes the check inconclusive instead of failing a second requirement for the same fault."""
    try:
        play(target, plan, run_due_bound)
    except Departure as departure:
        if departure.owner != requirement and departure.owner in target.earlier_failures:
            raise Inconclusive(f"{departure} ({departure.owner} already failed)") from None
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


def body_of(capture: Capture) -> dict[str, Any]:
    """The delivery's JSON object, for a check of SND-01: ``CheckFailed`` saying what arrived instead."""
    problem = unreadable(capture)
    if problem:
        raise CheckFailed(problem)
    body: dict[str, Any] = parsed_body(capture)
    return body


def readable(capture: Capture) -> dict[str, Any]:
    """The delivery's JSON object, for a check of another requirement: what cannot be read is SND-01's fault,
    so this check is inconclusive (``Inconclusive``) instead of failing its own requirement for it."""
    problem = unreadable(capture)
    if problem:
        raise Inconclusive(f"{problem} (see SND-01)")
    body: dict[str, Any] = parsed_body(capture)
    return body


def emission_of(target: SenderTarget, capture: Capture) -> Emitted | None:
    """The emitted event a delivery carries, found among every emission of the run by its conversation id: unique
    per emission and plain ASCII, so it survives whatever the sender did to the rest (the order of deliveries is
    the sender's business)."""
    body = parsed_body(capture)
    data = body.get("data") if isinstance(body, dict) else None
    conversation = data.get("conversationId") if isinstance(data, dict) else None
    found: Emitted | None = target.log.emitted.get(conversation) if isinstance(conversation, str) else None
    return found


def signature_problem(capture: Capture, secret: str, emitted: Emitted | None) -> str | None:
    """Why the delivery's signature is not the documented one, or ``None`` when it is. ``emitted``: the event
    the delivery carries, when known. A body that cannot be read, or whose data is not the data emitted, is
    SND-01's fault: the signature cannot be judged then (``Inconclusive``)."""
    signature = capture.headers.get(SIGNATURE)
    where = capture.where
    if signature is None:
        return f"the delivery to {where} has no {SIGNATURE_HEADER} header"
    payload = readable(capture)
    expected = sign(canonical_bytes(payload), secret)
    if signature == expected:
        return None
    if emitted is not None and payload.get("data") != emitted.data:
        raise Inconclusive(f"the data delivered to {where} is not the data emitted (see SND-01)")
    if signature.lower() == expected:
        return f"the signature to {where} is uppercase hex: the documented receiver compares lowercase with ==="
    if signature == sign(capture.body, secret):
        return (
            f"the signature to {where} is an HMAC of the bytes sent, which are not JSON.stringify of the payload "
            "(pretty-printed, escaped or reordered?), so the documented receiver computes another one"
        )
    if not HEX64.fullmatch(signature):
        return f"the signature to {where} is not 64 lowercase hex digits: {signature[:80]!r}"
    return f"the signature to {where} is not the HMAC-SHA256 of JSON.stringify(payload) with the endpoint's secret"


def first_difference(sent: bytes, expected: bytes) -> str:
    index = next((i for i, (a, b) in enumerate(zip(sent, expected, strict=False)) if a != b), None)
    if index is None:
        index = min(len(sent), len(expected))
    return (
        f"at byte {index}: sent {sent[max(0, index - 20) : index + 20]!r}, "
        f"JSON.stringify gives {expected[max(0, index - 20) : index + 20]!r}"
    )


# SND-08: something arrives at all (if not, the other checks would only repeat it)


@suite.case(PREFLIGHT_ID, "SND-08", "An emitted event reaches a subscribed endpoint")
def reaches(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    target.emit("conversation.created", sample_data("conversation.created"))
    arrived = [c for c in target.run_due() if c.endpoint is endpoint]
    if not arrived:
        stray = [c for c in target.captures if c.endpoint is None]
        elsewhere = f"; {len(stray)} request(s) arrived elsewhere: {stray[0].path}" if stray else ""
        raise CheckFailed(
            f"nothing arrived at endpoint {endpoint.label} after subscribe(), emit() and run_due() at the same "
            f"instant: the first attempt is due immediately{elsewhere}"
        )
    return f"the first attempt arrived at +{arrived[0].offset} s"


# SND-01: POST, application/json, a body valid for its type, the emitted data unchanged


def check_payload(capture: Capture, event_type: str, data: dict[str, Any] | None = None) -> None:
    """POST, application/json, a JSON object valid for its type and, when ``data`` is given, carrying it."""
    if capture.method != "POST":
        raise CheckFailed(f"a {event_type} delivery arrived as {capture.method}, not POST")
    content_type = capture.headers.get("content-type")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        shown = "no Content-Type" if content_type is None else f"Content-Type {content_type!r}"
        raise CheckFailed(
            f"a {event_type} delivery arrived with {shown}: without application/json the documented Express "
            "receiver parses nothing and rejects every delivery"
        )
    body = body_of(capture)
    errors = schema_errors(body, "event.schema.json" if body.get("type") in EVENT_TYPES else None)
    if errors:
        raise CheckFailed(f"a {event_type} delivery is not valid: {errors[0]}")
    if data is not None and body.get("data") != data:
        raise CheckFailed(f"the data of a {event_type} delivery differs from the data emitted: {body.get('data')!r}")


def _payload_case(number: int, event_type: str) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint()
        data = sample_data(event_type)
        [capture] = deliver(target, [(event_type, data)], endpoint)
        check_payload(capture, event_type, data)
        return f"POST, {capture.headers['content-type']}, {capture.size} bytes, valid"

    suite.case(f"SND-PAY-{number:03d}", "SND-01", f"A {event_type} event is a valid JSON POST")(check)


for _number, _type in enumerate(EVENT_TYPES, start=1):
    _payload_case(_number, _type)


@suite.case("SND-PAY-005", "SND-01", "Text that stresses serialization arrives unchanged")
def stress_arrives(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    emissions = stress_samples()
    arrived = deliver(target, emissions, endpoint)
    for capture in arrived:
        body_of(capture)
        emitted = emission_of(target, capture)
        if emitted is None:
            raise CheckFailed(f"a delivery carries data never emitted: {excerpt(capture.body)}")
        check_payload(capture, emitted.event_type, emitted.data)
    return f"{len(arrived)} events with {len(stress_texts())} stress texts arrived intact"


# SND-02: id, type and timestamp


@suite.case("SND-ID-001", "SND-02", "Each event has its own evt_ id, the one emit returned, and its type")
def ids(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    emissions = samples() + samples()
    arrived = deliver(target, emissions, endpoint)
    seen: dict[str, str] = {}
    for capture in arrived:
        body = readable(capture)
        emitted = emission_of(target, capture)
        if emitted is None:
            raise Inconclusive(f"a delivery carries data never emitted (see SND-01): {excerpt(capture.body)}")
        event_id = body.get("id")
        if not (isinstance(event_id, str) and event_id.startswith("evt_")):
            raise CheckFailed(f"a {emitted.event_type} event has the id {event_id!r}, which does not start with evt_")
        if event_id != emitted.returned:
            raise CheckFailed(f"emit() returned {emitted.returned!r}, but the delivered event's id is {event_id!r}")
        if body.get("type") != emitted.event_type:
            raise CheckFailed(f"an event emitted as {emitted.event_type} arrived with type {body.get('type')!r}")
        if event_id in seen:
            raise CheckFailed(f"two different events arrived with the same id {event_id!r}")
        seen[event_id] = emitted.event_type
    return f"{len(seen)} events, {len(seen)} distinct evt_ ids, each the one emit() returned"


@suite.case("SND-ID-002", "SND-02", "timestamp is RFC 3339 UTC, the instant of emit()")
def timestamps(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    for offset in (0, 17, 3_605):
        target.move_to(offset)
        [capture] = deliver(target, [("conversation.created", sample_data("conversation.created"))], endpoint)
        stamp = readable(capture).get("timestamp")
        expected = target.clock.at(offset)
        if not (isinstance(stamp, str) and RFC3339_UTC.fullmatch(stamp)):
            raise CheckFailed(
                f"timestamp {stamp!r} is not an RFC 3339 UTC time like {expected.strftime('%Y-%m-%dT%H:%M:%SZ')}"
            )
        moment = datetime.fromisoformat(stamp.upper().replace("Z", "+00:00"))
        if moment != expected:
            raise CheckFailed(
                f"an event emitted at {expected.isoformat()} (frozen clock) has timestamp {stamp}: it must be when "
                "the event happened"
            )
    return "three events emitted at three instants carry exactly those instants"


# SND-03 and SND-04: the signature, and the bytes signed


def _signature_case(case_id: str, title: str, emissions: Any) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint()
        arrived = deliver(target, emissions(), endpoint)
        for capture in arrived:
            problem = signature_problem(capture, endpoint.secret, emission_of(target, capture))
            if problem:
                raise CheckFailed(problem)
        return f"{len(arrived)} signatures verified as the documentation computes them"

    suite.case(case_id, "SND-03", title)(check)


_signature_case("SND-SIG-001", "Signatures are lowercase hex HMAC of JSON.stringify", samples)
_signature_case("SND-SIG-002", "Signatures stay right for text that stresses JSON", stress_samples)


@suite.case("SND-RAW-001", "SND-04", "The body sent is exactly the bytes signed, JSON.stringify")
def raw_body(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    arrived = deliver(target, samples() + stress_samples(), endpoint)
    for capture in arrived:
        expected = canonical_bytes(readable(capture))
        if capture.body != expected:
            raise CheckFailed(
                "the body is not JSON.stringify of its payload, so a receiver that verifies the raw body rejects "
                f"it: {first_difference(capture.body, expected)}"
            )
    return f"{len(arrived)} bodies are byte for byte JSON.stringify of their payload"


# SND-05: the retry schedule, for every kind of failure


def one_event_plan(endpoint: Endpoint, expected: Expected | None = None) -> Plan:
    data = sample_data("conversation.message.created")
    return Plan(
        [Emission(0, "conversation.message.created", data)],
        [expected or Expected(endpoint, 0, DUE, failure=endpoint.script(1).describe())],
    )


def _status_case(number: int, status: int) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint(always(Answer(status)))
        play_for("SND-05", target, one_event_plan(endpoint))
        return f"5 attempts at +0, +60, +360, +2160, +9360 s, none after, with every attempt answered {status}"

    kind = "a redirect, not followed" if 300 <= status < 400 else "a failure"
    suite.case(f"SND-RTY-{number:03d}", "SND-05", f"HTTP {status} is {kind}: retried on schedule")(check)


for _number, _status in enumerate(FAILURE_STATUSES, start=1):
    _status_case(_number, _status)


@suite.case("SND-RTY-013", "SND-05", "No answer within the sender's timeout: retried on schedule")
def slow_answers(target: SenderTarget) -> str:
    endpoint = target.endpoint(always(Answer(200, hold=True)))
    try:
        play_for("SND-05", target, one_event_plan(endpoint), run_due_bound=2 * target.timeout + 1)
    except CheckFailed:
        if any("still waiting" in c.answered for c in target.captures):
            raise Inconclusive(
                f"the sender waited more than {target.log.hold_limit:g} s for an answer, so a timeout could not be "
                "provoked; give the factory a shorter delivery timeout or raise --horneross-timeout"
            ) from None
        raise
    return "every attempt was kept waiting until the sender hung up; 5 attempts on schedule"


@suite.case("SND-RTY-014", "SND-05", "A refused connection is a failure: retried on schedule")
def refused(target: SenderTarget) -> str:
    expected, opens = [], {}
    for number in range(2, 6):
        endpoint = target.endpoint(always(Answer(500)), refusing=True)
        due = DUE[number - 1 :]
        expected.append(Expected(endpoint, 0, due, first=number, failure="found the connection refused"))
        opens[due[0] - 1] = [endpoint]
    plan = Plan([Emission(0, "conversation.message.created", sample_data("conversation.message.created"))], expected)
    plan.opens = opens
    play_for("SND-05", target, plan)
    return "endpoints refused attempts 1 to k-1 and saw attempt k (k = 2..5) at its due time, none after"


# SND-06: the first 200 ends the schedule


def _stop_case(k: int) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint(succeed_at(k))
        expected = Expected(endpoint, 0, DUE[:k], ends_with_200=True, failure="was answered 500")
        play_for("SND-06", target, one_event_plan(endpoint, expected))
        return f"attempt {k} was answered 200 at +{DUE[k - 1]} s and nothing came after it"

    ordinal = "the first attempt" if k == 1 else f"attempt {k}"
    suite.case(f"SND-STOP-{k:03d}", "SND-06", f"A 200 at {ordinal} ends the schedule")(check)


for _k in range(1, 6):
    _stop_case(_k)


# SND-07: retries are the same event, byte for byte


@suite.case("SND-SAME-001", "SND-07", "Every retry is byte-identical to the first attempt")
def identical_retries(target: SenderTarget) -> str:
    endpoint = target.endpoint(always(Answer(500)))
    data = sample_data("conversation.message.created")
    data["content"] = '¿Me ayudás? 👋 \u2028 "x" \ud83d'
    target.emit("conversation.message.created", data)
    attempts: list[Capture] = []
    for offset in DUE:
        target.move_to(offset)
        attempts += [c for c in target.run_due() if c.endpoint is endpoint]
    if len(attempts) < 2:
        raise Inconclusive(f"only {len(attempts)} attempt(s) arrived, nothing to compare (see SND-05)")
    first = attempts[0]
    for number, retry in enumerate(attempts[1:], start=2):
        difference = _difference(first, retry)
        if difference:
            raise CheckFailed(f"attempt {number} (at +{retry.offset} s) differs from attempt 1: {difference}")
    return f"{len(attempts)} attempts with identical bytes and signature"


def _difference(first: Capture, retry: Capture) -> str | None:
    if retry.body != first.body:
        before, after = parsed_body(first), parsed_body(retry)
        if isinstance(before, dict) and isinstance(after, dict):
            for key in ("id", "timestamp", "type"):
                if before.get(key) != after.get(key):
                    return f"{key} {before.get(key)!r} became {after.get(key)!r}"
        return f"the body changed {first_difference(retry.body, first.body)}"
    if retry.headers.get(SIGNATURE) != first.headers.get(SIGNATURE):
        return "the body is the same but the signature changed"
    return None


# SND-08: subscriptions, fan-out, a secret and a schedule per endpoint


@suite.case("SND-SUB-001", "SND-08", "Each endpoint gets exactly the event types it subscribed")
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
    readable(capture)
    emitted = emission_of(target, capture)
    return emitted.event_type if emitted else "an event never emitted"


@suite.case("SND-SUB-002", "SND-08", "Every endpoint gets its own delivery, signed with its own secret")
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
            raise Inconclusive(f"the signature to endpoint {endpoint.label} matches no endpoint's secret (see SND-03)")
        raise CheckFailed(f"the delivery to endpoint {endpoint.label} is signed with endpoint {owner.label}'s secret")
    return "3 endpoints, 3 deliveries, each signed with its endpoint's own secret"


@suite.case("SND-SUB-003", "SND-08", "Each endpoint and each event keeps its own retry schedule")
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


register_generated(suite)


# Every delivery of the run, whatever check provoked it (the generated ones included)


def _run_deliveries(target: SenderTarget) -> list[Capture]:
    """Every request the run has captured so far; when this check runs alone, a sample of its own first."""
    if not any(c.endpoint for c in target.log.captures):
        deliver(target, samples(), target.endpoint())
    return target.log.captures


@suite.case("SND-WIRE-001", "SND-01", "Every delivery of the run is a JSON POST valid for its type")
def every_payload(target: SenderTarget) -> str:
    deliveries = [c for c in _run_deliveries(target) if c.endpoint]
    for capture in deliveries:
        body = parsed_body(capture)
        check_payload(capture, str(body.get("type") if isinstance(body, dict) else "event"))
    return f"{len(deliveries)} deliveries checked"


def _readable_deliveries(target: SenderTarget) -> tuple[list[Capture], list[Capture]]:
    """The run's deliveries to endpoints: those that can be read as an event, and those that cannot (SND-01's)."""
    read: list[Capture] = []
    unread: list[Capture] = []
    for capture in _run_deliveries(target):
        if capture.endpoint:
            (unread if unreadable(capture) else read).append(capture)
    return read, unread


def _unread_note(unread: list[Capture], judged: str) -> Inconclusive:
    problem = unreadable(unread[0])
    return Inconclusive(f"{judged}, but {len(unread)} could not be read: {problem} (see SND-01)")


@suite.case("SND-WIRE-002", "SND-03", "Every delivery of the run is signed as documented")
def every_signature(target: SenderTarget) -> str:
    deliveries, unread = _readable_deliveries(target)
    for capture in deliveries:
        assert capture.endpoint is not None
        problem = signature_problem(capture, capture.endpoint.secret, emission_of(target, capture))
        if problem:
            raise CheckFailed(f"{problem} (attempt {capture.attempt}, at +{capture.offset} s of its check)")
    missing = [c for c in unread if SIGNATURE not in c.headers]
    if missing:
        raise CheckFailed(f"the delivery to {missing[0].where} has no {SIGNATURE_HEADER} header")
    if unread:
        raise _unread_note(unread, f"{len(deliveries)} signatures verified")
    return f"{len(deliveries)} signatures verified"


@suite.case("SND-WIRE-003", "SND-04", "Every delivery of the run is sent as the bytes signed")
def every_body(target: SenderTarget) -> str:
    deliveries, unread = _readable_deliveries(target)
    for capture in deliveries:
        expected = canonical_bytes(parsed_body(capture))
        if capture.body != expected:
            raise CheckFailed(
                f"a body is not JSON.stringify of its payload: {first_difference(capture.body, expected)}"
            )
    if unread:
        raise _unread_note(unread, f"{len(deliveries)} bodies are JSON.stringify of their payload")
    return f"{len(deliveries)} bodies are JSON.stringify of their payload"


@suite.case("SND-WIRE-004", "SND-08", "Nothing of the run went to a URL nobody subscribed")
def nothing_stray(target: SenderTarget) -> str:
    captures = _run_deliveries(target)
    stray = [c for c in captures if c.endpoint is None]
    if stray:
        paths = sorted({c.path for c in stray})
        raise CheckFailed(f"{len(stray)} request(s) went to paths no endpoint subscribed: {', '.join(paths[:3])}")
    return f"{len(captures)} requests, all to subscribed URLs"
