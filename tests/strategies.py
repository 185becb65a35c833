"""Hypothesis strategies that write JSON *texts*, so that number literals, escapes, white space and duplicate keys
reach both JSON.parse and json.loads exactly as a sender could put them on the wire.

Each hypothesis choice costs tens of microseconds, so the strategies are built from few, wide choices: a whole
string is one choice (a plain alphabet, never a per-character one_of), a number literal is a handful.
"""

from __future__ import annotations

import json

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
    st.sampled_from(["4294967294", "4294967295", "4294967296", "01", "-1", "-0", "1.0", "1e3", " 1", "١", "²", "00"]),
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
SPACE = st.sampled_from(["", "", "", "", " ", "\n", "\t", "  \r\n"])
SCALAR = st.one_of(st.sampled_from(["null", "true", "false"]), NUMBER, string_literal())


def _container(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    obj = st.tuples(st.lists(st.tuples(KEY, children), max_size=4), SPACE).map(
        lambda m: "{" + ",".join(f"{m[1]}{k}{m[1]}:{m[1]}{v}" for k, v in m[0]) + m[1] + "}"
    )
    arr = st.tuples(st.lists(children, max_size=4), SPACE).map(lambda m: "[" + m[1] + ",".join(m[0]) + "]")
    return st.one_of(obj, arr)


json_text = st.recursive(SCALAR, _container, max_leaves=6)


# Documents the fast path of canonical_bytes takes: no float, no integer beyond 2**53, no key starting with a digit;
# every tricky string still. Mixed with keys and numbers that send a document to the exact path, now and then.
_PLAIN_SCALAR = st.one_of(
    st.sampled_from(["null", "true", "false"]),
    st.integers(-(2**53), 2**53).map(str),
    string_literal(),
)
_PLAIN_KEY = st.one_of(
    string_literal(st.text("abc_é😀", max_size=3)), string_literal(TEXT.filter(lambda t: not t[:1].isdigit()))
)


def _plain_container(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    obj = st.lists(st.tuples(_PLAIN_KEY, children), max_size=5).map(
        lambda m: "{" + ",".join(f"{k}:{v}" for k, v in m) + "}"
    )
    return st.one_of(obj, st.lists(children, max_size=4).map(lambda m: "[" + ",".join(m) + "]"))


plain_json_text = st.recursive(_PLAIN_SCALAR, _plain_container, max_leaves=10)
