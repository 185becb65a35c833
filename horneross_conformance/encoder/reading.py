"""JSON read token by token, each token's text kept: what the diagnosis compares an encoder's output with.

``json.loads`` gives values, and the faults of an encoder are in how it writes them: ``1.0`` for ``1``, ``\\u2028``
for a raw U+2028, the order of keys, a duplicate key written twice. This reader keeps each string's and number's
text as written, every member of an object in the order written (duplicates too), and reads somewhat more than
JSON (raw control characters in strings, ``NaN``, ``Infinity``, ``+1``, ``.5``, ``1.``), so that an output that is
*almost* JSON is still named by its fault rather than called garbage.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

MAX_DEPTH = 200  # the deepest vector is 100 levels; deeper output is not worth diagnosing
_SPACE = " \t\n\r"
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null", "NaN", "Infinity", "-Infinity", "+Infinity")


class ReadError(ValueError):
    """The text is not JSON, even read leniently: ``at`` is the character where reading stopped."""

    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True, slots=True)
class Token:
    """One value: ``kind`` is object, array, string, number or literal; ``text`` is a scalar's text as written
    (a string's with its quotes); ``value`` is a string's decoded text; ``members`` an object's (key, value)
    pairs in the order written; ``items`` an array's values; ``at`` where it starts."""

    kind: str
    text: str = ""
    value: str = ""
    members: tuple[tuple[Token, Token], ...] = field(default=())
    items: tuple[Token, ...] = field(default=())
    at: int = 0  # the character where the value starts in the text read

    def keys(self) -> list[str]:
        return [key.value for key, _ in self.members]

    def member(self, key: str) -> Token | None:
        """The value JSON.parse keeps for ``key``: that of its last occurrence."""
        found = None
        for name, value in self.members:
            if name.value == key:
                found = value
        return found


def read(text: str) -> Token:
    """The single value of ``text``, white space around it allowed; ``ReadError`` otherwise."""
    reader = _Reader(text)
    token = reader.value(0)
    reader.space()
    if reader.at < len(text):
        raise ReadError("text after the value", reader.at)
    return token


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _SPACE:
            self.at += 1

    def value(self, depth: int) -> Token:
        self.space()
        if self.at >= len(self.text):
            raise ReadError("the text ends where a value should be", self.at)
        first = self.text[self.at]
        if first in "{[":
            if depth >= MAX_DEPTH:
                raise ReadError(f"nested deeper than {MAX_DEPTH} levels", self.at)
            return self.object(depth + 1) if first == "{" else self.array(depth + 1)
        if first == '"':
            return self.string()
        for literal in _LITERALS:
            if self.text.startswith(literal, self.at):
                self.at += len(literal)
                return Token("literal", literal, at=self.at - len(literal))
        number = _NUMBER.match(self.text, self.at)
        if number is not None:
            self.at = number.end()
            return Token("number", number.group(), at=number.start())
        raise ReadError(f"{first!r} cannot start a value", self.at)

    def expect(self, closing: str) -> bool:
        """After a member or item: True at ``closing`` (consumed), False at a comma (consumed)."""
        self.space()
        if self.text.startswith(closing, self.at):
            self.at += 1
            return True
        if self.text.startswith(",", self.at):
            self.at += 1
            return False
        raise ReadError(f"expected ',' or {closing!r}", self.at)

    def object(self, depth: int) -> Token:
        start = self.at
        self.at += 1
        members: list[tuple[Token, Token]] = []
        self.space()
        if self.text.startswith("}", self.at):
            self.at += 1
            return Token("object", at=start)
        while True:
            self.space()
            if not self.text.startswith('"', self.at):
                raise ReadError("expected a key in double quotes", self.at)
            key = self.string()
            self.space()
            if not self.text.startswith(":", self.at):
                raise ReadError("expected ':' after a key", self.at)
            self.at += 1
            members.append((key, self.value(depth)))
            if self.expect("}"):
                return Token("object", members=tuple(members), at=start)

    def array(self, depth: int) -> Token:
        start = self.at
        self.at += 1
        items: list[Token] = []
        self.space()
        if self.text.startswith("]", self.at):
            self.at += 1
            return Token("array", at=start)
        while True:
            items.append(self.value(depth))
            if self.expect("]"):
                return Token("array", items=tuple(items), at=start)

    def string(self) -> Token:
        start = self.at
        at = start + 1
        while True:
            end = self.text.find('"', at)
            if end < 0:
                raise ReadError("a string is not closed", start)
            backslashes = len(self.text[at:end]) - len(self.text[at:end].rstrip("\\"))
            if backslashes % 2 == 0:
                break
            at = end + 1
        text = self.text[start : end + 1]
        try:
            value = json.loads(text, strict=False)  # strict=False: raw control characters are read too
        except ValueError:
            raise ReadError("a string holds an invalid escape", start) from None
        self.at = end + 1
        return Token("string", text, value, at=start)


def units(text: str) -> list[tuple[str, str]]:
    """A string token's content as (source, character) pairs: ``\\u00e9`` and ``é`` both stand for ``é``, an escaped
    surrogate pair for its one character, a lone surrogate escape for the surrogate."""
    inner = text[1:-1]
    found: list[tuple[str, str]] = []
    at = 0
    while at < len(inner):
        if inner[at] != "\\":
            found.append((inner[at], inner[at]))
            at += 1
            continue
        if inner.startswith("\\u", at):
            source = inner[at : at + 6]
            pair = re.match(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}", inner[at : at + 12])
            if pair is not None:
                source = pair.group()
            found.append((source, json.loads(f'"{source}"')))
            at += len(source)
        else:
            source = inner[at : at + 2]
            found.append((source, json.loads(f'"{source}"')))
            at += 2
    return found
