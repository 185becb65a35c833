"""The wire log: what each check sent and what came back, headers included, for the HTML and JSON reports.

A run owns one ``WireRecorder``. A check runs alone (one at a time per run), so the log being filled is simply the
recorder's current one: the receiver suite's deliveries and the sender suite's captures add to it from whatever
thread they run on. The one exception, the receiver suite's hand-picked checks run ahead of their turn while others
are in flight, record on their own thread (``recording_on_this_thread``) and are adopted in turn. Each check keeps
its first exchanges and a count of the rest, and bodies are cut, so that a generated check's hundreds of deliveries
keep a report readable. Every secret of the run is replaced before anything is kept, and what a target sent is
kept inert (``inert.for_terminal``, its line breaks kept).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import Any

from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.limits import SHOWN_BODY_CHARS
from horneross_conformance.core.redaction import Redactor

MAX_EXCHANGES = 12


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
        # each field as it is, not asdict's deep copy: _redact_value makes the new lists
        return {name: _redact_value(getattr(self, name), redact) for name in _EXCHANGE_FIELDS}


_EXCHANGE_FIELDS = tuple(f.name for f in fields(Exchange))


@dataclass(slots=True)
class WireLog:
    redact: Callable[[str], str]
    exchanges: list[Exchange] = field(default_factory=list)
    omitted: int = 0
    added: int = 0  # exchanges recorded, kept or not
    failing: int | None = None  # which of them (1-based) a generated check failed on
    _latest: Exchange | None = None
    _failing: Exchange | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self.added += 1
            self._latest = exchange
            if len(self.exchanges) < MAX_EXCHANGES:
                self.exchanges.append(exchange)
            else:
                self.omitted += 1

    def mark_failing(self) -> None:
        """The latest exchange is the one the check failed on (so far: a shrunk event fails later)."""
        with self._lock:
            self.failing, self._failing = self.added, self._latest

    def as_json(self) -> dict[str, Any]:
        """The first exchanges and how many more there were; ``failing``: the number (#1, #2, ...) of the one the
        check failed on, which is kept last when it was not among the first."""
        exchanges = list(self.exchanges)
        omitted = self.omitted
        kept: dict[str, Any] = {}
        if self.failing is not None and self._failing is not None:
            if self.failing > len(exchanges):
                exchanges.append(self._failing)
                omitted -= 1
            kept["failing"] = self.failing
        return {"exchanges": [e.as_json(self.redact) for e in exchanges], "omitted": omitted} | kept


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

    def record(self, exchange: Exchange, log: WireLog | None = None) -> None:
        """Keep ``exchange`` in ``log``, else in the log of this thread's check run ahead of its turn, else in the
        current check's."""
        if log is None:
            log = self._threads.get(threading.get_ident(), self._current)
        if log is not None:
            log.add(exchange)

    def mark_failing(self) -> None:
        """The check being recorded failed on its latest exchange (a generated check's event): the reports show
        which of its exchanges that was."""
        log = self._current
        if log is not None:
            log.mark_failing()


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
    """Cleared of the run's secrets, and inert: a report shows a target's bytes, never lets them act."""
    if isinstance(value, str):
        return for_terminal(redact(value), keep_newlines=True)
    if isinstance(value, list | tuple):
        return [_redact_value(item, redact) for item in value]
    return value
