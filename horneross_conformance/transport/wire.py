"""The wire log: what each check sent and what came back, headers included, for the HTML and JSON reports.

A run owns one ``WireRecorder``. A check runs alone (one at a time per run), so the log being filled is simply the
recorder's current one: the receiver suite's deliveries and the sender suite's captures add to it from whatever
thread they run on. The one exception, the receiver suite's hand-picked checks run ahead of their turn while others
are in flight, record on their own thread (``recording_on_this_thread``) and are adopted in turn. Each check keeps
its first exchanges and a count of the rest, and bodies are cut, so that a generated check's hundreds of deliveries
keep a report readable. Every secret of the run is replaced before anything is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from horneross_conformance.core.redaction import Redactor

MAX_EXCHANGES = 12
SHOWN_BODY_CHARS = 2048  # characters of each body kept


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

    def as_json(self, redact: Callable[[str], str]) -> dict[str, Any]:
        return {key: _redact_value(value, redact) for key, value in asdict(self).items()}


@dataclass(slots=True)
class WireLog:
    redact: Callable[[str], str]
    exchanges: list[Exchange] = field(default_factory=list)
    omitted: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            if len(self.exchanges) < MAX_EXCHANGES:
                self.exchanges.append(exchange)
            else:
                self.omitted += 1

    def as_json(self) -> dict[str, Any]:
        return {"exchanges": [e.as_json(self.redact) for e in self.exchanges], "omitted": self.omitted}


class WireRecorder:
    """The wire logs of one run: the check being run records into the current one. ``redactor``: the run's
    secrets, which every kept text is cleared of."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor if redactor is not None else Redactor()
        self._current: WireLog | None = None
        self._threads: dict[int, WireLog] = {}

    @contextmanager
    def recording(self) -> Iterator[WireLog]:
        """The wire log of one check, filled while the block runs."""
        log = WireLog(self.redactor)
        self._current = log
        try:
            yield log
        finally:
            self._current = None

    @contextmanager
    def recording_on_this_thread(self) -> Iterator[WireLog]:
        """The wire log of one check run ahead of its turn on a thread of its own."""
        thread = threading.get_ident()
        log = WireLog(self.redactor)
        self._threads[thread] = log
        try:
            yield log
        finally:
            self._threads.pop(thread, None)

    def adopt(self, log: WireLog) -> None:
        """A check run ahead of its turn: its log becomes the current one's."""
        current = self._current
        if current is not None:
            current.exchanges, current.omitted = log.exchanges, log.omitted

    def record(self, exchange: Exchange) -> None:
        log = self._threads.get(threading.get_ident(), self._current)
        if log is not None:
            log.add(exchange)


def text(data: bytes, size: int | None = None) -> str:
    """A body as text for a person: UTF-8 (invalid bytes replaced), cut at ``SHOWN_BODY_CHARS`` characters.
    ``size``: the body's full length, when ``data`` is only its start."""
    size = len(data) if size is None else size
    shown = data[: SHOWN_BODY_CHARS * 4].decode("utf-8", "replace")
    if len(shown) > SHOWN_BODY_CHARS or size > SHOWN_BODY_CHARS * 4:
        return f"{shown[:SHOWN_BODY_CHARS]}... ({size} bytes in all)"
    return shown


def headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(name), str(value)) for name, value in pairs]


def _redact_value(value: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return [_redact_value(item, redact) for item in value]
    return value
