"""The reference receiver: a small, fully conformant Horneross webhook endpoint, as a WSGI application.

Read it as the model implementation. What it does, in order, and why:

1. Only POST. Anything else is 405.
2. A body size limit (413 above it), checked on Content-Length before reading, so a huge body costs nothing.
3. The signature is checked on the raw body first, in constant time, before anything reads the body: a conformant
   sender puts on the wire exactly the bytes it signed (docs/contract.md, decision 4). A missing or empty signature
   is 401 at once, the body unread. If a signature does not match the raw bytes and the body is JSON, it is checked
   again on ``JSON.stringify`` of the parsed body (``canonical_bytes``), which is what the documentation's receiver
   computes, so a sender that signed the canonical form but sent other bytes (pretty-printed, escaped) still
   verifies. A wrong signature is 401. The body is read with a bounded depth (decision 18): JSON nested deeper
   than 100 levels is 401 when its signature is wrong, 400 when it is right, never a 500.
4. A body that is not a JSON object is 400: the sender's mistake, and 4xx says so without inviting a 5xx retry.
5. An event id already acknowledged is acknowledged again (200) without being handled twice: retries and
   redeliveries carry the same id (decision 3).
6. Unknown event types and unknown fields are acknowledged and ignored (forward compatibility); an old
   ``timestamp`` is fine, because the last retry comes 2 h 36 min after the event (decision 7); events may come in
   any order, so nothing is rejected for referring to a conversation not seen yet.
7. Success is exactly 200 (not 201/202/204): anything else makes Horneross retry (decision 1). If the handler
   raises, the answer is 500 so that Horneross retries later.

Run it alone with ``python -m horneross_conformance.receiver.reference --port 8080`` (secret from the
``HORNEROSS_WEBHOOK_SECRET`` environment variable).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from horneross_conformance.core.canonical import TooDeep, canonical_bytes, parse_json
from horneross_conformance.core.contract import MAX_JSON_DEPTH, SECRET_ENV, SIGNATURE_HEADER
from horneross_conformance.core.limits import REFERENCE_BODY_LIMIT
from horneross_conformance.core.signing import verify

_WSGI_SIGNATURE = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")  # how WSGI names the header

EventHandler = Callable[[dict[str, Any]], None]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]

log = logging.getLogger("horneross.receiver")


class ReferenceReceiver:
    """A WSGI application. ``handler`` is called once per new event id; it may raise to have the event retried."""

    def __init__(
        self,
        secret: str,
        handler: EventHandler | None = None,
        max_body: int = REFERENCE_BODY_LIMIT,
        remember: int = 10_000,
    ) -> None:
        if not secret:
            raise ValueError("the webhook secret must not be empty")
        self._secret = secret
        self._handler = handler or (lambda event: None)
        self._max_body = max_body
        self._remember = remember
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ReferenceReceiver(max_body={self._max_body})"  # never the secret

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        status, text = self._handle(environ)
        body = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    def _handle(self, environ: dict[str, Any]) -> tuple[str, str]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", "POST only"
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return "411 Length Required", "Content-Length required"
        if length < 0 or length > self._max_body:
            return "413 Content Too Large", f"body larger than {self._max_body} bytes"
        body = environ["wsgi.input"].read(length)
        signature = environ.get(_WSGI_SIGNATURE)
        raw_verified = verify(body, signature, self._secret)  # on the raw bytes, before anything reads them
        if not (raw_verified or signature):
            return "401 Unauthorized", "invalid signature"  # unsigned: nothing of it is read
        try:
            event = parse_json(body)  # bounded in depth (decision 18): whatever the body, never a RecursionError
        except TooDeep:
            if raw_verified:
                return "400 Bad Request", f"body nests deeper than {MAX_JSON_DEPTH} levels: not a Horneross event"
            return "401 Unauthorized", "invalid signature"  # not the JSON.stringify form of anything readable
        except ValueError:  # UnicodeDecodeError included
            event = None
        if not (raw_verified or self._verified_canonical(event, signature)):
            return "401 Unauthorized", "invalid signature"
        if not isinstance(event, dict):
            return "400 Bad Request", "body is not a JSON object"
        return self._acknowledge(event)

    def _verified_canonical(self, event: Any, signature: str | None) -> bool:
        """Whether the signature is that of ``JSON.stringify`` of the parsed body, as the documentation computes."""
        return event is not None and verify(canonical_bytes(event), signature, self._secret)

    def _acknowledge(self, event: dict[str, Any]) -> tuple[str, str]:
        event_id = event.get("id")
        key = event_id if isinstance(event_id, str) else None
        with self._lock:
            if key is not None and key in self._seen:
                return "200 OK", "already received"
        try:
            self._handler(event)
        except Exception:
            log.exception("the event handler failed; answering 500 so that Horneross retries")
            return "500 Internal Server Error", "handler failed, retry later"
        if key is not None:
            with self._lock:
                self._seen[key] = None
                while len(self._seen) > self._remember:
                    self._seen.popitem(last=False)
        return "200 OK", "OK"


def main(argv: list[str] | None = None) -> int:
    from horneross_conformance.transport.server import serve

    parser = argparse.ArgumentParser(description="Run the reference Horneross webhook receiver.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_ENV)
    if not secret:
        print(f"set {SECRET_ENV} to the webhook secret", file=sys.stderr)
        return 2

    def show(event: dict[str, Any]) -> None:
        print(f"{event.get('type')} {event.get('id')}", flush=True)

    with serve(ReferenceReceiver(secret, handler=show), args.host, args.port) as url:
        print(f"reference receiver listening on {url}", flush=True)
        threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
