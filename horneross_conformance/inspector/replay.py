"""Deliveries captured by ``listen`` sent again: yesterday's real traffic as a regression gate for a receiver.

A delivery is sent exactly as captured (its bytes and its signature), or signed again with another secret. Each
answer is judged as Horneross judges it, and set beside the answer the delivery got when it was captured. The
history comes from the SQLite database of ``listen --db`` (exact bytes) or from a ``listen --log`` file, which keeps
a body exactly only when it was not cut (it keeps the start of a large one) nor had the secret redacted from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from horneross_conformance.core.canonical import parse_json
from horneross_conformance.core.contract import SIGNATURE_HEADER, SUCCESS_STATUS
from horneross_conformance.core.redaction import REDACTED, Redactor
from horneross_conformance.core.signing import sign
from horneross_conformance.core.version import __version__
from horneross_conformance.inspector.store import DeliveryStore, StoredDelivery
from horneross_conformance.transport.client import DeliveryError, post
from horneross_conformance.transport.endpoints import Endpoint

REPLAY_TIMEOUT = 10.0
MAX_LOG_LINE = 4 * 1024 * 1024  # characters of one --log line; listen writes far fewer


@dataclass(slots=True)
class Captured:
    """One delivery as it was captured, ready to be sent again (``body`` is None when it cannot be)."""

    number: int
    method: str
    path: str
    event_type: str
    event_id: str
    attempt: int
    status: int  # the answer it got when captured
    signature: str | None
    content_type: str
    body: bytes | None
    why_not: str = ""  # why it cannot be sent again, when body is None
    forged: bool = False  # listen found its signature missing or wrong: a receiver must refuse it


@dataclass(slots=True)
class Replayed:
    captured: Captured
    status: int | None  # the answer now; None when there was none
    answer: str  # the answer in words, inert
    forged: bool = False  # sent as captured, with the signature listen found missing or wrong

    @property
    def passed(self) -> bool:
        """The answer Horneross needs: 200 to a genuine delivery; to a forged one, an answer that is not 200."""
        if self.forged:
            return self.status is not None and self.status != SUCCESS_STATUS
        return self.status == SUCCESS_STATUS


def _header(record: dict[str, Any], name: str) -> str | None:
    headers: dict[str, Any] = record["headers"] if isinstance(record.get("headers"), dict) else {}
    return next((str(v) for k, v in headers.items() if k.lower() == name.lower()), None)


def _captured(number: int, record: dict[str, Any], body: bytes | None, why_not: str) -> Captured:
    event: Any = None
    if body is not None:
        try:
            event = parse_json(body)  # the sender's bytes: depth bounded
        except ValueError:
            event = None
    event = event if isinstance(event, dict) else {}
    return Captured(
        number=number,
        method=str(record.get("method", "POST")),
        path=str(record.get("path", "/")),
        event_type=str(event.get("type", "")),
        event_id=str(event.get("id", "")),
        attempt=int(record.get("attempt", 1)) if isinstance(record.get("attempt"), int) else 1,
        status=int(record.get("status", 0)) if isinstance(record.get("status"), int) else 0,
        signature=_header(record, SIGNATURE_HEADER),
        content_type=_header(record, "Content-Type") or "application/json",
        body=body,
        why_not=why_not if body is None else "",
        forged=str(record.get("signature", "")).startswith(("signature WRONG", "signature MISSING")),
    )


def from_store_rows(deliveries: Iterable[StoredDelivery]) -> list[Captured]:
    return [_captured(d.number, d.record, d.body, "its body was too large to keep") for d in deliveries]


def from_store(path: Path | str, numbers: list[int] | None = None) -> list[Captured]:
    if not Path(path).is_file():
        raise ValueError(f"{path}: no such history database")
    store = DeliveryStore(path)
    try:
        return from_store_rows(store.deliveries(numbers))
    finally:
        store.close()


def from_log(path: Path | str, numbers: list[int] | None = None) -> list[Captured]:
    """The deliveries of a ``listen --log`` file, numbered by line (the ``n`` of a line restarts with listen)."""
    found = []
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            for number, line in enumerate(iter(lambda: log.readline(MAX_LOG_LINE), ""), start=1):
                if numbers and number not in numbers:
                    continue
                try:
                    record = parse_json(line.encode("utf-8", "surrogatepass"))  # a file: bounded too
                except ValueError:
                    raise ValueError(f"{path}: line {number} is not a listen --log record") from None
                if not isinstance(record, dict) or not isinstance(record.get("body"), str):
                    raise ValueError(f"{path}: line {number} is not a listen --log record")
                text: str = record["body"]
                body: bytes | None = text.encode("utf-8", "surrogatepass")
                why_not = ""
                if "body_bytes" in record:
                    body, why_not = None, "the log kept only the start of its body (replay from --db keeps it all)"
                elif REDACTED in text:
                    body, why_not = None, "the log has the secret redacted from its body"
                found.append(_captured(number, record, body, why_not))
    except OSError as error:
        raise ValueError(f"{path}: {error.strerror or error}") from None
    return found


def send_again(captured: Captured, to: Endpoint, secret: str | None, redactor: Redactor) -> Replayed:
    """Send one captured delivery to ``to``: re-signed with ``secret`` when given, else with its own signature."""
    if captured.body is None:
        return Replayed(captured, None, f"not sent: {captured.why_not}")
    headers = {"Content-Type": captured.content_type, "User-Agent": f"horneross-conformance/{__version__}"}
    signature = sign(captured.body, secret) if secret is not None else captured.signature
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    forged = captured.forged and secret is None  # re-signed, every delivery is genuine
    try:
        response = post(to, captured.body, headers, REPLAY_TIMEOUT)
    except DeliveryError as error:
        return Replayed(captured, None, redactor(f"no answer: {error}"), forged)
    response.redact(redactor)
    return Replayed(captured, response.status, response.summary(), forged)


def replay_all(deliveries: list[Captured], to: Endpoint, secret: str | None, redactor: Redactor) -> Iterator[Replayed]:
    for captured in deliveries:
        yield send_again(captured, to, secret, redactor)
