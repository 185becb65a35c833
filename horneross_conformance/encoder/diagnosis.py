"""The property at fault when an encoder's output is not what ``JSON.stringify`` writes, named in one sentence.

A vendor whose encoder writes ``{"a":2,"b":1}`` where ``{"b":1,"a":2}`` is due needs to read "keys sorted", not two
byte strings. ``diagnose`` reads the expected output, the encoder's and the input token by token
(``encoder.reading``) and walks them together to the first value that differs; what differs there names the fault:
keys in another order (sorted, integer-like keys not first, a duplicate key moved or written twice), a number
written another way (``1.0``, ``1e21``, ``-0``, an integer beyond 2^53 kept exact), an escape (``\\u2028``, ``\\/``,
``\\u003c``, non-ASCII as ``\\uXXXX``), a lone surrogate replaced, white space, output that is not UTF-8 or not JSON,
or an input refused. Each fault is a ``Fault``: its name and the rule of ``JSON.stringify`` it breaks.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from horneross_conformance.encoder.reading import ReadError, Token, read, units


@dataclass(frozen=True, slots=True)
class Fault:
    """One property at fault: ``name`` says what the encoder did, ``rule`` what JSON.stringify does; ``detail``
    adds what this case showed (the encoder's own error message, where reading stopped)."""

    name: str
    rule: str
    detail: str = ""
    also: str = ""  # the name of another fault that explains this case just as well
    due_at: int | None = None  # where the value at fault starts, in characters of the expected output...
    written_at: int | None = None  # ...and of the encoder's (None: see the first byte that differs)

    def sentence(self) -> str:
        return f"{self.name}: {self.rule}" + (f" ({self.detail})" if self.detail else "")


KEY_RULE = "integer-like keys (array indexes, 0 to 4294967294) must come first, ascending, then insertion order"
DUPLICATE_RULE = "JSON.parse keeps one member per key, at its first position, with its last value"
SURROGATE_RULE = (
    "JSON.parse keeps half of a surrogate pair, and JSON.stringify writes it as a lowercase escape, \\ud83d"
)
PLAIN_RULE = "JSON.stringify writes plain digits from 1e-6 up to 1e21 (excluded), exponent form outside: 1e+21, 1e-7"
SHORTEST_RULE = "JSON.stringify writes the shortest digits that read back as the same double: 1, not 1.0"

KEYS_SORTED = Fault("keys sorted", KEY_RULE)
KEYS_NOT_FIRST = Fault("integer-like keys not first", KEY_RULE)
KEYS_ORDER = Fault("keys in another order", KEY_RULE)
DUPLICATE_TWICE = Fault("a duplicate key written twice", DUPLICATE_RULE)
DUPLICATE_MOVED = Fault("a duplicate key moved to its last position", DUPLICATE_RULE)
DUPLICATE_FIRST_VALUE = Fault("a duplicate key kept its first value", DUPLICATE_RULE)
MEMBERS_CHANGED = Fault("members missing or added", "every key of the input is written once")
ITEMS_CHANGED = Fault("array items missing or added", "every item of an array is written, in order")
OBJECT_AS_ARRAY = Fault("an object written as an array", "an object stays an object, even one with keys 0, 1, 2")
ARRAY_AS_OBJECT = Fault("an array written as an object", "an array stays an array, even an empty one")
NUMBER_AS_STRING = Fault("a number written as a string", "a number is written as a number")
TYPE_CHANGED = Fault("a value of another type", "every value keeps its type")
VALUE_CHANGED = Fault("a value changed", "true, false and null are written as they are")

NEGATIVE_ZERO = Fault("-0 written with its sign", "JSON.stringify writes negative zero as 0")
BIG_INTEGER = Fault(
    "an integer beyond 2^53 kept exact",
    "numbers are doubles: JSON.parse reads 9007199254740993 as 9007199254740992, and JSON.stringify writes that",
)
INFINITY = Fault(
    "a number beyond the largest double not written null",
    "JSON.parse reads it as Infinity, which JSON.stringify writes as null",
)
NUMBER_ZEROS = Fault("needless zeros in a number", SHORTEST_RULE)
EXPONENT_SIGN = Fault("an exponent without its sign", "JSON.stringify writes 1e+21, not 1e21")
EXPONENT_ZEROS = Fault("an exponent padded with zeros", "JSON.stringify writes 1e-7, not 1e-07")
EXPONENT_CASE = Fault("an uppercase exponent", "JSON.stringify writes 1e+21, not 1E+21")
EXPONENT_FORM = Fault("exponent form for a number due in plain digits", PLAIN_RULE)
PLAIN_FORM = Fault("plain digits for a number due in exponent form", PLAIN_RULE)
NUMBER_LAYOUT = Fault("a number laid out another way", PLAIN_RULE)
NUMBER_NOT_JSON = Fault("a number outside JSON's grammar", "JSON.stringify writes -1.5e+21, never +1, .5 or 1.")
NUMBER_CHANGED = Fault(
    "another number",
    "JSON.parse reads a number as the nearest double and JSON.stringify writes the shortest digits that read back "
    "as it (fixed precision or float32 arithmetic changes it)",
)

LINE_SEPARATOR_ESCAPED = Fault("U+2028 or U+2029 escaped", "JSON.stringify writes U+2028 and U+2029 raw")
SLASH_ESCAPED = Fault("'/' escaped", "JSON.stringify writes '/' raw")
HTML_ESCAPED = Fault("HTML characters escaped", "JSON.stringify writes <, >, &, ', + and ` raw")
NON_ASCII_ESCAPED = Fault("non-ASCII text escaped", "JSON.stringify writes every non-ASCII character raw, in UTF-8")
C1_ESCAPED = Fault("U+007F or a C1 control escaped", "JSON.stringify writes U+007F to U+009F raw")
CONTROL_FORM = Fault(
    "a control character escaped another way",
    "JSON.stringify writes \\b \\f \\n \\r \\t, and \\u00XX in lowercase hex for the other characters below U+0020",
)
CONTROL_RAW = Fault("a control character written raw", CONTROL_FORM.rule)
SURROGATE_CASE = Fault("a lone surrogate escaped in uppercase", SURROGATE_RULE)
ASCII_ESCAPED = Fault(
    "an ASCII character escaped another way",
    'JSON.stringify writes printable ASCII raw, except " and \\, which it writes \\" and \\\\',
)
ESCAPE_OTHER = Fault("a character escaped another way", 'JSON.stringify escapes only ", \\ and U+0000 to U+001F')
SURROGATE_REPLACED = Fault("a lone surrogate replaced", SURROGATE_RULE + " (most decoders make it U+FFFD)")
TEXT_NORMALIZED = Fault("text normalized", "JSON.stringify writes text as it is, without Unicode normalization")
TEXT_CHANGED = Fault("a string changed", "JSON.stringify writes every character of a string as it was read")

SURROGATE_BYTES = Fault(
    "a lone surrogate written as raw bytes", SURROGATE_RULE + ": UTF-8 has no encoding for a surrogate"
)
NOT_UTF8 = Fault("not UTF-8", "JSON.stringify's output is well-formed Unicode, written as UTF-8")
NOT_JSON = Fault("not JSON", "an answer is the line JSON.stringify writes, or a line starting with ERROR")
EMPTY = Fault("an empty line", NOT_JSON.rule)
BYTE_ORDER_MARK = Fault("a byte order mark", "JSON.stringify writes none")
WHITESPACE = Fault("white space between tokens", "JSON.stringify writes none: no indentation, no space after : or ,")
OTHER = Fault("other bytes", "the output must be exactly what JSON.stringify writes")

REFUSED_SURROGATE = Fault("a lone surrogate refused", SURROGATE_RULE)
REFUSED_DUPLICATE = Fault("a duplicate key refused", DUPLICATE_RULE)
REFUSED_DEEP = Fault("deep nesting refused", "JSON.parse reads JSON 100 levels deep, and JSON.stringify writes it")
REFUSED_HUGE = Fault("a number beyond the largest double refused", INFINITY.rule)
REFUSED = Fault("valid JSON refused", "JSON.parse reads this text, and JSON.stringify writes it back")

_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_HTML = frozenset("<>&'+`")


def diagnose(source: str, expected: bytes, actual: bytes) -> Fault:
    """Why ``actual`` (an encoder's answer to the JSON text ``source``) is not ``expected`` (what JSON.stringify
    writes). Call it only when the two differ."""
    if actual.startswith(b"ERROR"):
        return _refused(source, actual)
    try:
        text = actual.decode("utf-8")
    except UnicodeDecodeError as error:
        if re.search(rb"\xed[\xa0-\xbf][\x80-\xbf]", actual):
            return SURROGATE_BYTES
        return replace(NOT_UTF8, detail=f"byte {error.start} is not UTF-8")
    if not text:
        return EMPTY
    if text.startswith("\ufeff"):
        return BYTE_ORDER_MARK
    try:
        got = read(text)
    except ReadError as error:
        return replace(NOT_JSON, detail=f"{error} at character {error.at}")
    given: Token | None
    try:
        given = read(source)
    except ReadError:
        given = None
    fault = _compare(read(expected.decode("utf-8")), got, given)
    if fault is not None:
        return fault
    return WHITESPACE if re.sub(r"\s", "", text) != text else OTHER


def _refused(source: str, actual: bytes) -> Fault:
    """An input refused: named by what the input holds that encoders usually choke on."""
    message = actual[5:].strip(b": \t").decode("utf-8", "replace")[:200]
    detail = f"it said {message!r}" if message else ""
    try:
        token = read(source)
    except ReadError:
        return replace(REFUSED, detail=detail)
    if _has(token, lambda t: bool(_SURROGATE.search(t.value))):
        return replace(REFUSED_SURROGATE, detail=detail)
    if _has(token, lambda t: t.kind == "object" and len(set(t.keys())) < len(t.members)):
        return replace(REFUSED_DUPLICATE, detail=detail)
    if _has(token, lambda t: t.kind == "number" and math.isinf(float(t.text))):
        return replace(REFUSED_HUGE, detail=detail)
    if _depth(token) > 20:
        return replace(REFUSED_DEEP, detail=detail)
    return replace(REFUSED, detail=detail)


def _has(token: Token, test: Any) -> bool:
    stack = [token]
    while stack:
        node = stack.pop()
        if test(node):
            return True
        stack.extend(node.items)
        stack.extend(part for member in node.members for part in member)
    return False


def _depth(token: Token) -> int:
    children = [*token.items, *(value for _, value in token.members)]
    return (token.kind in ("object", "array")) + max(map(_depth, children), default=0)


def _compare(want: Token, got: Token, given: Token | None) -> Fault | None:
    """The first fault in ``got`` where ``want`` was due, walking both in order, located at the value where it
    is; ``given`` is the input's value at the same place (the value JSON.parse kept), when there is one."""
    fault = _first(want, got, given)
    if fault is not None and fault.due_at is None and fault.rule not in (KEY_RULE, DUPLICATE_RULE):
        return replace(fault, due_at=want.at, written_at=got.at)
    return fault  # keys in another order: the first byte that differs shows it best


def _first(want: Token, got: Token, given: Token | None) -> Fault | None:
    if want.kind != got.kind:
        return _kinds(want, got, given)
    if want.kind == "object":
        return _objects(want, got, given)
    if want.kind == "array":
        if len(want.items) != len(got.items):
            return ITEMS_CHANGED
        for index, (item, written) in enumerate(zip(want.items, got.items, strict=True)):
            source = given.items[index] if given is not None and index < len(given.items) else None
            fault = _compare(item, written, source)
            if fault is not None:
                return fault
        return None
    if want.text == got.text:
        return None
    if want.kind == "number":
        return _numbers(want.text, got.text, given.text if given is not None and given.kind == "number" else None)
    if want.kind == "string":
        return _strings(want, got)
    if want.text == "null" and got.text in ("Infinity", "-Infinity", "+Infinity"):
        return INFINITY
    return VALUE_CHANGED


def _kinds(want: Token, got: Token, given: Token | None) -> Fault:
    if want.kind == "object" and got.kind == "array":
        return OBJECT_AS_ARRAY
    if want.kind == "array" and got.kind == "object":
        return ARRAY_AS_OBJECT
    if want.text == "null" and given is not None and given.kind == "number":
        return INFINITY
    if want.kind == "number" and got.kind == "string":
        return NUMBER_AS_STRING
    return TYPE_CHANGED


def _objects(want: Token, got: Token, given: Token | None) -> Fault | None:
    due, written = want.keys(), got.keys()
    came = given.keys() if given is not None and given.kind == "object" else None
    if due != written:
        order = _key_order(due, written, came)
        if order is SURROGATE_REPLACED:  # point at the key that lost its surrogate
            key = next(k for k, _ in want.members if _SURROGATE.search(k.value))
            replaced = _SURROGATE.sub("\ufffd", key.value)
            written_key = next((k for k, _ in got.members if k.value == replaced), got)
            return replace(order, due_at=key.at, written_at=written_key.at)
        return order
    for (key, value), (written_key, written_value) in zip(want.members, got.members, strict=True):
        fault = _strings(key, written_key) or _compare(
            value, written_value, given.member(key.value) if given is not None and given.kind == "object" else None
        )
        if fault is not None:
            if came is not None and came.count(key.value) > 1:
                first = next(v for k, v in given.members if k.value == key.value)  # type: ignore[union-attr]
                if _plain(first) == _plain(written_value):
                    return replace(DUPLICATE_FIRST_VALUE, due_at=value.at, written_at=written_value.at)
            return fault
    return None


def _key_order(due: list[str], written: list[str], came: list[str] | None) -> Fault:
    if len(set(written)) < len(written):
        return DUPLICATE_TWICE
    if set(written) != set(due):
        replaced = {_SURROGATE.sub("\ufffd", key) for key in due}
        return SURROGATE_REPLACED if replaced == set(written) and replaced != set(due) else MEMBERS_CHANGED
    if came is not None and len(set(came)) < len(came):
        last = list(reversed(dict.fromkeys(reversed(came))))  # each key at its last position
        if written in (last, _javascript_order(last)):
            return DUPLICATE_MOVED
    is_sorted = written in (sorted(due), sorted(due, key=lambda k: k.encode("utf-16-be", "surrogatepass")))
    if came is not None and written == list(dict.fromkeys(came)):  # the order that came, kept
        return replace(KEYS_NOT_FIRST, also=KEYS_SORTED.name) if is_sorted else KEYS_NOT_FIRST
    return KEYS_SORTED if is_sorted else KEYS_ORDER


def _javascript_order(keys: list[str]) -> list[str]:
    indexes = sorted((k for k in keys if _is_index(k)), key=int)
    return indexes + [k for k in keys if not _is_index(k)]


def _is_index(key: str) -> bool:
    return _INDEX.fullmatch(key) is not None and int(key) <= 2**32 - 2


def _numbers(want: str, got: str, came: str | None) -> Fault:
    due, written = float(want), float(got)
    if due == 0 and got.startswith("-"):
        return NEGATIVE_ZERO
    if not _JSON_NUMBER.fullmatch(got):
        return NUMBER_NOT_JSON
    integers = came is not None and re.fullmatch(r"-?[0-9]+", came) and re.fullmatch(r"-?[0-9]+", got)
    if integers and abs(int(str(came))) > 2**53 and int(got) == int(str(came)):
        return BIG_INTEGER
    if written != due:
        return NUMBER_CHANGED
    mantissa, _, exponent = got.lower().partition("e")
    if "E" in got:
        return EXPONENT_CASE
    if "e" in want and exponent:
        if exponent[0] not in "+-":
            return EXPONENT_SIGN
        if exponent[1:].startswith("0"):
            return EXPONENT_ZEROS
        return NUMBER_ZEROS if "." in mantissa and mantissa.endswith("0") else NUMBER_LAYOUT
    if exponent:
        return EXPONENT_FORM
    if "e" in want:
        return PLAIN_FORM
    if "." in got and got.rstrip("0").rstrip(".") == want:
        return NUMBER_ZEROS
    return NUMBER_LAYOUT


def _strings(want: Token, got: Token) -> Fault | None:
    if want.text == got.text:
        return None
    if want.value == got.value:  # the same text, escaped another way: the first escape that differs says how
        due_at, written_at = want.at + 1, got.at + 1
        for (due, character), (written, _) in zip(units(want.text), units(got.text), strict=False):
            if due != written:
                return replace(_escape(character, written), due_at=due_at, written_at=written_at)
            due_at, written_at = due_at + len(due), written_at + len(written)
        return ESCAPE_OTHER
    if _SURROGATE.search(want.value):
        pattern = "".join(".?" if _SURROGATE.fullmatch(c) else re.escape(c) for c in want.value)
        if re.fullmatch(pattern, got.value, re.DOTALL):
            return SURROGATE_REPLACED
    if unicodedata.normalize("NFC", want.value) == unicodedata.normalize("NFC", got.value):
        return TEXT_NORMALIZED
    return TEXT_CHANGED


def _escape(character: str, written: str) -> Fault:
    """How ``character`` was written (``written``) where JSON.stringify writes it otherwise."""
    code = ord(character)
    if character in "\u2028\u2029":
        return LINE_SEPARATOR_ESCAPED
    if character == "/":
        return SLASH_ESCAPED
    if character in _HTML:
        return HTML_ESCAPED
    if 0xD800 <= code <= 0xDFFF:
        return SURROGATE_CASE
    if code < 0x20:
        return CONTROL_RAW if written == character else CONTROL_FORM
    if 0x7F <= code <= 0x9F:
        return C1_ESCAPED
    if code > 0x7F:
        return NON_ASCII_ESCAPED
    return ASCII_ESCAPED if written.startswith("\\") else ESCAPE_OTHER


def _plain(token: Token) -> Any:
    """A token as the value JSON.parse would make of it (numbers as doubles), for comparing two values."""
    if token.kind == "object":
        return {key.value: _plain(value) for key, value in token.members}
    if token.kind == "array":
        return [_plain(item) for item in token.items]
    if token.kind == "string":
        return token.value
    if token.kind == "number":
        return float(token.text)
    return token.text


def first_difference(expected: bytes, actual: bytes) -> int:
    """The offset of the first byte where ``actual`` leaves ``expected``."""
    return next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b), min(len(expected), len(actual))
    )
