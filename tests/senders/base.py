"""The self-tests' sender: the reference sender, and how the broken ones here post."""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from horneross_conformance.core.contract import SIGNATURE_HEADER
from horneross_conformance.sender.reference import Delivery, ReferenceSender

TIMEOUT = 0.5
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def headers(delivery: Delivery) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: delivery.signature}


def post(
    url: str, body: bytes | Iterable[bytes], headers: dict[str, str], timeout: float
) -> tuple[int | None, str | None]:
    """One POST (a body given in pieces is streamed): the status and Location, or (None, None) when no answer came."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path, body, headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    except (OSError, http.client.HTTPException):
        return None, None
    finally:
        connection.close()


class Sender(ReferenceSender):
    """The reference sender with the short timeout the suite's slow-answer check needs."""

    def __init__(self) -> None:
        super().__init__(timeout=TIMEOUT)
