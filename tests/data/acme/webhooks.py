"""A stand-in for a vendor's in-process webhook dispatcher, with an API of its own (not the adapter protocol):
what the README's example adapter wraps. Conformant, so that the example must be conformant too."""

from __future__ import annotations

import http.client
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from horneross_conformance import SIGNATURE_HEADER, canonical_bytes, sign

BACKOFF = (60, 300, 1800, 7200)


@dataclass
class Endpoint:
    url: str
    secret: str
    event_types: list[str]


@dataclass
class Event:
    id: str
    body: bytes


@dataclass
class _Job:
    endpoint: Endpoint
    event: Event
    run_at: float
    tries: int = 0


@dataclass
class Webhooks:
    delivery_timeout: float = 10.0
    endpoints: list[Endpoint] = field(default_factory=list)
    jobs: list[_Job] = field(default_factory=list)

    def add_endpoint(self, endpoint: Endpoint) -> None:
        self.endpoints.append(endpoint)

    def publish(self, event_type: str, payload: dict[str, Any]) -> Event:
        now = datetime.now(UTC)
        event_id = f"evt_{uuid.uuid4().hex}"
        body = canonical_bytes(
            {"id": event_id, "type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": payload}
        )
        event = Event(event_id, body)
        for endpoint in self.endpoints:
            if "*" in endpoint.event_types or event_type in endpoint.event_types:
                self.jobs.append(_Job(endpoint, event, now.timestamp()))
        return event

    def deliver_pending(self, now: float) -> None:
        for job in [j for j in self.jobs if j.run_at <= now]:
            job.tries += 1
            if self._send(job) == 200 or job.tries == len(BACKOFF) + 1:
                self.jobs.remove(job)
            else:
                job.run_at = now + BACKOFF[job.tries - 1]

    def _send(self, job: _Job) -> int | None:
        url = urlsplit(job.endpoint.url)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=self.delivery_timeout)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(job.event.body, job.endpoint.secret)}
        try:
            connection.request("POST", url.path, job.event.body, headers)
            return connection.getresponse().status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            connection.close()
