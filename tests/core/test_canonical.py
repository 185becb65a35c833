"""canonical_bytes must equal Node's JSON.stringify byte for byte, on every value json.loads can produce."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_corpus import GENERAL, PLAIN, Corpus, kinds
from peers import NodeStringify
from strategies import json_text, plain_json_text

from horneross_conformance import canonical_bytes
from horneross_conformance.core.canonical import exact_bytes, same_json

# Pairs of a JSON text and what JSON.stringify(JSON.parse(text)) writes, as Node.js v20 computed them.
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


@pytest.mark.slow
def test_equals_node_json_stringify_on_generated_documents(
    json_corpus: Corpus, stringified: dict[str, bytes | str]
) -> None:
    """The session's 15,000 generated JSON texts (tests/json_corpus.py), each through both paths of this function
    and through Node's JSON.stringify(JSON.parse(text)): the same bytes, three times."""
    for text in json_corpus.texts:
        expected = stringified[text]
        assert isinstance(expected, bytes), f"node rejected a generated text: {expected} (seed {json_corpus.seed})"
        value = json.loads(text)
        assert canonical_bytes(value) == expected, (text, json_corpus.seed)
        assert exact_bytes(value) == expected, (text, json_corpus.seed)


# Where a document fails, Hypothesis shrinks it to the smallest one that still fails: a few hundred of its own
# documents, each through Node alone (the corpus above holds 15,000 for breadth, drawn in a fraction of the time).
@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(json_text, plain_json_text))
def test_equals_node_json_stringify_on_documents_hypothesis_draws(node: NodeStringify, text: str) -> None:
    expected = node.stringify(text)
    assert isinstance(expected, bytes), f"node rejected a generated text: {expected}"
    value = json.loads(text)
    assert canonical_bytes(value) == exact_bytes(value) == expected


GENERAL_KINDS = [
    "top-level scalar",
    "white space between tokens",
    "\\u escape",
    "depth 5",
    "empty container",
    "duplicate key",
    "array-index key",
    "number-like key that is no index",
    "non-ASCII key",
    "lone surrogate",
    "U+2028 or U+2029",
    "control character",
    "astral character",
    "true, false or null",
    "safe integer",
    "integer beyond 2**53",
    "integral float",
    "negative zero",
    "subnormal float",
    "float in [1e20, 1e21)",
    "float in [1e21, 1e22)",
    "float from 1e21 (exponent notation)",
    "float in [1e-6, 1e-5)",
    "float in [1e-7, 1e-6)",
    "float below 1e-6 (exponent notation)",
    "float beyond the doubles (Infinity)",
]
PLAIN_KINDS = [
    "top-level scalar",
    "\\u escape",
    "depth 5",
    "empty container",
    "duplicate key",
    "non-ASCII key",
    "lone surrogate",
    "U+2028 or U+2029",
    "control character",
    "astral character",
    "true, false or null",
    "safe integer",
]


def test_the_generated_documents_hold_every_kind_of_value_where_serializers_differ(json_corpus: Corpus) -> None:
    """The comparisons above mean something only if the corpus reaches every case: each kind in at least 50
    documents (a few hundred is usual, whatever the seed), as many documents as Hypothesis drew before (10,000
    and 5,000), and the fast path's documents free of what sends a document to the exact path."""
    general, plain = kinds(json_corpus.general), kinds(json_corpus.plain)
    assert general["documents"] == GENERAL == 10_000 and plain["documents"] == PLAIN == 5_000
    assert {kind: general[kind] for kind in GENERAL_KINDS if general[kind] < 50} == {}, json_corpus.seed
    assert {kind: plain[kind] for kind in PLAIN_KINDS if plain[kind] < 50} == {}, json_corpus.seed
    for kind in ("float", "integer beyond 2**53", "array-index key"):
        assert plain[kind] == 0, (kind, json_corpus.seed)


def test_the_kinds_of_values_are_counted_where_they_are() -> None:
    """The counter itself, on documents with one kind each."""
    assert kinds(["1e21"])["float in [1e21, 1e22)"] == 1
    assert kinds(["[5e-7]"])["float in [1e-7, 1e-6)"] == 1
    assert kinds(['{"a": 1, "a": 2}'])["duplicate key"] == 1
    assert kinds(['{"4294967294": 1}'])["array-index key"] == 1
    assert kinds(['{"4294967295": 1, "01": 2}'])["number-like key that is no index"] == 1
    assert kinds(['["\\ud83d"]'])["lone surrogate"] == 1
    assert kinds(['["\\ud83d\\ude00"]'])["lone surrogate"] == 0
    assert kinds(["[[[[[[]]]]]]"])["depth 5"] == 1
    assert kinds(["-0.0"])["negative zero"] == 1
    assert kinds(["1e400"])["float beyond the doubles (Infinity)"] == 1
    assert kinds(['"\u2028"'])["U+2028 or U+2029"] == 1


def test_same_json_compares_as_json_stringify_writes_but_not_the_order_of_keys() -> None:
    """Data back from another language is the same data when JSON.stringify writes it the same (docs/contract.md,
    decision 13): numbers as JavaScript holds them, types kept apart, key order left to the signature check."""
    assert same_json({"n": 1.0, "big": 2**64}, {"n": 1, "big": 18446744073709552000})
    assert same_json({"a": 1, "9": [True], "10": None}, {"10": None, "9": [True], "a": 1})
    assert not same_json({"flag": True}, {"flag": 1})
    assert not same_json({"text": "\ud83d"}, {"text": "\ufffd"})
