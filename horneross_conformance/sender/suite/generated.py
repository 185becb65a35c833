"""The sender suite's generated checks: data from the receiver suite's generators, emitted through the adapter.

Every generated event is emitted at the frozen instant with a fresh conversation (the suite finds each delivery by
it) and delivered at once to an endpoint that answers 200. Its delivery must be a valid POST carrying the data as
emitted (SND-01), signed as the documentation computes it (SND-03). A failure is shrunk to the smallest data that
fails; a call of the adapter that does not return ends the exploration at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from horneross_conformance.checks.exploration import Counterexample, Exploration, Stop, how_found
from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import EVENT_TYPES, PER_TYPE_CHECKS
from horneross_conformance.core.events import new_id, with_fresh_ids
from horneross_conformance.sender.capture import Capture, CaptureEndpoint
from horneross_conformance.sender.suite.verifiers import check_payload, deliver, signature_problem
from horneross_conformance.sender.target import Emitted, NoReturn, SenderTarget, body_json
from horneross_conformance.transport.curl import display_json

Judge = Callable[[Capture, str, dict[str, Any], CaptureEndpoint], None]
SHOWN = 2000  # characters of failing data shown
cases = Registry()  # Hypothesis is imported when a generated check runs, not when the suite loads


def _run(
    target: SenderTarget,
    case_id: str,
    strategy: Callable[[], Any],
    judge: Judge,
    explicit: Callable[[], list[Any]] = list,
) -> str:
    endpoint = target.endpoint()
    excuses: list[Inconclusive] = []  # another requirement's fault met: nothing to shrink, the check stops

    def attempt(event: dict[str, Any]) -> None:
        event_type, data = event["type"], with_fresh_ids(event["data"], new_id("conv"))
        shown = {"type": event_type, "data": data}
        try:
            [capture] = deliver(target, [(event_type, data)], endpoint)
        except NoReturn as error:  # shrinking would wait out the timeout again and again
            raise Stop(str(error), Counterexample(str(error), shown, b"")) from None
        except Inconclusive as error:  # not delivered (SND-08's), or refused for a lone surrogate (SND-03's)
            excuses.append(error)
            raise Stop(str(error)) from None
        except CheckFailed as error:
            raise Counterexample(str(error), shown, b"") from None
        data = target.emitted[-1].data  # as it was before the sender saw it
        try:
            judge(capture, event_type, data, endpoint)
        except CheckFailed as error:
            raise Counterexample(str(error), shown, capture.body, cause=error.cause) from None
        except Inconclusive as error:
            excuses.append(error)
            raise Stop(str(error)) from None

    exploration = target.generation.explore(case_id, attempt, strategy, explicit, target.log.wire.mark_failing)
    if excuses:
        raise excuses[0]
    if exploration.found is not None:
        raise CheckFailed(_failure(target, case_id, exploration), exploration.found.cause)
    return target.generation.account(exploration)


def _failure(target: SenderTarget, case_id: str, exploration: Exploration) -> str:
    found = exploration.found
    assert found is not None
    how = how_found(exploration, "data")
    from horneross_conformance.core.canonical import canonical_bytes

    emitted = display_json(canonical_bytes(found.event).decode("utf-8"))
    lines = [
        f"{found}",
        f"Emitted ({how}):",
        emitted if len(emitted) <= SHOWN else f"{emitted[:SHOWN]}…",
        target.generation.rerun(case_id),
    ]
    return "\n".join(lines)


def _valid(capture: Capture, event_type: str, data: dict[str, Any], endpoint: CaptureEndpoint) -> None:
    check_payload(capture, event_type, data)
    body = body_json(capture)
    if body.get("type") != event_type:
        raise CheckFailed(f"a {event_type} event was delivered with type {body.get('type')!r}")


def _signed(capture: Capture, event_type: str, data: dict[str, Any], endpoint: CaptureEndpoint) -> None:
    problem = signature_problem(capture, endpoint.secret, Emitted(0, event_type, data, None))
    if problem:
        raise problem.failure()


def _documented(case_id: str, event_type: str) -> None:
    def check(target: SenderTarget) -> str:
        return _run(target, case_id, lambda: _generation().documented_events(event_type), _valid)

    cases.case(case_id, "SND-01", f"Generated {event_type} data arrives valid and unchanged")(check)


for _type in EVENT_TYPES:
    _documented(PER_TYPE_CHECKS[_type]["SND-GEN"], _type)


# One strategy object a process, as every generator is: Hypothesis works a strategy out once, and a drawing is kept
# by its strategy (``checks.drawings``).
@functools.cache
def stress_and_extras() -> Any:
    return _generation().stressed() | _generation().with_extras()


@cases.case("SND-GEN-005", "SND-03", "Generated stress text and numbers are signed as JSON.stringify")
def signatures(target: SenderTarget) -> str:
    return _run(target, "SND-GEN-005", stress_and_extras, _signed, plain_then_stressed)


def plain_then_stressed() -> list[Any]:
    """The derived cases: each type's full sample as it is, then with each stress fragment. A sender that signs
    every event wrong fails on the plain one, whose example then carries no stress text that has nothing to do
    with its fault; one that fails only on some text fails on that text."""
    generation = _generation()
    plain = [generation.full_sample(event_type) for event_type in EVENT_TYPES if generation.prose_fields(event_type)]
    stressed: list[Any] = generation.derived_stress_events()
    return plain + stressed


def _generation() -> Any:
    from horneross_conformance.checks import generation

    return generation
