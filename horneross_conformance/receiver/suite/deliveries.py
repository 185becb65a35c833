"""What the receiver suite's checks share: events placed in the run's open conversation."""

from __future__ import annotations

from typing import Any

from horneross_conformance.core.events import (
    sample_event,
)
from horneross_conformance.receiver.target import ReceiverTarget


def event_in_conversation(target: ReceiverTarget, event_type: str) -> dict[str, Any]:
    """A sample event in the run's open conversation (a conversation.created opens its own)."""
    if event_type == "conversation.created":
        return sample_event(event_type)
    return sample_event(event_type, target.conversation_id())
