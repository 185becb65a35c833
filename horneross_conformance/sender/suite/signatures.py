"""SND-03 and SND-04: the signature as the documentation computes it, over exactly the bytes sent."""

from __future__ import annotations

from typing import Any

from horneross_conformance.checks.registry import Registry
from horneross_conformance.core.canonical import canonical_bytes
from horneross_conformance.sender.suite.verifiers import (
    bodies_problem,
    deliver,
    emission_of,
    event_or_inconclusive,
    samples,
    signature_problem,
    stress_samples,
)
from horneross_conformance.sender.target import SenderTarget

cases = Registry()


def _signature_case(case_id: str, title: str, emissions: Any) -> None:
    def check(target: SenderTarget) -> str:
        endpoint = target.endpoint()
        arrived = deliver(target, emissions(), endpoint)
        for capture in arrived:
            problem = signature_problem(capture, endpoint.secret, emission_of(target, capture))
            if problem:
                raise problem.failure()
        return f"{len(arrived)} signatures verified as the documentation computes them"

    cases.case(case_id, "SND-03", title)(check)


_signature_case("SND-SIG-001", "Signatures are lowercase hex HMAC of JSON.stringify", samples)


_signature_case("SND-SIG-002", "Signatures stay right for text that stresses JSON", stress_samples)


@cases.case("SND-RAW-001", "SND-04", "The body sent is exactly the bytes signed, JSON.stringify")
def raw_body(target: SenderTarget) -> str:
    endpoint = target.endpoint()
    arrived = deliver(target, samples() + stress_samples(), endpoint)
    bodies_problem(
        arrived,
        lambda capture: canonical_bytes(event_or_inconclusive(capture)),
        "the body is not JSON.stringify of its payload, so a receiver that verifies the raw body rejects it",
    )
    return f"{len(arrived)} bodies are byte for byte JSON.stringify of their payload"
