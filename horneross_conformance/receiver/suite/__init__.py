"""The receiver suite: every check run against an integrator's endpoint, one module per requirement family, in order.

Every delivery is a fresh event (new ids). Events of a conversation follow its conversation.created, which the
target sends once, before the first event that needs it, so checks still run alone or in any order (``-k``).

The order is part of the suite and pinned by the tests: the preflight first, so that an endpoint that cannot be
reached is told so once; the generated checks after the hand-picked ones; the burst last, so that an endpoint still
busy with it cannot fail any other check.
"""

from __future__ import annotations

from horneross_conformance.checks.registry import Registry
from horneross_conformance.receiver.suite import (
    acknowledgement,
    burst,
    compatibility,
    generated,
    signatures,
    text,
)

PREFLIGHT_ID = acknowledgement.PREFLIGHT_ID
FAMILIES = (acknowledgement, signatures, text, compatibility, generated, burst)
suite = Registry.joined(family.cases for family in FAMILIES)
# Hand-picked checks whose verdict does not depend on what other checks deliver meanwhile (each sends fresh events
# in an order of its own): with deliveries in flight, they run ahead of their turn, alongside each other.
ORDER_FREE = {
    case.id for family in (acknowledgement, signatures, text, compatibility) for case in family.cases.cases
} - {PREFLIGHT_ID}
