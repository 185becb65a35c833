"""The sender suite: every check run against a vendor's dispatcher, one module per requirement family, in order.

Every check gets a fresh sender, its own endpoints (each with its own secret and script of answers) and a clock
frozen at the run's own instant (``clock.epoch_for`` its seed). A check looks only at what its requirement is
about, and says "inconclusive" (skipped), naming the requirement at fault, when the sender failed something else
first: a sender with a wrong signature fails the signature requirement, not the retry schedule.

The order is part of the suite and pinned by the tests: the preflight first, so that a sender that delivers nothing
is told so once; the generated checks after the hand-picked ones; the sweeps over every delivery of the run last,
so that they see the deliveries of every check before them (and what comes after them is judged when the run ends).
"""

from __future__ import annotations

from horneross_conformance.checks.registry import Registry
from horneross_conformance.sender.suite import (
    generated,
    payload,
    retries,
    signatures,
    subscriptions,
    sweeps,
)

PREFLIGHT_ID = payload.PREFLIGHT_ID
FAMILIES = (payload, signatures, retries, subscriptions, generated, sweeps)
suite = Registry.joined(family.cases for family in FAMILIES)
