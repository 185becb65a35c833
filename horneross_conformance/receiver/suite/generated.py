"""The receiver suite's generated checks: schema-valid events explored by Hypothesis.

Hand-picked checks catch the mistakes we thought of; these catch the others. Each generated event gets a fresh
identity (``id``, ``timestamp``, ``conversationId``, ``messageId``) as Horneross would give it, goes out as its
canonical bytes, correctly signed, and must be acknowledged with 200. A failure is shrunk to the smallest failing
event and comes with a ``curl`` command that delivers it again. The long-message check (RCV-13) sits here too:
its two events are derived, not generated, but built and delivered the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.checks.exploration import Counterexample, Exploration, Stop, how_found
from horneross_conformance.checks.in_flight import draw_generated, explore_generated
from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS, SUCCESS_STATUS
from horneross_conformance.core.events import envelope, new_id, sample_data, stress_texts, with_fresh_ids
from horneross_conformance.receiver.suite.deliveries import confirm
from horneross_conformance.receiver.target import NoAnswer, ReceiverTarget, acknowledged, other_success
from horneross_conformance.transport.curl import curl_command, display_json

LONG_SIZES = (100 * 1024, 1024 * 1024)  # bytes of message content: 100 KiB, 1 MiB
BODY_SHOWN = 4000  # characters of a failing event shown in full; shrunk events are far smaller


def with_identity(target: ReceiverTarget, event: dict[str, Any]) -> dict[str, Any]:
    """A generated event as a sender would deliver it: a fresh id, the current time, and the run's conversation
    (a conversation.created opens a new one of its own). Fields added later stay where they are."""
    created = event["type"] == "conversation.created"
    data = with_fresh_ids(event["data"], new_id("conv") if created else target.conversation_id())
    return {**copy.deepcopy(event), **envelope(event["type"], data)}


def _deliver(
    target: ReceiverTarget, event: dict[str, Any], excuses: list[Inconclusive], concurrent: bool = False
) -> None:
    """Deliver one generated event; ``concurrent``: others are in flight (see ``checks.in_flight``). Another success
    than 200 ends the exploration with an excuse: it is RCV-02's fault, and nothing to shrink."""
    sent, body = event, b""
    try:
        sent = with_identity(target, event)  # may open the run's conversation: a delivery too
        body = canonical_bytes(sent)
        response = target.deliver_canonical(body, concurrent=concurrent)
    except CheckFailed as error:  # no answer: shrinking would wait out the timeout again and again
        busy = isinstance(error, NoAnswer) and error.kind == "timeout"
        raise Stop("the endpoint gave no answer", Counterexample(str(error), sent, body), busy) from None
    excuse = other_success(response, "a generated event")
    if excuse is not None:
        excuses.append(excuse)
        raise Stop(str(excuse))
    if response.status != SUCCESS_STATUS:
        reason, cause = target.why_not(response)
        raise Counterexample(f"answered {response.summary()}", sent, body, reason, cause)


@dataclass(frozen=True, slots=True)
class Drawn:
    """What a generated check draws: its strategy, and the derived events it tries first. Both are built only when
    the check runs or is drawn ahead of its turn: Hypothesis takes a moment to load."""

    strategy: Callable[[], Any]
    explicit: Callable[[], list[Any]] = list


def _generation() -> Any:
    from horneross_conformance.checks import generation

    return generation


def _documented_events(event_type: str) -> Drawn:
    return Drawn(lambda: _generation().documented_events(event_type))


WITHOUT_SURROGATES = "without-surrogates"
LONE_SURROGATES = "lone-surrogates"
DRAWN: dict[str, Drawn] = {  # each generated check's drawing, by check
    **{PER_TYPE_CHECKS[event_type]["RCV-GEN"]: _documented_events(event_type) for event_type in EVENT_TYPES},
    "RCV-GEN-005": Drawn(
        lambda: _generation().stressed(WITHOUT_SURROGATES),
        lambda: _generation().derived_stress_events(WITHOUT_SURROGATES),
    ),
    "RCV-GEN-006": Drawn(lambda: _generation().with_extras()),
    "RCV-GEN-007": Drawn(lambda: _generation().added_later()),
    "RCV-GEN-008": Drawn(
        lambda: _generation().stressed(LONE_SURROGATES), lambda: _generation().derived_stress_events(LONE_SURROGATES)
    ),
}


def draw_ahead(target: ReceiverTarget, case_id: str) -> None:
    """Draw ``case_id``'s events now, while another check's deliveries are in flight, so that in its turn it only
    delivers them (``in_flight.draw_generated``). Nothing for a check that draws nothing, or when deliveries go
    one at a time (drawing and delivering then take turns on one thread)."""
    drawn = DRAWN.get(case_id)
    if drawn is not None and target.window.size > 1:
        draw_generated(target.generation, case_id, drawn.strategy, drawn.explicit)


def _run(
    target: ReceiverTarget, case_id: str, what: str, control: tuple[Callable[[Any], Any], str] | None = None
) -> str:
    """``control``: how to make, from the failing event, the same event without the feature under test, and what
    that is; the failure stands only if the control is acknowledged."""
    excuses: list[Inconclusive] = []
    drawn = DRAWN[case_id]
    exploration = explore_generated(
        target.generation,
        case_id,
        lambda event: _deliver(target, event, excuses),
        lambda event: _deliver(target, event, excuses, concurrent=True),
        drawn.strategy,
        drawn.explicit,
        target.wire.mark_failing,
        settle=target.settle,
        window=target.window,
        meanwhile=target.meanwhile,
    )
    if excuses and exploration.found is None:
        raise excuses[0]
    if exploration.found is not None:
        if control is not None:
            make, without = control
            confirm(target, [with_identity(target, make(exploration.found.event))], without)
        raise CheckFailed(_failure(target, case_id, what, exploration), exploration.found.cause)
    return f"{target.generation.account(exploration)}: all acknowledged"


def _failure(target: ReceiverTarget, case_id: str, what: str, exploration: Exploration) -> str:
    found = exploration.found
    assert found is not None
    text = display_json(found.body.decode("utf-8"))
    how = how_found(exploration, "event")
    why = f": {found.why}" if found.why else ""
    lines = [
        f"{found} to a generated {what}{why}",
        f"Failing event ({how}):",
        text if len(text) <= BODY_SHOWN else f"{text[:BODY_SHOWN]}… ({len(found.body)} bytes)",
        target.generation.rerun(case_id),
    ]
    if len(text) <= BODY_SHOWN:
        lines += ["Deliver this one again (signed in the shell with your secret's variable):"]
        lines += curl_command(target.endpoint.display, found.body).splitlines()
    return "\n".join(lines)


cases = Registry()


def _documented(case_id: str, event_type: str) -> None:
    def check(target: ReceiverTarget) -> str:
        return _run(target, case_id, f"{event_type} event")

    cases.case(case_id, "RCV-01", f"Acknowledges generated {event_type} events (documented fields)")(check)


for _type in EVENT_TYPES:
    _documented(PER_TYPE_CHECKS[_type]["RCV-GEN"], _type)


@cases.case("RCV-GEN-005", "RCV-04", "Acknowledges generated events with stress text in every text field")
def stress(target: ReceiverTarget) -> str:
    return _run(target, "RCV-GEN-005", "event with stress text", (_plain, "with plain text"))


@cases.case("RCV-GEN-006", "RCV-11", "Acknowledges generated events with numbers and integer-like keys in extras")
def extras(target: ReceiverTarget) -> str:
    control = (_plain, "without the unknown fields")
    return _run(target, "RCV-GEN-006", "event with unknown numeric fields", control)


@cases.case("RCV-GEN-007", "RCV-07", "Acknowledges generated event types and fields added later")
def added_later(target: ReceiverTarget) -> str:
    what = "event of a type, or with fields, added later"
    control = (_plain, "of a known type, without fields added later")
    return _run(target, "RCV-GEN-007", what, control)


@cases.case("RCV-GEN-008", "RCV-14", "Acknowledges generated events with lone surrogates in every text field")
def lone_surrogates(target: ReceiverTarget) -> str:
    from horneross_conformance.receiver.suite.text import SURROGATE_REMEDY

    try:
        return _run(target, "RCV-GEN-008", "event with a lone surrogate", (_plain, "with plain text"))
    except CheckFailed as failure:
        raise CheckFailed(f"{failure}\n{SURROGATE_REMEDY}", failure.cause) from None


def _plain(event: Any) -> Any:
    """The same event without the feature under test: the full sample of its type (the generators of RCV-04,
    RCV-07, RCV-11 and RCV-14 all start from it), or a message for a type added later."""
    from horneross_conformance.checks.generation import full_sample

    known = event.get("type") in EVENT_TYPES
    return full_sample(event["type"] if known else "conversation.message.created")


@cases.case("RCV-LONG-001", "RCV-13", "Answers messages of 100 KiB and 1 MiB with 200 or a 4xx, never a 5xx")
def long_messages(target: ReceiverTarget) -> str:
    return _long_messages(target)


def long_content(size: int) -> str:
    """Message text of at least ``size`` UTF-8 bytes: the stress texts that are plain text (accents, emoji, CJK,
    right-to-left), repeated. No control characters or lone surrogates: here the length is the subject."""
    plain = [t["text"] for t in stress_texts() if t["name"] in ("accents", "emoji", "cjk", "right-to-left")]
    unit = " ".join(plain) + "\n"
    repeats = size // len(unit.encode("utf-8")) + 1
    return unit * repeats


def _long_messages(target: ReceiverTarget) -> str:
    seen = []
    for size in LONG_SIZES:
        data = sample_data("conversation.message.created")
        data["content"] = long_content(size)
        event = {"type": "conversation.message.created", "data": data}
        sent = with_identity(target, event)
        response = target.deliver(canonical_bytes(sent))
        label = f"{size // 1024} KiB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MiB"
        excuse = other_success(response, f"a correctly signed message of {label}")
        if excuse is not None:
            raise excuse
        if response.status == SUCCESS_STATUS:
            seen.append(f"{label}: {acknowledged(response)}")
        elif 400 <= response.status < 500:
            seen.append(
                f"{label}: refused with {response.status}, so Horneross retries it 4 times and the message is "
                "lost; raise the body limit if messages this long matter (express.json({ limit: '2mb' }))"
            )
        else:
            short = {"type": "conversation.message.created", "data": sample_data("conversation.message.created")}
            confirm(target, [with_identity(target, short)], "with a short message")
            raise CheckFailed(
                f"answered {response.summary()} to a correctly signed message of {label}: a long message "
                "should be acknowledged, or refused on purpose with 413, not crash the endpoint"
            )
    return "; ".join(seen)
