"""The documented events' generator against its reference, schemathesis, and against what it must refuse.

RCV-01 and SND-01 explore the documented fields with ``checks.schema_strategy``, which replaced schemathesis'
generation (built anew inside every draw: about half of a generated check's time). Schemathesis stays the
reference: on the same schemas, every shape it reaches (a field absent, empty, ASCII, beyond ASCII, astral; an
object's members in the schema's order or another) this generator reaches too, and every event it draws is valid
under jsonschema, the reference validator. Both sides draw derandomized, so the comparison is the same on every run.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from horneross_conformance.checks import schema_strategy
from horneross_conformance.checks.generation import STRESS_CHARACTERS, documented_schema, with_placeholders
from horneross_conformance.checks.schema_strategy import UnsupportedSchema, from_schema
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.openapi import ENDPOINT_PATH, endpoint_document
from horneross_conformance.core.validation import FORMATS, schema_errors

DRAWS = 100  # schemathesis reaches every shape it reaches in 200 draws within its first 100
TEXT = st.characters(exclude_characters=STRESS_CHARACTERS)


def drawn(strategy: st.SearchStrategy[Any], draws: int = DRAWS) -> list[Any]:
    """What Hypothesis' engine draws from ``strategy`` in ``draws`` examples, derandomized: the same on every run."""
    found: list[Any] = []
    recorder(strategy, draws, lambda value: found.append(value))()
    return found


def recorder(strategy: st.SearchStrategy[Any], draws: int, record: Callable[[Any], None]) -> Callable[[], None]:
    """A test that passes ``draws`` values of ``strategy`` to ``record``, derandomized."""
    return settings(
        max_examples=draws,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )(given(strategy)(record))


def schemathesis_events(event_type: str) -> st.SearchStrategy[Any]:
    """Schemathesis' positive generation for the same body, as the toolkit used it before."""
    import schemathesis

    document = endpoint_document(event_type)
    post = document["paths"][ENDPOINT_PATH]["post"]
    del post["parameters"]  # the signature header
    post["requestBody"]["content"]["application/json"]["schema"] = documented_schema(event_type)
    operation = schemathesis.openapi.from_dict(document)[ENDPOINT_PATH]["POST"]
    return operation.as_strategy().map(lambda case: case.body)


def _kind(text: str) -> str:
    if not text:
        return "empty"
    if all(ord(c) < 0x80 for c in text):
        return "ascii"
    return "astral" if any(ord(c) > 0xFFFF for c in text) else "beyond ascii"


def shapes(event: dict[str, Any], schema: dict[str, Any]) -> set[tuple[str, str]]:
    """What an event is made of, field by field: whether each field is there, each string's kind, and whether each
    object's members come in the schema's order."""
    found: set[tuple[str, str]] = set()

    def walk(node: Any, schema: dict[str, Any], where: str) -> None:
        if isinstance(node, dict):
            listed = [name for name in schema["properties"] if name in node]
            found.add((where, "in the schema's order" if list(node) == listed else "in another order"))
            for name, sub in schema["properties"].items():
                if name in node:
                    walk(node[name], sub, f"{where}/{name}")
                else:
                    found.add((f"{where}/{name}", "absent"))
        elif isinstance(node, str):
            found.add((where, _kind(node)))

    walk({key: value for key, value in event.items() if key in schema["properties"]}, schema, "")
    return found


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_shape_schemathesis_reaches_this_generator_reaches_with_valid_events_only(event_type: str) -> None:
    """The events are drawn before ``documented_events`` leaves out any the compiled checks refuse: every one the
    generator itself draws must be valid. (That they carry no stress character, as delivered, is
    tests/receiver/test_generated_checks.py's.)"""
    schema = documented_schema(event_type)
    unfiltered = from_schema(schema, TEXT).map(with_placeholders)
    events = drawn(unfiltered, 4 * DRAWS)  # reachable in more draws is reachable
    reference = set().union(*(shapes(event, schema) for event in drawn(schemathesis_events(event_type))))
    assert reference - set().union(*(shapes(event, schema) for event in events)) == set()
    assert len(reference) > 8  # the comparison sees fields, kinds and orders
    assert all(event["type"] == event_type and not schema_errors(event) for event in events)


def test_an_object_shows_each_optional_member_and_each_order_of_its_members() -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
        "additionalProperties": False,
        "description": "annotations change nothing",
        "x-note": "nor do extensions",
    }
    values = drawn(from_schema(schema, TEXT))
    assert all("a" in value and set(value) <= {"a", "b", "c"} for value in values)
    assert {tuple(value) for value in values if len(value) == 3} == {
        ("a", "b", "c"),
        ("a", "c", "b"),
        ("b", "a", "c"),
        ("b", "c", "a"),
        ("c", "a", "b"),
        ("c", "b", "a"),
    }
    assert {frozenset(value) for value in values} == {frozenset(members) for members in ("a", "ab", "ac", "abc")}


def test_strings_keep_to_their_lengths_patterns_and_alphabet() -> None:
    schema = {
        "type": "object",
        "required": ["short", "phone", "email", "kind"],
        "properties": {
            "short": {"type": "string", "minLength": 2, "maxLength": 3},
            "phone": {"type": "string", "pattern": "^\\+[1-9][0-9]{1,14}$"},
            "email": {"type": "string", "format": "email"},
            "kind": {"type": "string", "const": "lead.captured", "minLength": 1},
        },
        "additionalProperties": False,
    }
    alphabet = st.characters(categories=["Lu", "Nd"], include_characters="+")
    values = drawn(from_schema(schema, alphabet))
    checker = Draft202012Validator(schema, format_checker=FORMATS)
    assert all(checker.is_valid(value) for value in values)
    assert all(all(c == "+" or c.isupper() or c.isdigit() for c in value["short"]) for value in values)
    assert all(re.fullmatch("[+][1-9][0-9]{1,14}", value["phone"], re.ASCII) for value in values)  # ASCII digits only
    assert {value["kind"] for value in values} == {"lead.captured"}


@pytest.mark.parametrize(
    ("schema", "said"),
    [
        ({"type": "integer"}, "the schema's root: type 'integer' is not one the generator draws"),
        ({"type": "string", "enum": ["a"]}, "the schema's root: enum not drawn by the generator"),
        ({"type": "object", "properties": {}}, "additionalProperties: false (documented fields only)"),
        ({"type": "object", "properties": {}, "additionalProperties": True}, "additionalProperties: false"),
        (
            {"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}, "additionalProperties": False},
            "the schema at #/properties/a: format 'uri' is not one the generator draws",
        ),
        ({"type": "string", "pattern": "a", "minLength": 2}, "a pattern with lengths is not one the generator draws"),
        ({"const": 3}, "a const the generator draws is a string of its type"),
        ({"const": "a", "minLength": 2}, "a const the generator draws is a string of its type"),
        (
            {"type": "object", "required": ["b"], "properties": {}, "additionalProperties": False},
            "required ['b'] not among its properties",
        ),
        ({"allOf": [{"type": "string"}], "type": "string"}, "allOf not drawn by the generator"),
        ({"$ref": "#/x"}, "$ref not drawn by the generator"),
        (
            {"type": "string", "pattern": "^evt_[^\\s]+$"},
            "the pattern's escape \\s may match other text in JSON Schema (ECMA-262) than in Python",
        ),
        ({"type": "string", "pattern": "\\\\\\d"}, "the pattern's escape \\d may match"),
        ({"type": "string", "pattern": "a.b"}, "the pattern's . may match"),
        ({"type": "string", "pattern": "(?i)a"}, "the pattern's (? may match"),
        ({"type": "string", "pattern": "a{,3}"}, "the pattern's { that is no quantifier may match"),
        ({"type": "string", "pattern": "a{2}+"}, "the pattern's possessive quantifier may match"),
        ({"type": "string", "pattern": "[]a]"}, "the pattern's class beginning with ] may match"),
        ({"type": "string", "pattern": "[a[b]]"}, "the pattern's [ inside a class may match"),
    ],
)
def test_a_schema_beyond_what_it_draws_is_refused_saying_what_and_where(schema: dict[str, Any], said: str) -> None:
    with pytest.raises(UnsupportedSchema) as refused:
        from_schema(schema, TEXT)
    assert said in str(refused.value)


def test_drawing_builds_no_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strategies are built once: one built inside a draw is a new object whose properties Hypothesis works out
    again at every draw, as schemathesis' were. Counted: strategies built by a function of ``schema_strategy`` or of
    this file, its nearest callers. A strategy of this file that builds one inside each draw shows that the count
    sees it. (What Hypothesis builds inside its own strategies' draws, which depends on its version, is its own.)"""
    built = [0]
    initialise = st.SearchStrategy.__init__
    ours = {schema_strategy.__file__, __file__}

    def counting(self: st.SearchStrategy[Any]) -> None:
        if any(frame.filename in ours for frame in traceback.extract_stack(limit=8)[:-1]):
            built[0] += 1
        initialise(self)

    runs = [recorder(from_schema(documented_schema(kind), TEXT), 20, lambda _: None) for kind in EVENT_TYPES]
    building = st.integers(0, 3).flatmap(lambda size: st.fixed_dictionaries({"a": st.text(max_size=size)}))
    control = recorder(building, 20, lambda _: None)
    for run in [*runs, control]:
        run()  # the strategies built, what Hypothesis derives from them cached
    monkeypatch.setattr(st.SearchStrategy, "__init__", counting)
    for run in runs:
        run()
    by_ours, built[0] = built[0], 0
    control()
    assert by_ours == 0 and built[0] >= 20, (by_ours, built[0])


def test_an_escaped_backslash_before_a_letter_is_no_character_class() -> None:
    values = drawn(from_schema({"type": "string", "pattern": "^a\\\\d$"}, TEXT), 5)
    assert set(values) == {"a\\d"}
