"""SND-05, SND-06 and SND-07: retries on schedule for every kind of failure, the stop at a 200, identical retries."""

from __future__ import annotations

from horneross_conformance.checks.registry import LATE, CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import DUE, SUCCESS_STATUS
from horneross_conformance.core.events import sample_data
from horneross_conformance.sender.capture import Answer, Capture, always, succeed_at
from horneross_conformance.sender.schedule import Emission, Expected, Plan
from horneross_conformance.sender.suite.verifiers import (
    SIGNATURE,
    emission_of,
    first_difference,
    one_event_plan,
    play_for,
)
from horneross_conformance.sender.target import Emitted, SenderTarget, body_json, why_unreadable

cases = Registry()


def _status_case(case_id: str, status: int) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint(always(Answer(status)))
        play_for("SND-05", target, one_event_plan(endpoint))
        return f"5 attempts at +0, +60, +360, +2160, +9360 s, none after, with every attempt answered {status}"

    kind = "a redirect, not followed" if 300 <= status < 400 else "a failure"
    cases.case(case_id, "SND-05", f"HTTP {status} is {kind}: retried on schedule")(check)


# Every kind of answer that is not exactly 200: other 2xx, redirects (never followed), 4xx and 5xx.
for _case_id, _status in (
    ("SND-RTY-001", 201),
    ("SND-RTY-002", 202),
    ("SND-RTY-003", 204),
    ("SND-RTY-004", 301),
    ("SND-RTY-005", 302),
    ("SND-RTY-006", 400),
    ("SND-RTY-007", 401),
    ("SND-RTY-008", 404),
    ("SND-RTY-009", 410),
    ("SND-RTY-010", 429),
    ("SND-RTY-011", 500),
    ("SND-RTY-012", 503),
):
    _status_case(_case_id, _status)


@cases.case("SND-RTY-013", "SND-05", "No answer within the sender's timeout: retried on schedule", LATE)
def slow_answers(target: SenderTarget) -> str:
    endpoint = target.endpoint(always(Answer(SUCCESS_STATUS, hold=True)))
    try:
        play_for("SND-05", target, one_event_plan(endpoint), run_due_bound=2 * target.timeout + 1)
    except CheckFailed:
        target.settle_held()
        if any("still waiting" in c.answered for c in target.captures):
            raise Inconclusive(
                f"the sender waited more than {target.log.hold_limit:g} s for an answer, so a timeout could not be "
                "provoked; give the factory a shorter delivery timeout or raise --horneross-timeout"
            ) from None
        raise
    target.settle_held()  # the last attempt's answer and exchange, for the report
    return "every attempt was kept waiting until the sender hung up; 5 attempts on schedule"


@cases.case("SND-RTY-014", "SND-05", "A refused connection is a failure: retried on schedule")
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


# Text a sender may treat apart (an encoder, a queue, a log line): non-ASCII and a line separator, but no lone
# surrogate, so that a sender that cannot serialize one (SND-03's fault) still has its schedule checked here.
NON_ASCII_TEXT = "¿Me ayudás? María 👋 \u2028 «comillas» 中文 مرحبا"


@cases.case("SND-RTY-015", "SND-05", "An event with non-ASCII text is retried on schedule too")
def non_ascii_retried(target: SenderTarget) -> str:
    endpoint = target.endpoint(always(Answer(500)))
    data = sample_data("conversation.message.created")
    data["content"] = NON_ASCII_TEXT
    plan = Plan(
        [Emission(0, "conversation.message.created", data)],
        [Expected(endpoint, 0, DUE, failure="was answered 500")],
    )
    play_for("SND-05", target, plan)
    return "an event with non-ASCII text: 5 attempts at +0, +60, +360, +2160, +9360 s, none after"


def _stop_case(case_id: str, k: int) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint(succeed_at(k))
        expected = Expected(endpoint, 0, DUE[:k], ends_with_200=True, failure="was answered 500")
        play_for("SND-06", target, one_event_plan(endpoint, expected))
        return f"attempt {k} was answered 200 at +{DUE[k - 1]} s and nothing came after it"

    ordinal = "the first attempt" if k == 1 else f"attempt {k}"
    cases.case(case_id, "SND-06", f"A 200 at {ordinal} ends the schedule")(check)


for _case_id, _k in (
    ("SND-STOP-001", 1),
    ("SND-STOP-002", 2),
    ("SND-STOP-003", 3),
    ("SND-STOP-004", 4),
    ("SND-STOP-005", 5),
):
    _stop_case(_case_id, _k)


def _identical_case(case_id: str, text: str, kind: str) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint(always(Answer(500)))
        data = sample_data("conversation.message.created")
        data["content"] = text
        emitted = target.emit("conversation.message.created", data)
        attempts: list[Capture] = []
        for offset in DUE:
            target.move_to(offset)
            # an event it never emitted (a welcome ping, another customer's) is not an attempt: SND-WIRE-005's
            attempts += [c for c in target.run_due() if c.endpoint is endpoint and _attempt_of(target, c, emitted)]
        if len(attempts) < 2:
            # none at all: the event was never delivered (SND-08's, decision 15); one: it was not retried (SND-05's)
            owner = "SND-05" if attempts else "SND-08"
            raise Inconclusive(f"only {len(attempts)} attempt(s) arrived, nothing to compare", owner=owner)
        first = attempts[0]
        for number, retry in enumerate(attempts[1:], start=2):
            difference = _difference(first, retry)
            if difference:
                raise CheckFailed(f"attempt {number} (at +{retry.offset} s) differs from attempt 1: {difference}")
        return f"{len(attempts)} attempts with identical bytes and signature"

    cases.case(case_id, "SND-07", f"Every retry of an event with {kind} is byte-identical to the first attempt")(check)


# Stress text, a lone surrogate included; and plain ASCII, which no fault of serialization can keep from being
# checked (a sender that refuses the lone surrogate fails SND-03, and SND-SAME-001 says so).
_identical_case("SND-SAME-001", '¿Me ayudás? 👋 \u2028 "x" \ud83d', "stress text")
_identical_case("SND-SAME-002", "Hola, necesito ayuda", "plain ASCII text")


def _attempt_of(target: SenderTarget, capture: Capture, emitted: Emitted) -> bool:
    """Whether a delivery is an attempt of ``emitted``: it carries it, or it cannot be read (SND-01's business)."""
    return why_unreadable(capture) is not None or emission_of(target, capture) is emitted


def _difference(first: Capture, retry: Capture) -> str | None:
    if retry.body != first.body:
        before, after = body_json(first), body_json(retry)
        if isinstance(before, dict) and isinstance(after, dict):
            for key in ("id", "timestamp", "type"):
                if before.get(key) != after.get(key):
                    return f"{key} {before.get(key)!r} became {after.get(key)!r}"
        return f"the body changed {first_difference(retry.body, first.body)}"
    if retry.sha256 != first.sha256:  # the kept starts agree, what the run could not keep does not
        return f"the body changed after its first {len(first.body)} bytes (its SHA-256 differs)"
    if retry.headers.get(SIGNATURE) != first.headers.get(SIGNATURE):
        return "the body is the same but the signature changed"
    return None
