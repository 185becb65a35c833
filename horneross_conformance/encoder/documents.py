"""Generated JSON *texts*, so that number literals, escapes, white space and duplicate keys reach a parser exactly as
a sender could put them on the wire.

One generator serves the toolkit's own comparison of ``canonical_bytes`` with Node (tests/strategies.py imports it)
and ``check-encoder``, which feeds the same documents to an encoder in any language: what the toolkit is proven
against is what an encoder is checked with. ``check-encoder`` writes one text per line, so its documents
(``line_json_text``) put no line break between tokens; strings never hold a raw one (they are escaped).

Each Hypothesis choice costs tens of microseconds, so the strategies are built from few, wide choices: a whole
string is one choice (a plain alphabet, never a per-character one_of), a number literal is a handful.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from hypothesis import strategies as st

# Every code point, lone surrogates included (hypothesis leaves category Cs out unless asked)...
ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=10)
# ...and, drawn as often, the characters where serializers disagree.
TRICKY = (
    "\ud83d\ude00\ud800\udfff\u2028\u2029\u007f\u0000\u001f\u0007\b\f\n\r\t\"\\/<>&'eé ñ😀中\ufeff\ufffd\u200d\u0085"
)
TRICKY_TEXT = st.text(st.characters(codec=None, categories=(), include_characters=TRICKY), max_size=10)
TEXT = st.one_of(ANY_TEXT, TRICKY_TEXT)


_BOOLEAN = st.booleans()


@st.composite
def string_literal(draw: st.DrawFn, value: st.SearchStrategy[str] | None = None) -> str:
    content = draw(value if value is not None else TEXT)
    # ensure_ascii=False writes lone surrogates raw, which no UTF-8 body can carry: escape those always.
    ascii_only = draw(_BOOLEAN) or any("\ud800" <= c <= "\udfff" for c in content)
    return json.dumps(content, ensure_ascii=ascii_only)


INDEX_LIKE = st.one_of(
    st.integers(0, 12).map(str),
    st.integers(0, 2**33).map(str),
    st.sampled_from(
        ["4294967294", "4294967295", "4294967296", "01", "-1", "-0", "1.0", "1e3", " 1", "\u0661", "\u00b2", "00"]
    ),
)
KEY = st.one_of(string_literal(INDEX_LIKE), string_literal(st.text("abc01", max_size=3)), string_literal())


_WHOLE = st.integers(0, 10**25)
_FRACTION = st.one_of(st.just(""), st.integers(0, 10**25).map(lambda f: f".{f:0{len(str(f)) + 2}d}"))
_EXPONENT = st.one_of(
    st.just(""), st.integers(-400, 400).map(lambda e: f"e{e:+d}"), st.integers(0, 30).map(lambda e: f"E{e}")
)


@st.composite
def decimal_literal(draw: st.DrawFn) -> str:
    """Any literal of the JSON number grammar: sign, integer part, optional fraction and exponent."""
    whole = draw(_WHOLE)
    sign = "-" if whole % 3 == 0 else ""
    return f"{sign}{whole}{draw(_FRACTION)}{draw(_EXPONENT)}"


NUMBER = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    decimal_literal(),
    st.sampled_from(
        [
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
    ),
)
SPACES = ("", "", "", "", " ", "\n", "\t", "  \r\n")
LINE_SPACES = ("", "", "", "", " ", "\t", "  ", " \t ")  # no line break: check-encoder writes one text per line
SCALAR = st.one_of(st.sampled_from(["null", "true", "false"]), NUMBER, string_literal())


def json_texts(spaces: Sequence[str] = SPACES, max_leaves: int = 6) -> st.SearchStrategy[str]:
    """JSON texts of scalars, objects (integer-like and duplicate keys included) and arrays, with ``spaces``
    between tokens."""
    space = st.sampled_from(spaces)

    def container(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        obj = st.tuples(st.lists(st.tuples(KEY, children), max_size=4), space).map(
            lambda m: "{" + ",".join(f"{m[1]}{k}{m[1]}:{m[1]}{v}" for k, v in m[0]) + m[1] + "}"
        )
        arr = st.tuples(st.lists(children, max_size=4), space).map(lambda m: "[" + m[1] + ",".join(m[0]) + "]")
        return st.one_of(obj, arr)

    return st.recursive(SCALAR, container, max_leaves=max_leaves)


json_text = json_texts()
line_json_text = json_texts(LINE_SPACES)  # what check-encoder generates: the same documents, one per line
