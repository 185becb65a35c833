"""check-encoder's diagnosis: each way an encoder writes other bytes than JSON.stringify is named by its property,
and whatever an encoder writes, the diagnosis names some fault without raising."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from horneross_conformance import canonical_bytes
from horneross_conformance.encoder import diagnosis as d
from horneross_conformance.encoder.documents import line_json_text

# (input, what an encoder wrote, the fault it must be named by)
CASES = [
    ('{"b":1,"a":2}', '{"a":2,"b":1}', d.KEYS_SORTED),
    ('{"b":1,"10":2,"2":3}', '{"10":2,"2":3,"b":1}', d.KEYS_SORTED),  # sorted as strings: Go's maps
    ('{"b":1,"2":3}', '{"b":1,"2":3}', d.KEYS_NOT_FIRST),  # insertion order kept: Python, Ruby, PHP, Jackson
    ('{"c":1,"2":3,"a":0}', '{"c":1,"a":0,"2":3}', d.KEYS_ORDER),
    ('{"a":1,"b":2,"a":3}', '{"a":1,"b":2,"a":3}', d.DUPLICATE_TWICE),
    ('{"a":1,"b":2,"a":3}', '{"b":2,"a":3}', d.DUPLICATE_MOVED),
    ('{"a":1,"b":2,"a":3}', '{"a":1,"b":2}', d.DUPLICATE_FIRST_VALUE),
    ('{"a":1,"b":2}', '{"a":1}', d.MEMBERS_CHANGED),
    ("[1,2]", "[1]", d.ITEMS_CHANGED),
    ('{"0":"a","1":"b"}', '["a","b"]', d.OBJECT_AS_ARRAY),  # PHP's associative arrays
    ("[]", "{}", d.ARRAY_AS_OBJECT),
    ("[123]", '["123"]', d.NUMBER_AS_STRING),
    ("[true]", "[1]", d.TYPE_CHANGED),
    ("[true]", "[false]", d.VALUE_CHANGED),
    ("[-0.0]", "[-0.0]", d.NEGATIVE_ZERO),
    ("[9007199254740993]", "[9007199254740993]", d.BIG_INTEGER),
    ("[1e400]", "[Infinity]", d.INFINITY),
    ("[1e400]", "[1e400]", d.INFINITY),
    ("[1.0]", "[1.0]", d.NUMBER_ZEROS),
    ("[1e21]", "[1e21]", d.EXPONENT_SIGN),
    ("[1e-7]", "[1e-07]", d.EXPONENT_ZEROS),
    ("[1e21]", "[1E+21]", d.EXPONENT_CASE),
    ("[1e21]", "[1.0e+21]", d.NUMBER_ZEROS),  # Ruby
    ("[0.000001]", "[1e-06]", d.EXPONENT_FORM),
    ("[1e21]", "[1000000000000000000000]", d.PLAIN_FORM),
    ("[0.5]", "[.5]", d.NUMBER_NOT_JSON),
    ("[0.1]", "[0.10000000149011612]", d.NUMBER_CHANGED),  # float32
    ('["a\\u2028b"]', '["a\\u2028b"]', d.LINE_SEPARATOR_ESCAPED),
    ('["a/b"]', '["a\\/b"]', d.SLASH_ESCAPED),
    ('["<b>"]', '["\\u003cb>"]', d.HTML_ESCAPED),
    ('["+"]', '["\\u002B"]', d.HTML_ESCAPED),  # .NET's default encoder
    ('["é"]', '["\\u00e9"]', d.NON_ASCII_ESCAPED),
    ('["😀"]', '["\\ud83d\\ude00"]', d.NON_ASCII_ESCAPED),
    ('["\\u007f"]', '["\\u007f"]', d.C1_ESCAPED),
    ('["\\u001f"]', '["\\u001F"]', d.CONTROL_FORM),  # Jackson's uppercase hex
    ('["\\b"]', '["\\u0008"]', d.CONTROL_FORM),
    ('["\\t"]', '["\t"]', d.CONTROL_RAW),
    ('["\\ud83d"]', '["\\uD83D"]', d.SURROGATE_CASE),
    ('["\\""]', '["\\u0022"]', d.ASCII_ESCAPED),
    ('["A"]', '["\\u0041"]', d.ASCII_ESCAPED),
    ('["cut \\ud83d"]', '["cut \ufffd"]', d.SURROGATE_REPLACED),
    ('["cut \\ud83d"]', '["cut "]', d.SURROGATE_REPLACED),
    ('{"\\ud83d":1}', '{"\ufffd":1}', d.SURROGATE_REPLACED),
    ('["e\\u0301"]', '["\u00e9"]', d.TEXT_NORMALIZED),
    ('["abc"]', '["abd"]', d.TEXT_CHANGED),
    ("[1,2]", "[1, 2]", d.WHITESPACE),
    ('{"a":1}', '{\n  "a": 1\n}'.replace("\n", " "), d.WHITESPACE),
    ("[1]", "\ufeff[1]", d.BYTE_ORDER_MARK),
    ("[1]", "", d.EMPTY),
    ("[1]", "[1", d.NOT_JSON),
    ("[1]", "undefined", d.NOT_JSON),
    ('["\\ud83d"]', "ERROR lone surrogate", d.REFUSED_SURROGATE),
    ('{"a":1,"a":2}', "ERROR duplicate key", d.REFUSED_DUPLICATE),
    ("[1e400]", "ERROR out of range", d.REFUSED_HUGE),
    ("[" * 30 + "]" * 30, "ERROR too deep", d.REFUSED_DEEP),
    ("[1]", "ERROR", d.REFUSED),
]


@pytest.mark.parametrize(("source", "written", "fault"), CASES, ids=[f"{c[2].name} {c[1][:20]}" for c in CASES])
def test_each_way_to_write_other_bytes_is_named(source: str, written: str, fault: d.Fault) -> None:
    expected = canonical_bytes(json.loads(source))
    actual = written.encode("utf-8")
    assert actual != expected
    assert d.diagnose(source, expected, actual).name == fault.name


def test_bytes_that_are_not_utf8_are_named_apart() -> None:
    expected = canonical_bytes(json.loads('["\\ud83d"]'))
    assert d.diagnose('["\\ud83d"]', expected, b'["\xed\xa0\xbd"]') == d.SURROGATE_BYTES
    assert d.diagnose("[1]", b"[1]", b"[\xff]").name == d.NOT_UTF8.name


def test_a_refusal_quotes_the_encoder_and_a_reading_error_says_where() -> None:
    refused = d.diagnose("[1]", b"[1]", b"ERROR: cannot\x1b[2J read")
    assert refused.detail == "it said 'cannot\\x1b[2J read'"  # repr: inert
    assert d.diagnose("[1]", b"[1]", b"[1,]").detail == "']' cannot start a value at character 3"


@pytest.mark.slow
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=line_json_text, noise=st.binary(max_size=8), at=st.integers(0, 200))
def test_whatever_an_encoder_writes_the_diagnosis_names_a_fault(text: str, noise: bytes, at: int) -> None:
    """Garbage, a byte changed inside the expected output, or the output cut short: never an exception."""
    expected = canonical_bytes(json.loads(text))
    at = min(at, len(expected))
    for actual in (noise, expected[:at] + noise + expected[at + 1 :], expected[:at]):
        if actual != expected:
            fault = d.diagnose(text, expected, actual)
            assert fault.name and fault.rule
