"""Why an endpoint rejects correctly signed deliveries, told from the pattern of what it accepted and rejected.

An endpoint that answers 401 or 403 to a delivery signed exactly as Horneross signs computes another HMAC than
Horneross does. Which mistake it makes shows in which deliveries it still accepts: ASCII events pass and non-ASCII
ones fail when it re-serializes with non-ASCII escaped; events with fractions or exponents fail when it
re-serializes numbers unlike JavaScript; everything fails with the wrong secret, keys sorted before signing, or a
body parser in front of the route. The fix is the same in every case: the HMAC over the raw request body, read the
way each stack reads it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from horneross_conformance.core.contract import SUCCESS_STATUS

# How each stack reads the raw request body, in the order the message lists them.
RAW_BODY_IDIOMS = (
    ("Express", "express.raw({ type: 'application/json' }) on the route, then req.body (a Buffer)"),
    ("FastAPI/Starlette", "await request.body()"),
    ("Flask", "request.get_data()"),
    ("Django", "request.body"),
    ("Go", "io.ReadAll(r.Body)"),
    ("PHP", "file_get_contents('php://input')"),
    ("Ruby", "request.body.read"),
)
# What an answer's Server or X-Powered-By header says about the stack behind it: its idiom comes first.
_STACK_SIGNS = (
    ("uvicorn", "FastAPI/Starlette"),
    ("hypercorn", "FastAPI/Starlette"),
    ("starlette", "FastAPI/Starlette"),
    ("werkzeug", "Flask"),
    ("express", "Express"),
    ("php", "PHP"),
    ("puma", "Ruby"),
    ("webrick", "Ruby"),
    ("passenger", "Ruby"),
)
_FRACTION_OR_EXPONENT = re.compile(rb"[:,\[]-?\d+(?:\.\d+)?[eE][+-]?\d+|[:,\[]-?\d+\.\d+")


@dataclass(frozen=True, slots=True)
class Traits:
    """What about a canonical body makes naive re-serialization differ from JSON.stringify."""

    non_ascii: bool
    fractions: bool  # numbers with a fraction or an exponent, which serializers write differently

    @classmethod
    def of(cls, body: bytes) -> Traits:
        return cls(not body.isascii(), _FRACTION_OR_EXPONENT.search(body) is not None)


class SignatureHistory:
    """The correctly signed canonical deliveries of a run and whether each was acknowledged, for the diagnosis."""

    def __init__(self) -> None:
        self._accepted: set[Traits] = set()
        self._lock = threading.Lock()

    def record(self, body: bytes, status: int) -> None:
        if status == SUCCESS_STATUS:
            with self._lock:
                self._accepted.add(Traits.of(body))

    def diagnose(self, body: bytes, server: str = "") -> str:
        """Why the correctly signed canonical ``body`` was rejected with 401 or 403, and the fix."""
        traits = Traits.of(body)
        with self._lock:
            accepted = set(self._accepted)
        if traits.non_ascii and accepted and not any(t.non_ascii for t in accepted):
            mistake = (
                "it accepts correctly signed events whose text is ASCII and rejects this one, with non-ASCII text: "
                "it computes the HMAC over a re-serialization that escapes non-ASCII characters (Python's json.dumps "
                "writes \\u00ed for í by default), not over the bytes Horneross signed"
            )
        elif traits.fractions and any(not t.fractions for t in accepted):
            mistake = (
                "it accepts correctly signed events and rejects this one, which holds numbers with a fraction or an "
                "exponent: it re-serializes numbers unlike JavaScript (Python's json.dumps writes 1e-07 where "
                "JSON.stringify writes 1e-7, and 1e-06 for 0.000001), so its HMAC is over other bytes"
            )
        elif not accepted:
            mistake = (
                "it has rejected every correctly signed delivery so far: the wrong secret, keys sorted before "
                "signing (json.dumps(sort_keys=True), a sorted map), or a body parser in front of the route, so the "
                "HMAC is not computed over the body as it arrived"
            )
        else:
            mistake = "it accepts other correctly signed events, so it computes this one's HMAC over other bytes"
        return f"the signature was right (lowercase hex HMAC-SHA256 of exactly these bytes); {mistake}. {fix(server)}"


def fix(server: str = "") -> str:
    """The raw-body fix, with the idiom of the stack ``server`` (a Server or X-Powered-By header) names first."""
    lowered = server.lower()
    stack = next((name for sign, name in _STACK_SIGNS if sign in lowered), None)
    idioms = sorted(RAW_BODY_IDIOMS, key=lambda idiom: idiom[0] != stack)
    listed = "; ".join(f"{name}: {idiom}" for name, idiom in idioms)
    lead = f"This endpoint looks like {stack}: verify with {idioms[0][1]}. " if stack else ""
    return f"{lead}Fix: verify the HMAC over the raw request body, before any parsing ({listed})"
