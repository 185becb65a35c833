"""The event schemas accept the documentation's examples and realistic events, and reject each invalid example
for exactly its stated reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from horneross_conformance.core.contract import EVENT_TYPES, TYPE_ADDED_LATER
from horneross_conformance.core.resources import load_json
from horneross_conformance.core.validation import schema_errors

VALID = load_json("examples/valid.json")["examples"]
INVALID = load_json("examples/invalid.json")["examples"]


def by_name(example: dict[str, Any]) -> str:
    return str(example["name"])


@pytest.mark.parametrize("example", VALID, ids=by_name)
@pytest.mark.parametrize("schema", [None, "event.schema.json", "envelope.schema.json"])
def test_valid_example_validates(example: dict[str, Any], schema: str | None) -> None:
    assert schema_errors(example["event"], schema) == []


@pytest.mark.parametrize("example", INVALID, ids=by_name)
@pytest.mark.parametrize("schema", [None, "event.schema.json"])
def test_invalid_example_fails_for_its_stated_reason_only(example: dict[str, Any], schema: str | None) -> None:
    errors = schema_errors(example["event"], schema)
    assert [(e.pointer, e.rule) for e in errors] == [(example["pointer"], example["rule"])], example["reason"]


def test_the_valid_examples_are_of_documented_types() -> None:
    assert {e["event"]["type"] for e in VALID} <= set(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_documented_event_type_has_valid_and_invalid_examples(event_type: str) -> None:
    """Besides those of the example files: the example of its data its schema gives (what the suites send) is valid,
    and wrong for exactly one reason without any member the schema requires. So a type documented later has both
    from its schema alone."""
    data = load_json(f"{event_type}.schema.json")["properties"]["data"]
    event = {"id": "evt_1", "type": event_type, "timestamp": "2024-01-21T15:30:00Z", "data": data["examples"][0]}
    assert schema_errors(event) == [] and schema_errors(event, "event.schema.json") == []
    assert data["required"]  # so that an event of this type can have invalid data
    for member in data["required"]:
        broken = copy.deepcopy(event)
        del broken["data"][member]
        assert [(e.pointer, e.rule) for e in schema_errors(broken)] == [("/data", "required")], member


def test_documentation_examples_are_all_present() -> None:
    sources = {e["source"] for e in VALID}
    assert {
        "documentation: Formato del payload",
        "documentation: Ejemplos, Nuevo mensaje",
        "documentation: Ejemplos, Lead capturado",
    } <= sources


def test_unknown_event_type_is_open_in_the_envelope_and_closed_in_event_schema() -> None:
    event = {"id": "evt_1", "type": TYPE_ADDED_LATER, "timestamp": "2024-01-21T15:30:00Z", "data": {}}
    assert schema_errors(event) == []  # the envelope: forward compatible
    assert [e.rule for e in schema_errors(event, "event.schema.json")] == ["enum"]


@pytest.mark.parametrize(
    ("timestamp", "valid"),
    [
        ("2024-01-21T15:30:00Z", True),
        ("2024-01-21t15:30:00z", True),
        ("2024-01-21T15:30:00.123456+05:30", True),
        ("2016-12-31T23:59:60Z", True),
        ("2024-01-21 15:30:00Z", False),
        ("2024-01-21T25:30:00Z", False),
        ("2024-01-21T15:30:00+24:00", False),
        ("2023-02-29T00:00:00Z", False),
        ("2024-02-29T00:00:00Z", True),
        ("2000-02-29T00:00:00Z", True),
        ("1900-02-29T00:00:00Z", False),
        ("2024-04-31T00:00:00Z", False),
        ("2024-12-31T23:59:59-23:59", True),
        ("0000-01-01T00:00:00Z", False),
        ("0001-01-01T00:00:00Z", True),
        ("2024-00-10T00:00:00Z", False),
        ("2024-13-10T00:00:00Z", False),
        ("2024-01-00T00:00:00Z", False),
        ("2024-01-21T15:60:00Z", False),
        ("2024-01-21T15:30:61Z", False),
        ("2024-01-21T15:30:00+05:60", False),
        ("2024-01-21T15:30:00", False),
        ("2024-01-21T15:30:00.Z", False),
        ("2024-1-21T15:30:00Z", False),
        ("２０２４-01-21T15:30:00Z", False),
    ],
)
def test_date_time_format_is_really_checked(timestamp: str, valid: bool) -> None:
    event = {"type": "conversation.created", "timestamp": timestamp, "data": {"conversationId": "c"}}
    assert (schema_errors(event) == []) is valid


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("a@b.co", True),
        ("maría.núñez@ejemplo.com.ar", True),
        ("a@b", False),
        ("@b.co", False),
        ("a@@b.co", False),
        ("a b@c.co", False),
        ("a@b..co", False),
    ],
)
def test_email_format_is_really_checked(email: str, valid: bool) -> None:
    event = {"type": "lead.captured", "data": {"conversationId": "c", "contact": {"email": email}}}
    assert (schema_errors(event) == []) is valid
