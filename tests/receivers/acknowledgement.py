"""Receivers that acknowledge wrongly: another status than 200, redirects, refusals of what Horneross may send, slowness
under load."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from receivers.base import KNOWN_TYPES, PlainReceiver, Redirect

# Broken acknowledgement -------------------------------------------------------------------------------------


class Answers204(PlainReceiver):
    status_ok = "204 No Content"


class Answers202(PlainReceiver):
    status_ok = "202 Accepted"


class Answers201(PlainReceiver):
    """201 to every correct delivery, 401 to forged ones: the status is wrong, the verification right."""

    status_ok = "201 Created"


class Answers201ToLeads(PlainReceiver):
    """201 to correct lead.captured deliveries alone, 200 to every other type."""

    def accept(self, event: dict[str, Any]) -> str:
        super().accept(event)
        return "201 Created" if event.get("type") == "lead.captured" else self.status_ok


class RefusesPrototypeKeys(PlainReceiver):
    """Refuses a body holding a member named __proto__, constructor or prototype with 400, before verifying, as
    Fastify's and Koa's hardened parsers do to stop prototype poisoning: conformant, since no sender sends them."""

    def parse(self, body: bytes) -> Any:
        def refuse(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            if any(key in ("__proto__", "constructor", "prototype") for key, _ in pairs):
                raise ValueError("prototype poisoning")
            return dict(pairs)

        return json.loads(body, object_pairs_hook=refuse)


class RedirectsToNewPath(PlainReceiver):
    """Moved its endpoint and answers 301 to the old one."""

    def accept(self, event: dict[str, Any]) -> str:
        raise Redirect("/webhooks/v2")


class RejectsOldTimestamps(PlainReceiver):
    """Replay protection with a 5-minute window: rejects the later retries."""

    def accept(self, event: dict[str, Any]) -> str:
        sent = datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00"))
        if datetime.now(UTC) - sent > timedelta(minutes=5):
            return "400 Bad Request"
        return super().accept(event)


class RejectsUnknownTypes(PlainReceiver):
    def accept(self, event: dict[str, Any]) -> str:
        return super().accept(event) if event.get("type") in KNOWN_TYPES else "400 Bad Request"


class RejectsUnknownFields(PlainReceiver):
    """Validates with a closed schema (additionalProperties: false) and rejects anything it does not know."""

    def accept(self, event: dict[str, Any]) -> str:
        if set(event) - {"id", "type", "timestamp", "data"}:
            return "422 Unprocessable Entity"
        return super().accept(event)


class Answers500OnMalformedJson(PlainReceiver):
    def malformed(self) -> str:
        return "500 Internal Server Error"


class AcknowledgesMalformedJson(PlainReceiver):
    def malformed(self) -> str:
        return "200 OK"


class RejectsDuplicates(PlainReceiver):
    """Treats a redelivery as a conflict instead of acknowledging it again."""

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            if str(event.get("id")) in self.seen:
                return "409 Conflict"
        return super().accept(event)


class RejectsUnknownConversation(PlainReceiver):
    """Looks up the conversation of each message or status change and 404s when it has not seen it created."""

    def accept(self, event: dict[str, Any]) -> str:
        kind = event.get("type")
        conversation = str(event.get("data", {}).get("conversationId"))
        if kind in ("conversation.message.created", "conversation.status.changed"):
            with self.lock:
                if conversation not in self.conversations:
                    return "404 Not Found"
        return super().accept(event)


class LoadSensitive(PlainReceiver):
    """Counts the deliveries in flight; ``under_load`` says what happens when there are more than ``limit``."""

    limit = 2

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0

    def accept(self, event: dict[str, Any]) -> str:
        with self.lock:
            self.in_flight += 1
            crowded = self.in_flight > self.limit
        try:
            return self.under_load(event, crowded)
        finally:
            with self.lock:
                self.in_flight -= 1

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        raise NotImplementedError


class OneAtATime(LoadSensitive):
    """Answers 503 when more than two deliveries are in flight (a worker pool of two)."""

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(0.02)
        return "503 Service Unavailable" if crowded else PlainReceiver.accept(self, event)


class SlowUnderLoad(LoadSensitive):
    """Conformant one delivery at a time (50 ms each); with more than four in flight, each takes a second (past a
    short timeout). Only RCV-10 may fail: the burst's timeouts must not end the checks that follow it. The 50 ms
    are what makes a burst pile up on a busy machine too: answered at once when alone, deliveries that arrived a
    little apart never crowded it, and the burst passed."""

    limit = 4

    def under_load(self, event: dict[str, Any], crowded: bool) -> str:
        time.sleep(1 if crowded else 0.05)
        return PlainReceiver.accept(self, event)
