"""Generated events, one generator per requirement, each varying only what its requirement is about.

- ``documented_events`` (RCV-01, SND-01): the body of the endpoint operation of ``openapi.endpoint_document``,
  drawn by ``schema_strategy``: the documented fields only, in every shape and order their schemas allow, with
  text free of the characters that stress re-serialization (those are RCV-04's subject).
- ``stressed`` (RCV-04, SND-03): realistic events whose prose (message content, first names) holds generated text
  around the stress fragments of ``schemas/stress-texts.json``; ``derived_stress_events`` are the cases every run
  reaches. The receiver suite splits the fragments: RCV-04 gets those without a lone surrogate, RCV-14 only those
  with one (decision 12: the standard parsers of PHP and Ruby refuse them, so they are a SHOULD of their own); the
  sender suite keeps them all, since a sender has no excuse.
- ``with_extras`` (RCV-11): realistic events whose data holds unknown fields with numbers and integer-like keys.
- ``added_later`` (RCV-07): events of types added later, and known events with fields added later, holding plain
  JSON (small integers, text without stress characters, no integer-like keys: those are RCV-04's and RCV-11's).

So a receiver that crashes on an empty first name fails RCV-01 only, and one that mangles U+2028 fails RCV-04
only, whatever the seed. Every event is validated against the real schema before use: a generator that strays
outside the schema must never make a target fail.

The identity of an event (``id``, ``timestamp``, ``conversationId``, ``messageId``) is not the generator's
business: a sender assigns it, and a receiver may rightly refuse a replayed id or a timestamp from another century.
The generators leave placeholders; the suites give each delivery a fresh identity.
"""

from __future__ import annotations

import functools
import string
from typing import Any, Literal

from hypothesis import strategies as st

from horneross_conformance.checks.schema_strategy import from_schema
from horneross_conformance.core.compiled import violations
from horneross_conformance.core.contract import EVENT_ID_PREFIX, EVENT_TYPES
from horneross_conformance.core.events import Event, has_lone_surrogate, sample_data, stress_fragments
from horneross_conformance.core.openapi import ENDPOINT_PATH, endpoint_document
from horneross_conformance.core.validation import schema_name_for

IDENTITY = ("id", "timestamp")  # of the envelope; conversationId and messageId are replaced on delivery too
PLACEHOLDER_IDENTITY = {"id": f"{EVENT_ID_PREFIX}generated", "timestamp": "2026-01-01T00:00:00Z"}
PROSE = ("content", "firstName")  # what people type; role and newStatus name states, explored by RCV-01
# What JSON.stringify escapes or leaves raw unlike other serializers, and what breaks encoders: RCV-04's subject.
STRESS_CHARACTERS = frozenset([*map(chr, range(0x20)), "\x7f", "\u2028", "\u2029", "\ufeff"])
Path = tuple[str, ...]
# The documented fields' text: any character but a surrogate (Hypothesis leaves them out) or a stress character
_DOCUMENTED_TEXT = st.characters(exclude_characters=STRESS_CHARACTERS)


@functools.cache
def documented_events(event_type: str) -> st.SearchStrategy[Event]:
    """Schema-valid events of ``event_type``: documented fields only, text without stress characters."""
    return from_schema(documented_schema(event_type), _DOCUMENTED_TEXT).map(with_placeholders).filter(_valid)


def documented_schema(event_type: str) -> dict[str, Any]:
    """The schema of what ``documented_events`` draws: the body of the endpoint operation (closed: documented
    fields only), without the identity."""
    content = endpoint_document(event_type)["paths"][ENDPOINT_PATH]["post"]["requestBody"]["content"]
    body: dict[str, Any] = content["application/json"]["schema"]
    for name in IDENTITY:  # assigned by the sender, so not worth generating
        del body["properties"][name]
    return body


def with_placeholders(body: dict[str, Any]) -> Event:
    """A drawn body as an event, its identity the placeholders every delivery replaces."""
    return {**PLACEHOLDER_IDENTITY, **body}


def _valid(event: Any) -> bool:
    return isinstance(event, dict) and not violations(event, schema_name_for(event))


def full_sample(event_type: str) -> Event:
    """A realistic event with every documented field its type has, placeholders for its identity."""
    data = sample_data(event_type)
    if "contact" in data:
        data["contact"].setdefault("firstName", "Ana")
    return {**PLACEHOLDER_IDENTITY, "type": event_type, "data": data}


@functools.cache
def prose_fields(event_type: str) -> tuple[Path, ...]:
    """Where people's text lives in a full sample of ``event_type``."""
    return tuple(_paths(full_sample(event_type), ()))


def _paths(node: Any, path: Path) -> list[Path]:
    found: list[Path] = []
    for name, value in node.items():
        if isinstance(value, dict):
            found += _paths(value, (*path, name))
        elif name in PROSE and isinstance(value, str):
            found.append((*path, name))
    return found


# Which stress fragments a generator draws from: all of them (the sender suite: a sender must sign every text
# right), those without a lone surrogate (RCV-04), or only those with one (RCV-14, decision 12).
Fragments = Literal["all", "without-surrogates", "lone-surrogates"]


@functools.cache
def fragments(which: Fragments = "all") -> tuple[str, ...]:
    """The stress fragments' texts, read once: every generated event draws from them."""
    texts = [fragment["text"] for fragment in stress_fragments()]
    if which == "all":
        return tuple(texts)
    return tuple(text for text in texts if has_lone_surrogate(text) == (which == "lone-surrogates"))


# Every strategy is built once per process (module constants, or cached per event type): Hypothesis computes what
# it needs of a strategy (emptiness, recursion) once per object, and one built inside a draw is a new object at every
# draw; about a third of a generated check's time was that.
_AROUND = st.text(max_size=8)  # generated text on each side of a stress fragment
# around a lone surrogate (RCV-14), text without RCV-04's characters: a U+2028 there would fail RCV-14 for RCV-04's
# fault, on the seeds that draw one
_AROUND_PLAIN = st.text(st.characters(codec="utf-8", exclude_characters=STRESS_CHARACTERS), max_size=8)


@functools.cache
def _pieces(which: Fragments) -> st.SearchStrategy[str]:
    return st.sampled_from(fragments(which))


@functools.cache
def _prose_paths(event_type: str) -> st.SearchStrategy[list[Path]]:
    return st.lists(st.sampled_from(prose_fields(event_type)), min_size=1, unique=True)


@functools.cache
def _stressed_sample(event_type: str, which: Fragments) -> st.SearchStrategy[Event]:
    around = _AROUND_PLAIN if which == "lone-surrogates" else _AROUND

    @st.composite
    def sample(draw: st.DrawFn) -> Event:
        event = full_sample(event_type)
        for path in draw(_prose_paths(event_type)):
            # Hypothesis' text leaves surrogates out: the only lone surrogates are the fragments'.
            text = draw(around) + draw(_pieces(which)) + draw(around)
            _set(event, path, text)
        return event

    return sample()


@functools.cache
def stressed(which: Fragments = "all") -> st.SearchStrategy[Event]:
    """Realistic events of the types that carry prose, with generated text around a stress fragment in it."""
    types = [t for t in EVENT_TYPES if prose_fields(t)]
    return st.sampled_from(types).flatmap(lambda kind: _stressed_sample(kind, which)).filter(_valid)


def derived_stress_events(which: Fragments = "all") -> list[Event]:
    """For each fragment and each type with prose: a full sample with the fragment ending every prose field."""
    events = []
    for fragment in fragments(which):
        for event_type in EVENT_TYPES:
            event = full_sample(event_type)
            for path in prose_fields(event_type):
                _set(event, path, _get(event, path) + fragment)
            if prose_fields(event_type):
                events.append(event)
    return events


# Unknown fields whose numbers and keys naive re-serialization writes differently from JSON.stringify.
_NUMBERS = st.one_of(
    st.sampled_from([1e21, 1e-7, 0.000001, 1.5e-10, 5e-324, 1.7976931348623157e308, 2**53 + 1, 10**16, -0.0, 2.0]),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
)
_INTEGER_LIKE_KEYS = st.one_of(
    st.integers(min_value=0, max_value=2**32 - 2).map(str),  # array indices: JSON.stringify puts them first
    st.integers(min_value=2**32 - 1, max_value=2**40).map(str),  # all digits, but no index: they keep their place
    st.from_regex(r"0[0-9]{1,3}", fullmatch=True),  # leading zero: no index either
)
# Names a hardened JSON parser refuses by design, to stop prototype poisoning (Fastify and Koa answer 400): a real
# sender never adds them, so refusing them is no forward-compatibility fault (docs/contract.md, decision 16).
PROTOTYPE_NAMES = frozenset({"__proto__", "constructor", "prototype"})
_KEYS = st.one_of(_INTEGER_LIKE_KEYS, st.text(min_size=1, max_size=8).filter(lambda key: key not in PROTOTYPE_NAMES))
_EXTRAS = st.dictionaries(
    _KEYS,
    st.one_of(_NUMBERS, st.dictionaries(_INTEGER_LIKE_KEYS, _NUMBERS, min_size=1, max_size=4)),
    min_size=1,
    max_size=5,
)


@functools.cache
def _sample_with_extras(event_type: str) -> st.SearchStrategy[Event]:
    known = frozenset(full_sample(event_type)["data"])
    extras = _EXTRAS.filter(lambda found: not set(found) & known)

    def sample(found: dict[str, Any]) -> Event:
        event = full_sample(event_type)
        event["data"].update(found)
        return event

    return extras.map(sample)


@functools.cache
def with_extras() -> st.SearchStrategy[Event]:
    """Realistic events of every type whose data holds unknown fields with numbers and integer-like keys."""
    return st.sampled_from(EVENT_TYPES).flatmap(_sample_with_extras).filter(_valid)


_PLAIN_TEXT = st.text(max_size=10).filter(lambda text: not set(text) & STRESS_CHARACTERS)
_PLAIN_KEYS = _PLAIN_TEXT.filter(lambda key: not key.isdigit() and key not in PROTOTYPE_NAMES)
_PLAIN_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**31), max_value=2**31) | _PLAIN_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_PLAIN_KEYS, children, max_size=3),
    max_leaves=8,
)
_TYPES_ADDED_LATER = (
    st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=12), min_size=2, max_size=3)
    .map(".".join)
    .filter(lambda name: name not in EVENT_TYPES)
)


@functools.cache
def _fields(existing: frozenset[str], min_size: int = 1, max_size: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """Fields added later: plain JSON under names ``existing`` does not hold."""
    return st.dictionaries(
        _PLAIN_KEYS.filter(lambda key: key not in existing), _PLAIN_JSON, min_size=min_size, max_size=max_size
    )


_OF_A_LATER_TYPE = _fields(frozenset({"conversationId"}))
_KNOWN_TYPES = st.sampled_from(EVENT_TYPES)


@st.composite
def _later(draw: st.DrawFn) -> Event:
    if draw(st.booleans()):  # a type added later, with data of its own
        data = {"conversationId": "conv_generated", **draw(_OF_A_LATER_TYPE)}
        return {**PLACEHOLDER_IDENTITY, "type": draw(_TYPES_ADDED_LATER), "data": data}
    event = full_sample(draw(_KNOWN_TYPES))
    event["data"].update(draw(_fields(frozenset(event["data"]))))
    event.update(draw(_fields(frozenset(event), 0, 3)))
    return event


@functools.cache
def added_later() -> st.SearchStrategy[Event]:
    """Events of types added later, and known events with fields added later (in data, and at the top)."""
    return _later().filter(_valid)


def _get(event: Event, path: Path) -> Any:
    node: Any = event
    for part in path:
        node = node[part]
    return node


def _set(event: Event, path: Path, value: Any) -> None:
    _get(event, path[:-1])[path[-1]] = value
