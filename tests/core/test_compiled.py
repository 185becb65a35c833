"""The compiled schema checks answer exactly what jsonschema answers, on generated values near every rule."""

from __future__ import annotations

import copy
import random
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from near_events import DELIVERY, SCHEMAS, emptied_strings, near_event, near_events

from horneross_conformance.checks.generation import full_sample
from horneross_conformance.core.compiled import (
    UNBOUNDED,
    Unsupported,
    _Compiler,
    compile_check,
    compile_source,
    fast_check,
)
from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.resources import load_json
from horneross_conformance.core.validation import _registry, schema_errors, validator

EVENT_SCHEMAS = {f"{event_type}.schema.json" for event_type in EVENT_TYPES} | {"envelope.schema.json"}
SCHEMA_DEPTH = 3  # an event, its data, a contact: the deepest objects the event schemas name


def _depth(value: Any) -> int:
    if isinstance(value, dict | list):
        return 1 + max(map(_depth, value.values() if isinstance(value, dict) else value), default=0)
    return 0


def _same_verdict(value: Any, rules: dict[str, Counter[str]], verdicts: dict[str, Counter[bool]]) -> None:
    before = copy.deepcopy(value)
    for name in SCHEMAS:
        expected = validator(name).is_valid(value)
        assert compile_check(name)(value) is expected, (name, value)
        delivered = not isinstance(value, dict) or all(field in value for field in DELIVERY)
        assert compile_check(name, DELIVERY)(value) is (expected and delivered), (name, value)
        bounded = compile_check(name, DELIVERY, bounded=True)(value)
        assert bounded in (True, False, UNBOUNDED) and bool(bounded) is (expected and delivered), (name, value)
        if name in EVENT_SCHEMAS:  # True: no deeper than the schema
            assert bounded is not True or _depth(value) <= SCHEMA_DEPTH, (name, value)
        verdicts[name][expected] += 1
        if not expected:  # a valid value breaks no rule
            rules[name].update(error.rule for error in schema_errors(value, name))
    assert value == before  # checking never changes the event


@pytest.mark.slow
def test_compiled_checks_answer_as_jsonschema_for_every_schema_and_every_rule_is_reached(corpus_seed: int) -> None:
    """Every generated value gets the same verdict from the compiled check as from jsonschema; and the values
    reach every rule of every event schema, valid and invalid alike (a generator that never broke a rule would
    prove nothing). 3,000 values, as Hypothesis drew them before, drawn by random.Random from the session's seed:
    Hypothesis' engine took as long as jsonschema itself (10 CPU-s); a few hundred of its values follow, where a
    failure shrinks."""
    rules: dict[str, Counter[str]] = {name: Counter() for name in SCHEMAS}
    verdicts: dict[str, Counter[bool]] = {name: Counter() for name in SCHEMAS}
    for value in emptied_strings():  # a rule few strings have (minLength) went unreached by about 1 seed in 30
        _same_verdict(value, rules, verdicts)
    rng = random.Random(corpus_seed)
    for _ in range(3000):
        value = near_event(rng)
        try:
            _same_verdict(value, rules, verdicts)
        except AssertionError as error:
            raise AssertionError(f"seed {corpus_seed}: {error}") from error
    for name in [f"{t}.schema.json" for t in EVENT_TYPES]:
        assert verdicts[name][True] > 100 and verdicts[name][False] > 100, (name, verdicts[name], corpus_seed)
        wanted = {"required", "type", "minLength", "pattern", "format", "const"}
        assert wanted <= set(rules[name]), (name, rules[name], corpus_seed)
    assert "enum" in rules["event.schema.json"]


@pytest.mark.slow
@settings(max_examples=200, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_events())
def test_compiled_checks_answer_as_jsonschema_on_values_hypothesis_draws(value: Any) -> None:
    rules: dict[str, Counter[str]] = {name: Counter() for name in SCHEMAS}
    _same_verdict(value, rules, {name: Counter() for name in SCHEMAS})


@pytest.mark.parametrize("source", ["examples/valid.json", "examples/invalid.json"])
def test_compiled_checks_agree_on_the_example_events(source: str) -> None:
    for example in load_json(source)["examples"]:
        for name in SCHEMAS:
            event = example["event"]
            assert compile_check(name)(event) is validator(name).is_valid(event), (example["name"], name)


def test_every_schema_of_the_project_is_compiled_rather_than_left_to_jsonschema() -> None:
    for name in SCHEMAS:
        assert fast_check(name) is compile_check(name)
        assert fast_check(name, DELIVERY) is compile_check(name, DELIVERY)


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


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_a_bounded_check_says_true_only_of_an_event_whose_every_object_its_schema_names(event_type: str) -> None:
    """What lets validate skip counting a line's brackets: True for a sample delivery; UNBOUNDED, still valid, once
    it holds a key no schema names, even one whose value is a string, or an object the schema does not describe."""
    schema = f"{event_type}.schema.json"
    check = compile_check(schema, DELIVERY, bounded=True)
    event = {**full_sample(event_type), "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
    assert check(event) is True
    for extra in ({"note": "x"}, {"data": {**event["data"], "note": "x"}}, {"data": {**event["data"], "n": [[{}]]}}):
        assert check({**event, **extra}) == UNBOUNDED and validator(schema).is_valid({**event, **extra})
    assert check({**event, "id": 7}) is False


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
    source, constants, entry = compile_source("lead.captured.schema.json")
    assert source.startswith(f"def {entry}(x0):")
    assert "isinstance(" in source and "'conversationId' in x" in source  # names as literals, not looked up
    searches = [name for name, value in constants.items() if getattr(value, "__name__", "") == "search"]
    assert searches and all(f"{name}(" in source for name in searches)  # each pattern's search, bound once
