"""Write schemas/signature-vectors.json: language-neutral signature test vectors.

Every vector is checked against Node.js itself by tests/core/test_signing.py, so the file does not depend
on trusting this script. Run: python scripts/generate_signature_vectors.py
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from horneross_conformance import canonical_bytes, sign

SECRET = "whsec_test_5f2c8e0b9a7d4e61"
OUT = Path(__file__).resolve().parent.parent / "schemas" / "signature-vectors.json"

DOC_EVENT = {
    "id": "evt_abc123",
    "type": "conversation.message.created",
    "timestamp": "2024-01-21T15:30:00Z",
    "data": {
        "conversationId": "conv_abc123",
        "messageId": "msg_xyz789",
        "role": "user",
        "content": "Hola, necesito ayuda",
        "contact": {"email": "cliente@ejemplo.com"},
    },
}
LEAD = {
    "id": "evt_lead01",
    "type": "lead.captured",
    "timestamp": "2024-01-21T15:30:00Z",
    "data": {
        "conversationId": "conv_abc123",
        "contact": {"email": "lead@ejemplo.com", "firstName": "María", "phoneNumber": "+5491123456789"},
    },
}


def message(content: str, **extra: Any) -> dict[str, Any]:
    data = {
        "conversationId": "conv_abc123",
        "messageId": "msg_1",
        "role": "user",
        "content": content,
        **extra,
    }
    return {
        "id": "evt_msg01",
        "type": "conversation.message.created",
        "timestamp": "2024-01-21T15:30:00Z",
        "data": data,
    }


NUMBERS = message("números", metadata={"10": "ten", "2": "two", "b": 1.5, "tiny": 1e-7, "micro": 0.000001, "big": 1e21})


def text(body: bytes) -> str:
    return body.decode("utf-8")


def valid(name: str, event: Any, body: str | None = None, secret: str = SECRET) -> dict[str, Any]:
    canonical = canonical_bytes(event)
    entry = {"name": name, "valid": True, "body": body if body is not None else text(canonical)}
    if secret != SECRET:
        entry["secret"] = secret
    entry |= {"canonical": text(canonical), "signature": sign(canonical, secret)}
    return entry


def invalid(name: str, event: Any, signature: str, mistake: str) -> dict[str, Any]:
    canonical = canonical_bytes(event)
    return {
        "name": name,
        "valid": False,
        "body": text(canonical),
        "canonical": text(canonical),
        "signature": signature,
        "mistake": mistake,
    }


def hmac_hex(data: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def vectors() -> list[dict[str, Any]]:
    doc = canonical_bytes(DOC_EVENT)
    good = sign(doc, SECRET)
    cut = message("Mensaje cortado \ud83d")
    return [
        valid("documentation-payload", DOC_EVENT),
        valid("non-ascii-name", LEAD),
        valid("emoji-and-cjk", message("Gracias 😀 你好")),
        valid("lone-surrogate", cut),
        valid("control-characters", message("tab\tbell\u0007del\u007f nul\u0000")),
        valid("line-separators-and-script", message("a\u2028b\u2029c </script>")),
        valid("numbers-and-integer-like-keys", NUMBERS),
        valid("non-ascii-secret", DOC_EVENT, secret="contraseña-ñandú-🔑"),
        valid(
            "non-canonical-body",
            LEAD,
            body=json.dumps(LEAD, indent=2, ensure_ascii=True),
        ),
        invalid("wrong-secret", DOC_EVENT, sign(doc, SECRET + "x"), "signed with another secret"),
        invalid(
            "uppercase-hex",
            DOC_EVENT,
            good.upper(),
            "uppercase hex digits; the documentation compares lowercase hex with ===",
        ),
        invalid(
            "base64-digest",
            DOC_EVENT,
            base64.b64encode(bytes.fromhex(good)).decode(),
            "base64 digest instead of hex",
        ),
        invalid("prefixed", DOC_EVENT, "sha256=" + good, "a 'sha256=' prefix, as some other platforms send"),
        invalid("surrounding-whitespace", DOC_EVENT, " " + good + " ", "white space around the hex digest"),
        invalid("truncated", DOC_EVENT, good[:-1], "the last hex digit missing"),
        invalid("prefix-only", DOC_EVENT, good[:16], "only the first 16 hex digits"),
        invalid("empty", DOC_EVENT, "", "an empty header"),
        invalid(
            "signed-pretty-printed",
            DOC_EVENT,
            hmac_hex(json.dumps(DOC_EVENT, indent=2).encode()),
            "signed pretty-printed JSON instead of JSON.stringify",
        ),
        invalid(
            "signed-python-default-separators",
            DOC_EVENT,
            hmac_hex(json.dumps(DOC_EVENT).encode()),
            "signed json.dumps defaults: ', ' and ': ' separators",
        ),
        invalid(
            "signed-ascii-escaped",
            LEAD,
            hmac_hex(json.dumps(LEAD, separators=(",", ":")).encode()),
            "signed with non-ASCII escaped as \\u00ed",
        ),
        invalid(
            "signed-sorted-keys",
            NUMBERS,
            hmac_hex(json.dumps(NUMBERS, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()),
            "signed with keys sorted as strings ('10' before '2', 'data' before 'id')",
        ),
        invalid(
            "signed-python-number-format",
            NUMBERS,
            hmac_hex(json.dumps(NUMBERS, separators=(",", ":"), ensure_ascii=False).encode()),
            "signed numbers as Python writes them: 1e-07 and 1e-06",
        ),
        invalid(
            "signed-escaped-slash",
            message("a </script>"),
            hmac_hex(text(canonical_bytes(message("a </script>"))).replace("/", "\\/").encode()),
            "signed with '/' escaped as '\\/'",
        ),
        invalid(
            "signed-replacement-character",
            cut,
            hmac_hex(canonical_bytes(message("Mensaje cortado \ufffd"))),
            "signed with the lone surrogate replaced by U+FFFD instead of written as \\ud83d",
        ),
        invalid("signed-with-newline", DOC_EVENT, hmac_hex(doc + b"\n"), "signed the body followed by a newline"),
        invalid(
            "hmac-sha1",
            DOC_EVENT,
            hmac.new(SECRET.encode(), doc, hashlib.sha1).hexdigest(),
            "HMAC-SHA1 instead of HMAC-SHA256",
        ),
        invalid(
            "plain-sha256",
            DOC_EVENT,
            hashlib.sha256(SECRET.encode() + doc).hexdigest(),
            "SHA-256 of secret and body, not an HMAC",
        ),
    ]


def main() -> None:
    document = {
        "$schema": "meta/signature-vectors.schema.json",
        "description": (
            "X-Horneross-Signature test vectors. For each vector: parse 'body' (the bytes received, as UTF-8 text), "
            "re-serialize it with JSON.stringify (the result is 'canonical'), compute the lowercase hex HMAC-SHA256 "
            "of its UTF-8 bytes keyed with 'secret' (the vector's own, or the file's) and compare with 'signature' "
            "using ===: equal exactly when 'valid' is true. Invalid vectors each show one way to get it wrong."
        ),
        "secret": SECRET,
        "vectors": vectors(),
    }
    OUT.write_text(json.dumps(document, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    print(f"wrote {len(document['vectors'])} vectors to {OUT}")


if __name__ == "__main__":
    main()
