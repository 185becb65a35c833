"""Hypothesis strategies that write JSON *texts* for the comparisons with Node: ``json_text`` is the package's own
generator (``horneross_conformance.encoder.documents``, which check-encoder feeds to encoders in any language), and
``plain_json_text`` writes the documents canonical_bytes' fast path takes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from horneross_conformance.checks.exploration import Counterexample
from horneross_conformance.encoder.documents import TEXT, json_text, string_literal

__all__ = ["NUMBERS", "fails_above", "json_text", "plain_json_text"]


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


# For the tests of explore() and of deliveries in flight: numbers, and a check that fails above a limit.
NUMBERS = st.fixed_dictionaries({"n": st.integers(min_value=0, max_value=10**6)})


def fails_above(limit: int) -> Any:
    def check(event: dict[str, int]) -> None:
        if event["n"] > limit:
            raise Counterexample(f"{event['n']} is too big", event, b"")

    return check
