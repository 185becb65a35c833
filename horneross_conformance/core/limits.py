"""The toolkit's own bounds on what it reads, keeps and shows of a peer's bodies: each written once, with why.

They are not the contract's (that is ``core.contract``): Horneross documents no body limit. They keep a run's
memory and its reports bounded whatever a target sends.
"""

from __future__ import annotations

ANSWER_KEPT_BYTES = 64 * 1024  # of an endpoint's answer, the client keeps this much: enough to quote its error
CAPTURE_KEPT_BYTES = 256 * 1024  # of a sender's delivery: more is never an event the suite emitted
LISTEN_BODY_LIMIT = 16 * 1024 * 1024  # listen answers 413 above this, chunked or not
REFERENCE_BODY_LIMIT = 1024 * 1024  # the reference receiver answers 413 above this: a long message fits
SHOWN_BODY_CHARS = 2048  # characters of each body a wire log keeps for the reports
