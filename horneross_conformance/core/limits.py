"""The toolkit's own bounds on what it reads, keeps and shows of a peer's bodies: each written once, with why.

They are not the contract's (that is ``core.contract``): Horneross documents no body limit. They keep a run's
memory and its reports bounded whatever a target sends.
"""

from __future__ import annotations

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
