"""RCV-10: a burst of concurrent deliveries; it runs last, so that a busy endpoint fails no other check."""

from __future__ import annotations

import threading

from horneross_conformance.checks.registry import CheckFailed, Registry
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.events import (
    sample_event,
)
from horneross_conformance.receiver.target import ReceiverTarget
from horneross_conformance.transport.client import Response

cases = Registry()


BURST_SIZE = 20


# Last, so that an endpoint still busy with the burst cannot fail any other check.
@cases.case("RCV-BURST-001", "RCV-10", f"Holds a burst of {BURST_SIZE} concurrent deliveries")
def burst(target: ReceiverTarget) -> str:
    results: list[Response | str] = []
    lock = threading.Lock()
    conversation = target.conversation_id()

    def one(event_type: str) -> None:
        try:
            outcome: Response | str = target.deliver_event(sample_event(event_type, conversation), concurrent=True)[1]
        except CheckFailed as error:
            outcome = str(error)
        with lock:
            results.append(outcome)

    threads = [
        threading.Thread(target=one, args=(EVENT_TYPES[i % len(EVENT_TYPES)],), daemon=True) for i in range(BURST_SIZE)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(target.timeout + 5)
    ok = sum(1 for r in results if isinstance(r, Response) and r.status == 200)
    if ok == BURST_SIZE:
        return f"{BURST_SIZE} concurrent deliveries acknowledged"
    failures = sorted(
        {
            r if isinstance(r, str) else f"answered {r.status}"
            for r in results
            if not (isinstance(r, Response) and r.status == 200)
        }
    )
    lost = BURST_SIZE - len(results)
    raise CheckFailed(
        f"only {ok} of {BURST_SIZE} concurrent deliveries acknowledged"
        + (f" ({lost} unfinished)" if lost else "")
        + ": "
        + "; ".join(failures)
    )
