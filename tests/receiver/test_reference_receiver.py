"""The reference receiver's own behaviour beyond what the suite checks: limits, methods, handler failures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from horneross_conformance import canonical_bytes, sign
from horneross_conformance.receiver.reference import ReferenceReceiver
from horneross_conformance.transport.client import Response, post
from horneross_conformance.transport.endpoints import parse_endpoint
from horneross_conformance.transport.server import serve

SECRET = "whsec_reference_tests"
EVENT = {
    "id": "evt_1",
    "type": "lead.captured",
    "timestamp": "2024-01-21T15:30:00Z",
    "data": {"conversationId": "c"},
}


def send(url: str, body: bytes, signature: str | None = "sign", content_type: str = "application/json") -> Response:
    headers = {"Content-Type": content_type}
    if signature == "sign":
        headers["X-Horneross-Signature"] = sign(body, SECRET)
    elif signature is not None:
        headers["X-Horneross-Signature"] = signature
    return post(parse_endpoint(url), body, headers, timeout=5)


def test_handler_sees_each_event_once_and_redeliveries_are_acknowledged() -> None:
    handled: list[dict[str, Any]] = []
    with serve(ReferenceReceiver(SECRET, handler=handled.append)) as url:
        body = canonical_bytes(EVENT)
        assert send(url, body).status == 200
        assert send(url, body).status == 200
    assert handled == [EVENT]


def test_a_failing_handler_answers_500_so_horneross_retries_and_the_retry_is_handled() -> None:
    calls: list[str] = []

    def flaky(event: dict[str, Any]) -> None:
        calls.append(event["id"])
        if len(calls) == 1:
            raise RuntimeError("database down")

    with serve(ReferenceReceiver(SECRET, handler=flaky)) as url:
        body = canonical_bytes(EVENT)
        assert send(url, body).status == 500
        assert send(url, body).status == 200
    assert calls == ["evt_1", "evt_1"]


def test_body_over_the_limit_is_413_without_being_read() -> None:
    with serve(ReferenceReceiver(SECRET, max_body=100)) as url:
        response = send(url, b"{" + b" " * 200 + b"}")
    assert response.status == 413


@pytest.mark.parametrize(
    ("body", "signature", "status"),
    [
        (b"[1,2,3]", "sign", 400),  # JSON, signed, not an object
        (b'{"a":NaN}', "sign", 400),  # JSON.parse rejects NaN; so does the reference
        (b"\xff\xfe not utf-8", "sign", 400),
        (b"not json", None, 401),
        (canonical_bytes(EVENT), sign(canonical_bytes(EVENT), SECRET).upper(), 401),
    ],
)
def test_rejections(body: bytes, signature: str | None, status: int) -> None:
    with serve(ReferenceReceiver(SECRET)) as url:
        assert send(url, body, signature).status == status


def test_only_post_and_a_length_are_accepted() -> None:
    import urllib.request

    with serve(ReferenceReceiver(SECRET)) as url:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url, timeout=5)
        assert error.value.code == 405
        error.value.close()


def test_ids_are_forgotten_beyond_the_memory_bound() -> None:
    handled: list[str] = []
    with serve(ReferenceReceiver(SECRET, handler=lambda e: handled.append(e["id"]), remember=2)) as url:
        for event_id in ("evt_a", "evt_b", "evt_c", "evt_a"):
            send(url, canonical_bytes({**EVENT, "id": event_id}))
    assert handled == ["evt_a", "evt_b", "evt_c", "evt_a"]


def test_repr_and_errors_never_show_the_secret() -> None:
    assert SECRET not in repr(ReferenceReceiver(SECRET))
    with pytest.raises(ValueError, match="must not be empty"):
        ReferenceReceiver("")


def test_pretty_printed_body_signed_over_its_canonical_form_verifies() -> None:
    with serve(ReferenceReceiver(SECRET)) as url:
        pretty = json.dumps(EVENT, indent=2).encode()
        assert send(url, pretty, sign(canonical_bytes(EVENT), SECRET)).status == 200
