"""RCV-10: a burst of concurrent deliveries; it runs last, so that a busy endpoint fails no other check."""

from __future__ import annotations

import threading
import time

from horneross_conformance.checks.registry import LAST, CheckFailed, Inconclusive, Registry
from horneross_conformance.core.contract import BURST_SIZE, EVENT_TYPES, SUCCESS_STATUS
from horneross_conformance.core.events import (
    sample_event,
)
from horneross_conformance.receiver.suite.deliveries import confirm
from horneross_conformance.receiver.target import NoAnswer, ReceiverTarget, accepted
from horneross_conformance.transport.client import Response

cases = Registry()


CONTROL_ATTEMPTS = 3  # a control alone, after a burst the endpoint may still be working through


# Last, so that an endpoint still busy with the burst cannot fail any other check.
@cases.case("RCV-BURST-001", "RCV-10", f"Holds a burst of {BURST_SIZE} concurrent deliveries", LAST)
def burst(target: ReceiverTarget) -> str:
    kinds = [EVENT_TYPES[i % len(EVENT_TYPES)] for i in range(BURST_SIZE)]
    results: list[Response | str | None] = [None] * BURST_SIZE  # None: unfinished
    timed_out = [False] * BURST_SIZE
    conversation = target.conversation_id()

    def one(index: int) -> None:
        try:
            outcome: Response | str = target.deliver_event(sample_event(kinds[index], conversation), concurrent=True)[1]
        except CheckFailed as error:
            outcome = str(error)
            timed_out[index] = isinstance(error, NoAnswer) and error.kind == "timeout"
        results[index] = outcome  # each thread writes its own slot

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(BURST_SIZE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(target.timeout + 5)
    ok = sum(1 for r in results if isinstance(r, Response) and r.status == SUCCESS_STATUS)
    if ok == BURST_SIZE:
        return f"{BURST_SIZE} concurrent deliveries acknowledged"
    if all(_acknowledged(r) for r in results):  # every one accepted, some with another success: RCV-02's business
        other = next(r for r in results if isinstance(r, Response) and r.status != SUCCESS_STATUS)
        raise Inconclusive(
            f"{BURST_SIZE} concurrent deliveries accepted, {BURST_SIZE - ok} of them answered {other.summary()}, "
            "a success other than exactly 200",
            owner="RCV-02",
        )
    # The control: each kind of event that failed, delivered alone. If one fails alone too, load is not the cause.
    failed_types = sorted({kind for kind, r in zip(kinds, results, strict=True) if not _acknowledged(r)})
    # Only an endpoint that let deliveries of the burst time out may still be working through them: for it the
    # control is tried again after a pause; one that answered (or refused) every delivery is judged by one control.
    unanswered = any(timed_out) or None in results
    for attempt in range(CONTROL_ATTEMPTS if unanswered else 1):
        try:
            confirm(target, [sample_event(kind, conversation) for kind in failed_types], "delivered alone")
            break
        except Inconclusive:
            if not unanswered or attempt == CONTROL_ATTEMPTS - 1:
                raise
            time.sleep(target.timeout)  # the endpoint may still be working through the burst we gave up on
    failures = sorted(
        {r if isinstance(r, str) else f"answered {r.status}" for r in results if r is not None and not _acknowledged(r)}
    )
    lost = results.count(None)
    raise CheckFailed(
        f"only {ok} of {BURST_SIZE} concurrent deliveries acknowledged"
        + (f" ({lost} unfinished)" if lost else "")
        + ": "
        + "; ".join(failures)
    )


def _acknowledged(result: Response | str | None) -> bool:
    """Accepted: answered 200, or another success (whose exact status is RCV-02's business, not the burst's)."""
    return isinstance(result, Response) and accepted(result)
