"""The ``X-Horneross-Signature`` header: lowercase hex HMAC-SHA256 of the signed bytes, keyed with the secret."""

from __future__ import annotations

import functools
import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    """The signature Horneross sends for ``body`` (which should be ``canonical_bytes`` of the payload)."""
    mac = _keyed(secret).copy()  # the key's padding hashed once per secret, not once per signature
    mac.update(body)
    return mac.hexdigest()


@functools.lru_cache(maxsize=256)
def _keyed(secret: str) -> hmac.HMAC:
    return hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is exactly ``sign(body, secret)``, compared in constant time.

    Like the documentation's ``===``, the comparison is exact: uppercase hex, a ``sha256=`` prefix or surrounding
    whitespace do not verify. A missing or empty header never verifies.
    """
    if not signature:
        return False
    expected = sign(body, secret).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8", "surrogatepass"))
