"""The format checks' fast paths answer exactly what the full checks answer.

``date-time``: a plain ``YYYY-MM-DDTHH:MM:SSZ`` timestamp is accepted by one pattern without the calendar; every
other string goes to the full RFC 3339 check (``_date_time_string``, unchanged), so the fast pattern must never
accept what the full check refuses. ``email``: a possessive pattern without a group replaces
``[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+``, kept here as the reference. Both are compared on every boundary of the
fields (exhaustively), on hand-picked strings and on strings Hypothesis draws near them.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from horneross_conformance.core.compiled import compile_check
from horneross_conformance.core.validation import (
    _PLAIN_UTC,
    STRING_FORMATS,
    _date_time_string,
    _is_date_time,
    _is_email,
    validator,
)

REFERENCE_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")  # the pattern before the fast one, verbatim

YEARS = ["0000", "0001", "0999", "1000", "1900", "1999", "2000", "2023", "2024", "9999"]
TIMES = ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00", "12:00:61", "19:59:59", "20:00:00", "09:05:07"]
ENDINGS = ["Z", "z", "", ".5Z", "+00:00", "-23:59", "Z\n", " Z"]
SEPARATORS = ["T", "t", " "]


def _full_agrees(value: str) -> None:
    fast = _PLAIN_UTC.fullmatch(value) is not None
    full = _date_time_string(value)
    assert not fast or full, value  # the fast path accepts nothing the full check refuses
    assert _is_date_time(value) is full, value  # so the verdict is the full check's


def test_the_fast_timestamp_path_agrees_with_the_full_check_on_every_field_boundary() -> None:
    """Every month 00 to 13 with every day 00 to 32, in common and leap years (1900 is none, 2000 is one) and
    years that are no date or need the full check, at times around every limit (hour 24, minute 60, the leap
    second 60, second 61): 30,000 strings, each with Z; and then each other ending and separator on a sample."""
    accepted_fast = refused = 0
    for year, month, day, time in itertools.product(YEARS, range(14), range(33), TIMES):
        value = f"{year}-{month:02d}-{day:02d}T{time}Z"
        _full_agrees(value)
        accepted_fast += _PLAIN_UTC.fullmatch(value) is not None
        refused += not _date_time_string(value)
    assert accepted_fast > 10_000 and refused > 10_000  # both sides reached, the fast one most of the time
    for ending, separator in itertools.product(ENDINGS, SEPARATORS):
        for day in range(27, 33):
            _full_agrees(f"2024-02-{day:02d}{separator}23:59:60{ending}")
            _full_agrees(f"2023-04-{day:02d}{separator}12:00:00{ending}")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2024-01-21T15:30:00Z", True),
        ("2024-02-29T00:00:00Z", True),  # a leap year: the full check's calendar
        ("2023-02-29T00:00:00Z", False),
        ("2024-02-30T00:00:00Z", False),
        ("2024-04-31T00:00:00Z", False),
        ("2024-01-31T00:00:00Z", True),
        ("2024-01-21T24:00:00Z", False),
        ("2016-12-31T23:59:60Z", True),  # a leap second: the full check accepts second 60, at any time
        ("2024-01-21T15:30:61Z", False),
        ("0000-01-01T00:00:00Z", False),
        ("0001-01-01T00:00:00Z", True),
        ("2024-01-21T15:30:00Z\n", False),  # fullmatch: no line end after the Z, where $ would allow one
        ("2024-01-21T15:30:00.000Z", True),
        ("２０２４-01-21T15:30:00Z", False),  # only ASCII digits
        ("2024-01-21T15:30:0０Z", False),
    ],
)
def test_hand_picked_timestamps_get_the_full_checks_verdict_in_every_place(value: str, valid: bool) -> None:
    _full_agrees(value)
    assert _date_time_string(value) is valid
    event = {"id": "evt_1", "type": "conversation.created", "timestamp": value, "data": {"conversationId": "c"}}
    schema = "conversation.created.schema.json"
    assert compile_check(schema)(event) is validator(schema).is_valid(event) is valid  # the inlined form too


_PIECES = ["2024", "0000", "-", "02", "29", "30", "31", "T", "t", "23", "24", ":", "59", "60", "Z", "z", ".5", "+05:30"]
_FIELDS = st.tuples(*(st.integers(0, top) for top in (9999, 13, 32, 25, 61, 61)))


@settings(max_examples=150, database=None)
@given(
    st.one_of(
        st.lists(st.sampled_from(_PIECES), max_size=9).map("".join),
        st.text(alphabet="0123456789-T:Z.+tz ", max_size=24),
        _FIELDS.map(lambda f: f"{f[0]:04d}-{f[1]:02d}-{f[2]:02d}T{f[3]:02d}:{f[4]:02d}:{f[5]:02d}Z"),
    )
)
def test_the_fast_timestamp_path_agrees_with_the_full_check_on_strings_hypothesis_draws(value: str) -> None:
    _full_agrees(value)


EMAILS = [
    "a@b.co",
    "maría.núñez@ejemplo.com.ar",
    "a@b",
    "@b.co",
    "a@@b.co",
    "a@b@c.co",
    "a b@c.co",
    "a@b..co",
    "a@.b.co",
    "a@b.co.",
    "a.@b.co",
    ".a@b.co",
    "a@b.co\n",
    "a\u2028b@c.co",  # white space to Python's \s beyond ASCII
    "a@b.c\u3000o",
    "a\x1cb@c.co",  # an ASCII information separator is white space too
    "a\xa0@b.co",
    "😀@😀.😀",
    "a@b.c.d.e.f",
    "",
    "@",
    "a@b.",
]


@pytest.mark.parametrize("value", EMAILS)
def test_hand_picked_addresses_get_the_reference_patterns_verdict(value: str) -> None:
    assert _is_email(value) is (REFERENCE_EMAIL.fullmatch(value) is not None), value
    quick, exact = STRING_FORMATS["email"]
    assert exact is None and (quick(value) is not None) is _is_email(value)  # the form the compiled checks inline
    event = {"id": "evt_1", "type": "lead.captured", "timestamp": "2024-01-21T15:30:00Z", "data": {}}
    event["data"] = {"conversationId": "c", "contact": {"email": value}}
    schema = "lead.captured.schema.json"
    assert compile_check(schema)(event) is validator(schema).is_valid(event) is _is_email(value)


@settings(max_examples=150, database=None)
@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(["a", "ñ", "@", ".", " ", "\t", "\n", "\u2028", "\x1c", "\xa0", "1"])),
        st.lists(st.sampled_from(["maria", "@", ".", "com", "ar", " ", "\u3000", ".."]), max_size=8).map("".join),
        st.text(max_size=12),
    )
)
def test_the_email_pattern_agrees_with_the_reference_on_strings_hypothesis_draws(value: str) -> None:
    assert _is_email(value) is (REFERENCE_EMAIL.fullmatch(value) is not None), value
