"""Schema validation of events against the JSON Schemas in ``schemas/``.

Formats are checked by functions defined here rather than by jsonschema's optional extras: without those extras
jsonschema silently skips ``date-time``, and a schema check that silently passes is a false verdict.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from horneross_conformance.core.contract import EVENT_TYPES
from horneross_conformance.core.resources import data_dir, load_json

# RFC 3339 section 5.6 date-time, each field within its range (year 0000 is not a date; second 60 is a leap
# second). Only days 29 to 31 need the calendar. One regex, because validate checks a timestamp per event.
_DATE_TIME = re.compile(
    r"(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?"
    r"([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
# The fast path: the form nearly every delivery's timestamp has, YYYY-MM-DDTHH:MM:SSZ, restricted to what needs no
# calendar and no second look (year from 1000, day up to 28, second up to 59). Everything it matches, _DATE_TIME
# matches with a day below 29; whatever it does not match (a fraction, an offset, a lowercase t, day 29 to 31,
# second 60, year 0001 to 0999, anything invalid) goes to the full check, so the verdict is the full check's.
_PLAIN_UTC = re.compile(
    r"[1-9][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-8]|19)T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
)
# A pragmatic address check: one @, a dot-free-of-edges local part, a domain with a dot and no spaces. Possessive
# and without a group: each run stops at the only character that may follow it (@ or a dot), so it matches exactly
# what [^@\s]+@[^@\s.]+(\.[^@\s.]+)+ matches, without backtracking or capturing.
_EMAIL = re.compile(r"[^@\s]++@[^@\s.]++(?:\.[^@\s.]++)++")

FORMATS = FormatChecker(formats=())


def _date_time_string(value: str) -> bool:
    """The full RFC 3339 check of a string: ``_DATE_TIME``, then the calendar for days 29 to 31."""
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return False
    day = match.group(2)
    if day <= "28":
        return True
    return int(day) <= calendar.monthrange(int(value[:4]), int(match.group(1)))[1]


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or _PLAIN_UTC.fullmatch(value) is not None or _date_time_string(value)


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None


# The formats as the compiled checks inline them for a string: a pattern whose fullmatch accepts at once (nearly
# every value), and the exact check of a string it does not match, or None where the pattern is the exact check.
STRING_FORMATS: dict[str, tuple[Callable[[str], object], Callable[[str], bool] | None]] = {
    "date-time": (_PLAIN_UTC.fullmatch, _date_time_string),
    "email": (_EMAIL.fullmatch, None),
}


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


def schema_id(schema_name: str) -> str:
    """The ``$id`` of a schema file, under which the registry knows it."""
    schema_id: str = load_json(schema_name)["$id"]
    return schema_id


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
        yield SchemaError(pointer=pointer, rule=str(error.validator), message=_in_words(error))


# What a value must look like, in words, where jsonschema would name a format or quote a regular expression
FORMAT_WORDS = {
    "email": "an email address, such as cliente@ejemplo.com",
    "date-time": "an RFC 3339 date-time, such as 2024-01-21T15:30:00Z",
    "uri": "a URI, such as https://example.com/webhook",
}
PATTERN_WORDS = {
    r"^\+[1-9][0-9]{1,14}$": "an E.164 phone number: + and 2 to 15 digits, such as +5491123456789",
    "^evt_": "an event id starting with evt_",
    r"^evt_[^\s]+$": "an event id: evt_, then no white space",
    "^[0-9a-f]{64}$": "64 lowercase hex digits",
    "^https?://": "an http:// or https:// URL",
    "^[A-Za-z0-9._~-]+$": "letters, digits and . _ ~ - only",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$": (
        "an RFC 3339 time in UTC with milliseconds, such as 2026-12-01T12:00:00.000Z"
    ),
}


def _in_words(error: Any) -> str:
    """jsonschema's message, with a format's name or a pattern's regular expression said in words."""
    words = None
    if error.validator == "format":
        words = FORMAT_WORDS.get(str(error.validator_value))
    elif error.validator == "pattern":
        words = PATTERN_WORDS.get(str(error.validator_value))
    if words is None or not isinstance(error.instance, str):
        return str(error.message)
    shown = repr(error.instance[:80]) + ("..." if len(error.instance) > 80 else "")
    return f"{shown} is not {words}"
