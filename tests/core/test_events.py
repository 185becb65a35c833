"""The events the suites send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.events import documentation_examples, envelope, sample_event
from horneross_conformance.core.resources import load_json
from horneross_conformance.core.validation import schema_errors


def parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def test_an_aged_event_is_never_older_than_its_age_when_made() -> None:
    age = timedelta(hours=2, minutes=36)
    for _ in range(20):
        earliest = datetime.now(UTC) - age
        event = envelope("conversation.created", {"conversationId": "c"}, age)
        assert earliest <= parse(event["timestamp"]) <= datetime.now(UTC) - age + timedelta(seconds=1)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_events_are_valid_fresh_and_distinct(event_type: str) -> None:
    first, second = sample_event(event_type), sample_event(event_type)
    assert schema_errors(first, "event.schema.json") == []
    assert first["id"] != second["id"] and first["id"].startswith("evt_")
    assert abs(datetime.now(UTC) - parse(first["timestamp"])) < timedelta(seconds=2)


def test_documentation_examples_keep_type_and_data_and_get_a_fresh_envelope() -> None:
    documented = {e["name"]: e["event"] for e in load_json("examples/valid.json")["examples"]}
    examples = documentation_examples()
    assert [name for name, _ in examples] == ["doc-payload-format", "doc-nuevo-mensaje", "doc-lead-capturado"]
    for name, event in examples:
        assert (event["type"], event["data"]) == (documented[name]["type"], documented[name]["data"])
        assert event["id"] != documented[name].get("id") and event["timestamp"] != documented[name].get("timestamp")
        assert schema_errors(event, "event.schema.json") == []


def test_generated_data_gets_fresh_ids_and_is_not_changed_itself() -> None:
    from horneross_conformance.core.events import with_fresh_ids

    generated = {"conversationId": "0", "messageId": "0", "content": "", "contact": {"email": "a@b.co"}}
    fresh = with_fresh_ids(generated, "conv_1")
    assert fresh["conversationId"] == "conv_1" and fresh["messageId"].startswith("msg_")
    assert {k: v for k, v in fresh.items() if k not in ("conversationId", "messageId")} == {
        "content": "",
        "contact": {"email": "a@b.co"},
    }
    assert generated == {"conversationId": "0", "messageId": "0", "content": "", "contact": {"email": "a@b.co"}}
    fresh["contact"]["email"] = "changed"
    assert generated["contact"]["email"] == "a@b.co"  # a deep copy
    assert "messageId" not in with_fresh_ids({"conversationId": "0"}, "conv_2")  # none invented
