"""RCV-04: correctly signed text that stresses re-serialization is acknowledged."""

from __future__ import annotations

from horneross_conformance.checks.registry import Registry
from horneross_conformance.core.events import (
    stress_texts,
)
from horneross_conformance.receiver.suite.deliveries import event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget, acknowledged, require_200

cases = Registry()


def _accepts_text(case_id: str, name: str) -> None:
    text = next(entry["text"] for entry in stress_texts() if entry["name"] == name)

    def check(target: ReceiverTarget) -> str:
        event = event_in_conversation(target, "conversation.message.created")
        event["data"]["content"] = text
        _, response = target.deliver_event(event)
        require_200(response, f"a correctly signed message with {name} text")
        return acknowledged(response)

    cases.case(case_id, "RCV-04", f"Accepts a message with stress text: {name}")(check)


_accepts_text("RCV-UNI-001", "accents")
_accepts_text("RCV-UNI-002", "emoji")
_accepts_text("RCV-UNI-003", "cjk")
_accepts_text("RCV-UNI-004", "right-to-left")
_accepts_text("RCV-UNI-005", "quotes-and-backslashes")
_accepts_text("RCV-UNI-006", "control-characters")
_accepts_text("RCV-UNI-007", "line-separators")
_accepts_text("RCV-UNI-008", "script-tag")
_accepts_text("RCV-UNI-009", "lone-surrogate")
