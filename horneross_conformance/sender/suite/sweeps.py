"""Checks over every delivery of the run, whatever check provoked it: they run after all the others.

Every request the capture servers received is accounted for: it went to an endpoint some check subscribed
(SND-WIRE-004), carrying an event that endpoint's own sender emitted, of a type it subscribed to (SND-WIRE-005);
and every event emitted went to every endpoint subscribed to its type (SND-WIRE-006). What arrives after these
checks ran is judged again when the run ends (``after_the_run``), so a late delivery is never left unaccounted.
"""

from __future__ import annotations

from collections.abc import Callable

from horneross_conformance.checks.registry import LAST, CheckFailed, Inconclusive, Registry
from horneross_conformance.checks.results import CheckResult
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.sender.capture import Capture, CaptureLog
from horneross_conformance.sender.suite.verifiers import (
    SIGNATURE,
    bodies_problem,
    check_payload,
    deliver,
    samples,
    signature_problem,
)
from horneross_conformance.sender.target import (
    BodyNotKept,
    SenderTarget,
    body_json,
    carried,
    excerpt,
    holds_lone_surrogate,
    why_unreadable,
)

cases = Registry()


def _run_deliveries(target: SenderTarget) -> list[Capture]:
    """Every request the run has captured so far; when this check runs alone, a sample of its own first."""
    if not any(c.endpoint for c in target.log.captures):
        deliver(target, samples(), target.endpoint())
    return target.log.captures


@cases.case("SND-WIRE-001", "SND-01", "Every delivery of the run is a JSON POST valid for its type", LAST)
def every_payload(target: SenderTarget) -> str:
    _run_deliveries(target)
    return payloads(target.log)


def payloads(log: CaptureLog) -> str:
    deliveries = [c for c in log.captures if c.endpoint]
    for capture in deliveries:
        body = body_json(capture)
        check_payload(capture, str(body.get("type") if isinstance(body, dict) else "event"))
    return f"{len(deliveries)} deliveries checked"


def _readable_deliveries(log: CaptureLog) -> tuple[list[Capture], list[Capture]]:
    """The run's deliveries to endpoints: those that can be read as an event, and those that cannot (SND-01's)."""
    read: list[Capture] = []
    unread: list[Capture] = []
    for capture in log.captures:
        if capture.endpoint:
            (unread if why_unreadable(capture) else read).append(capture)
    return read, unread


def _unread_note(unread: list[Capture], judged: str) -> Inconclusive:
    problem = why_unreadable(unread[0])
    return Inconclusive(f"{judged}, but {len(unread)} could not be read: {problem}", owner="SND-01")


@cases.case("SND-WIRE-002", "SND-03", "Every delivery of the run is signed as documented", LAST)
def every_signature(target: SenderTarget) -> str:
    _run_deliveries(target)
    return signatures(target.log)


def signatures(log: CaptureLog) -> str:
    deliveries, unread = _readable_deliveries(log)
    for capture in deliveries:
        assert capture.endpoint is not None
        problem = signature_problem(capture, capture.endpoint.secret, carried(log, capture))
        if problem:
            raise problem.failure(f" (attempt {capture.attempt}, at +{capture.offset} s of its check)")
    missing = [c for c in unread if SIGNATURE not in c.headers]
    if missing:
        raise CheckFailed(f"the delivery to {missing[0].where} has no {SIGNATURE_HEADER} header")
    if unread:
        raise _unread_note(unread, f"{len(deliveries)} signatures verified")
    return f"{len(deliveries)} signatures verified"


@cases.case("SND-WIRE-003", "SND-04", "Every delivery of the run is sent as the bytes signed", LAST)
def every_body(target: SenderTarget) -> str:
    _run_deliveries(target)
    return bodies(target.log)


def bodies(log: CaptureLog) -> str:
    deliveries, unread = _readable_deliveries(log)
    bodies_problem(
        deliveries, lambda capture: canonical_bytes(body_json(capture)), "a body is not JSON.stringify of its payload"
    )
    if unread:
        raise _unread_note(unread, f"{len(deliveries)} bodies are JSON.stringify of their payload")
    return f"{len(deliveries)} bodies are JSON.stringify of their payload"


@cases.case("SND-WIRE-004", "SND-08", "Nothing of the run went to a URL nobody subscribed", LAST)
def nothing_stray(target: SenderTarget) -> str:
    return stray_deliveries(_run_deliveries(target))


def stray_deliveries(captures: list[Capture]) -> str:
    stray = [c for c in captures if c.endpoint is None and not c.followed_redirect]
    if stray:
        paths = sorted({c.shown_path for c in stray})
        raise CheckFailed(
            f"{len(stray)} request(s) went to paths no endpoint subscribed: {', '.join(paths[:3])}; deliver each "
            "event to exactly the URLs subscribed to its type, as given to subscribe()"
        )
    followed = [c for c in captures if c.followed_redirect]
    if followed:  # following a 3xx is a retry fault (decision 14), not a delivery to a URL nobody subscribed
        raise Inconclusive(
            f"{len(followed)} request(s) went to the Location of a redirect: {followed[0].shown_path}", owner="SND-05"
        )
    return f"{len(captures)} requests, all to subscribed URLs"


@cases.case("SND-WIRE-005", "SND-08", "Each delivery carries an event its sender emitted for that endpoint", LAST)
def every_delivery_owed(target: SenderTarget) -> str:
    _run_deliveries(target)
    return misdeliveries(target.log)


def misdeliveries(log: CaptureLog) -> str:
    """Every delivery to an endpoint carries an event emitted by that endpoint's own sender (the check that
    subscribed it), of a type the endpoint subscribed to. A delivery that carries no event any sender emitted is
    SND-01's when the sender also mangles the data it delivers, and this requirement's otherwise."""
    leaks: list[str] = []
    unknown: list[Capture] = []
    delivered = [c for c in log.captures if c.endpoint is not None]
    for capture in delivered:
        endpoint = capture.endpoint
        assert endpoint is not None
        if _unreadable(capture):
            continue  # SND-01's business, judged by SND-WIRE-001 (or a body the run's budget could not keep)
        emitted = carried(log, capture)
        if emitted is None:
            unknown.append(capture)
        elif emitted.tenant != endpoint.tenant:
            leaks.append(
                f"a {emitted.event_type} event emitted for {emitted.tenant or 'another check'}'s sender arrived at "
                f"{endpoint.describe()}, which that sender never subscribed"
            )
        elif not endpoint.wants(emitted.event_type):
            leaks.append(f"a {emitted.event_type} event arrived at {endpoint.describe()}")
    if leaks:
        raise CheckFailed(
            f"{len(leaks)} deliveries went where they were not owed: {leaks[0]}"
            + (f" (and {len(leaks) - 1} more)" if len(leaks) > 1 else "")
            + ". A sender delivers each customer's events to that customer's endpoints only, and only the event "
            "types each subscribed to: key every pending delivery by the subscription it was made for"
        )
    if unknown:
        raise Inconclusive(
            f"{len(unknown)} deliveries carry an event no sender emitted (a conversationId the run never emitted), "
            f"the first at {unknown[0].where}: {excerpt(unknown[0].body)}",
            owner="SND-01",
        )
    return f"{len(delivered)} deliveries, each to an endpoint its own sender subscribed, of a type it subscribed to"


@cases.case("SND-WIRE-006", "SND-08", "Every emitted event reached every endpoint subscribed to its type", LAST)
def every_event_delivered(target: SenderTarget) -> str:
    _run_deliveries(target)
    return undelivered(target.log)


def undelivered(log: CaptureLog) -> str:
    """Every event that a run_due() had to deliver reached each endpoint subscribed to its type, at least once. An
    endpoint whose port refused connections at first is the schedule's business (SND-05), not this one's."""
    reached: set[tuple[int, int]] = set()
    puzzling: set[int] = set()  # endpoints that received deliveries no emitted event can be matched to
    unkept: set[int] = set()  # endpoints that received deliveries the run kept no body of
    for capture in log.captures:
        if capture.endpoint is None:
            continue
        if capture.unkept is not None:
            unkept.add(id(capture.endpoint))
            continue
        emitted = None if _unreadable(capture) else carried(log, capture)
        if emitted is None:
            puzzling.add(id(capture.endpoint))
        else:
            reached.add((id(emitted), id(capture.endpoint)))
    missing = [
        (emitted, endpoint)
        for emitted in log.owed
        for endpoint in emitted.to
        if not endpoint.refusing and (id(emitted), id(endpoint)) not in reached
    ]
    provable = [(e, endpoint) for e, endpoint in missing if id(endpoint) not in puzzling | unkept]
    owed = sum(len([e for e in emitted.to if not e.refusing]) for emitted in log.owed)
    if provable:
        emitted, endpoint = provable[0]
        more = f" (and {len(provable) - 1} more)" if len(provable) > 1 else ""
        raise CheckFailed(
            f"{len(provable)} of {owed} emitted events never reached an endpoint subscribed to their type: "
            f"a {emitted.event_type} event emitted at +{emitted.offset} s in {emitted.tenant or 'its check'} never "
            f"reached {endpoint.describe()}, though run_due() returned after it{more}{_special(emitted.data)}. "
            "Every event goes to every endpoint subscribed to its type, whatever its data"
        )
    if any(id(endpoint) in unkept for _, endpoint in missing):  # no one's fault: what was kept cannot tell
        raise Inconclusive(f"{len(missing)} emitted events were not found at their endpoints, but {log.budget_note}")
    if missing:
        emitted, endpoint = missing[0]
        raise Inconclusive(
            f"{len(missing)} emitted events were not found at endpoints that received deliveries which cannot be "
            f"matched to any event (the first: {emitted.event_type} at {endpoint.describe()})",
            owner="SND-01",
        )
    return f"{owed} events owed to subscribed endpoints, each delivered"


def _unreadable(capture: Capture) -> bool:
    """Whether a delivery cannot be read as an event: SND-01's business, or a body the run did not keep."""
    try:
        return why_unreadable(capture) is not None
    except BodyNotKept:
        return True


def _special(data: object) -> str:
    """What in an event's data a sender may have choked on, for the message."""
    if holds_lone_surrogate(data):
        return (
            "; its data holds a lone surrogate (half an emoji), which JSON.stringify writes as the escape \\ud83d: "
            "serialize it that way instead of dropping the event"
        )
    if not canonical_bytes(data).isascii():
        return "; its data holds non-ASCII text"
    return ""


def after_the_run(log: CaptureLog) -> list[CheckResult]:
    """The deliveries of the whole run judged again once every check is done, for what arrived after the sweeps
    ran, or in a run that left them out: the result of each sweep that does not pass."""
    sweeps: dict[str, tuple[str, Callable[[], str]]] = {
        "SND-WIRE-001": ("SND-01", lambda: payloads(log)),
        "SND-WIRE-002": ("SND-03", lambda: signatures(log)),
        "SND-WIRE-003": ("SND-04", lambda: bodies(log)),
        "SND-WIRE-004": ("SND-08", lambda: stray_deliveries(log.captures)),
        "SND-WIRE-005": ("SND-08", lambda: misdeliveries(log)),
        "SND-WIRE-006": ("SND-08", lambda: undelivered(log)),
    }
    results = []
    for case_id, (requirement, sweep) in sweeps.items():
        try:
            sweep()
        except CheckFailed as failure:
            results.append(CheckResult(case_id, requirement, "failed", str(failure)))
        except Inconclusive as excuse:
            results.append(CheckResult(case_id, requirement, "skipped", f"inconclusive: {excuse}", owner=excuse.owner))
    return results
