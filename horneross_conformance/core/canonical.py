"""``JSON.stringify`` in Python, byte for byte.

Horneross signs ``JSON.stringify(payload)``, and the documented receiver re-serializes the parsed body the same
way before comparing. Any difference of one byte (a separator, an escape, a digit, a key's position) breaks the
signature, so this module reproduces ECMAScript's algorithm exactly for every value ``json.loads`` can produce
(``schemas/canonical-vectors.json`` holds its cases, each with why it is there, as Node writes them): dicts, lists,
str, int, float, bool and None.

Two paths, one answer. Most events hold only objects, arrays, strings, booleans, null and small integers, and
for those orjson (compiled) writes exactly what ``JSON.stringify`` writes, five to ten times faster than the
exact path here. ``_plain`` decides, conservatively: a float, an integer beyond 2**53, a key that ECMAScript
would move to the front (any key starting with an ASCII digit), a tuple or any other type sends the document to
the exact path, and so do lone surrogates, which orjson refuses. The tests check both paths against each other
and against Node on generated documents.

Depth is bounded (docs/contract.md, decision 18): ``parse_json`` refuses JSON nested deeper than
``MAX_JSON_DEPTH`` levels before the standard library's recursive reader sees it, and ``canonical_bytes`` refuses
such a value, each with ``TooDeep`` (a ``ValueError``) in one sentence, never a ``RecursionError``.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from json.encoder import encode_basestring
from typing import Any

import orjson

from horneross_conformance.core.contract import MAX_JSON_DEPTH

# ECMAScript orders "array index" keys (canonical decimals 0 .. 2**32 - 2) first, ascending.
_INDEX_KEY = re.compile(r"0|[1-9][0-9]{0,9}")
_MAX_INDEX = 2**32 - 2
_SURROGATE = re.compile("[\ud800-\udfff]")
_SAFE_INT = 2**53
FAST_OPTIONS = orjson.OPT_PASSTHROUGH_SUBCLASS  # refuses a str subclass as a key (_plain reads values' exact types)


class TooDeep(ValueError):
    """JSON nested deeper than ``MAX_JSON_DEPTH`` levels: no Horneross event, and more than the toolkit reads."""

    def __init__(self) -> None:
        super().__init__(
            f"the JSON nests deeper than {MAX_JSON_DEPTH} levels, which no Horneross event does and ordinary "
            "receivers refuse"
        )


def canonical_bytes(obj: Any) -> bytes:
    """Return exactly the UTF-8 bytes of ``JSON.stringify(obj)`` for ``obj`` as parsed from JSON; ``TooDeep`` for a
    value nested deeper than ``MAX_JSON_DEPTH`` levels."""
    containers = _containers(obj)
    if containers >= 0:
        try:
            fast: bytes = orjson.dumps(obj, option=FAST_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: a lone surrogate, which the exact path escapes as ECMAScript does,
            pass  # a key that is a str subclass or no str, or nesting past orjson's limit, which the exact path refuses
        else:
            # no deeper than it has objects and arrays; past that, what orjson wrote is JSON: the scan is exact
            if containers > MAX_JSON_DEPTH and too_deep(fast):
                raise TooDeep
            return fast
    return exact_bytes(obj)


def same_json(a: Any, b: Any) -> bool:
    """Whether two values are the same data to ``JSON.stringify`` (docs/contract.md, decision 13): data that crossed
    JSON in another language (a sender behind the harness) comes back with 1.0 as 1 and 2**64 as
    18446744073709552000, which is no difference, while ``true`` for ``1`` is one. The order of an object's keys is
    left out: it changes the serialization, which is the signature's business (SND-03), not the data's."""
    return a is b or canonical_bytes(_keys_sorted(a)) == canonical_bytes(_keys_sorted(b))


def _keys_sorted(value: Any, depth: int = 0) -> Any:
    """``value`` with every object's keys sorted; ``TooDeep`` past ``MAX_JSON_DEPTH`` levels (``same_json`` raises it
    for a value ``canonical_bytes`` would refuse anyway, and no value ``parse_json`` gave is that deep)."""
    if isinstance(value, dict | list):
        if depth >= MAX_JSON_DEPTH:
            raise TooDeep
        if isinstance(value, dict):
            return {key: _keys_sorted(value[key], depth + 1) for key in sorted(value)}
        return [_keys_sorted(item, depth + 1) for item in value]
    return value


def exact_bytes(obj: Any) -> bytes:
    """``canonical_bytes`` by the exact path alone: ECMAScript's algorithm written out, for every document."""
    parts: list[str] = []
    _encode(obj, parts.append, 0)
    return "".join(parts).encode("utf-8")


_DONE = frozenset({bool, type(None)})  # values written alike by orjson and JSON.stringify, nothing to look at


def _plain(obj: Any) -> bool:
    """Whether orjson writes ``obj`` byte for byte as ``JSON.stringify`` does: only dicts with str keys that do not
    start with an ASCII digit, lists, str, bool, None and int within +-2**53 (exact types, no subclasses: a str
    subclass as a key passes here, and orjson refuses it with ``FAST_OPTIONS``)."""
    return _containers(obj) >= 0


def _containers(obj: Any) -> int:
    """The number of dicts and lists in ``obj`` when it is ``_plain``, -1 otherwise: the first bounds its depth. A
    string value (most are) costs one test, a key one comparison."""
    kind = type(obj)
    if kind is not dict and kind is not list:
        return 0 if kind is str or kind in _DONE or (kind is int and -_SAFE_INT <= obj <= _SAFE_INT) else -1
    stack = [obj]
    pop, push = stack.pop, stack.append
    count = 0
    try:
        while stack:
            node = pop()
            count += 1
            if type(node) is dict:
                for key, value in node.items():
                    if key < ":" and key >= "0":  # letters sort after ":": one comparison for most keys
                        return -1  # ECMAScript writes array-index keys first
                    if type(value) is not str:  # the same test as for an item of a list, below
                        kind = type(value)
                        if kind is dict or kind is list:
                            push(value)
                        elif kind is int:
                            if not -_SAFE_INT <= value <= _SAFE_INT:
                                return -1
                        elif kind not in _DONE:
                            return -1  # a float, a tuple, a subclass, or no JSON type
            else:
                for value in node:
                    if type(value) is not str:
                        kind = type(value)
                        if kind is dict or kind is list:
                            push(value)
                        elif kind is int:
                            if not -_SAFE_INT <= value <= _SAFE_INT:
                                return -1
                        elif kind not in _DONE:
                            return -1
    except TypeError:  # a key that is not a str, compared with one
        return -1
    return count


def parse_json(body: bytes) -> Any:
    """``body`` as the documented receiver reads it (UTF-8, then ``JSON.parse``); ``ValueError`` if it is not JSON,
    and ``TooDeep`` (a ``ValueError`` too) if it nests deeper than ``MAX_JSON_DEPTH`` levels, whatever its size.

    Unlike ``json.loads``, NaN and Infinity are refused, and bytes are never guessed to be UTF-16 or UTF-32.
    """
    if too_deep(body):
        raise TooDeep
    return _STRICT.decode(body.decode("utf-8"))


# A JSON string (an unterminated one runs to the end, so that the scan never starts again inside it: linear time)
_STRINGS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [1 if chr(b) in "[{" else -1 for b in range(256)]  # only brackets are looked up


def too_deep(body: bytes) -> bool:
    """Whether JSON text nests deeper than ``MAX_JSON_DEPTH`` levels. Cheap when it holds few brackets (every event
    does: no scan then); otherwise its strings are cut out and the brackets left are counted in order. On the part
    of ``body`` that is valid JSON, that count is exactly the depth a JSON reader reaches, and past it a reader
    stops: a reader never goes deeper than this says."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_JSON_DEPTH


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_STRICT = json.JSONDecoder(parse_constant=_reject_constant)  # built once: validate parses every line of a log


def _encode(obj: Any, emit: Any, depth: int) -> None:
    if isinstance(obj, str):
        emit(_string(obj))
    elif obj is None:
        emit("null")
    elif obj is True:
        emit("true")
    elif obj is False:
        emit("false")
    elif isinstance(obj, int):
        emit(_integer(obj))
    elif isinstance(obj, float):
        emit(_number(obj))
    elif isinstance(obj, dict):
        if depth >= MAX_JSON_DEPTH:
            raise TooDeep
        emit("{")
        first = True
        for key in _ordered_keys(obj):
            if not isinstance(key, str):
                raise TypeError(f"object keys must be str, not {type(key).__name__}")
            if first:
                first = False
            else:
                emit(",")
            emit(_string(key))
            emit(":")
            _encode(obj[key], emit, depth + 1)
        emit("}")
    elif isinstance(obj, list | tuple):
        if depth >= MAX_JSON_DEPTH:
            raise TooDeep
        emit("[")
        for index, item in enumerate(obj):
            if index:
                emit(",")
            _encode(item, emit, depth + 1)
        emit("]")
    else:
        raise TypeError(f"{type(obj).__name__} is not a JSON value")


def _ordered_keys(obj: dict[str, Any]) -> list[str]:
    keys = list(obj)
    indexes = [k for k in keys if _is_index(k)]
    if not indexes:
        return keys
    indexes.sort(key=int)
    return indexes + [k for k in keys if not _is_index(k)]


def _is_index(key: object) -> bool:
    return (
        isinstance(key, str)
        and key[:1].isascii()
        and key[:1].isdigit()
        and _INDEX_KEY.fullmatch(key) is not None
        and int(key) <= _MAX_INDEX
    )


def _string(text: str) -> str:
    # The C encoder already matches ECMAScript for quotes, backslashes and control characters
    # (short escapes for \b \f \n \r \t, lowercase \u00xx for the rest) and leaves everything else raw.
    encoded: str = encode_basestring(text)
    if _SURROGATE.search(encoded) is None:
        return encoded
    # ECMAScript strings are UTF-16: a high surrogate followed by a low one is one character there,
    # and every surrogate left alone is written as a lowercase \udxxx escape (ES2019 well-formed stringify).
    joined = encoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", joined)


def _integer(value: int) -> str:
    if -_SAFE_INT <= value <= _SAFE_INT:
        return str(value)
    try:
        return _number(float(value))  # JSON.parse keeps only the nearest double
    except OverflowError:
        return "null"  # beyond the largest double: JSON.parse gives Infinity, which stringifies as null


def _number(value: float) -> str:
    """ECMAScript Number::toString for a finite double, "null" otherwise."""
    if not math.isfinite(value):
        return "null"
    if value == 0:
        return "0"  # also -0
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digits that round-trip, as ECMAScript requires; only the layout differs.
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)  # value == 0.DIGITS * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    exp = point - 1
    exp_text = f"e+{exp}" if exp > 0 else f"e-{-exp}"
    head = digits[0] + ("." + digits[1:] if count > 1 else "")
    return sign + head + exp_text
