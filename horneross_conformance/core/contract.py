"""The constants of the Horneross contract, each written once: event types, header, success, retry schedule.

Every module that needs one imports it from here; `docs/contract.md` explains where each comes from.
"""

from __future__ import annotations

from datetime import timedelta

# The documented event types, and the checks each has of its own, by family. A check's id is never reused, so a
# type documented later takes the next free number of each family here; its schema, with an example of its data,
# is the other half of what it needs (docs/contract.md, "Eventos disponibles", says where it comes from).
PER_TYPE_CHECKS = {
    "conversation.created": {
        "RCV-ACK": "RCV-ACK-001",
        "RCV-GEN": "RCV-GEN-001",
        "SND-PAY": "SND-PAY-001",
        "SND-GEN": "SND-GEN-001",
    },
    "conversation.message.created": {
        "RCV-ACK": "RCV-ACK-002",
        "RCV-GEN": "RCV-GEN-002",
        "SND-PAY": "SND-PAY-002",
        "SND-GEN": "SND-GEN-002",
    },
    "conversation.status.changed": {
        "RCV-ACK": "RCV-ACK-003",
        "RCV-GEN": "RCV-GEN-003",
        "SND-PAY": "SND-PAY-003",
        "SND-GEN": "SND-GEN-003",
    },
    "lead.captured": {
        "RCV-ACK": "RCV-ACK-004",
        "RCV-GEN": "RCV-GEN-004",
        "SND-PAY": "SND-PAY-004",
        "SND-GEN": "SND-GEN-004",
    },
}
# Names a later version might give a type: the first one not documented is the "type added later" of the checks of
# forward compatibility, so that documenting one of them never turns such a check into a check of a known type.
EVENT_TYPES = tuple(PER_TYPE_CHECKS)
LATER_TYPE_NAMES = ("conversation.assigned", "conversation.rated", "contact.updated", "webhook.future.event")
SIGNATURE_HEADER = "X-Horneross-Signature"
SECRET_ENV = "HORNEROSS_WEBHOOK_SECRET"  # where the toolkit reads a secret from; never from a command line
SUCCESS_STATUS = 200  # decision 1: exactly 200; anything else is retried
EVENT_ID_PREFIX = "evt_"
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
