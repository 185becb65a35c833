"""Hypothesis strategies for exactly the JSON Schema the documented events are written in, built once.

The schema of an endpoint's operation (``core.openapi.endpoint_document``, closed: documented fields only) uses a
small part of JSON Schema: objects with ``properties``, ``required`` and ``additionalProperties: false``; strings
with ``minLength``, ``maxLength``, ``pattern`` or ``format: email``; and ``const``. ``from_schema`` turns such a
schema into one Hypothesis strategy, made of strategies built here once, so that drawing an event builds none:
schemathesis, which generated these events before, builds its strategies anew inside every draw, and took about
twice as long (1.6 to 3.2 ms an event, against 0.5 to 1.9 ms here, Hypothesis' engine included). Schemathesis
stays the reference the tests compare this generator with (``tests/checks/test_schema_strategy.py``): every shape
it reaches, this one reaches too.

A keyword outside that part is refused with ``UnsupportedSchema``, never skipped: a schema that gained, say, an
``enum`` would otherwise be explored as if it had none, and a check could fail a target for an event the contract
does not allow. So is a ``pattern`` that may match other text in Python, which draws it, than in ECMA-262, which
JSON Schema's patterns are (``_unportable``). Annotations (``description``, ``title``, ``examples``, ``$comment``,
``x-`` extensions) change nothing and are read past.

What is drawn:
- an object holds its required properties and any subset of its optional ones, in any order (JSON gives member
  order no meaning, and a receiver that depends on it must be found out): Hypothesis' ``fixed_dictionaries`` varies
  it from Hypothesis 6.154 on, the least version ``pyproject.toml`` allows;
- a string is any text of ``alphabet`` within its lengths; a ``pattern`` is matched in full (the documented
  patterns are anchored), an email one of a sample of the dot-atom addresses RFC 5321 allows;
- a ``const`` (a string, such as an event's type) is its value.
"""

from __future__ import annotations

import re
import string
from typing import Any

from hypothesis import strategies as st

Schema = dict[str, Any]
JsonStrategy = st.SearchStrategy[Any]

ANNOTATIONS = frozenset({"description", "title", "examples", "$comment", "default", "deprecated"})
_OBJECT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})
_STRING_KEYWORDS = frozenset({"type", "minLength", "maxLength", "pattern", "format"})
_CONST_KEYWORDS = frozenset({"const", "type", "minLength"})
# A quantifier {m}, {m,} or {m,n}: ECMA-262 reads {,n} as text, Python as {0,n}
_BRACES = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
# Addresses RFC 5321 allows, a sample of them: a dot-atom of atext before the @ (up to 3 atoms of 10 characters),
# letters, digits and inner hyphens in each label of the domain (up to 3, and a top-level one of a few). Hypothesis'
# own emails() recases its domains with a strategy built inside every draw.
_ATOM = st.text(string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~", min_size=1, max_size=10)
_LABEL = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9-]{0,14}[A-Za-z0-9])?", fullmatch=True)
_TOP_LEVEL = st.sampled_from(["com", "org", "net", "info", "dev", "example", "io", "es", "ar", "mx", "COM"])
EMAILS = st.tuples(
    st.lists(_ATOM, min_size=1, max_size=3).map(".".join),
    st.lists(_LABEL, min_size=1, max_size=3),
    _TOP_LEVEL,
).map(lambda parts: f"{parts[0]}@{'.'.join([*parts[1], parts[2]])}")
FORMAT_STRATEGIES: dict[str, JsonStrategy] = {"email": EMAILS}


class UnsupportedSchema(ValueError):
    """A schema uses JSON Schema this generator does not draw from; the message says what, and where."""


def from_schema(schema: Schema, alphabet: st.SearchStrategy[str]) -> JsonStrategy:
    """A strategy for the values ``schema`` allows, its strings of characters from ``alphabet``."""
    return _strategy(schema, alphabet, "")


def _strategy(schema: Schema, alphabet: st.SearchStrategy[str], where: str) -> JsonStrategy:
    keywords = {key for key in schema if key not in ANNOTATIONS and not key.startswith("x-")}
    _refuse_beyond(keywords, _OBJECT_KEYWORDS | _STRING_KEYWORDS | _CONST_KEYWORDS, where)
    if "const" in keywords:
        _refuse_beyond(keywords, _CONST_KEYWORDS, where)
        value = schema["const"]
        if (
            not isinstance(value, str)
            or len(value) < schema.get("minLength", 0)
            or schema.get("type", "string") != "string"
        ):
            raise UnsupportedSchema(f"{_pointer(where)}: a const the generator draws is a string of its type")
        return st.just(value)
    kind = schema.get("type")
    if kind == "object":
        _refuse_beyond(keywords, _OBJECT_KEYWORDS, where)
        return _object(schema, alphabet, where)
    if kind == "string":
        _refuse_beyond(keywords, _STRING_KEYWORDS, where)
        return _string(schema, alphabet, where)
    raise UnsupportedSchema(f"{_pointer(where)}: type {kind!r} is not one the generator draws (object or string)")


def _object(schema: Schema, alphabet: st.SearchStrategy[str], where: str) -> JsonStrategy:
    if schema.get("additionalProperties") is not False:
        raise UnsupportedSchema(
            f"{_pointer(where)}: an object must say additionalProperties: false (documented fields only)"
        )
    properties = {
        name: _strategy(sub, alphabet, f"{where}/properties/{name}")
        for name, sub in schema.get("properties", {}).items()
    }
    required = schema.get("required", [])
    missing = [name for name in required if name not in properties]
    if missing:
        raise UnsupportedSchema(f"{_pointer(where)}: required {missing} not among its properties")
    # Hypothesis orders a dictionary's members at random too, shrinking towards the order given here
    return st.fixed_dictionaries(
        {name: properties[name] for name in required},
        optional={name: value for name, value in properties.items() if name not in required},
    )


def _string(schema: Schema, alphabet: st.SearchStrategy[str], where: str) -> JsonStrategy:
    if "format" in schema:
        if schema["format"] not in FORMAT_STRATEGIES or {"pattern", "minLength", "maxLength"} & set(schema):
            raise UnsupportedSchema(f"{_pointer(where)}: format {schema['format']!r} is not one the generator draws")
        return FORMAT_STRATEGIES[schema["format"]]
    if "pattern" in schema:
        if {"minLength", "maxLength"} & set(schema):
            raise UnsupportedSchema(f"{_pointer(where)}: a pattern with lengths is not one the generator draws")
        unportable = _unportable(schema["pattern"])
        if unportable:
            raise UnsupportedSchema(
                f"{_pointer(where)}: the pattern's {unportable} may match other text in JSON Schema (ECMA-262) than "
                "in Python, which would draw it: write the characters out, as [0-9]"
            )
        return st.from_regex(schema["pattern"], fullmatch=True, alphabet=alphabet)
    return st.text(alphabet, min_size=schema.get("minLength", 0), max_size=schema.get("maxLength"))


def _unportable(pattern: str) -> str | None:
    """What in ``pattern`` may match other text in ECMA-262, JSON Schema's regular expressions, than in Python's re,
    which draws it; None when it holds only what matches alike in both: characters and escaped punctuation, classes
    and ranges of them, groups, alternatives, ^ and $, and the quantifiers ? * + {m} {m,} {m,n}, greedy or lazy.
    The rest is refused: \\d, \\w and \\b are ASCII in ECMA-262 and Unicode in Python, \\s differs both ways, Python's
    dot matches \\r, U+2028 and U+2029 and ECMA-262's does not, (?...) and possessive quantifiers are Python's only."""
    at, in_class = 0, False
    while at < len(pattern):
        character = pattern[at]
        if character == "\\":
            escaped = pattern[at + 1 : at + 2]
            if not escaped or escaped.isalnum() or escaped == "_":
                return f"escape \\{escaped}"
            at += 2
        elif in_class:
            if character == "[":
                return "[ inside a class"
            in_class = character != "]"
            at += 1
        elif character == "[":
            at += 2 if pattern[at + 1 : at + 2] == "^" else 1
            if pattern[at : at + 1] == "]":
                return "class beginning with ]"
            in_class = True
        elif character == "." or (character == "(" and pattern[at + 1 : at + 2] == "?"):
            return "." if character == "." else "(?"
        elif character == "{":
            braces = _BRACES.match(pattern, at)
            if braces is None:
                return "{ that is no quantifier"
            at = braces.end()
        else:
            at += 1
        if character in "?*+{" and not in_class and pattern[at : at + 1] == "+":
            return "possessive quantifier"
    return None


def _refuse_beyond(keywords: set[str], allowed: frozenset[str] | set[str], where: str) -> None:
    beyond = sorted(keywords - allowed)
    if beyond:
        raise UnsupportedSchema(f"{_pointer(where)}: {', '.join(beyond)} not drawn by the generator")


def _pointer(where: str) -> str:
    return f"the schema at #{where}" if where else "the schema's root"
