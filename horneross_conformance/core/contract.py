"""The constants of the Horneross contract, each written once: event types, header, success, retry schedule.

Every module that needs one imports it from here; `docs/contract.md` explains where each comes from.
"""

from __future__ import annotations

from datetime import timedelta

from horneross_conformance.core.resources import load_json


def _documented_types() -> tuple[str, ...]:
    """The documented event types: the list of ``schemas/event.schema.json``, the one place they are written."""
    for part in load_json("event.schema.json")["allOf"]:
        listed = part.get("properties", {}).get("type", {}).get("enum")
        if listed:
            return tuple(listed)
    raise LookupError("event.schema.json lists no event type")


EVENT_TYPES = _documented_types()
# The families that have a check of each documented type: the receiver's acknowledgement and generated events, the
# sender's payload and generated data.
PER_TYPE_FAMILIES = ("RCV-ACK", "RCV-GEN", "SND-PAY", "SND-GEN")


def _checks_of(event_type: str) -> dict[str, str]:
    """The checks ``event_type`` has of its own, by family, as its schema names them (``x-horneross-checks``)."""
    named: dict[str, str] = load_json(f"{event_type}.schema.json").get("x-horneross-checks", {})
    if set(named) != set(PER_TYPE_FAMILIES) or any(not v.startswith(f"{k}-") for k, v in named.items()):
        wanted = ", ".join(f'"{family}": "{family}-NNN"' for family in PER_TYPE_FAMILIES)
        raise LookupError(
            f"{event_type}.schema.json must name its check of each family in x-horneross-checks, {{{wanted}}}, "
            f"each a number no check of its family has had (tests/test_case_ids.py pins them all); it names {named}"
        )
    return named


# The checks each documented type has of its own: a check's id is never reused, so a type documented later takes the
# next free number of each family in its schema. With its schema (and the example of its data there), the list
# above, the OpenAPI document's webhook and the contract page, a type is documented: the suites, the tests and the
# rendered tables follow.
PER_TYPE_CHECKS: dict[str, dict[str, str]] = {event_type: _checks_of(event_type) for event_type in EVENT_TYPES}


def per_type_checks(family: str) -> tuple[str, ...]:
    """The check of ``family`` (``"RCV-ACK"``) of each documented type, in the order of ``EVENT_TYPES``."""
    return tuple(PER_TYPE_CHECKS[event_type][family] for event_type in EVENT_TYPES)


# Names a later version might give a type: the first one not documented is the "type added later" of the checks of
# forward compatibility, so that documenting one of them never turns such a check into a check of a known type.
LATER_TYPE_NAMES = ("conversation.assigned", "conversation.rated", "contact.updated", "webhook.future.event")
SIGNATURE_HEADER = "X-Horneross-Signature"
SECRET_ENV = "HORNEROSS_WEBHOOK_SECRET"  # where the toolkit reads a secret from; never from a command line
SUCCESS_STATUS = 200  # decision 1: exactly 200; anything else is retried
EVENT_ID_PREFIX = "evt_"
# Decision 10: the burst a receiver should hold, as RCV-10 sends it. The receiver suite never keeps more deliveries in
# flight than this unless the user asks for more: past it, a receiver that fails is still conformant.
BURST_SIZE = 20
# Decision 18: JSON deeper than this is not a Horneross event (one is 3 levels deep plus its data), and ordinary
# receivers refuse it (Ruby's JSON.parse beyond 100 levels by default): the toolkit reads no deeper from outside.
MAX_JSON_DEPTH = 100

# The documentation's "Reintentos": after attempts 1 to 4 fail, wait 1 min, 5 min, 30 min, 2 h (decision 2: each
# delay counts from the failure of the attempt before).
RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TYPE_ADDED_LATER = next(name for name in LATER_TYPE_NAMES if name not in EVENT_TYPES)
# The attempts' offsets after the event when every attempt fails at once: 0, 60, 360, 2160, 9360 s.
DUE = tuple(sum(RETRY_DELAYS[:attempt]) for attempt in range(MAX_ATTEMPTS))
LAST_RETRY_AGE = timedelta(seconds=DUE[-1])  # 2 h 36 min: how old an event may be when its last attempt arrives
