"""RCV-04 and RCV-14: correctly signed text that stresses re-serialization is acknowledged, and so, preferably, is
a lone surrogate, which the standard JSON parsers of some languages refuse by design (decision 12)."""

from __future__ import annotations

from horneross_conformance.checks.registry import CheckFailed, Registry
from horneross_conformance.core.events import stress_texts
from horneross_conformance.receiver.suite.deliveries import PLAIN_TEXT, acknowledge, event_in_conversation
from horneross_conformance.receiver.target import ReceiverTarget

cases = Registry()

# What a receiver that refuses a lone surrogate is told to do (decision 12).
SURROGATE_REMEDY = (
    "A lone surrogate is what JSON.stringify writes for a message cut in the middle of an emoji, and Horneross signs "
    "and sends it as the escape \\ud83d. Verify the signature over the raw body first, then parse it with a parser "
    "that accepts the escape, or replace lone surrogate escapes (\\ud800 to \\udfff not in a pair) with \\ufffd "
    "before parsing; PHP's json_decode and Ruby's JSON.parse refuse it by design, so they need the replacement."
)


def _accepts_text(case_id: str, name: str, requirement: str) -> None:
    text = next(entry["text"] for entry in stress_texts() if entry["name"] == name)

    def check(target: ReceiverTarget) -> str:
        event = event_in_conversation(target, "conversation.message.created")
        control = event_in_conversation(target, "conversation.message.created")
        event["data"]["content"], control["data"]["content"] = text, PLAIN_TEXT
        what = f"a correctly signed message with {name} text"
        try:
            return acknowledge(target, event, what, control, "with plain ASCII text")
        except CheckFailed as failure:
            if requirement == "RCV-14":
                raise CheckFailed(f"{failure}. {SURROGATE_REMEDY}", failure.cause) from None
            raise

    cases.case(case_id, requirement, f"Accepts a message with stress text: {name}")(check)


_accepts_text("RCV-UNI-001", "accents", "RCV-04")
_accepts_text("RCV-UNI-002", "emoji", "RCV-04")
_accepts_text("RCV-UNI-003", "cjk", "RCV-04")
_accepts_text("RCV-UNI-004", "right-to-left", "RCV-04")
_accepts_text("RCV-UNI-005", "quotes-and-backslashes", "RCV-04")
_accepts_text("RCV-UNI-006", "control-characters", "RCV-04")
_accepts_text("RCV-UNI-007", "line-separators", "RCV-04")
_accepts_text("RCV-UNI-008", "script-tag", "RCV-04")
_accepts_text("RCV-SUR-001", "lone-surrogate", "RCV-14")  # decision 12: a SHOULD of its own
