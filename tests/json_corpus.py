"""A corpus of JSON texts for the comparisons with Node's JSON.stringify, drawn by a seeded random.Random.

The grammar is that of strategies.py (``json_text`` and ``plain_json_text``): number literals, string escapes,
white space and duplicate keys reach JSON.parse and json.loads exactly as a sender could put them on the wire.
Hypothesis spends about a millisecond on each of those documents; this draws the same kinds of values in tens of
microseconds, so that 15,000 documents are drawn once per session, sent to Node in a few batches, and compared
there by every test that needs them. What the corpus must hold (floats at the notation boundaries, integer-like
keys, lone surrogates, U+2028, nesting...) is counted by ``kinds`` and asserted by the tests, for any seed.
Hypothesis still draws a few hundred documents of its own in test_canonical.py, where a failure is shrunk.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import struct
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from horneross_conformance.encoder.documents import TRICKY

GENERAL = 10_000  # documents of json_text's grammar, as the Hypothesis comparison drew before (500 x 20)
PLAIN = 5_000  # documents of plain_json_text's grammar, the fast path's (200 x 25)
SEED_VARIABLE = "HORNEROSS_CORPUS_SEED"  # set it to draw a reported corpus again

Draw = Callable[[random.Random], str]


def _char(rng: random.Random) -> str:
    """Any code point, lone surrogates included, the ranges where serializers disagree drawn often."""
    pick = rng.random()
    if pick < 0.35:
        return chr(rng.randint(0x20, 0x7E))
    if pick < 0.45:
        return chr(rng.choice((rng.randint(0, 0x1F), rng.randint(0x7F, 0x9F))))
    if pick < 0.60:
        return chr(rng.randint(0xA0, 0xFFFF))
    if pick < 0.70:
        return chr(rng.randint(0xD800, 0xDFFF))
    if pick < 0.82:
        return chr(rng.randint(0x10000, 0x10FFFF))
    return rng.choice(TRICKY)


def text(rng: random.Random) -> str:
    """strategies.TEXT: up to 10 characters, any code point, or (as often) only the tricky ones."""
    length = min(rng.randint(0, 10), rng.randint(0, 10))  # short ones more often, as Hypothesis draws them
    if rng.random() < 0.5:
        return "".join(rng.choice(TRICKY) for _ in range(length))
    return "".join(_char(rng) for _ in range(length))


def string_literal(rng: random.Random, content: str | None = None) -> str:
    content = text(rng) if content is None else content
    # ensure_ascii=False writes lone surrogates raw, which no UTF-8 body can carry: escape those always
    ascii_only = rng.random() < 0.5 or any("\ud800" <= c <= "\udfff" for c in content)
    return json.dumps(content, ensure_ascii=ascii_only)


INDEX_WORDS = ["4294967294", "4294967295", "4294967296", "01", "-1", "-0", "1.0", "1e3", " 1", "١", "²", "00"]


def _index_like(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.35:
        return str(rng.randint(0, 12))
    if pick < 0.6:
        return str(rng.randint(0, 2**33) >> rng.randint(0, 33))
    if pick < 0.7:
        return str(2**32 + rng.randint(-3, 1))  # around the largest array index, 2**32 - 2
    return rng.choice(INDEX_WORDS)


def key(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.3:
        return string_literal(rng, _index_like(rng))
    if pick < 0.75:  # a small alphabet: duplicate keys in one object are common
        return string_literal(rng, "".join(rng.choice("abc01") for _ in range(rng.choice((0, 1, 1, 2)))))
    return string_literal(rng)


LITERALS = [
    "-0",
    "-0.0",
    "1e21",
    "1e-7",
    "0.000001",
    "1e-6",
    "1e400",
    "-1e400",
    "5e-324",
    "1.7976931348623157e308",
    "9007199254740993",
    "123456789012345678901234567890",
    "0.1",
    "100",
    "1E+2",
    "2.5e-5",
]
# Where JSON.stringify changes notation (1e21 and 1e-6, on either side), the ends of the doubles, 2**53
BOUNDARIES = [1e21, 1e-6, 1e-7, 1e20, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2.0**53, 1e16, 0.1]
BIG_INTEGERS = [2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**64 + 1, 2**70, 4294967295, 0, 1]


def _float(rng: random.Random) -> float:
    pick = rng.random()
    if pick < 0.3:
        value = rng.choice(BOUNDARIES)
        step = rng.choice((0.0, math.inf, -math.inf, 0.0))
        value = math.nextafter(value, step) if step else value
    elif pick < 0.6:  # any bit pattern: every exponent, subnormals, -0.0
        value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
    elif pick < 0.75:  # a short decimal anywhere from 1e-30 to 1e30
        value = rng.randint(0, 10 ** rng.randint(1, 17)) * 10.0 ** rng.randint(-30, 30)
    elif pick < 0.85:  # integral: 1.0 where JSON.stringify writes 1
        value = float(rng.getrandbits(rng.randint(0, 80)))
    else:
        value = rng.choice([0.0, -0.0, 0.5, 1.5, 1.1, 1.0, 100.0, 1e-5, 123e-20, 0.30000000000000004])
    if not math.isfinite(value):  # NaN and Infinity have no literal (1e400 is one of LITERALS)
        value = 1.7976931348623157e308
    return -value if rng.random() < 0.3 else value


def _decimal_literal(rng: random.Random) -> str:
    """Any literal of the JSON number grammar: sign, integer part, optional fraction and exponent."""
    whole = rng.randint(0, 10 ** rng.randint(0, 25))
    sign = "-" if whole % 3 == 0 else ""
    fraction = ""
    if rng.random() < 0.5:
        digits = rng.randint(0, 10 ** rng.randint(0, 25))
        fraction = f".{digits:0{len(str(digits)) + 2}d}"
    exponent = rng.choice(("", "", f"e{rng.randint(-400, 400):+d}", f"E{rng.randint(0, 30)}"))
    return f"{sign}{whole}{fraction}{exponent}"


def number(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.25:
        if rng.random() < 0.25:
            integer = rng.choice(BIG_INTEGERS) + rng.choice((0, 0, -1, 1))
        else:
            integer = rng.getrandbits(rng.randint(0, 70))
        return str(-integer if rng.random() < 0.4 else integer)
    if pick < 0.55:
        return repr(_float(rng))
    if pick < 0.8:
        return _decimal_literal(rng)
    return rng.choice(LITERALS)


SPACES = ["", "", "", "", " ", "\n", "\t", "  \r\n"]


def scalar(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.15:
        return rng.choice(("null", "true", "false"))
    if pick < 0.7:
        return number(rng)
    return string_literal(rng)


def _document(
    rng: random.Random, leaves: int, depth: int, key: Draw, scalar: Draw, spaces: list[str], widths: tuple[int, int]
) -> tuple[str, int]:
    """A JSON text of at most ``leaves`` scalars: a scalar, or an object or array of such texts, as st.recursive
    draws them. Returns the text and the scalars left."""
    if leaves <= 0 or depth >= 8 or rng.random() < (0.25 + 0.08 * depth if depth else 0.1):
        return scalar(rng), leaves - 1
    space = rng.choice(spaces)
    children: list[str] = []
    names: list[str] = []
    is_object = rng.random() < 0.5
    for _ in range(min(rng.randint(0, widths[0] if is_object else widths[1]), rng.randint(1, 4))):
        if leaves <= 0:
            break
        child, leaves = _document(rng, leaves, depth + 1, key, scalar, spaces, widths)
        if is_object:  # now and then a key again: the last one wins, in its first place
            names.append(rng.choice(names) if names and rng.random() < 0.2 else key(rng))
            child = f"{space}{names[-1]}{space}:{space}{child}"
        children.append(child)
    if is_object:
        return "{" + ",".join(children) + space + "}", leaves
    return "[" + space + ",".join(children) + "]", leaves


def json_document(rng: random.Random) -> str:
    """A text of strategies.json_text's grammar: at most 6 scalars, white space between tokens."""
    return _document(rng, 6, 0, key, scalar, SPACES, (4, 4))[0]


def _plain_key(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return string_literal(rng, "".join(rng.choice("abc_é😀") for _ in range(rng.randint(0, 3))))
    content = text(rng)
    while content[:1].isdigit():
        content = text(rng)
    return string_literal(rng, content)


def _plain_scalar(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.2:
        return rng.choice(("null", "true", "false"))
    if pick < 0.5:
        if rng.random() < 0.2:
            return str(rng.choice((1, -1)) * (2**53 - rng.randint(0, 1)))
        return str(rng.randint(-(2**53), 2**53) >> rng.randint(0, 53))
    return string_literal(rng)


def plain_document(rng: random.Random) -> str:
    """A text of strategies.plain_json_text's grammar: no float, no integer beyond 2**53, no key starting with a
    digit; every tricky string still; at most 10 scalars, no white space."""
    return _document(rng, 10, 0, _plain_key, _plain_scalar, [""], (5, 4))[0]


@dataclass(frozen=True)
class Corpus:
    seed: int
    general: list[str]  # json_text's grammar
    plain: list[str]  # plain_json_text's grammar

    @property
    def texts(self) -> list[str]:
        return self.general + self.plain


def session_seed() -> int:
    """``HORNEROSS_CORPUS_SEED`` if set, else a new seed each session, as Hypothesis draws new documents on every
    run: the tests that draw from it put it in every failure message."""
    return int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(2**32))


def draw_corpus(seed: int) -> Corpus:
    rng = random.Random(seed)
    return Corpus(seed, [json_document(rng) for _ in range(GENERAL)], [plain_document(rng) for _ in range(PLAIN)])


_LONE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")
_INDEX = re.compile(r"0|[1-9][0-9]{0,9}")


def kinds(texts: list[str]) -> Counter[str]:
    """How many of ``texts`` hold each kind of value where serializers part ways with JSON.stringify."""
    found: Counter[str] = Counter()
    for document in texts:
        seen: set[str] = set()

        def pairs(items: list[tuple[str, Any]], seen: set[str] = seen) -> dict[str, Any]:
            names = [name for name, _ in items]
            if len(set(names)) < len(names):
                seen.add("duplicate key")
            for name in names:
                if _INDEX.fullmatch(name) and int(name) <= 2**32 - 2:
                    seen.add("array-index key")
                elif name[:1].isdigit() or name[:1] == "-":
                    seen.add("number-like key that is no index")
                elif name and not name.isascii():
                    seen.add("non-ASCII key")
            return dict(items)

        value = json.loads(document, object_pairs_hook=pairs)
        if document[:1] not in "[{":
            seen.add("top-level scalar")
        if any(space in document for space in ("\n", "\t", "\r")):
            seen.add("white space between tokens")
        if "\\u" in document:
            seen.add("\\u escape")
        _walk(value, 0, seen)
        found.update(seen)
    found["documents"] = len(texts)
    return found


def _walk(value: Any, depth: int, seen: set[str]) -> None:
    seen.add(f"depth {min(depth, 5)}")
    if isinstance(value, dict | list):
        if not value:
            seen.add("empty container")
        for child in value.values() if isinstance(value, dict) else value:
            _walk(child, depth + 1, seen)
    elif isinstance(value, str):
        if _LONE.search(value):
            seen.add("lone surrogate")
        if "\u2028" in value or "\u2029" in value:
            seen.add("U+2028 or U+2029")
        if any(c < " " or c == "\x7f" for c in value):
            seen.add("control character")
        if any(c > "\uffff" for c in value) or re.search("[\ud800-\udbff][\udc00-\udfff]", value):
            seen.add("astral character")
    elif isinstance(value, bool) or value is None:
        seen.add("true, false or null")
    elif isinstance(value, int):
        seen.add("integer beyond 2**53" if abs(value) > 2**53 else "safe integer")
    elif isinstance(value, float):
        seen.update(_float_kinds(value))


def _float_kinds(value: float) -> set[str]:
    size = abs(value)
    found = {"float"}
    if math.isinf(size):
        found.add("float beyond the doubles (Infinity)")
    elif size >= 1e21:
        found.add("float from 1e21 (exponent notation)")
        if size < 1e22:
            found.add("float in [1e21, 1e22)")
    elif size >= 1e20:
        found.add("float in [1e20, 1e21)")
    if 0 < size < 1e-6:
        found.add("float below 1e-6 (exponent notation)")
        if size >= 1e-7:
            found.add("float in [1e-7, 1e-6)")
    elif 1e-6 <= size < 1e-5:
        found.add("float in [1e-6, 1e-5)")
    if 0 < size < 2.2250738585072014e-308:
        found.add("subnormal float")
    if value == 0 and math.copysign(1, value) < 0:
        found.add("negative zero")
    if math.isfinite(value) and value.is_integer() and size < 1e21:
        found.add("integral float")
    return found
