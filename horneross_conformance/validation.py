"""Schema validation of events against the JSON Schemas in ``schemas/``.

Formats are checked by functions defined here rather than by jsonschema's optional extras: without those extras
jsonschema silently skips ``date-time``, and a schema check that silently passes is a false verdict.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from horneross_conformance.resources import data_dir, load_json

EVENT_TYPES = (
    "conversation.created",
    "conversation.message.created",
    "conversation.status.changed",
    "lead.captured",
)

# RFC 3339 section 5.6 date-time; the calendar is checked by datetime below.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))",
    re.ASCII,
)
# A pragmatic address check: one @, a dot-free-of-edges local part, a domain with a dot and no spaces.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if second == 60:  # leap second: RFC 3339 allows it, datetime does not
        second = 59
    offset_hours = int(match.group(9) or 0)
    offset_minutes = int(match.group(10) or 0)
    if offset_hours > 23 or offset_minutes > 59:
        return False
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One violation: where in the event (a JSON pointer), which rule, and jsonschema's message."""

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} ({self.rule})"


@functools.cache
def _registry() -> Registry:
    resources = []
    for path in sorted(data_dir().glob("*.schema.json")):
        resource = Resource.from_contents(load_json(path.name))
        resources.append((resource.id(), resource))
    return Registry().with_resources(resources)  # type: ignore[arg-type]


@functools.cache
def validator(schema_name: str) -> Draft202012Validator:
    """A validator for one schema file (``"lead.captured.schema.json"``), references resolved offline."""
    schema = load_json(schema_name)
    return Draft202012Validator(schema, registry=_registry(), format_checker=FORMATS)


def schema_name_for(event: Any) -> str:
    """The schema an event is checked against: its own type's when documented, the envelope's otherwise."""
    event_type = event.get("type") if isinstance(event, dict) else None
    return f"{event_type}.schema.json" if event_type in EVENT_TYPES else "envelope.schema.json"


def schema_errors(event: Any, schema_name: str | None = None) -> list[SchemaError]:
    """Every violation of ``event`` against ``schema_name`` (default: the schema of its type), in path order."""
    checker = validator(schema_name or schema_name_for(event))
    unique = set(_flatten(checker.iter_errors(event)))  # event.schema.json reaches the envelope by two paths
    return sorted(unique, key=lambda e: (e.pointer, e.rule, e.message))


def _flatten(errors: Iterator[Any]) -> Iterator[SchemaError]:
    for error in errors:
        if error.context:  # allOf/if-then wrappers: report the precise errors underneath
            yield from _flatten(iter(error.context))
            continue
        pointer = "".join(f"/{str(part).replace('~', '~0').replace('/', '~1')}" for part in error.absolute_path)
        yield SchemaError(pointer=pointer, rule=str(error.validator), message=error.message)
