"""Realistic events for the suites to send: fresh ids, the current time, the documentation's shapes."""

from __future__ import annotations

import copy
import functools
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.resources import load_json

Event = dict[str, Any]


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(6)}"


def rfc3339(moment: datetime) -> str:
    """``2024-01-21T15:30:00Z``: UTC, whole seconds, as the documentation shows."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(event_type: str, data: dict[str, Any], age: timedelta = timedelta(0)) -> Event:
    """An event that happened ``age`` ago. An aged timestamp is rounded up to the second, so the event is never
    older than ``age`` when sent: a receiver whose window is exactly ``age`` must not fail for our rounding."""
    moment = datetime.now(UTC) - age
    if age and moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return {"id": new_id("evt"), "type": event_type, "timestamp": rfc3339(moment), "data": data}


def with_fresh_ids(data: dict[str, Any], conversation: str) -> dict[str, Any]:
    """A copy of generated ``data`` with the ids a sender assigns: ``conversation``, and a fresh message id if it
    has one. The generators leave identity alone; a receiver may rightly refuse an id it has seen."""
    fresh = copy.deepcopy(data)
    fresh["conversationId"] = conversation
    if "messageId" in fresh:
        fresh["messageId"] = new_id("msg")
    return fresh


@functools.cache
def _example_data(event_type: str) -> dict[str, Any]:
    """The example of its data a documented type's schema gives, read once."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type!r} is not a documented event type")
    example: dict[str, Any] = load_json(f"{event_type}.schema.json")["properties"]["data"]["examples"][0]
    return example


def sample_data(event_type: str, conversation_id: str | None = None) -> dict[str, Any]:
    """Data of a documented event type, as Horneross would send it for a real conversation: the example its schema
    gives, with a fresh conversation id (``conversation_id``, or a new one) and a fresh message id if it has one."""
    data = copy.deepcopy(_example_data(event_type))
    data["conversationId"] = conversation_id or new_id("conv")
    if "messageId" in data:
        data["messageId"] = new_id("msg")
    return data


def sample_event(event_type: str, conversation_id: str | None = None) -> Event:
    return envelope(event_type, sample_data(event_type, conversation_id))


def documentation_examples() -> list[tuple[str, Event]]:
    """The documentation's own example payloads (name, event): type and data exactly as documented, with a fresh
    id and timestamp. The abbreviated examples have neither, and the full one is dated 2024: a receiver may
    rightly refuse an event that old (it only must accept 2 h 36 min, decision 7), or one whose id it has seen."""
    examples = []
    for example in load_json("examples/valid.json")["examples"]:
        if example["source"].startswith("documentation"):
            event = example["event"]
            examples.append((example["name"], envelope(event["type"], copy.deepcopy(event["data"]))))
    return examples


def stress_texts() -> list[dict[str, str]]:
    """Texts that break naive re-serialization (``schemas/stress-texts.json``)."""
    texts: list[dict[str, str]] = load_json("stress-texts.json")["texts"]
    return texts


def stress_fragments() -> list[dict[str, str]]:
    """Short pieces of stress text that the generators put inside every kind of text field."""
    fragments: list[dict[str, str]] = load_json("stress-texts.json")["fragments"]
    return fragments


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a surrogate pair: what JSON.stringify writes as an escape (``\\ud83d``) and
    the standard parsers of PHP and Ruby refuse (RCV-14's subject, decision 12). A pair parsed from JSON is one
    astral character in Python, so any surrogate code point left is a lone one."""
    return any("\ud800" <= character <= "\udfff" for character in text)
