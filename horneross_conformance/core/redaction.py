"""The webhook secrets of a run, and their removal from anything shown: in every form a target could echo them.

A target may send a secret back as it is, as its key bytes in hex (either case) or base64, URL-encoded, escaped
inside a JSON string or in HTML, or in any mix of these escapes (an encoder that keeps ``+`` but escapes ``/``).
The encodings of the whole key are literal forms, indexed by their first characters; the text in any mix of
escapes is one pattern per secret (``secret_pattern``), tried only on a text whose unescaped views hold that secret.
So a text is scanned a fixed number of times whatever the number of secrets: a sender run registers a secret per
endpoint, hundreds of them, and redacts every message. A ``Redactor`` belongs to one run: two runs in one process
never see each other's secrets.
"""

from __future__ import annotations

import base64
import html
import json
import re
import string
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

REDACTED = "[secret redacted]"
_SHORTEST = 4  # a "secret" shorter than this would redact ordinary words: never one of the forms
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # hex and %XX in either case
_ESCAPE_STARTS = frozenset("%\\&+")  # a secret holding one of these could hide from the unescaped views
_JSON_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")
_JSON_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
# Up to this many prefixes, each is looked for with str.find (a scan in C per prefix) rather than the text walked
# a character at a time in Python: a receiver run has one or two secrets, a dozen prefixes.
_FOUND_BY_FIND = 24
# A run redacts the same short texts again and again (header names and values, status lines, repeated events):
# the answer for a text up to this long is remembered until the run meets another secret (at most about 2 MB).
_REMEMBERED_LENGTH = 512
_REMEMBERED_TEXTS = 4096


def secret_forms(secret: str) -> set[str]:
    """The literal ways ``secret`` can show up in what a target sends back."""
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


def _unescaped_views(text: str) -> tuple[str, ...]:
    """``text`` with HTML, JSON and percent escapes undone, ASCII case folded: a secret written in any mix of
    escapes reads as itself in one of them."""

    def json_unescape(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _JSON_SIMPLE.get(match.group(2), match.group(2))

    plain = _JSON_ESCAPE.sub(json_unescape, html.unescape(text))
    views = (text, plain, unquote(plain, errors="surrogateescape"), unquote_plus(plain, errors="surrogateescape"))
    return tuple(dict.fromkeys(view.translate(_ASCII_LOWER) for view in views))  # each once: most texts escape nothing


class _PrefixIndex:
    """Folded strings indexed by their first characters: found in, or replaced in, a text in one scan."""

    def __init__(self) -> None:
        self._by_prefix: dict[str, list[str]] = {}  # longest first in each bucket

    def add(self, form: str) -> None:
        folded = form.translate(_ASCII_LOWER)
        bucket = self._by_prefix.setdefault(folded[:_SHORTEST], [])
        if folded not in bucket:
            bucket.append(folded)
            bucket.sort(key=len, reverse=True)

    def _matches(self, folded: str) -> Iterable[tuple[int, str]]:
        """Each form found, leftmost first, the longest at a position, none overlapping the one before."""
        index = self._by_prefix
        after = 0  # where the last form found ends
        for position in self._candidates(folded):
            if position < after:
                continue
            bucket = index[folded[position : position + _SHORTEST]]
            form = next((f for f in bucket if folded.startswith(f, position)), None)
            if form is not None:
                yield position, form
                after = position + len(form)

    def _candidates(self, folded: str) -> Iterable[int]:
        """The positions where some prefix starts, in order."""
        index = self._by_prefix
        if len(index) > _FOUND_BY_FIND:
            return (p for p in range(len(folded) - _SHORTEST + 1) if folded[p : p + _SHORTEST] in index)
        positions = []
        for prefix in tuple(index):  # a copy: another thread may add a secret, and a prefix, meanwhile
            position = folded.find(prefix)
            while position >= 0:
                positions.append(position)
                position = folded.find(prefix, position + 1)
        return sorted(positions)

    def found(self, folded: str) -> set[str]:
        return {form for _, form in self._matches(folded)}

    def replace(self, text: str) -> str:
        parts: list[str] = []
        kept = 0
        for position, form in self._matches(text.translate(_ASCII_LOWER)):  # same length as text: only A-Z change
            parts += [text[kept:position], REDACTED]
            kept = position + len(form)
        return "".join([*parts, text[kept:]]) if parts else text


class Redactor:
    """The secrets of one run; calling it returns a text with every form of every secret replaced."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._literal = _PrefixIndex()  # the encodings of each key, and the plain escapes of each text
        self._texts = _PrefixIndex()  # each secret, folded: looked for in a text's unescaped views
        self._secrets: dict[str, str] = {}  # folded -> as given
        self._patterns: dict[str, re.Pattern[str]] = {}  # compiled when a text first holds that secret
        self._hiding: list[str] = []  # secrets holding an escape character: their pattern is always tried
        self._lock = threading.Lock()
        # Short texts already redacted, with the generation of the secrets then: an answer from before a secret was
        # added is never reused. add() may run on another thread while a text is redacted, so the generation moves
        # only once the secret is in every index: an answer computed in between is remembered under the old one.
        self._generation = 0
        self._remembered: dict[str, tuple[int, str]] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret:
            return
        folded = secret.translate(_ASCII_LOWER)
        with self._lock:
            if folded in self._secrets:
                return
            self._secrets[folded] = secret
            for form in secret_forms(secret):
                self._literal.add(form)
            if len(secret) >= _SHORTEST:
                self._texts.add(secret)
            if _ESCAPE_STARTS & set(secret) or len(secret) < _SHORTEST:
                self._hiding.append(folded)
            self._generation += 1  # last: the secret is now in every index

    def _pattern(self, folded: str) -> re.Pattern[str]:
        pattern = self._patterns.get(folded)
        if pattern is None:
            pattern = re.compile(secret_pattern(self._secrets[folded]), re.IGNORECASE)
            self._patterns[folded] = pattern
        return pattern

    def __call__(self, text: str) -> str:
        if not self._secrets or not text:
            return text
        generation = self._generation  # read before redacting: never newer than the indexes used
        remembered = self._remembered.get(text)
        if remembered is not None and remembered[0] == generation:
            return remembered[1]
        redacted = self._redact(text)
        if len(text) <= _REMEMBERED_LENGTH:
            if len(self._remembered) >= _REMEMBERED_TEXTS:
                self._remembered.clear()
            self._remembered[text] = (generation, redacted)
        return redacted

    def _redact(self, text: str) -> str:
        held = {secret for view in _unescaped_views(text) for secret in self._texts.found(view)}
        for folded in sorted(held | set(self._hiding), key=len, reverse=True):
            text = self._pattern(folded).sub(REDACTED, text)
        return self._literal.replace(text)

    def redact_bytes(self, data: bytes) -> bytes:
        """``data`` with every form replaced, read as UTF-8 where it can be; other bytes are kept as they are."""
        text = data.decode("utf-8", "surrogateescape")
        redacted = self(text)
        return data if redacted == text else redacted.encode("utf-8", "surrogateescape")
