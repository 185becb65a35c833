"""sign/verify, and the language-neutral signature vectors checked against Node.js itself."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peers import NodeStringify

from horneross_conformance import canonical_bytes, sign, verify
from horneross_conformance.core.events import has_lone_surrogate
from horneross_conformance.core.resources import load_json

VECTORS: dict[str, Any] = load_json("signature-vectors.json")
BODY = b'{"id":"evt_1","type":"lead.captured","data":{}}'


def vector_secret(vector: dict[str, Any]) -> str:
    return str(vector.get("secret", VECTORS["secret"]))


def by_name(vector: dict[str, Any]) -> str:
    return str(vector["name"])


def test_sign_is_lowercase_hex_hmac_sha256() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign(b"what do ya want for nothing?", "Jefe") == expected


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        " ",
        "sha256=",
        sign(BODY, "s").upper(),
        sign(BODY, "s")[:-1],
        sign(BODY, "s")[:8],
        sign(BODY, "s") + "0",
        " " + sign(BODY, "s"),
        "sha256=" + sign(BODY, "s"),
        sign(BODY, "t"),
        "ñ" * 64,
        "\ud83d" * 64,
    ],
)
def test_verify_refuses_anything_but_the_exact_signature(signature: str | None) -> None:
    assert verify(BODY, sign(BODY, "s"), "s")
    assert not verify(BODY, signature, "s")


def test_verify_refuses_a_changed_body() -> None:
    assert not verify(BODY.replace(b"lead", b"leaf"), sign(BODY, "s"), "s")


def test_vectors_cover_valid_and_every_documented_mistake() -> None:
    names = {v["name"] for v in VECTORS["vectors"]}
    assert len(names) == len(VECTORS["vectors"]), "vector names must be unique"
    assert sum(v["valid"] for v in VECTORS["vectors"]) >= 5
    for mistake in (
        "wrong-secret",
        "uppercase-hex",
        "truncated",
        "prefix-only",
        "empty",
        "signed-pretty-printed",
        "signed-ascii-escaped",
        "signed-sorted-keys",
        "signed-python-number-format",
        "hmac-sha1",
    ):
        assert mistake in names


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=by_name)
def test_vector_holds_in_python(vector: dict[str, Any]) -> None:
    canonical = canonical_bytes(json.loads(vector["body"]))
    assert canonical == vector["canonical"].encode("utf-8")
    assert verify(canonical, vector["signature"], vector_secret(vector)) is vector["valid"]


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=by_name)
def test_vector_holds_in_node(node: NodeStringify, vector: dict[str, Any]) -> None:
    body = vector["body"].encode("utf-8")
    assert node.stringify(vector["body"]) == vector["canonical"].encode("utf-8")
    expected = node.hmac_of_reserialized(vector_secret(vector), body)
    assert (expected == vector["signature"]) is vector["valid"]


@pytest.mark.parametrize("length", [0, 1, 31, 63, 64, 65, 128, 200])
def test_sign_is_the_hmac_modules_hmac_for_a_secret_of_any_length(length: int) -> None:
    """sign builds RFC 2104's construction from hashlib: around SHA-256's 64-byte block (a longer key is hashed
    first), and in UTF-8 (a character of two bytes may straddle the block)."""
    for secret in ("k" * length, ("ñ" * length)[: max(length - 1, 0)] + "k"[:length]):
        for body in (b"", b"x", BODY, BODY * 40):
            expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
            assert sign(body, secret) == expected, (length, secret, body[:20])


@settings(max_examples=100, database=None)
@given(st.text(max_size=80).filter(lambda s: not has_lone_surrogate(s)), st.binary(max_size=300))
def test_sign_is_the_hmac_modules_hmac_on_secrets_and_bodies_hypothesis_draws(secret: str, body: bytes) -> None:
    assert sign(body, secret) == hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def test_a_secret_that_is_no_utf_8_is_refused_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        sign(BODY, "\ud83d")
