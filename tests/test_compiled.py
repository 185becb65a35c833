"""The compiled schema checks answer exactly what jsonschema answers, on generated values near every rule."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from horneross_conformance.checks.generation import full_sample
from horneross_conformance.core.compiled import Unsupported, _Compiler, compile_check, compile_source
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.resources import data_dir, load_json
from horneross_conformance.core.validation import _registry, schema_errors, validator
from horneross_conformance.logs.event_files import fast_check

SCHEMAS = sorted(path.name for path in data_dir().glob("*.schema.json"))
KEYS = [
    "id",
    "type",
    "timestamp",
    "data",
    "conversationId",
    "messageId",
    "role",
    "content",
    "contact",
    "email",
    "firstName",
    "phoneNumber",
    "newStatus",
    "extra",
]
STRINGS = [
    "",
    "evt_1",
    "evt_",
    "evt_ a",
    "evt_a\n",
    "evt_a\x1cb",
    "evt_a\u2028",
    "\nevt_a",
    "conv_1",
    "user",
    "x",
    "2024-01-21T15:30:00Z",
    "2024-02-29T23:59:60.5+23:59",
    "2023-02-29T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2024-01-21T24:00:00Z",
    "2024-01-21t15:30:00z",
    "2024-01-21T15:30:00+24:00",
    "2024-1-21T15:30:00Z",
    "a@b.co",
    "a@b",
    "a b@c.de",
    "@b.co",
    "+5491123456789",
    "+0123",
    "+1",
    "+1234567890123456",
    "5491123456789",
    "\ud800",
    "😀",
    *EVENT_TYPES,
    "conversation.assigned",
]
SCALARS = st.one_of(
    st.sampled_from(STRINGS), st.text(max_size=4), st.integers(-2, 2), st.sampled_from([1.0, 0.5, True, False, None])
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=2), st.dictionaries(st.sampled_from(KEYS), children, max_size=3)
    ),
    max_leaves=4,
)


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    return found


@st.composite
def near_events(draw: st.DrawFn) -> Any:
    """A realistic event of any type, with up to three fields replaced, added or removed; sometimes no event."""
    if draw(st.integers(0, 19)) == 0:
        return draw(VALUES)
    event = full_sample(draw(st.sampled_from(EVENT_TYPES)))
    event = {**event, "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(event)))
        parent: Any = event
        for key in path[:-1]:
            parent = parent[key]
        if not path:
            continue
        action = draw(st.integers(0, 2))
        if action == 0:
            del parent[path[-1]]
        elif action == 1:
            parent[path[-1]] = draw(VALUES)
        elif isinstance(parent.get(path[-1]), dict):
            parent[path[-1]][draw(st.sampled_from(KEYS))] = draw(VALUES)
    return event


@pytest.mark.slow
def test_compiled_checks_answer_as_jsonschema_for_every_schema_and_every_rule_is_reached() -> None:
    """Every generated value gets the same verdict from the compiled check as from jsonschema; and the values
    reach every rule of every event schema, valid and invalid alike (a generator that never broke a rule would
    prove nothing)."""
    rules: dict[str, Counter[str]] = {name: Counter() for name in SCHEMAS}
    verdicts: dict[str, Counter[bool]] = {name: Counter() for name in SCHEMAS}

    @settings(max_examples=3000, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(near_events())
    def same_verdict(value: Any) -> None:
        before = copy.deepcopy(value)
        for name in SCHEMAS:
            expected = validator(name).is_valid(value)
            assert compile_check(name)(value) is expected, (name, value)
            verdicts[name][expected] += 1
            rules[name].update(error.rule for error in schema_errors(value, name))
        assert value == before  # checking never changes the event

    same_verdict()
    for name in [f"{t}.schema.json" for t in EVENT_TYPES]:
        assert verdicts[name][True] > 100 and verdicts[name][False] > 100, (name, verdicts[name])
        wanted = {"required", "type", "minLength", "pattern", "format", "const"}
        assert wanted <= set(rules[name]), (name, rules[name])
    assert "enum" in rules["event.schema.json"]


@pytest.mark.parametrize("source", ["examples/valid.json", "examples/invalid.json"])
def test_compiled_checks_agree_on_the_example_events(source: str) -> None:
    for example in load_json(source)["examples"]:
        for name in SCHEMAS:
            event = example["event"]
            assert compile_check(name)(event) is validator(name).is_valid(event), (example["name"], name)


def test_every_schema_of_the_project_is_compiled_rather_than_left_to_jsonschema() -> None:
    for name in SCHEMAS:
        assert fast_check(name) is compile_check(name)


@pytest.mark.parametrize(
    "schema",
    [
        {"additionalProperties": False},
        {"properties": {"a": {"maximum": 3}}},
        {"const": 1},
        {"enum": ["a", None]},
        {"type": "whatever"},
        {"allOf": [{"$id": "https://example.invalid/embedded", "type": "string"}]},
    ],
)
def test_a_keyword_the_compiler_does_not_know_is_refused_rather_than_ignored(schema: dict[str, Any]) -> None:
    compiler = _Compiler()
    with pytest.raises(Unsupported):
        compiler.function(schema, _registry().resolver())


def test_a_recursive_reference_becomes_a_call_instead_of_endless_inlining() -> None:
    compiler = _Compiler()
    tree = {"$schema": "https://json-schema.org/draft/2020-12/schema", "properties": {"child": {"$ref": "#"}}}
    tree["type"] = "object"
    registry = _registry().with_contents([("https://example.invalid/tree", tree)])
    resolver = registry.resolver(base_uri="https://example.invalid/tree")
    entry = compiler.function(tree, resolver)
    namespace: dict[str, Any] = dict(compiler.constants)
    exec("\n\n".join(compiler.functions), namespace)
    check = namespace[entry]
    assert check({"child": {"child": {}}}) is True
    assert check({"child": {"child": 3}}) is False


def test_the_compiled_source_is_plain_python_with_the_schema_inlined() -> None:
    source, _constants, entry = compile_source("lead.captured.schema.json")
    assert source.startswith(f"def {entry}(x0):")
    assert "search(" in source and "isinstance(" in source
