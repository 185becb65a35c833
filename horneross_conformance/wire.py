"""The wire log: what each check sent and what came back, headers included, for the HTML and JSON reports.

A check runs alone (one at a time per process), so the log being filled is simply the current one: the receiver
suite's deliveries and the sender suite's captures add to it from whatever thread they run on. Each check keeps
its first exchanges and a count of the rest, and bodies are cut, so that a generated check's hundreds of
deliveries keep a report readable. Every secret the run knows is replaced before anything is kept.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_EXCHANGES = 12
MAX_BODY = 2048  # characters of each body kept
REDACTED = "[secret redacted]"

_secrets: set[str] = set()
_current: WireLog | None = None
_lock = threading.Lock()


@dataclass(slots=True)
class Exchange:
    """One HTTP request and its answer (or why there was none)."""

    request: str  # "POST http://127.0.0.1:8080/webhook", or "POST /hooks/3-a" as a capture server saw it
    request_headers: list[tuple[str, str]]
    request_body: str
    status: str  # "200 OK", or "no answer: ..."
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    when: str = ""  # "12 ms", or "+360 s" of frozen time

    def as_json(self) -> dict[str, Any]:
        return {key: _redact_value(value) for key, value in asdict(self).items()}


@dataclass(slots=True)
class WireLog:
    exchanges: list[Exchange] = field(default_factory=list)
    omitted: int = 0

    def add(self, exchange: Exchange) -> None:
        with _lock:
            if len(self.exchanges) < MAX_EXCHANGES:
                self.exchanges.append(exchange)
            else:
                self.omitted += 1

    def as_json(self) -> dict[str, Any]:
        return {"exchanges": [e.as_json() for e in self.exchanges], "omitted": self.omitted}


def secret_forms(secret: str) -> list[str]:
    """The ways a secret can show up in what a target sends back: as it is, and its key bytes in hex or base64."""
    key = secret.encode("utf-8")
    forms = [secret, key.hex(), key.hex().upper(), base64.b64encode(key).decode("ascii")]
    return [form for form in forms if form]


def redact(text: str, secret: str) -> str:
    for form in secret_forms(secret):
        text = text.replace(form, REDACTED)
    return text


def redact_kept(text: str) -> str:
    """``text`` with every secret of the run (``keep_secret``) replaced, in every form."""
    for secret in _secrets:
        text = redact(text, secret)
    return text


def keep_secret(secret: str) -> None:
    """Register a secret of the run: it is replaced wherever it would appear in a wire log."""
    if secret:
        _secrets.add(secret)


@contextmanager
def recording() -> Iterator[WireLog]:
    """The wire log of one check, filled while the block runs."""
    global _current
    log = WireLog()
    _current = log
    try:
        yield log
    finally:
        _current = None


def record(exchange: Exchange) -> None:
    log = _current
    if log is not None:
        log.add(exchange)


def text(data: bytes, size: int | None = None) -> str:
    """A body as text for a person: UTF-8 (invalid bytes replaced), cut at ``MAX_BODY`` characters. ``size``: the
    body's full length, when ``data`` is only its start."""
    size = len(data) if size is None else size
    shown = data[: MAX_BODY * 4].decode("utf-8", "replace")
    if len(shown) > MAX_BODY or size > MAX_BODY * 4:
        return f"{shown[:MAX_BODY]}... ({size} bytes in all)"
    return shown


def headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in pairs]


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_kept(value)
    if isinstance(value, list | tuple):
        return [_redact_value(item) for item in value]
    return value
