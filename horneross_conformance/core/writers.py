"""JSON writers that integrations use in place of ``JSON.stringify``, each as a function of parsed JSON to bytes.

A receiver that verifies the signature over one of them instead of the raw body, or a sender that signs or sends
one's output, is told which one by comparing bytes with these (``receiver.diagnosis``, the sender suite's signature
checks), and never by a guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.core.canonical import canonical_bytes


# A writer an endpoint may verify the signature over instead of the raw body: its name, what it does to the body
# (``does``), the stack it shows (for the fix's idiom first), and the writer itself, parsed JSON to bytes.
@dataclass(frozen=True, slots=True)
class Writer:
    slug: str
    name: str
    does: str
    stack: str | None
    write: Callable[[Any], bytes]


def sorted_keys(node: Any) -> Any:
    """``node`` with the keys of every object in it sorted."""
    if isinstance(node, dict):
        return {key: sorted_keys(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [sorted_keys(item) for item in node]
    return node


def _escaped(text: str, characters: str) -> str:
    for character in characters:
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # parsed from JSON, a pair is one character: any left is lone


def _go_decoded(node: Any) -> Any:
    """``node`` as Go's json.Unmarshal reads it: a lone surrogate's escape becomes U+FFFD."""
    if isinstance(node, str):
        return _LONE_SURROGATE.sub("\ufffd", node)
    if isinstance(node, dict):
        return {_go_decoded(key): _go_decoded(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_go_decoded(item) for item in node]
    return node


def _go_marshal(node: Any) -> bytes:
    """Go's json.Marshal of a map[string]any it decoded: keys sorted, JavaScript's numbers, <>& and U+2028/9
    escaped, a lone surrogate written as U+FFFD (checked against real Go: tests/go/receiver)."""
    text = canonical_bytes(sorted_keys(_go_decoded(node))).decode("utf-8")
    return _escaped(text, "<>&\u2028\u2029").encode()


def _go_struct(event: Any) -> bytes:
    """Go's json.Marshal of a struct (id, type, timestamp, data, in that order) whose data is a map[string]any."""
    if not isinstance(event, dict) or set(event) != {"id", "type", "timestamp", "data"}:
        return b""
    fields = (b'"%s":%s' % (key.encode(), _go_marshal(event[key])) for key in ("id", "type", "timestamp", "data"))
    return b"{" + b",".join(fields) + b"}"


def _other_floats(text: str, exponent: Callable[[str, int], str]) -> str:
    """``text`` (Python's JSON) with each float written in exponent form as ``exponent(mantissa, power)``."""
    return re.sub(r"(?<![\w.])(-?\d+(?:\.\d+)?)e([-+]\d+)", lambda m: exponent(m.group(1), int(m.group(2))), text)


def _php(event: Any) -> bytes:
    """PHP's json_encode(json_decode($body, true)): non-ASCII as \\u escapes, / as \\/, 1.0e-6 for 0.000001."""
    text = json.dumps(event, separators=(",", ":")).replace("/", "\\/")
    return _other_floats(text, lambda m, e: f"{m if '.' in m else m + '.0'}e{e:+d}".replace("e+", "e+")).encode()


def _ruby(event: Any) -> bytes:
    """Ruby's JSON.generate(JSON.parse(body)): compact, non-ASCII raw, 1.0e-06 for 0.000001."""
    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return _other_floats(text, lambda m, e: f"{m if '.' in m else m + '.0'}e{e:+03d}").encode()


def _rails(event: Any) -> bytes:
    """Rails' to_json: Ruby's writer with <, >, & and U+2028/9 escaped (ActiveSupport's escape_html_entities)."""
    return _escaped(_ruby(event).decode(), "<>&\u2028\u2029").encode()


WRITERS = (
    Writer(
        "python-sorted-keys",
        "Python's json.dumps(sort_keys=True)",
        "it sorts the keys at every level (and writes 0.000001 as 1e-06)",
        None,
        lambda e: json.dumps(e, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode(),
    ),
    Writer(
        "sorted-keys",
        "a writer that sorts keys (a sorted map, json-stable-stringify)",
        "it sorts the keys at every level",
        None,
        lambda e: canonical_bytes(sorted_keys(e)),
    ),
    Writer(
        "python-default",
        "Python's json.dumps with its defaults",
        "it adds spaces after ',' and ':', escapes non-ASCII characters and writes 0.000001 as 1e-06",
        None,
        lambda e: json.dumps(e).encode(),
    ),
    Writer(
        "python-ascii",
        "Python's json.dumps(separators=(',', ':'))",
        "it escapes non-ASCII characters (ensure_ascii) and writes 0.000001 as 1e-06",
        None,
        lambda e: json.dumps(e, separators=(",", ":")).encode(),
    ),
    Writer(
        "python-numbers",
        "Python's json.dumps(ensure_ascii=False)",
        "it writes numbers unlike JavaScript (0.000001 as 1e-06)",
        None,
        lambda e: json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode(),
    ),
    Writer(
        "go-map",
        "Go's encoding/json over a map[string]any",
        "it sorts the keys at every level and escapes <, >, & and U+2028",
        "Go",
        _go_marshal,
    ),
    Writer(
        "go-struct",
        "Go's encoding/json over a struct whose data is a map[string]any",
        "it sorts the keys inside data and escapes <, >, & and U+2028",
        "Go",
        _go_struct,
    ),
    Writer(
        "php",
        "PHP's json_encode with its default flags",
        "it escapes non-ASCII characters and '/' and writes 0.000001 as 1.0e-6",
        "PHP",
        _php,
    ),
    Writer(
        "rails",
        "Rails' to_json",
        "it escapes <, >, & and U+2028 and writes 0.000001 as 1.0e-06",
        "Rails",
        _rails,
    ),
    Writer("ruby", "Ruby's JSON.generate", "it writes 0.000001 as 1.0e-06", "Ruby", _ruby),
    Writer(
        "pretty",
        "pretty-printed JSON (json.dumps(indent=2), JSON.stringify(payload, null, 2))",
        "it indents the JSON over several lines",
        None,
        lambda e: json.dumps(e, indent=2, ensure_ascii=False).encode(),
    ),
)


def output(writer: Writer, payload: Any) -> bytes | None:
    """What ``writer`` writes for ``payload``; ``None`` when it cannot (a lone surrogate it cannot encode, say)."""
    try:
        return writer.write(payload)
    except (ValueError, TypeError):
        return None


def writer_of(payload: Any, written: bytes) -> Writer | None:
    """The first known writer whose output for ``payload`` is exactly ``written``, if any."""
    return next((writer for writer in WRITERS if output(writer, payload) == written), None)
