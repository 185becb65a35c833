"""Receivers broken only on rare but valid input: the hand-picked checks miss them, the generated checks must not."""

from __future__ import annotations

import time
from typing import Any

from horneross_conformance import canonical_bytes
from receivers.base import PlainReceiver

# Broken only on rare but valid input: the hand-picked checks miss them, the generated checks must not -------


def first_name(event: Any) -> Any:
    """The contact's first name where a documented event has one; None elsewhere. Events of types added later
    may hold a ``contact`` of any shape: the broken receivers below must break only in their own way."""
    data = event.get("data") if isinstance(event, dict) else None
    contact = data.get("contact") if isinstance(data, dict) else None
    return contact.get("firstName") if isinstance(contact, dict) else None


class CrashesOnEmptyFirstName(PlainReceiver):
    """Greets the contact by initial (``firstName[0]``): an empty first name, which the schema allows, raises."""

    def accept(self, event: dict[str, Any]) -> str:
        name = first_name(event)
        if name is not None:
            str(name)[0].upper()
        return super().accept(event)


class CrashesOnEmptyMessage(PlainReceiver):
    """Quotes a message's first line (``content.splitlines()[0]``): an empty message, which the schema allows,
    raises. The simplest message the generator draws is empty, and Hypothesis draws the simplest event first, so
    every seed finds this one at RCV-GEN-002's first generated event, whatever Hypothesis' version."""

    def accept(self, event: dict[str, Any]) -> str:
        data = event.get("data") if event.get("type") == "conversation.message.created" else None
        if isinstance(data, dict) and isinstance(data.get("content"), str):
            data["content"].splitlines()[0]
        return super().accept(event)


class HangsOnEmptyFirstName(PlainReceiver):
    """Waits forever on a lookup keyed by the contact's first name when it is empty (a full-table scan); counts
    the deliveries it hung on."""

    def __init__(self) -> None:
        super().__init__()
        self.hung = 0

    def accept(self, event: dict[str, Any]) -> str:
        if first_name(event) == "":
            with self.lock:
                self.hung += 1
            time.sleep(5)
        return super().accept(event)


class TopLevelExtrasAreText(PlainReceiver):
    """Keeps envelope fields added later as trimmed text (``apiVersion`` is one): one that holds anything but a
    string, which nothing promises, raises."""

    def accept(self, event: dict[str, Any]) -> str:
        for key in set(event) - {"id", "type", "timestamp", "data"}:
            str.strip(event[key])
        return super().accept(event)


class KnowsFourStatuses(PlainReceiver):
    """Maps newStatus onto its own enum and answers 400 to any other: the documentation shows only 'resolved',
    and the set of statuses is open."""

    statuses = frozenset({"open", "pending", "resolved", "closed"})

    def accept(self, event: dict[str, Any]) -> str:
        if event.get("type") == "conversation.status.changed" and event["data"].get("newStatus") not in self.statuses:
            return "400 Bad Request"
        return super().accept(event)


class CrashesOnSeparatorInName(PlainReceiver):
    """Writes first names to a line-based export that raises on U+2028 or U+2029 (message content is fine)."""

    def accept(self, event: dict[str, Any]) -> str:
        name = str(first_name(event) or "")
        if "\u2028" in name or "\u2029" in name:
            raise ValueError("line separator in a CSV field")
        return super().accept(event)


class TreatsDigitKeysAsIndices(PlainReceiver):
    """Re-serializes like JSON.stringify, except that it orders every all-digit key first, as if it were an array
    index. JSON.stringify does that only for canonical indices below 2**32 - 1: "01" and "4294967295" keep their
    place among the other keys."""

    def serialize(self, event: Any) -> bytes:
        return canonical_bytes(_digit_keys_first(event))


class SortsIndexKeysAsText(PlainReceiver):
    """Re-serializes like JSON.stringify, except that it puts array-index keys first in text order ("1", "10", "2")
    instead of numeric order, as a hand-written port of JSON.stringify might."""

    def serialize(self, event: Any) -> bytes:
        return _in_order(_digit_keys_first(event, key=str))


def _in_order(node: Any) -> bytes:
    """JSON.stringify's bytes for every value, but the keys in the order given."""
    if isinstance(node, dict):
        return b"{" + b",".join(canonical_bytes(k) + b":" + _in_order(v) for k, v in node.items()) + b"}"
    if isinstance(node, list):
        return b"[" + b",".join(_in_order(v) for v in node) + b"]"
    return canonical_bytes(node)


def _digit_keys_first(node: Any, key: Any = int) -> Any:
    if isinstance(node, dict):
        digits = sorted((name for name in node if name.isdigit()), key=key)
        ordered = digits + [name for name in node if not name.isdigit()]
        return {name: _digit_keys_first(node[name], key) for name in ordered}
    if isinstance(node, list):
        return [_digit_keys_first(value, key) for value in node]
    return node


class CrashesOnLongMessages(PlainReceiver):
    """Stores content in a column of 65,535 bytes and answers 500 when a longer message overflows it."""

    def accept(self, event: dict[str, Any]) -> str:
        content = str(event.get("data", {}).get("content", ""))
        if len(content.encode("utf-8", "surrogatepass")) > 65535:
            raise ValueError("data too long for column 'content'")
        return super().accept(event)


class RejectsLongMessages(PlainReceiver):
    """Refuses bodies above 64 KiB on purpose, with 413 (as express.json() does above 100 KiB): conformant."""

    def handle(self, body: bytes, signature: str | None) -> str:
        return "413 Payload Too Large" if len(body) > 64 * 1024 else super().handle(body, signature)
