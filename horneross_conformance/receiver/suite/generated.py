"""The receiver suite's generated checks: schema-valid events explored by Hypothesis.

Hand-picked checks catch the mistakes we thought of; these catch the others. Each generated event gets a fresh
identity (``id``, ``timestamp``, ``conversationId``, ``messageId``) as Horneross would give it, goes out as its
canonical bytes, correctly signed, and must be acknowledged with 200. A failure is shrunk to the smallest failing
event and comes with a ``curl`` command that delivers it again. A generated check may start during the one before
it, its deliveries beside that one's last ones (``draw_ahead``; ``receiver.overlap`` says when). The long-message
check (RCV-13) sits here too: its two events are derived, not generated, but built and delivered the same way.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from horneross_conformance.checks.exploration import Counterexample, Exploration, Stop, how_found
from horneross_conformance.checks.in_flight import Flight, generated_flight
from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS, SUCCESS_STATUS
from horneross_conformance.core.events import envelope, new_id, sample_data, stress_texts, with_fresh_ids
from horneross_conformance.receiver.suite.deliveries import confirm
from horneross_conformance.receiver.target import NoAnswer, ReceiverTarget, acknowledged, other_success
from horneross_conformance.transport.curl import curl_command, display_json
from horneross_conformance.transport.wire import WireLog

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
class Generated:
    """A generated check: what it explores, and how it tells a failure. ``control``: how to make, from the failing
    event, the same event without the feature under test, and what that is; the failure stands only if the control
    is acknowledged. ``remedy``: what to do about a failure, said after it. Hypothesis is imported when a generated
    check runs, not when the suite loads: the strategies are made by the functions given."""

    case_id: str
    what: str
    strategy: Callable[[], Any]
    explicit: Callable[[], list[Any]] = list
    control: tuple[Callable[[Any], Any], str] | None = None
    remedy: Callable[[], str] | None = None


@dataclass(slots=True)
class Started:
    """A generated check whose events are drawn and whose deliveries are started (``flight``), or one that delivers
    one at a time (``flight`` None: nothing is drawn ahead). ``log``: the wire log its deliveries in flight go to."""

    flight: Flight | None
    log: WireLog | None
    excuses: list[Inconclusive] = field(default_factory=list)


GENERATED: dict[str, Generated] = {}  # by check id, in the suite's order
cases = Registry()


def start(target: ReceiverTarget, check: Generated, log: WireLog | None = None) -> Started:
    """``check`` started: its events drawn and their deliveries out, as many at once as the run's window allows.
    ``log``: where its deliveries in flight are recorded (by default, the log of this thread's check)."""
    started = Started(None, log if log is not None else target.wire.log_of_this_thread())

    def in_flight(event: dict[str, Any]) -> None:  # on a thread of the deliveries' pool: into this check's log
        with target.wire.recording_into(started.log):
            _deliver(target, event, started.excuses, concurrent=True)

    started.flight = generated_flight(
        target.generation,
        check.case_id,
        lambda event: _deliver(target, event, started.excuses),
        in_flight,
        check.strategy,
        check.explicit,
        target.wire.mark_failing,
        settle=target.settle,  # after a timeout in flight
        window=target.window,
    )
    if started.flight is not None:
        try:
            started.flight.draw()
        except BaseException:
            with contextlib.suppress(Exception):
                started.flight.land()  # nothing of it still out
            raise
    return started


def draw_ahead(target: ReceiverTarget, case_id: str) -> Started | None:
    """Start the generated check ``case_id`` ahead of its turn, during the check before it: its events drawn now,
    on this thread, and delivered beside that check's last deliveries, into a wire log of its own; the check takes
    them in its turn (``receiver.overlap``). None if it delivers one at a time."""
    started = start(target, GENERATED[case_id], WireLog(target.wire.redactor))
    if started.flight is None:
        return None
    target.drawn_ahead[case_id] = started
    return started


def _run(target: ReceiverTarget, case_id: str) -> str:
    check = GENERATED[case_id]
    if check.remedy is None:
        return _explored(target, check)
    try:
        return _explored(target, check)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure}\n{check.remedy()}") from None


def _explored(target: ReceiverTarget, check: Generated) -> str:
    case_id = check.case_id
    started = target.drawn_ahead.pop(case_id, None)
    if isinstance(started, Started):
        target.wire.adopt(started.log)  # what it delivered so far, and what it delivers from now on
    else:
        started = start(target, check)
    if started.flight is None:
        deliver = lambda event: _deliver(target, event, started.excuses)  # noqa: E731
        explicit, on_failure = check.explicit, target.wire.mark_failing
        exploration = target.generation.explore(case_id, deliver, check.strategy, explicit, on_failure)
    else:
        handover = target.handover
        if not started.flight.paused:
            handover.drawn()
        exploration = started.flight.finish(handover.alone)
    if started.excuses and exploration.found is None:
        raise started.excuses[0]
    if exploration.found is not None:
        if check.control is not None:
            make, without = check.control
            confirm(target, [with_identity(target, make(exploration.found.event))], without)
        raise CheckFailed(_failure(target, case_id, check.what, exploration), exploration.found.cause)
    return f"{target.generation.account(exploration)}: all acknowledged"


def _generated(requirement: str, title: str, check: Generated) -> None:
    GENERATED[check.case_id] = check
    cases.case(check.case_id, requirement, title)(lambda target: _run(target, check.case_id))


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


def _plain(event: Any) -> Any:
    """The same event without the feature under test: the full sample of its type (the generators of RCV-04,
    RCV-07, RCV-11 and RCV-14 all start from it), or a message for a type added later."""
    from horneross_conformance.checks.generation import full_sample

    known = event.get("type") in EVENT_TYPES
    return full_sample(event["type"] if known else "conversation.message.created")


def _generation() -> Any:
    from horneross_conformance.checks import generation

    return generation


def _documented(event_type: str) -> Callable[[], Any]:
    return lambda: _generation().documented_events(event_type)


for _type in EVENT_TYPES:
    _generated(
        "RCV-01",
        f"Acknowledges generated {_type} events (documented fields)",
        Generated(PER_TYPE_CHECKS[_type]["RCV-GEN"], f"{_type} event", _documented(_type)),
    )
_generated(
    "RCV-04",
    "Acknowledges generated events with stress text in every text field",
    Generated(
        "RCV-GEN-005",
        "event with stress text",
        lambda: _generation().stressed("without-surrogates"),
        lambda: _generation().derived_stress_events("without-surrogates"),
        (_plain, "with plain text"),
    ),
)
_generated(
    "RCV-11",
    "Acknowledges generated events with numbers and integer-like keys in extras",
    Generated(
        "RCV-GEN-006",
        "event with unknown numeric fields",
        lambda: _generation().with_extras(),
        control=(_plain, "without the unknown fields"),
    ),
)
_generated(
    "RCV-07",
    "Acknowledges generated event types and fields added later",
    Generated(
        "RCV-GEN-007",
        "event of a type, or with fields, added later",
        lambda: _generation().added_later(),
        control=(_plain, "of a known type, without fields added later"),
    ),
)


def _surrogate_remedy() -> str:
    from horneross_conformance.receiver.suite.text import SURROGATE_REMEDY

    return SURROGATE_REMEDY


_generated(
    "RCV-14",
    "Acknowledges generated events with lone surrogates in every text field",
    Generated(
        "RCV-GEN-008",
        "event with a lone surrogate",
        lambda: _generation().stressed("lone-surrogates"),
        lambda: _generation().derived_stress_events("lone-surrogates"),
        (_plain, "with plain text"),
        _surrogate_remedy,
    ),
)


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
