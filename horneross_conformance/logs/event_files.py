"""Events read from files, folders and streams, each checked against the schema of its type.

What ``horneross-conformance validate`` runs on: captured payload fixtures (one JSON document per file, an event
or an array of events) and production logs (JSON Lines, one event per line, possibly millions). A source is read
as JSON Lines when its name says so (``.jsonl``, ``.ndjson``) or when its first line is a JSON object by itself;
otherwise as one document. Every problem is reported with where it is (source, line, JSON pointer) and the rule
it breaks; nothing stops at the first bad line.

Valid events take the fast path (``compiled``); only invalid ones are checked again by jsonschema, whose messages
are precise.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from orjson import JSONDecodeError

from horneross_conformance.core.canonical import TooDeep, parse_json
from horneross_conformance.core.compiled import fast_check
from horneross_conformance.core.contract import EVENT_TYPES, MAX_JSON_DEPTH
from horneross_conformance.core.validation import schema_errors
from horneross_conformance.logs import compressed

LINES_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
FOLDER_SUFFIXES = (".json", *LINES_SUFFIXES)
BINARY_PROBE = 8192


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong: where (source, line, JSON pointer inside the event), which rule, and why."""

    source: str
    line: int | None
    pointer: str
    rule: str
    message: str
    event_type: str | None = None
    event_id: str | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line is not None else "")
        event = " ".join(str(part) for part in (self.event_type, self.event_id) if isinstance(part, str))
        suffix = f" [{event}]" if event else ""
        pointer = f" {self.pointer}:" if self.pointer else ""
        return f"{where}:{pointer} {self.message} ({self.rule}){suffix}"

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "pointer": self.pointer,
            "rule": self.rule,
            "message": self.message,
            "type": self.event_type,
            "id": self.event_id,
        }


@dataclass(slots=True)
class Tally:
    sources: int = 0
    events: int = 0
    invalid_events: int = 0
    problems: int = 0  # including those that are not about an event: unreadable input, a line that is not JSON


# The fast path's parser. orjson reads a line three times faster than json.loads, and differs from it only where
# a check cannot tell: an integer beyond 64 bits becomes a float with the same integral value (the schemas
# compare numbers only by type, and "integer" accepts an integral float: ``test_fast_parse`` proves both), and
# it refuses what json accepts (a lone surrogate escape, a number beyond a double, nesting past 1024), which then
# goes the exact way. It only ever says "valid": any line it does not call valid is parsed again by
# ``parse_json`` and judged from that, so every message and every "invalid" comes from the exact path. A line
# ``parse_json`` refuses for its nesting (deeper than MAX_JSON_DEPTH, decision 18) is never called valid by orjson,
# which reads up to 1024 levels: a valid event is known shallow when every object in it is one its schema names,
# key by key (the compiled check says True, not ``UNBOUNDED``), and otherwise by its brackets, counted.
fast_parse = orjson.loads
SHALLOW = 2 * (MAX_JSON_DEPTH + 1)  # bytes: a shorter line cannot nest deeper than the limit: each level takes two


# Whole lines of a source, each with its line end (the source's last line may have none): the bytes as read, walked
# by io.BytesIO, whose lines are found by memchr and come numbered by nothing (a line's number is only worked out
# for a problem); or a list of lines (``check_lines``: each item one line, whatever it holds).
Block = bytes | list[bytes]


def _lines_of(block: Block) -> Iterable[bytes]:
    return io.BytesIO(block) if isinstance(block, bytes) else block


# Every Horneross delivery carries these, though the schemas require only type and data: the documentation's
# abbreviated examples ('Nuevo mensaje', 'Lead capturado') are data snippets, valid only under --allow-abbreviated.
DELIVERY_FIELDS = ("id", "timestamp")
ABBREVIATED_OPTION = "--allow-abbreviated"


def event_problems(
    event: Any, allow_unknown_types: bool = False, allow_abbreviated: bool = False
) -> list[tuple[str, str, str]]:
    """(pointer, rule, message) for everything wrong with one parsed delivery; empty when it is valid.
    ``allow_abbreviated``: judge it as an example of the documentation, which may leave out id and timestamp."""
    if not isinstance(event, dict):
        return [("", "type", f"{_kind(event)} is not an event: an event is a JSON object")]
    event_type = event.get("type")
    documented = event_type in EVENT_TYPES
    schema_name = f"{event_type}.schema.json" if documented else "envelope.schema.json"
    unknown = not documented and isinstance(event_type, str) and not allow_unknown_types
    missing = [] if allow_abbreviated else [name for name in DELIVERY_FIELDS if name not in event]
    if not unknown and not missing and fast_check(schema_name)(event):
        return []
    found = [("", "required", _missing_message(name)) for name in missing]
    found += [(e.pointer, e.rule, e.message) for e in schema_errors(event, schema_name)]
    if unknown:
        documented_types = ", ".join(EVENT_TYPES)
        message = (
            f"{event_type!r} is not a documented event type ({documented_types}); "
            "with --allow-unknown-types it is checked against the envelope only"
        )
        found.insert(0, ("/type", "enum", message))
    return found


def _missing_message(name: str) -> str:
    return (
        f"{name!r} is a required property of a delivery: every Horneross delivery carries id and timestamp "
        f"({ABBREVIATED_OPTION} accepts the documentation's abbreviated examples in fixture files)"
    )


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def is_lines_name(path: Path) -> bool:
    """Whether the name says JSON Lines, compressed or rotated or not (``deliveries.jsonl.3.gz``)."""
    return compressed.logical_name(path).endswith(LINES_SUFFIXES)


def folder_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The files of a folder that are checked, in order (JSON and JSON Lines, compressed or rotated or not), and
    the other visible files, which are skipped."""
    visible = [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    checked = [p for p in visible if compressed.logical_name(p).lower().endswith(FOLDER_SUFFIXES)]
    return checked, [p for p in visible if p not in set(checked)]


def files_in(folder: Path) -> list[Path]:
    """The files a folder is checked for, in order."""
    return folder_files(folder)[0]


class Checker:
    """Checks sources one after another, handing every problem to ``report`` as soon as it is found."""

    def __init__(
        self,
        report: Callable[[Problem], None],
        allow_unknown_types: bool = False,
        force_lines: bool = False,
        allow_abbreviated: bool = False,
        skipped: Callable[[Path, list[Path]], None] = lambda folder, files: None,
    ) -> None:
        self.report = report
        self.skipped = skipped  # told of the files of a folder that are not read (not .json, .jsonl, .ndjson)
        self.allow_unknown_types = allow_unknown_types
        self.allow_abbreviated = allow_abbreviated
        self.force_lines = force_lines
        self.tally = Tally()
        self.last_line = 0  # the number of the last line read of JSON Lines, in the source being read

    def problem(self, problem: Problem) -> None:
        self.tally.problems += 1
        self.report(problem)

    def check_path(self, path: Path) -> None:
        """A file (gzip, bz2 or xz read as what they hold), or every such JSON and JSON Lines file under a folder
        (hidden folders aside)."""
        if path.is_dir():
            files, skipped = folder_files(path)
            if skipped:  # said, so that a fixture named .txt or .yaml is not believed checked
                self.skipped(path, skipped)
            if not files:
                self.problem(
                    Problem(str(path), None, "", "input", f"no {', '.join(FOLDER_SUFFIXES)} files in this folder")
                )
            for file in files:
                self.check_path(file)
            return
        try:
            with compressed.open_source(path) as stream:
                self.check_stream(str(path), stream, lines=is_lines_name(path))
        except compressed.ERRORS as error:
            self.problem(unreadable(str(path), error))

    def check_lines_part(self, source: str, blocks: Iterable[Block]) -> None:
        """Blocks of lines from the middle of a JSON Lines source, checked as ``check_stream`` checks them and
        numbered from 1."""
        self._check_lines(source, 1, [], blocks)

    def check_stream(self, source: str, stream: IO[bytes], lines: bool = False) -> None:
        head = stream.read(BINARY_PROBE)
        if b"\x00" in head:
            self.tally.sources += 1
            self.problem(Problem(source, None, "", "input", "a binary file, not JSON text (it holds NUL bytes)"))
            return
        self.check_blocks(source, line_blocks(read_chunks(head, stream)), lines)

    def check_blocks(self, source: str, blocks: Iterable[Block], lines: bool = False) -> None:
        """A whole source given as blocks of lines (see ``Block``)."""
        self.tally.sources += 1
        raw = iter(blocks)
        number, first, rest = _first_line(raw)
        if not number:
            self.problem(Problem(source, None, "", "input", "empty: no events"))
            return
        first = first.removeprefix(b"\xef\xbb\xbf") if number == 1 else first
        parsed = _parse(first)
        # an object on the first line: JSON Lines (the same as a document when it is the only line)
        if lines or self.force_lines or isinstance(parsed, dict):
            self._check_lines(source, number + 1, [(number, parsed)], itertools.chain([rest], raw))
            return
        after = b"".join(b"".join(_lines_of(block)) for block in itertools.chain([rest], raw))
        text = b"\n" + after.removesuffix(b"\n") if after else b""  # the lines after the first, joined by line ends
        document = _parse(first + text, number, one_line=False)
        if isinstance(document, _NotJson):
            self.problem(Problem(source, document.line, "", "json", document.message))
            return
        self._check_document(source, number, document)

    def _check_document(self, source: str, line: int, document: Any) -> None:
        if isinstance(document, list):
            if not document:
                self.problem(Problem(source, line, "", "input", "an empty array: no events"))
            for index, event in enumerate(document):
                self._check_event(source, line, event, f"/{index}")
        else:
            self._check_event(source, line, document, "")

    def _check_lines(self, source: str, origin: int, first: list[tuple[int, Any]], blocks: Iterable[Block]) -> None:
        """The lines of ``blocks``, numbered from ``origin``, after those of ``first`` (already parsed)."""
        # a delivery's id and timestamp required in the same compiled pass (``event_problems`` says which is
        # missing); True only for an event whose every object the schema names (see ``fast_parse``)
        required = () if self.allow_abbreviated else DELIVERY_FIELDS
        # each picked by the event's type, which it then knows (``compile_check``'s ``event_type``)
        checks = {t: fast_check(f"{t}.schema.json", required, bounded=True, event_type=t) for t in EVENT_TYPES}
        loads, short, half = fast_parse, SHALLOW, SHALLOW // 2  # read here, so that a test can switch them off
        valid = others = 0  # counted locally: this loop runs for every line of a log, and must stay short
        try:
            for number, parsed in first:
                self._check_line(source, number, parsed)
            for block in blocks:
                for line in _lines_of(block):
                    # the common case inline: a documented event, valid, read by orjson (see ``fast_parse``)
                    try:
                        parsed = loads(line)
                        # only an object can be subscripted by a string, and only a str equals a documented
                        # type: KeyError or TypeError for anything else (an unhashable type, a list, a number)
                        verdict = checks[parsed["type"]](parsed)
                        if verdict is True or (
                            verdict and (len(line) < short or line.count(b"{") + line.count(b"[") < half)
                        ):  # or known shallow: fewer brackets than the limit's levels
                            valid += 1
                            continue
                    except (JSONDecodeError, KeyError, TypeError):
                        pass
                    self._exact_line(source, origin + valid + others, line.removesuffix(b"\n"))
                    others += 1
        finally:
            self.tally.events += valid
            self.last_line = origin + valid + others - 1

    def _exact_line(self, source: str, number: int, line: bytes) -> None:
        """A line the fast path did not call valid, read again as the documented receiver reads it, judged from
        that."""
        try:
            parsed = parse_json(line)
        except ValueError:  # the decode, JSON and depth errors: _parse says which, with where
            parsed = _parse(line, number)
        self._check_line(source, number, parsed)

    def _check_line(self, source: str, number: int, parsed: Any) -> None:
        if isinstance(parsed, _NotJson):
            if parsed.message:  # blank lines are skipped
                self.problem(Problem(source, number, "", "json", parsed.message))
        elif not isinstance(parsed, dict):
            self.tally.events += 1
            self.tally.invalid_events += 1
            message = f"{_kind(parsed)} is not an event: each line of a JSON Lines file is one event, a JSON object"
            self.problem(Problem(source, number, "", "type", message))
        else:
            self._check_event(source, number, parsed, "")

    def _check_event(self, source: str, line: int, event: Any, prefix: str) -> None:
        self.tally.events += 1
        found = event_problems(event, self.allow_unknown_types, self.allow_abbreviated)
        if not found:
            return
        self.tally.invalid_events += 1
        event_type = event.get("type") if isinstance(event, dict) else None
        event_id = event.get("id") if isinstance(event, dict) else None
        for pointer, rule, message in found:
            self.problem(
                Problem(
                    source,
                    line,
                    prefix + pointer,
                    rule,
                    message,
                    event_type if isinstance(event_type, str) else None,
                    event_id if isinstance(event_id, str) else None,
                )
            )


@dataclass(frozen=True, slots=True)
class _NotJson:
    message: str  # empty for a blank line
    line: int | None = None


def _parse(data: bytes, first_line: int = 1, one_line: bool = True) -> Any:
    """The JSON value in ``data``, or ``_NotJson`` saying why not, with the line where it went wrong (for a
    document of several lines; ``one_line``: the line is the caller's)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        return _NotJson(f"not UTF-8 text: byte 0x{data[error.start]:02x} at offset {error.start}", line)
    try:
        return parse_json(data)
    except TooDeep as error:
        return _NotJson(str(error), first_line)
    except json.JSONDecodeError as error:
        if not text.strip():
            return _NotJson("")
        line = first_line + error.lineno - 1
        where = f"column {error.colno}" if one_line else f"line {line}, column {error.colno}"
        return _NotJson(f"not JSON: {error.msg} at {where}", line)
    except ValueError as error:  # NaN, Infinity: Python's json reads them, JSON.parse does not
        return _NotJson(f"not JSON: {error}", first_line)


def _first_line(blocks: Iterator[Block]) -> tuple[int, bytes, Block]:
    """The number and text (without its line end) of the first line that is not blank (0 and b"" if there is
    none), and the lines after it in its block."""
    number = 0
    for block in blocks:
        lines = _lines_of(block)
        for index, line in enumerate(lines):
            number += 1
            if line.strip():
                rest = block[lines.tell() :] if isinstance(lines, io.BytesIO) else block[index + 1 :]
                return number, line.removesuffix(b"\n"), rest
    return 0, b"", b""


def line_blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The lines of a stream given in chunks, in blocks of whole lines (see ``Block``): all the lines a chunk
    completes, as soon as it is read."""
    pending = b""
    for chunk in chunks:
        data = pending + chunk if pending else chunk
        cut = data.rfind(b"\n") + 1
        pending = data[cut:]
        if cut:
            yield data[:cut] if pending else data
    if pending:
        yield pending


def unreadable(source: str, error: BaseException) -> Problem:
    """The problem of a file that cannot be read (or decompressed) to its end."""
    reason = error.strerror if isinstance(error, OSError) and error.strerror else error
    return Problem(source, None, "", "input", f"cannot be read: {reason or type(error).__name__}")


def read_chunks(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    yield head
    while chunk := stream.read(1 << 20):
        yield chunk
