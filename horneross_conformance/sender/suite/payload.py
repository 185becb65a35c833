"""SND-08's preflight, SND-01 and SND-02: something arrives, as a valid JSON POST, with its own id and timestamp."""

from __future__ import annotations

from datetime import datetime

from horneross_conformance.checks.registry import FIRST, CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import EVENT_ID_PREFIX, EVENT_TYPES, PER_TYPE_CHECKS
from horneross_conformance.core.events import sample_data, stress_texts
from horneross_conformance.sender.suite.verifiers import (
    RFC3339_UTC,
    check_payload,
    deliver,
    emission_of,
    event_or_fail,
    event_or_inconclusive,
    samples,
    stress_samples,
)
from horneross_conformance.sender.target import SenderTarget, excerpt

cases = Registry()


PREFLIGHT_ID = "SND-PRE-001"


@cases.case(PREFLIGHT_ID, "SND-08", "An emitted event reaches a subscribed endpoint", FIRST)
def reaches(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    target.emit("conversation.created", sample_data("conversation.created"))
    arrived = [c for c in target.run_due() if c.endpoint is endpoint]
    if not arrived:
        stray = [c for c in target.captures if c.endpoint is None]
        elsewhere = f"; {len(stray)} request(s) arrived elsewhere: {stray[0].shown_path}" if stray else ""
        raise CheckFailed(
            f"nothing arrived at endpoint {endpoint.label} after subscribe(), emit() and run_due() at the same "
            f"instant: the first attempt is due immediately{elsewhere}"
        )
    return f"the first attempt arrived at +{arrived[0].offset} s"


def _payload_case(case_id: str, event_type: str) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint()
        data = sample_data(event_type)
        [capture] = deliver(target, [(event_type, data)], endpoint)
        check_payload(capture, event_type, data)
        return f"POST, {capture.headers['content-type']}, {capture.size} bytes, valid"

    cases.case(case_id, "SND-01", f"A {event_type} event is a valid JSON POST")(check)


for _type in EVENT_TYPES:
    _payload_case(PER_TYPE_CHECKS[_type]["SND-PAY"], _type)


@cases.case("SND-PAY-005", "SND-01", "Text that stresses serialization arrives unchanged")
def stress_arrives(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    emissions = stress_samples()
    arrived = deliver(target, emissions, endpoint)
    for capture in arrived:
        event_or_fail(capture)
        emitted = emission_of(target, capture)
        if emitted is None:
            raise CheckFailed(f"a delivery carries data never emitted: {excerpt(capture.body)}")
        check_payload(capture, emitted.event_type, emitted.data)
    return f"{len(arrived)} events with {len(stress_texts())} stress texts arrived intact"


@cases.case("SND-ID-001", "SND-02", "Each event has its own evt_ id, the one emit returned, and its type")
def ids(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    emissions = samples() + samples()
    arrived = deliver(target, emissions, endpoint)
    seen: dict[str, str] = {}
    for capture in arrived:
        body = event_or_inconclusive(capture)
        emitted = emission_of(target, capture)
        if emitted is None:
            raise Inconclusive(f"a delivery carries data never emitted: {excerpt(capture.body)}", owner="SND-01")
        event_id = body.get("id")
        if not (isinstance(event_id, str) and event_id.startswith(EVENT_ID_PREFIX)):
            raise CheckFailed(
                f"a {emitted.event_type} event has the id {event_id!r}, which does not start with {EVENT_ID_PREFIX}"
            )
        if event_id != emitted.returned:
            raise CheckFailed(f"emit() returned {emitted.returned!r}, but the delivered event's id is {event_id!r}")
        if body.get("type") != emitted.event_type:
            raise CheckFailed(f"an event emitted as {emitted.event_type} arrived with type {body.get('type')!r}")
        if event_id in seen:
            raise CheckFailed(f"two different events arrived with the same id {event_id!r}")
        seen[event_id] = emitted.event_type
    return f"{len(seen)} events, {len(seen)} distinct evt_ ids, each the one emit() returned"


@cases.case("SND-ID-002", "SND-02", "timestamp is RFC 3339 UTC, the instant of emit()")
def timestamps(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    for offset in (0, 17, 3_605):
        target.move_to(offset)
        [capture] = deliver(target, [("conversation.created", sample_data("conversation.created"))], endpoint)
        stamp = event_or_inconclusive(capture).get("timestamp")
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
