"""The benchmarks' events: typical ones as production sends them, and large ones, the same on every run."""

from __future__ import annotations

import random

from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.events import sample_event

MESSAGES = [
    "Hola, necesito ayuda con mi pedido número 48213: me llegó incompleto y quisiera saber cómo hacer el reclamo.",
    "¿Tienen envío a Córdoba? Quiero comprar tres unidades del modelo grande y necesito la factura A.",
    "Gracias por la respuesta 😀 Entonces espero el correo con el link de pago y les confirmo hoy mismo.",
    "Quiero hablar con un agente, el bot no entiende mi consulta sobre la garantía extendida del producto.",
]
NAMES = ["María", "José", "Zoë", "Lucía", "Martín", "Ana"]


def typical_event(number: int, rng: random.Random) -> dict[str, object]:
    """An event as production sends them (300 to 700 bytes), with real sentences and a full contact."""
    event = sample_event(EVENT_TYPES[number % len(EVENT_TYPES)])
    data = event["data"]
    if "content" in data:
        data["content"] = " ".join(rng.sample(MESSAGES, rng.randint(2, 4)))
    contact = data.get("contact")
    if isinstance(contact, dict):
        name = rng.choice(NAMES)
        contact.update(firstName=name, email=f"{name.lower()}.{number}@ejemplo.com.ar", phoneNumber="+5491123456789")
    if event["type"] == "conversation.status.changed":
        data["previousStatus"], data["assignedTo"] = "open", {"agentId": "ag_7c1d", "name": "Soporte Ventas"}
    return event


def large_event(number: int, rng: random.Random, size: int = 100_000) -> dict[str, object]:
    """A message event of about ``size`` bytes: a long conversation pasted into one message."""
    event = typical_event(1, rng)
    text: list[str] = []
    length = 0
    while length < size - 400:
        text.append(rng.choice(MESSAGES))
        length += len(text[-1].encode()) + 1
    event["data"]["content"] = " ".join(text)  # type: ignore[index]
    return event
