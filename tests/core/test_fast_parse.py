"""validate's fast path reads lines with orjson: it must never change a verdict, a problem or a message.

The exact path is ``parse_json`` (UTF-8, then the standard library's JSON reader, as the documented receiver's
``JSON.parse``). Each test runs the same log both ways: as ``validate`` does, and with the fast path switched off.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from json_corpus import json_document
from near_events import near_event, near_events
from strategies import json_text

from horneross_conformance.checks.generation import full_sample
from horneross_conformance.core.canonical import parse_json
from horneross_conformance.core.resources import data_dir, load_json
from horneross_conformance.logs import event_files
from horneross_conformance.logs.event_files import Checker, Problem

FIRST = json.dumps({**full_sample("conversation.created"), "id": "evt_1"}).encode()  # read apart, the exact way


def check(lines: list[bytes], fast: bool = True) -> tuple[list[Problem], tuple[int, int, int]]:
    problems: list[Problem] = []
    checker = Checker(problems.append)
    saved = event_files.SHALLOW, event_files.fast_parse
    if not fast:
        event_files.SHALLOW, event_files.fast_parse = 0, _refuse
    try:
        checker.check_stream("log.jsonl", io.BytesIO(b"\n".join([FIRST, *lines]) + b"\n"), lines=True)
    finally:
        event_files.SHALLOW, event_files.fast_parse = saved
    tally = checker.tally
    return problems, (tally.events, tally.invalid_events, tally.problems)


def _refuse(line: bytes) -> Any:
    raise orjson.JSONDecodeError("fast path off", "", 0)


@st.composite
def lines(draw: st.DrawFn) -> bytes:
    """A near-valid event, often with a generated JSON value (any number, any string escape) spliced in as an
    unknown field, at the top or in its data: JSON text the fast and the exact reader may read differently; now
    and then a byte that is not UTF-8."""
    event = draw(near_events())
    text = json.dumps(event, ensure_ascii=draw(st.booleans()))
    if isinstance(event, dict) and event and draw(st.booleans()):
        value = draw(json_text)
        data = event.get("data")
        if isinstance(data, dict) and data and draw(st.booleans()):
            text = text.replace('"data": {', f'"data": {{"unknown": {value}, ', 1)
        else:
            text = f'{{"unknown": {value}, {text[1:]}'
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # a byte that is not UTF-8, as a Latin-1 log has
        data = data.replace(b'"', b'"\xe9', 1)
    return data


def line(rng: random.Random) -> bytes:
    """``lines`` drawn by random.Random: the same kinds of line in microseconds rather than milliseconds."""
    event = near_event(rng)
    text = json.dumps(event, ensure_ascii=rng.random() < 0.5)
    if isinstance(event, dict) and event and rng.random() < 0.5:
        value = json_document(rng)
        data = event.get("data")
        if isinstance(data, dict) and data and rng.random() < 0.5:
            text = text.replace('"data": {', f'"data": {{"unknown": {value}, ', 1)
        else:
            text = f'{{"unknown": {value}, {text[1:]}'
    data = text.encode("utf-8", "surrogatepass")
    if rng.randint(0, 9) == 0:  # a byte that is not UTF-8, as a Latin-1 log has
        data = data.replace(b'"', b'"\xe9', 1)
    return data


@pytest.mark.slow
def test_the_fast_path_gives_every_line_the_verdict_and_messages_of_the_exact_path(corpus_seed: int) -> None:
    """1,500 logs of one to four lines, as Hypothesis drew them before, drawn by random.Random from the session's
    seed (Hypothesis' engine cost more than both readers); and the comparison means something only if those very
    lines take the fast path, valid and not, and leave it: at least 20 of each. A few hundred logs of Hypothesis'
    own follow, where a failure shrinks."""
    rng = random.Random(corpus_seed)
    seen: dict[str, int] = {"fast valid": 0, "invalid": 0, "orjson refuses": 0, "json refuses": 0}
    for _ in range(1500):
        log = [line(rng) for _ in range(rng.randint(1, 4))]
        assert check(log) == check(log, fast=False), (log, corpus_seed)
        for one in log:
            try:
                orjson.loads(one)
            except orjson.JSONDecodeError:
                seen["orjson refuses"] += 1
            try:
                parse_json(one)
            except ValueError:
                seen["json refuses"] += 1
            problems, _ = check([one])
            seen["invalid" if problems else "fast valid"] += 1
    assert all(count >= 20 for count in seen.values()), (seen, corpus_seed)


@pytest.mark.slow
@settings(max_examples=150, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=4))
def test_the_fast_path_gives_the_verdicts_of_the_exact_path_on_logs_hypothesis_draws(log: list[bytes]) -> None:
    assert check(log) == check(log, fast=False)


def event_line(**data: Any) -> bytes:
    event = {**full_sample("conversation.created"), "id": "evt_2"}
    event["data"].update(data)
    return json.dumps(event).encode()


def test_an_integer_beyond_64_bits_is_valid_where_json_says_so_and_reported_as_json_reads_it() -> None:
    big = 2**64 + 1  # orjson reads it as the float 18446744073709551616.0
    assert orjson.loads(str(big)) != big
    valid = event_line(count=big)
    invalid = valid.replace(b'"evt_2"', str(big).encode())
    assert check([valid, invalid]) == check([valid, invalid], fast=False)
    problems, tally = check([valid, invalid])
    assert tally == (3, 1, 1)
    assert problems[0].message == f"{big} is not of type 'string'"


def test_a_line_nested_too_deep_for_json_is_never_called_valid() -> None:
    """orjson reads 1,010 levels; parse_json refuses more than 100 (decision 18). The line's length sends it to the
    exact path, which reports it, as without the fast path."""
    deep = event_line(deep=[]).replace(b'"deep": []', b'"deep": ' + b"[" * 1010 + b"]" * 1010)
    orjson.loads(deep)
    with pytest.raises(ValueError, match="nests deeper than 100 levels"):
        parse_json(deep)
    problems, tally = check([deep])
    assert tally == (1, 0, 1)
    assert "deep" in problems[0].message
    assert check([deep]) == check([deep], fast=False)


def _keywords(schema: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(schema, dict):
        for keyword, value in schema.items():
            yield keyword, value
            if keyword not in ("const", "enum", "examples", "default"):
                yield from _keywords(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _keywords(item)


def test_no_schema_compares_numbers_by_value_so_a_64_bit_float_of_a_big_integer_cannot_change_a_verdict() -> None:
    """What the fast path relies on: the schemas test numbers only by type, and an integral float is an
    "integer" to JSON Schema, so a big integer read as a float is judged as the integer."""
    numeric = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
    for path in sorted(data_dir().glob("*.schema.json")):
        for keyword, value in _keywords(load_json(path.name)):
            assert keyword not in numeric, (path.name, keyword)
            if keyword in ("const", "enum"):
                values = value if keyword == "enum" else [value]
                assert not any(isinstance(v, int | float) and not isinstance(v, bool) for v in values), path.name


@pytest.mark.parametrize("event_type", [[], {}, ["lead.captured"]])
def test_a_line_whose_type_is_not_a_string_is_reported_rather_than_crashing_validate(event_type: Any) -> None:
    """Found by the comparison above: the inline check looked the type up in a dict, and a list is unhashable."""
    line = json.dumps({"id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z", "type": event_type, "data": {}})
    problems, tally = check([line.encode()])
    assert tally == (2, 1, 1)
    assert (problems[0].pointer, problems[0].rule) == ("/type", "type")
