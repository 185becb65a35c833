"""Values near every rule of the event schemas: realistic events with up to three fields replaced, added or removed,
and sometimes no event at all, drawn by Hypothesis (``near_events``) or, a thousand times faster, by random.Random
(``near_event``). The compiled checks (tests/core/test_compiled.py, test_compiled_shortcuts.py) and validate's fast
path (test_fast_parse.py) are compared with the exact path on them."""

from __future__ import annotations

import copy
import random
from typing import Any

from hypothesis import strategies as st
from json_corpus import text

from horneross_conformance.checks.generation import full_sample
from horneross_conformance.core.contract import EVENT_TYPES, TYPE_ADDED_LATER
from horneross_conformance.core.resources import data_dir

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
    TYPE_ADDED_LATER,
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


def emptied_strings() -> list[Any]:
    """Each type's full sample with one of its strings emptied, for every string in it: what breaks a minLength
    (or a pattern, or a format) on purpose, whatever the random values reach."""
    values = []
    for event_type in EVENT_TYPES:
        sample = {**full_sample(event_type), "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
        for path in _paths(sample)[1:]:
            value = copy.deepcopy(sample)
            parent = value
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent[path[-1]], str):
                parent[path[-1]] = ""
                values.append(value)
    return values


def _short_text(rng: random.Random) -> str:
    """st.text(max_size=4): any character but a surrogate."""
    return "".join(c if not "\ud800" <= c <= "\udfff" else "x" for c in text(rng)[:4])


def _scalar(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.4:
        return rng.choice(STRINGS)
    if pick < 0.6:
        return _short_text(rng)
    if pick < 0.8:
        return rng.randint(-2, 2)
    return rng.choice([1.0, 0.5, True, False, None])


def _value(rng: random.Random, leaves: list[int]) -> Any:
    """VALUES: a scalar, or a list of up to 2 or an object of up to 3 (keys from KEYS) of those, 4 scalars at most."""
    if leaves[0] <= 1 or rng.random() < 0.5:
        leaves[0] -= 1
        return _scalar(rng)
    if rng.random() < 0.5:
        return [_value(rng, leaves) for _ in range(rng.randint(0, 2)) if leaves[0] > 0]
    return {rng.choice(KEYS): _value(rng, leaves) for _ in range(rng.randint(0, 3)) if leaves[0] > 0}


def near_event(rng: random.Random) -> Any:
    """``near_events`` drawn by random.Random, in microseconds rather than Hypothesis' milliseconds."""
    if rng.randint(0, 19) == 0:
        return _value(rng, [4])
    event = full_sample(rng.choice(EVENT_TYPES))
    event = {**event, "id": "evt_0123", "timestamp": "2026-11-25T10:00:00Z"}
    for _ in range(rng.randint(0, 3)):
        path = rng.choice(_paths(event))
        parent: Any = event
        for key in path[:-1]:
            parent = parent[key]
        if not path:
            continue
        action = rng.randint(0, 2)
        if action == 0:
            del parent[path[-1]]
        elif action == 1:
            parent[path[-1]] = _value(rng, [4])
        elif isinstance(parent.get(path[-1]), dict):
            parent[path[-1]][rng.choice(KEYS)] = _value(rng, [4])
    return event


DELIVERY = ("id", "timestamp")  # what validate requires of a delivery besides its schema, in the same compiled pass
