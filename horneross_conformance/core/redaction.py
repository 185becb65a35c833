"""The webhook secrets of a run, and their removal from anything shown: in every form a target could echo them.

A target may send a secret back as it is, as its key bytes in hex (either case) or base64, URL-encoded, or
escaped inside a JSON string. Each form is computed once, when the secret is added, and a text is scanned once,
case-insensitively, so a report's cost does not grow with the number of secrets times forms.
A ``Redactor`` belongs to one run: two runs in one process never see each other's secrets.
"""

from __future__ import annotations

import base64
import json
import string
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[secret redacted]"
_SHORTEST = 4  # a "secret" shorter than this would redact ordinary words: never one of the forms
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # hex and %XX in either case


def secret_forms(secret: str) -> set[str]:
    """The ways ``secret`` can show up in what a target sends back."""
    key = secret.encode("utf-8")
    forms = {
        secret,
        key.hex(),
        base64.b64encode(key).decode("ascii"),
        base64.urlsafe_b64encode(key).decode("ascii"),
        base64.b64encode(key).decode("ascii").rstrip("="),
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        forms |= {escaped, escaped.replace("/", "\\/")}
    return {form for form in forms if len(form) >= _SHORTEST}


class Redactor:
    """The secrets of one run; calling it returns a text with every form of every secret replaced.

    Forms are indexed by their first characters (ASCII case folded), so a text is scanned once whatever the number
    of secrets: a sender run registers a secret per endpoint, hundreds of them, and redacts every message.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._by_prefix: dict[str, list[str]] = {}  # folded first characters -> folded forms, longest first
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret:
            return
        with self._lock:
            for form in secret_forms(secret) | {secret}:
                if len(form) < _SHORTEST:
                    continue
                folded = form.translate(_ASCII_LOWER)
                bucket = self._by_prefix.setdefault(folded[:_SHORTEST], [])
                if folded not in bucket:
                    bucket.append(folded)
                    bucket.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        index = self._by_prefix
        if not index or len(text) < _SHORTEST:
            return text
        folded = text.translate(_ASCII_LOWER)  # same length as text: only A-Z change
        parts: list[str] = []
        position = kept = 0
        end = len(text) - _SHORTEST
        while position <= end:
            candidates = index.get(folded[position : position + _SHORTEST])
            form = next((f for f in candidates if folded.startswith(f, position)), None) if candidates else None
            if form is None:
                position += 1
                continue
            parts += [text[kept:position], REDACTED]
            position = kept = position + len(form)
        parts.append(text[kept:])
        return "".join(parts)

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` with every form replaced, read as UTF-8 where it can be; other bytes are kept as they are."""
        text = data.decode("utf-8", "surrogateescape")
        redacted = self(text)
        return data if redacted == text else redacted.encode("utf-8", "surrogateescape")
