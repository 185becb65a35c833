"""The inspector's page and its API, served by ``listen --ui`` on the listener's own port, under ``PREFIX``.

The page is static files shipped with the package (``page/``: no CDN, no build step), which fetches the history as
JSON and follows new deliveries as server-sent events. Everything a sender sent reaches the page as JSON strings
that the page only ever puts in ``textContent``, and a strict Content-Security-Policy forbids any script, style or
frame but the package's own. The API answers only with the token the command printed in the URL, only to a Host
naming this listener, and refuses any other Origin: a web page the user visits cannot read or replay deliveries.
The secret is used to explain the signature check (the HMAC expected over the bytes received), never shown.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from horneross_conformance.core.canonical import parse_json
from horneross_conformance.core.contract import RETRY_DELAYS, SIGNATURE_HEADER
from horneross_conformance.core.redaction import Redactor
from horneross_conformance.core.signing import sign
from horneross_conformance.inspector.replay import from_store_rows, send_again
from horneross_conformance.inspector.store import DeliveryStore, StoredDelivery
from horneross_conformance.transport.endpoints import parse_endpoint

PREFIX = "/_inspector/"
PAGE = Path(__file__).parent / "page"
FILES = {
    "": ("index.html", "text/html"),
    "app.js": ("app.js", "text/javascript"),
    "style.css": ("style.css", "text/css"),
}
SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),  # the token is in the URL
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
]
PAGE_SIZE = 200
SHOWN_BODY = 256 * 1024  # characters of a body the detail view carries
SHOWN_PROBLEMS = 20
HEARTBEAT = 10.0  # seconds between keep-alive comments on the live stream
MAX_REPLAY_REQUEST = 64 * 1024

Answer = tuple[int, bytes | Iterator[bytes], list[tuple[str, str]]]


class Inspector:
    def __init__(self, store: DeliveryStore, secret: str | None, host: str, port: int) -> None:
        self.store = store
        self._secret = secret
        self._redactor = Redactor([secret] if secret else [])
        self.token = secrets.token_urlsafe(18)
        names = {host, "127.0.0.1", "localhost", "[::1]"}
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{name}" for name in self.hosts}
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}{PREFIX}?token={self.token}"
        self.stopped = threading.Event()

    @staticmethod
    def serves(target: str) -> bool:
        # a browser asks every site for its icon: not a delivery
        return target in (PREFIX.rstrip("/"), "/favicon.ico") or target.startswith(PREFIX)

    def answer(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> Answer:
        def header(name: str) -> str | None:
            return next((v for k, v in headers if k.lower() == name), None)

        if header("host") not in self.hosts:
            return _text(421, "this page answers only to the address the command printed")
        origin = header("origin")
        if origin is not None and origin not in self.origins:
            return _text(403, "another origin may not use this page")
        split = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        name = split.path[len(PREFIX) :] if split.path.startswith(PREFIX) else ""
        if name in FILES and method in ("GET", "HEAD"):
            file, kind = FILES[name]
            return 200, (PAGE / file).read_bytes(), [("Content-Type", f"{kind}; charset=utf-8"), *SECURITY_HEADERS]
        if not name.startswith("api/"):
            return _text(404, "no such page")
        if not hmac.compare_digest(query.get("token", "").encode(), self.token.encode()):
            return _text(403, "the token of the URL the command printed is missing or wrong")
        try:
            if name == "api/deliveries" and method == "GET":
                before = int(query["before"]) if "before" in query else None
                return _json(self._listing(self.store.page(before, PAGE_SIZE)))
            if name == "api/delivery" and method == "GET":
                found = list(self.store.deliveries([int(query.get("number", "0"))]))
                return _json(self._detail(found[0])) if found else _text(404, "no such delivery (dropped?)")
            if name == "api/stream" and method == "GET":
                stream = self._stream(int(query.get("after", "0")))
                return 200, stream, [("Content-Type", "text/event-stream"), *SECURITY_HEADERS]
            if name == "api/replay" and method == "POST":
                return _json(self._replay(body))
        except ValueError as error:
            return _text(400, str(error))
        return _text(405 if name.startswith("api/") else 404, "no such request")

    def _listing(self, deliveries: list[StoredDelivery]) -> dict[str, Any]:
        return {
            "deliveries": [self._summary(d) for d in deliveries],
            "kept": len(self.store),
            "dropped": self.store.dropped,
            "max_rows": self.store.max_rows,
            "max_bytes": self.store.max_bytes,
            "schedule": list(RETRY_DELAYS),
        }

    def _summary(self, delivery: StoredDelivery) -> dict[str, Any]:
        record = delivery.record
        event: Any = None
        if delivery.body is not None:
            try:
                event = parse_json(delivery.body)  # the sender's bytes: depth bounded
            except ValueError:
                event = None
        event = event if isinstance(event, dict) else {}
        problems = record.get("problems", [])
        return {
            "number": delivery.number,
            "received": record.get("received"),
            "method": record.get("method"),
            "path": record.get("path"),
            "type": self._redactor(str(event["type"])) if isinstance(event.get("type"), str) else None,
            "id": self._redactor(str(event["id"])) if isinstance(event.get("id"), str) else None,
            "attempt": record.get("attempt"),
            "signature": record.get("signature"),
            "problems": problems[:SHOWN_PROBLEMS],
            "problem_count": record.get("problem_count", len(problems)),
            "status": record.get("status"),
            "size": record.get("body_bytes", len(str(record.get("body", "")).encode("utf-8", "surrogatepass"))),
        }

    def _detail(self, delivery: StoredDelivery) -> dict[str, Any]:
        record = delivery.record
        detail = self._summary(delivery)
        received = next(
            (v for k, v in record.get("headers", {}).items() if k.lower() == SIGNATURE_HEADER.lower()), None
        )
        body = delivery.body
        check = {"header": SIGNATURE_HEADER, "received": received}
        if body is None:
            check["explained"] = "the body was too large to keep, so its signature cannot be explained here"
        elif self._secret is None:
            check["explained"] = "no secret was given to listen: signatures are not checked"
        else:
            check["expected"] = sign(body, self._secret)
            check["explained"] = (
                f"HMAC-SHA256 of the {len(body)} bytes of the body exactly as received, keyed with the secret, "
                "in lowercase hex"
            )
        detail |= {
            "headers": [[k, v] for k, v in record.get("headers", {}).items()],
            "body": str(record.get("body", ""))[:SHOWN_BODY],
            "body_cut": "body_bytes" in record,
            "signature_check": check,
        }
        return detail

    def _stream(self, after: int) -> Iterator[bytes]:
        yield b"retry: 1000\n\n"
        last = after
        while not self.stopped.is_set():
            fresh = self.store.newer(last, HEARTBEAT)
            if not fresh:
                yield b": still here\n\n"
                continue
            for delivery in fresh:
                last = delivery.number
                yield f"data: {json.dumps(self._summary(delivery))}\n\n".encode()

    def _replay(self, body: bytes) -> dict[str, Any]:
        if len(body) > MAX_REPLAY_REQUEST:
            raise ValueError("the replay request is too large")
        try:
            asked = parse_json(body)
            numbers = [int(n) for n in asked["numbers"]][:1000]
            to = parse_endpoint(str(asked["to"]))
            resign = bool(asked.get("resign"))
        except (KeyError, TypeError) as error:
            raise ValueError(f"a replay request names numbers and to: {error}") from None
        if resign and self._secret is None:
            raise ValueError("no secret was given to listen: nothing to re-sign with")
        results = []
        for captured in from_store_rows(self.store.deliveries(numbers)):
            result = send_again(captured, to, self._secret if resign else None, self._redactor)
            results.append(
                {
                    "number": captured.number,
                    "captured": captured.status,
                    "status": result.status,
                    "answer": result.answer,
                    "passed": result.passed,
                }
            )
        return {"to": to.display, "results": results}


def _json(value: Any) -> Answer:
    return 200, json.dumps(value).encode(), [("Content-Type", "application/json"), *SECURITY_HEADERS]


def _text(status: int, message: str) -> Answer:
    return status, f"{message}\n".encode(), [("Content-Type", "text/plain; charset=utf-8"), *SECURITY_HEADERS]
