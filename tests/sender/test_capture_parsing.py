"""A delivery's body is read once for the whole run, and reads the same every time (capture.parsed_body)."""

from __future__ import annotations

import pytest

from horneross_conformance.core.canonical import TooDeep, parse_json
from horneross_conformance.core.contract import MAX_JSON_DEPTH
from horneross_conformance.sender.capture import Capture, parsed_body


def capture(body: bytes) -> Capture:
    return Capture(None, 0, 0, "POST", "/stray", {}, body, len(body), "404")


def test_a_body_is_read_once_and_every_caller_gets_what_parse_json_gives() -> None:
    body = b'{"type":"lead.captured","data":{"conversationId":"conv_1","n":[1,2.5,null]}}'
    delivery = capture(body)
    first = parsed_body(delivery)
    assert first == parse_json(body)
    assert parsed_body(delivery) is first


@pytest.mark.parametrize(
    ("body", "error"),
    [(b'{"a":', ValueError), (b"\xff{}", ValueError), (b"[" * (MAX_JSON_DEPTH + 1), TooDeep), (b"NaN", ValueError)],
)
def test_a_body_that_cannot_be_read_raises_what_parse_json_raises_every_time(body: bytes, error: type) -> None:
    delivery = capture(body)
    with pytest.raises(error) as first:
        parse_json(body)
    for _ in range(2):
        with pytest.raises(error) as raised:
            parsed_body(delivery)
        assert type(raised.value) is type(first.value)
