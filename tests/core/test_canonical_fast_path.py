"""canonical_bytes' fast path (orjson) and its guard: the guard misses nothing, and typical events take it."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
import pytest
from json_corpus import Corpus
from peers import ROOT

from horneross_conformance.core.canonical import (
    FAST_OPTIONS,
    TooDeep,
    _containers,
    _plain,
    canonical_bytes,
    exact_bytes,
)
from horneross_conformance.core.contract import EVENT_TYPES, MAX_JSON_DEPTH
from horneross_conformance.core.events import has_lone_surrogate, sample_event


@pytest.mark.slow
def test_documents_of_the_fast_path_equal_node_json_stringify_and_most_take_it(
    json_corpus: Corpus, stringified: dict[str, bytes | str]
) -> None:
    """The session's 5,000 documents with every tricky string, small integers, booleans and nulls (tests/
    json_corpus.py): orjson's output is Node's. Lone surrogates aside (orjson refuses them), those documents are
    plain: most of them take the fast path."""
    taken = 0
    for text in json_corpus.plain:
        expected = stringified[text]
        assert isinstance(expected, bytes), f"node rejected a generated text: {expected} (seed {json_corpus.seed})"
        value = json.loads(text)
        assert canonical_bytes(value) == expected, (text, json_corpus.seed)
        if _plain(value):
            taken += 1
            try:
                fast = orjson.dumps(value, option=FAST_OPTIONS)  # as canonical_bytes calls it
            except orjson.JSONEncodeError:  # a lone surrogate, which orjson refuses and the exact path writes
                assert has_lone_surrogate(json.dumps(value, ensure_ascii=False)), (text, json_corpus.seed)
            else:
                assert fast == expected, (text, json_corpus.seed)
    assert taken > 0.8 * len(json_corpus.plain), (taken, json_corpus.seed)


def test_both_paths_agree_on_every_generated_document(json_corpus: Corpus) -> None:
    """All 15,000 documents of the session's corpus, either grammar (Hypothesis drew 3,000 for this before)."""
    for text in json_corpus.texts:
        value = json.loads(text)
        assert canonical_bytes(value) == exact_bytes(value), (text, json_corpus.seed)


@pytest.mark.parametrize(
    ("document", "why"),
    [
        ({"price": 100.0}, "a float: orjson writes 100.0, JSON.stringify 100"),
        ({"n": 1e16}, "a float: orjson writes 1e16, JSON.stringify 10000000000000000"),
        ({"n": -0.0}, "a float: orjson writes -0.0, JSON.stringify 0"),
        ({"id": 2**53 + 1}, "an integer beyond 2**53: JSON.parse rounds it"),
        ({"b": 1, "10": 2, "2": 3}, "array-index keys: JSON.stringify writes them first"),
        ({"data": {"a": 1, "0": 2}}, "an array-index key deeper down"),
        ([{"x": [1, 5.0]}], "a float deep in an array: orjson writes 5.0, JSON.stringify 5"),
        ((1, 2), "a tuple, written as an array by both, but not a type json.loads makes"),
    ],
)
def test_every_document_the_guard_sends_to_the_exact_path_needed_it_or_is_not_json(document: Any, why: str) -> None:
    assert _plain(document) is False, why
    assert canonical_bytes(document) == exact_bytes(document)
    if not isinstance(document, tuple):
        assert orjson.dumps(document) != exact_bytes(document), why  # the fast path would have been wrong


def test_a_lone_surrogate_is_refused_by_orjson_and_escaped_by_the_exact_path() -> None:
    document = {"content": "cut \ud83d"}
    assert _plain(document) is True  # the guard lets it through; orjson refuses it, and the exact path writes it
    with pytest.raises(orjson.JSONEncodeError):
        orjson.dumps(document)
    assert canonical_bytes(document) == b'{"content":"cut \\ud83d"}'


def test_typical_events_take_the_fast_path() -> None:
    """What the benchmark measures is what these tests prove: the events of every type are plain."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import large_event, typical_event

    rng = random.Random(1)
    events = [typical_event(n, rng) for n in range(40)] + [large_event(0, rng)]
    events += [sample_event(event_type) for event_type in EVENT_TYPES]
    assert all(_plain(event) for event in events)
    assert all(orjson.dumps(event) == exact_bytes(event) for event in events)


class _Key(str):
    """A str subclass: no JSON key, but one that compares equal to a plain one."""


@pytest.mark.parametrize(
    ("document", "fast"),
    [
        ({"/": 1, ":": 2, "~": 3, "": 4, " 1": 5, "١": 6}, True),  # around the ASCII digits: written in order by both
        ({"a": 1, "9z": 2}, False),
        ({"a": {"b": [{"0": 1}]}}, False),
        ({_Key("1"): 1}, False),
        ({_Key("b"): 1, "a": 2}, True),  # the guard lets it through; orjson refuses it, and the exact path writes it
        ({1: "a"}, False),
    ],
)
def test_a_key_takes_the_fast_path_only_when_it_cannot_start_with_an_ascii_digit(document: Any, fast: bool) -> None:
    assert _plain(document) is fast
    if all(type(key) is str for key in document):
        assert orjson.dumps(document, option=FAST_OPTIONS) == exact_bytes(document) == canonical_bytes(document)
    elif fast:
        with pytest.raises(orjson.JSONEncodeError):
            orjson.dumps(document, option=FAST_OPTIONS)
        assert canonical_bytes(document) == exact_bytes(document) == b'{"b":1,"a":2}'


def test_the_depth_is_scanned_only_past_as_many_objects_and_arrays_as_the_limit() -> None:
    """A document holds at least as many objects and arrays as it nests levels: up to the limit, none can be too
    deep; past it, what orjson wrote is scanned, and a wide document is still written by the fast path."""
    wide = [{"a": [1]} for _ in range(MAX_JSON_DEPTH)]
    assert _containers(wide) == 2 * MAX_JSON_DEPTH + 1
    assert canonical_bytes(wide) == exact_bytes(wide) == orjson.dumps(wide)
    deep: Any = []
    for _ in range(MAX_JSON_DEPTH):
        deep = [deep]
    assert _containers(deep) == MAX_JSON_DEPTH + 1
    with pytest.raises(TooDeep):
        canonical_bytes(deep)
    assert canonical_bytes(deep[0]) == exact_bytes(deep[0])  # at the limit
