"""Playing a retry schedule under the frozen clock, and saying exactly where a sender leaves it.

A plan lists what is emitted when, and for each (endpoint, emitted event) the offsets at which its attempts
must arrive. ``play`` moves the clock only to the instants that matter: each emission, each due time, one
second before each due time (nothing may arrive then), and, after the last attempt, every usual delay and a
day later (nothing may arrive then either). At each instant it calls ``run_due`` once and compares what arrived
with what was due, so hours of schedule cost a few dozen calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from horneross_conformance.checks.registry import CheckFailed, Inconclusive
from horneross_conformance.core.contract import RETRY_DELAYS
from horneross_conformance.sender.capture import Capture, CaptureEndpoint
from horneross_conformance.sender.target import SenderTarget, body_json, why_unreadable

DAY = 24 * 60 * 60
# after the last attempt nothing may come: not after any usual delay, not a day or a week later
QUIET_PROBES = (1, *RETRY_DELAYS, DAY, 7 * DAY)


class Departure(CheckFailed):
    """Where the sender left the plan, and whose business that is: the schedule (SND-05), or stopping (SND-06)."""

    def __init__(self, message: str, owner: str = "SND-05") -> None:
        super().__init__(message)
        self.owner = owner


def human(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


@dataclass(frozen=True)
class Emission:
    offset: int
    event_type: str
    data: dict[str, Any]


@dataclass
class Expected:
    """The attempts of one emitted event at one endpoint: numbered from ``first``, due at ``offsets``."""

    endpoint: CaptureEndpoint
    emission: int  # index into the plan's emissions
    offsets: tuple[int, ...]
    first: int = 1  # the number of the first attempt that can be seen (earlier ones were refused)
    ends_with_200: bool = False
    failure: str = "failed"  # how the attempts before the last failed, for messages
    seen: list[int] = field(default_factory=list)  # offsets at which its attempts arrived


@dataclass
class Plan:
    emissions: list[Emission]
    expected: list[Expected]
    opens: dict[int, list[CaptureEndpoint]] = field(default_factory=dict)  # offset -> refusing endpoints to open then


def play(target: SenderTarget, plan: Plan, run_due_bound: float | None = None) -> None:
    """Play ``plan`` against ``target``; raise ``Departure`` at the first departure from it."""
    for instant in _instants(plan):
        target.move_to(instant)
        for endpoint in plan.opens.get(instant, []):
            target.open(endpoint)
        for emission in plan.emissions:
            if emission.offset == instant:
                target.emit(emission.event_type, emission.data)
        arrived = target.run_due(bound=run_due_bound)
        _compare(plan, instant, arrived)


def _instants(plan: Plan) -> list[int]:
    instants = {emission.offset for emission in plan.emissions} | set(plan.opens)
    for expected in plan.expected:
        start = plan.emissions[expected.emission].offset
        instants |= {offset for offset in expected.offsets}
        instants |= {offset - 1 for offset in expected.offsets if offset - 1 >= start}
        last = expected.offsets[-1] if expected.offsets else start
        instants |= {last + delay for delay in QUIET_PROBES}
    return sorted(instants)


def _compare(plan: Plan, instant: int, arrived: list[Capture]) -> None:
    for capture in arrived:
        expected = _owner(plan, capture)
        if expected is None and capture.followed_redirect:
            raise Departure(
                f"the sender followed a redirect: at +{instant} s it sent {_describe(capture)}, the Location of a "
                "3xx answer. A 3xx is a failure like any other: do not follow it, retry the endpoint's own URL on "
                "schedule"
            )
        if expected is None and capture.endpoint is None:
            continue  # a request to a path no endpoint has is SND-08's business (SND-WIRE-004), not the schedule's
        if expected is None and not _emitted_here(plan, capture):
            continue  # an event the plan never emitted: whose it is, is SND-08's business (SND-WIRE-005)
        if expected is None:
            raise Departure(f"an unexpected request arrived at +{instant} s: {_describe(capture)}")
        expected.seen.append(instant)
        number = expected.first + len(expected.seen) - 1
        attempt = f"attempt {number} to endpoint {expected.endpoint.label}"
        if expected.seen.count(instant) > 1:
            raise Departure(
                f"{attempt} arrived at +{instant} s, the same instant as attempt {number - 1}: the same event was "
                f"delivered twice at once{_timeline(expected)}"
            )
        if len(expected.seen) > len(expected.offsets):
            last = expected.offsets[-1]
            if expected.ends_with_200:
                raise Departure(
                    f"{attempt} arrived at +{instant} s, after attempt {number - 1} was answered 200 at +{last} s: "
                    f"the first 200 ends the schedule{_timeline(expected)}",
                    owner="SND-06",
                )
            raise Departure(
                f"{attempt} arrived at +{instant} s ({human(instant - last)} after attempt {number - 1}): "
                f"there are at most 5 attempts{_timeline(expected)}"
            )
        due = expected.offsets[len(expected.seen) - 1]
        if instant != due:
            raise Departure(
                f"{attempt} arrived at +{instant} s, {due - instant} s before it was due at +{due} s"
                f"{_why(expected, number)}{_timeline(expected)}"
            )
    for expected in plan.expected:
        due_now = [index for index, offset in enumerate(expected.offsets) if offset == instant]
        if not due_now:
            continue
        if instant not in expected.seen:
            number = expected.first + due_now[0]
            # an event whose first attempt never came was not delivered at all: SND-08's (decision 15)
            raise Departure(
                f"attempt {number} to endpoint {expected.endpoint.label} did not arrive at +{instant} s, when it was "
                f"due{_why(expected, number)}{_timeline(expected)}",
                owner="SND-08" if number == 1 else "SND-05",
            )


def _owner(plan: Plan, capture: Capture) -> Expected | None:
    """The expectation a request belongs to: same endpoint, and the emitted event, found by its conversation id
    when several events go there. A readable delivery of an event the plan did not emit belongs to none."""
    mine = [e for e in plan.expected if e.endpoint is capture.endpoint]
    if not mine:
        return None
    problem = why_unreadable(capture)
    if problem:
        if len(mine) == 1:
            return mine[0]  # what it carries is SND-01's business; to the schedule it is an attempt
        raise Inconclusive(f"{problem}, so which event it carries is unknown", owner="SND-01")
    conversation = _conversation(capture)
    for expected in mine:
        if conversation == plan.emissions[expected.emission].data.get("conversationId"):
            return expected
    return None


def _emitted_here(plan: Plan, capture: Capture) -> bool:
    """Whether a readable delivery carries one of the plan's events (by conversation id)."""
    if why_unreadable(capture):
        return True
    conversation = _conversation(capture)
    return any(conversation == emission.data.get("conversationId") for emission in plan.emissions)


def _conversation(capture: Capture) -> object:
    body = body_json(capture)
    data = body.get("data") if isinstance(body, dict) else None
    return data.get("conversationId") if isinstance(data, dict) else None


def _why(expected: Expected, number: int) -> str:
    if number == 1:
        return " (the first attempt is due when the event is emitted)"
    index = number - expected.first
    if index < 1:
        return f" ({human(RETRY_DELAYS[number - 2])} after attempt {number - 1} {expected.failure})"
    previous = expected.offsets[index - 1]
    return f" ({human(RETRY_DELAYS[number - 2])} after attempt {number - 1} {expected.failure} at +{previous} s)"


def _timeline(expected: Expected) -> str:
    seen = ", ".join(f"+{offset} s" for offset in expected.seen) or "none"
    due = ", ".join(f"+{offset} s" for offset in expected.offsets)
    return f". Attempts seen at endpoint {expected.endpoint.label}: {seen}; due: {due}"


def _describe(capture: Capture) -> str:
    body = body_json(capture)
    what = f"event {body.get('id')!r} of type {body.get('type')!r}" if isinstance(body, dict) else "a body"
    return f"{capture.method} to {capture.where} with {what} ({capture.size} bytes)"
