"""The webhook secrets of a run, and their removal from anything shown: in every form a target could echo them.

A target may send a secret back as it is, as its key bytes in hex (either case) or base64, URL-encoded, escaped
inside a JSON string or in HTML, or in any mix of these escapes (an encoder that keeps ``+`` but escapes ``/``).
The text forms are one pattern that takes each character of the secret in any of its escapes (``secret_pattern``);
the encodings of the whole key are literal forms. Both are compiled once, when the secret is added, and every text
passes through one pattern, case-insensitively, so a report's cost does not grow with the number of secrets.
A ``Redactor`` belongs to one run: two runs in one process never see each other's secrets.
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[secret redacted]"
_SHORTEST = 4  # a "secret" shorter than this would redact ordinary words: never one of the forms


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
        quote(secret),  # as a URL's path keeps it: "/" unescaped
        quote_plus(secret, safe=""),
        html.escape(secret),
        html.escape(secret, quote=False),
    }
    for escaped in (json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]):
        forms |= {escaped, escaped.replace("/", "\\/")}
    return {form for form in forms if len(form) >= _SHORTEST}


def _character(character: str) -> str:
    """Every way a text escape can write ``character``: itself, percent-encoded, JSON-escaped, HTML-escaped."""
    code = ord(character)
    forms = {
        character,
        "".join(f"%{byte:02x}" for byte in character.encode("utf-8", "surrogatepass")),
        json.dumps(character)[1:-1],  # \" \\ \n, and \uXXXX (a surrogate pair beyond the BMP)
        html.escape(character),
        f"&#{code};",
        f"&#x{code:x};",
    }
    if code < 0x10000:
        forms.add(f"\\u{code:04x}")  # JSON may escape any character
    if character == "/":
        forms.add("\\/")
    if character == " ":
        forms.add("+")  # a form-encoded space
    return "(?:" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + ")"


def secret_pattern(secret: str) -> str:
    """A regular expression for ``secret`` written as text in any mix of escapes, to be used case-insensitively."""
    return "".join(_character(character) for character in secret)


class Redactor:
    """The secrets of one run; calling it returns a text with every form of every secret replaced."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret:
            return
        with self._lock:
            # the text in any escape first, then the encodings of the key, longest first, so that a form
            # containing another is replaced whole
            literal = sorted(secret_forms(secret), key=len, reverse=True)
            forms = {secret_pattern(secret), *(re.escape(form) for form in literal)}
            if forms <= self._forms:
                return
            self._forms |= forms
            alternatives = "|".join(sorted(self._forms, key=len, reverse=True))
            self._pattern = re.compile(alternatives, re.IGNORECASE)

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(REDACTED, text) if pattern is not None else text

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` with every form replaced, read as UTF-8 where it can be; other bytes are kept as they are."""
        pattern = self._pattern
        if pattern is None:
            return data
        text = data.decode("utf-8", "surrogateescape")
        redacted = pattern.sub(REDACTED, text)
        return data if redacted == text else redacted.encode("utf-8", "surrogateescape")
