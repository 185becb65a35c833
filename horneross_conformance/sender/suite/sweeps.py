"""Checks over every delivery of the run, whatever check provoked it: they run after all the others."""

from __future__ import annotations

from horneross_conformance.checks.registry import CheckFailed, Inconclusive, Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.sender.capture import Capture
from horneross_conformance.sender.suite.verifiers import (
    SIGNATURE,
    check_payload,
    deliver,
    emission_of,
    first_difference,
    samples,
    signature_problem,
)
from horneross_conformance.sender.target import SenderTarget, body_json, why_unreadable

cases = Registry()


def _run_deliveries(target: SenderTarget) -> list[Capture]:
    """Every request the run has captured so far; when this check runs alone, a sample of its own first."""
    if not any(c.endpoint for c in target.log.captures):
        deliver(target, samples(), target.endpoint())
    return target.log.captures


@cases.case("SND-WIRE-001", "SND-01", "Every delivery of the run is a JSON POST valid for its type")
def every_payload(target: SenderTarget) -> str:
    deliveries = [c for c in _run_deliveries(target) if c.endpoint]
    for capture in deliveries:
        body = body_json(capture)
        check_payload(capture, str(body.get("type") if isinstance(body, dict) else "event"))
    return f"{len(deliveries)} deliveries checked"


def _readable_deliveries(target: SenderTarget) -> tuple[list[Capture], list[Capture]]:
    """The run's deliveries to endpoints: those that can be read as an event, and those that cannot (SND-01's)."""
    read: list[Capture] = []
    unread: list[Capture] = []
    for capture in _run_deliveries(target):
        if capture.endpoint:
            (unread if why_unreadable(capture) else read).append(capture)
    return read, unread


def _unread_note(unread: list[Capture], judged: str) -> Inconclusive:
    problem = why_unreadable(unread[0])
    return Inconclusive(f"{judged}, but {len(unread)} could not be read: {problem} (see SND-01)")


@cases.case("SND-WIRE-002", "SND-03", "Every delivery of the run is signed as documented")
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


@cases.case("SND-WIRE-003", "SND-04", "Every delivery of the run is sent as the bytes signed")
def every_body(target: SenderTarget) -> str:
    deliveries, unread = _readable_deliveries(target)
    for capture in deliveries:
        expected = canonical_bytes(body_json(capture))
        if capture.body != expected:
            raise CheckFailed(
                f"a body is not JSON.stringify of its payload: {first_difference(capture.body, expected)}"
            )
    if unread:
        raise _unread_note(unread, f"{len(deliveries)} bodies are JSON.stringify of their payload")
    return f"{len(deliveries)} bodies are JSON.stringify of their payload"


@cases.case("SND-WIRE-004", "SND-08", "Nothing of the run went to a URL nobody subscribed")
def nothing_stray(target: SenderTarget) -> str:
    captures = _run_deliveries(target)
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
            f"{len(followed)} request(s) went to the Location of a redirect: {followed[0].shown_path} (see SND-05)"
        )
    return f"{len(captures)} requests, all to subscribed URLs"
