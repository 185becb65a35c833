"""canonical_bytes must equal Node's JSON.stringify byte for byte, on every value json.loads can produce."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peers import NodeStringify
from strategies import json_text

from horneross_conformance import canonical_bytes
from horneross_conformance.core.canonical import same_json

# The pairs of shared/design/json-stringify.md, computed there by Node.js v20.
DOCUMENTED = [
    ('{ "type" : "lead.captured" , "id":"evt_1" }', '{"type":"lead.captured","id":"evt_1"}'),
    ('{"firstName":"Mar\\u00eda","content":"Hola 😀"}', '{"firstName":"María","content":"Hola 😀"}'),
    ('{"content":"<\\/script> a\\u2028b"}', '{"content":"</script> a\u2028b"}'),
    ('{"content":"tab\\tbell\\u0007del\\u007f"}', '{"content":"tab\\tbell\\u0007del\u007f"}'),
    ('{"content":"cut \\ud83d"}', '{"content":"cut \\ud83d"}'),
    (
        '{"b":1,"10":2,"2":3,"01":4,"-1":5,"4294967295":6}',
        '{"2":3,"10":2,"b":1,"01":4,"-1":5,"4294967295":6}',
    ),
    (
        '{"a":1.0,"b":1e21,"c":1e-7,"d":0.000001,"e":1e16,"f":-0.0,"g":9007199254740993,"h":123456789012345678901234567890}',
        '{"a":1,"b":1e+21,"c":1e-7,"d":0.000001,"e":10000000000000000,"f":0,"g":9007199254740992,"h":1.2345678901234568e+29}',
    ),
    ('{"a":1,"b":2,"a":3}', '{"a":3,"b":2}'),
]


@pytest.mark.parametrize(("received", "expected"), DOCUMENTED)
def test_documented_examples(received: str, expected: str) -> None:
    assert canonical_bytes(json.loads(received)) == expected.encode("utf-8")


@pytest.mark.parametrize(("received", "expected"), DOCUMENTED)
def test_documented_examples_hold_for_this_node(node: NodeStringify, received: str, expected: str) -> None:
    assert node.stringify(received) == expected.encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("inf"), "null"),  # json.loads("1e400"); JSON.parse gives Infinity
        (float("nan"), "null"),  # json.loads("NaN") is Python-only, JSON.stringify(NaN) is null
        (2**1024, "null"),  # an int beyond the largest double: Infinity in JavaScript
        (-(2**53) - 1, "-9007199254740992"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (123e-20, "1.23e-18"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e20, "100000000000000000000"),
        (2.0**60, "1152921504606847000"),
        ("\ud83d\ude00", '"😀"'),  # two code points in Python, one surrogate pair in UTF-16: the emoji
        ("\ude00\ud83d", '"\\ude00\\ud83d"'),  # the wrong order is two lone surrogates
        ({"4294967294": 1, "4294967295": 2, "0": 3}, '{"0":3,"4294967294":1,"4294967295":2}'),
        ({"١": 1, "²": 2, "1": 3}, '{"1":3,"١":1,"²":2}'),  # only ASCII decimal keys are array indexes
        ((1, "a"), '[1,"a"]'),
    ],
)
def test_values_json_loads_can_produce(value: object, expected: str) -> None:
    assert canonical_bytes(value) == expected.encode("utf-8")


@pytest.mark.parametrize("value", [{1: "a"}, {"a": {1, 2}}, b"bytes", object()])
def test_values_that_are_not_json_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_bytes(value)


BATCH = 20


@pytest.mark.slow
@settings(
    max_examples=10_000 // BATCH,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(texts=st.lists(json_text, min_size=BATCH, max_size=BATCH))
def test_equals_node_json_stringify_on_generated_documents(node: NodeStringify, texts: list[str]) -> None:
    """10,000 generated JSON texts (20 per example, one node round trip each), through this function and node."""
    for text, expected in zip(texts, node.stringify_many(texts), strict=True):
        assert isinstance(expected, bytes), f"node rejected a generated text: {expected}"
        assert canonical_bytes(json.loads(text)) == expected, text


def test_same_json_compares_as_json_stringify_writes_but_not_the_order_of_keys() -> None:
    """Data back from another language is the same data when JSON.stringify writes it the same (docs/contract.md,
    decision 13): numbers as JavaScript holds them, types kept apart, key order left to the signature check."""
    assert same_json({"n": 1.0, "big": 2**64}, {"n": 1, "big": 18446744073709552000})
    assert same_json({"a": 1, "9": [True], "10": None}, {"10": None, "9": [True], "a": 1})
    assert not same_json({"flag": True}, {"flag": 1})
    assert not same_json({"text": "\ud83d"}, {"text": "\ufffd"})
