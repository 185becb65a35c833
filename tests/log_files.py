"""Fleet logs for the tests of ``validate`` and the log reader: events with broken ones among them, written plain
or compressed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from horneross_conformance.core.events import sample_event


def log_lines(count: int, seed: int) -> list[bytes]:
    """``count`` events, with a few broken ones of every kind (invalid, not JSON, not an object, blank)."""
    kinds = ["conversation.created", "conversation.message.created", "conversation.status.changed", "lead.captured"]
    lines = []
    for number in range(count):
        event: Any = sample_event(kinds[(number + seed) % 4])
        if number % 37 == 5:
            event["data"].pop("conversationId")
        line = json.dumps(event, ensure_ascii=False).encode()
        if number % 53 == 7:
            line = line[:-3]  # cut: not JSON
        elif number % 61 == 9:
            line = b"[1, 2]"
        elif number % 71 == 11:
            line = b""
        lines.append(line)
    return lines


def write(path: Path, lines: list[bytes], opener: Any = open) -> Path:
    with opener(path, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    return path
