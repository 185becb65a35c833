"""A payload file given to ``sign`` or ``send``: its bytes, and the JSON value they hold."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from horneross_conformance.cli.usage import STDIN
from horneross_conformance.core.canonical import TooDeep, parse_json


class PayloadError(Exception):
    """The payload cannot be used (missing, unreadable, not JSON): a usage error of sign and send alike."""


def read_payload(file: str) -> tuple[bytes, Any]:
    """The bytes of ``file`` (``-``: stdin) and the JSON value they hold, or ``PayloadError`` in one sentence."""
    name = "<stdin>" if file == STDIN else file
    try:
        data = sys.stdin.buffer.read() if file == STDIN else Path(file).read_bytes()
    except OSError as error:
        raise PayloadError(f"{name}: cannot be read: {error.strerror or error}") from None
    try:
        return data, parse_json(data)
    except TooDeep as error:
        raise PayloadError(f"{name}: {error}") from None
    except UnicodeDecodeError as error:
        raise PayloadError(f"{name}: not UTF-8 text (byte {error.start})") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise PayloadError(f"{name}: not JSON: {error.msg} at {where}") from None
    except ValueError as error:  # NaN, Infinity: Python's json reads them, JSON.parse does not
        raise PayloadError(f"{name}: not JSON: {error}") from None
