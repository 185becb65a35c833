"""The compiled checks' two shortcuts answer exactly what jsonschema answers, and each guard is needed.

- ``event_type``: the check validate picks by an event's type decides the type's rules once, when it is compiled;
  on every dict whose ``type`` is that string it answers what the check without the shortcut answers (itself
  compared with jsonschema in ``test_compiled``), True, False and UNBOUNDED alike.
- ``date-time``: the checks remember the last plain string one of them accepted (one memory for every check: the
  format's validity depends on the string alone), and accept that string again with one comparison; any other
  string, and any string that is not a plain str, is checked in full.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from near_events import DELIVERY, SCHEMAS, STRINGS, near_event

from horneross_conformance.checks.generation import full_sample
from horneross_conformance.core.compiled import UNBOUNDED, _Compiler, compile_check
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.validation import _registry, validator

TYPES = sorted({*EVENT_TYPES, *(s for s in STRINGS if s.isascii())})  # documented, undocumented, invalid


def test_a_check_picked_by_the_type_answers_as_the_full_check_on_generated_events(corpus_seed: int) -> None:
    """Generated near-valid events, as a JSON parser gives them back, each given every type of TYPES in turn:
    the check compiled for that type answers exactly what the full check answers, which is jsonschema's."""
    rng = random.Random(corpus_seed)
    answers: dict[object, int] = {}
    for _ in range(400):
        value = near_event(rng)
        if not isinstance(value, dict):
            continue
        for event_type in TYPES:
            event = json.loads(json.dumps({**value, "type": event_type}))
            for name in SCHEMAS:
                full = compile_check(name, DELIVERY, bounded=True)(event)
                picked = compile_check(name, DELIVERY, bounded=True, event_type=event_type)(event)
                assert picked == full and type(picked) is type(full), (corpus_seed, name, event)
                answers[full] = answers.get(full, 0) + 1
            expected = validator(f"{event_type}.schema.json").is_valid(event) if event_type in EVENT_TYPES else None
            if expected is not None and all(field in event for field in DELIVERY):
                checked = compile_check(f"{event_type}.schema.json", DELIVERY, bounded=True, event_type=event_type)
                assert bool(checked(event)) is expected, (corpus_seed, event)
    assert all(answers.get(answer, 0) > 100 for answer in (True, False, UNBOUNDED)), answers


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_a_type_the_schema_refuses_makes_the_picked_check_refuse_everything(event_type: str) -> None:
    """The guard: the type's rules are not dropped but decided; a check compiled for a type its schema refuses
    (another documented type, a type too short) refuses even the schema's own sample, with that type."""
    sample = {**full_sample(event_type), "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
    name = f"{event_type}.schema.json"
    assert compile_check(name, DELIVERY, bounded=True, event_type=event_type)(sample) is True
    for other in [t for t in EVENT_TYPES if t != event_type] + [""]:
        assert compile_check(name, DELIVERY, bounded=True, event_type=other)({**sample, "type": other}) is False


def test_the_picked_entry_is_not_called_for_a_recursive_reference_to_its_schema() -> None:
    """The guard: what is known of the event holds for it alone, not for an object nested in it that the schema
    checks by a reference to itself (whose type is unknown, and must be checked)."""
    tree: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"type": {"const": "node"}, "child": {"$ref": "#"}},
    }
    resolver = (
        _registry()
        .with_contents([("https://example.invalid/tree", tree)])
        .resolver(base_uri="https://example.invalid/tree")
    )
    compiler = _Compiler(known=("type", "node"))
    entry = compiler.function(tree, resolver)
    namespace: dict[str, Any] = dict(compiler.constants)
    exec("\n\n".join(compiler.functions), namespace)
    check = namespace[entry]
    assert check({"type": "node", "child": {"type": "node"}}) is True
    assert check({"type": "node", "child": {"type": "leaf"}}) is False
    assert check({"type": "node", "child": {"type": "node", "child": 3}}) is False


def test_an_optional_type_known_present_is_counted_among_the_keys_the_schema_names() -> None:
    """A bounded check says True only when it counted every key; the known type is one, though not required
    (were it not counted, the check would say UNBOUNDED of every event, and validate count brackets)."""
    schema = {"type": "object", "properties": {"type": {"const": "a"}, "note": {"type": "string"}}}
    resolver = _registry().resolver()
    compiler = _Compiler(bounded=True, known=("type", "a"))
    entry = compiler.function(schema, resolver)
    namespace: dict[str, Any] = dict(compiler.constants)
    exec("\n\n".join(compiler.functions), namespace)
    check = namespace[entry]
    assert check({"type": "a"}) is True and check({"type": "a", "note": "x"}) is True
    assert check({"type": "a", "other": 1}) == UNBOUNDED
    assert check({"type": "a", "note": 1}) is False


TIMESTAMPS = [
    "2026-11-25T10:00:00Z",
    "2026-11-25T10:00:01Z",
    "2026-11-25T10:00:61Z",  # the same length, invalid
    "2024-02-29T23:59:60.5+23:59",
    "2023-02-29T00:00:00Z",
    "2026-11-25T10:00:00Z\n",
    "",
    "2026-11-25t10:00:00z",
]


def test_a_remembered_timestamp_never_changes_a_verdict_in_any_order(corpus_seed: int) -> None:
    """Timestamps in runs and in any order, each check's memory carried from one event to the next, as in a log:
    every verdict is jsonschema's."""
    rng = random.Random(corpus_seed)
    check = compile_check("envelope.schema.json", DELIVERY)
    schema = validator("envelope.schema.json")
    sample = {**full_sample("lead.captured"), "id": "evt_0123"}
    verdicts = set()
    for _ in range(2000):
        event = {**sample, "timestamp": rng.choice(TIMESTAMPS)}
        verdicts.add(expected := schema.is_valid(event))
        assert check(event) is expected, (corpus_seed, event)
    assert verdicts == {True, False}


def test_the_memory_every_check_shares_never_changes_a_verdict(corpus_seed: int) -> None:
    """Events of every type in turn, as a log holds them, each judged by the check validate picks for its type,
    the timestamp one check remembered met by the next: every verdict is jsonschema's."""
    rng = random.Random(corpus_seed)
    picked = {t: compile_check(f"{t}.schema.json", DELIVERY, bounded=True, event_type=t) for t in EVENT_TYPES}
    samples = {t: {**full_sample(t), "id": "evt_0123"} for t in EVENT_TYPES}
    verdicts = set()
    for _ in range(2000):
        event_type = rng.choice(EVENT_TYPES)
        event = {**samples[event_type], "timestamp": rng.choice(TIMESTAMPS)}
        verdicts.add(expected := validator(f"{event_type}.schema.json").is_valid(event))
        assert bool(picked[event_type](event)) is expected, (corpus_seed, event)
    assert verdicts == {True, False}


class _Liar(str):
    """A str that says it equals (and does not differ from) anything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


def test_only_a_plain_str_is_let_through_by_the_remembered_timestamp() -> None:
    """The guards: a str of another class is checked in full even when it says it equals the remembered string,
    and is never remembered itself (a plain str compared with it would hear its answer)."""
    check = compile_check("envelope.schema.json", DELIVERY)
    schema = validator("envelope.schema.json")
    event = {**full_sample("lead.captured"), "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
    assert check(event) is True  # remembered
    liar = {**event, "timestamp": _Liar("not a date")}
    assert schema.is_valid(liar) is False and check(liar) is False
    assert check({**event, "timestamp": _Liar("2026-11-25T10:00:05Z")}) is True  # valid, not remembered
    wrong = {**event, "timestamp": "2026-11-25T10:00:61Z"}
    assert schema.is_valid(wrong) is False and check(wrong) is False
