"""The toolkit's own bounds on what it reads, keeps and shows of a peer's bodies and requests: each written once,
with why.

They are not the contract's (that is ``core.contract``): Horneross documents no body limit. They keep a run's
memory and its reports bounded whatever a target sends, and every server of the toolkit answering whatever client
reaches it (``RequestBounds``: one set per use, read by ``transport.http_server``).
"""

from __future__ import annotations

from dataclasses import dataclass

ANSWER_KEPT_BYTES = 64 * 1024  # of an endpoint's answer, the client keeps this much: enough to quote its error
CAPTURE_KEPT_BYTES = 256 * 1024  # of a sender's delivery: more is never an event the suite emitted
# Of the deliveries a sender suite run keeps, their bodies in all. The reference sender's whole run keeps 120 KB
# (about 500 deliveries of under 500 bytes, at 50 generated events per check): this leaves room for hundreds of
# times that (--horneross-examples in the thousands, long messages, 256 deliveries of the largest size kept), and
# bounds what a sender that floods the capture servers makes the suite hold. Past it a delivery keeps its size,
# SHA-256 and first bytes, and the checks that need it are inconclusive, so the run cannot certify the sender.
CAPTURE_BUDGET_BYTES = 64 * 1024 * 1024
CAPTURE_START_BYTES = 2 * 1024  # of a body not kept whole (stray, or past the budget): enough to say what it was
LISTEN_BODY_LIMIT = 16 * 1024 * 1024  # listen answers 413 above this, chunked or not
REFERENCE_BODY_LIMIT = 1024 * 1024  # the reference receiver answers 413 above this: a long message fits
SHOWN_BODY_CHARS = 2048  # characters of each body a wire log keeps for the reports


@dataclass(frozen=True, slots=True)
class RequestBounds:
    """What a server of the toolkit reads of one request, how long it waits for it, and how many it serves at once,
    whatever its clients send (a client that drips, floods, or opens a thousand connections)."""

    head: int = 64 * 1024  # bytes of the request line and headers (431 above), and of the trailers
    body: int = LISTEN_BODY_LIMIT  # bytes of a body, by Content-Length or chunked (413 above)
    request_time: float = 15.0  # seconds for a whole request to arrive, from the moment the connection waits for it
    connections: int = 256  # at once; at the limit a newcomer pushes out the oldest slow one, or waits
    grace: float = 1.0  # seconds a connection may wait for or read its request before a newcomer may push it out
    small_body: int = 64 * 1024  # bodies up to this size are read by any number of requests at once
    large_bodies: int = 2  # requests that may read a larger body at the same time (503 after waiting)


# listen: open to whatever reaches it, and the deliveries it is there to see must get through.
LISTEN_BOUNDS = RequestBounds()
# The sender suite's capture servers read every delivery to its end, as a receiver would, but keep only its start
# (CAPTURE_KEPT_BYTES): the body bound is far above any event, for a sender that streams megabytes of padding.
CAPTURE_BOUNDS = RequestBounds(body=64 * 1024 * 1024)
# The sender harness bridge: a call's JSON is small; the bridge answers 413 itself above BRIDGE_BODY_LIMIT, once
# the caller has shown its token, so the bound the server holds to is the same.
BRIDGE_BODY_LIMIT = 1024 * 1024
BRIDGE_BOUNDS = RequestBounds(body=BRIDGE_BODY_LIMIT, request_time=10.0)
# serve(): the reference receiver and the tests' WSGI apps (REFERENCE_BODY_LIMIT is the reference's own answer).
SERVE_BOUNDS = RequestBounds()
