"""Where the language-neutral data lives: ``schemas/`` in a checkout, ``horneross_conformance/schemas`` in a wheel."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent  # horneross_conformance/, above core/


@functools.cache
def data_dir() -> Path:
    """The folder that holds the schemas, examples, vectors and the requirement catalogue."""
    for candidate in (_PACKAGE / "schemas", _PACKAGE.parent / "schemas"):
        if (candidate / "event.schema.json").is_file():
            return candidate
    raise FileNotFoundError(f"the schemas folder is missing: not in {_PACKAGE} nor beside it")


def load_json(name: str) -> Any:
    """Parse one data file, named relative to the data folder (``"requirements.json"``)."""
    with (data_dir() / name).open(encoding="utf-8") as handle:
        return json.load(handle)
