"""``horneross-conformance validate``: captured events and logs against the schema of each event's type."""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

from horneross_conformance.cli.usage import STDIN, usage_error
from horneross_conformance.core.inert import for_terminal
from horneross_conformance.core.version import __version__
from horneross_conformance.logs import compressed
from horneross_conformance.logs.event_files import (
    ABBREVIATED_OPTION,
    FOLDER_SUFFIXES,
    Checker,
    Problem,
    Tally,
    folder_files,
)
from horneross_conformance.transport.curl import display_json

EPILOG = """\
A file is read as JSON Lines (one event per line) when its name ends in .jsonl, .ndjson or .jsonlines, or when
its first line is a JSON object by itself; otherwise as one JSON document, an event or an array of events. gzip,
bz2 and xz files (and stdin) are read as what they hold, known by their first bytes. A folder is searched for
.json, .jsonl, .ndjson and .jsonlines files, compressed or rotated or not (deliveries.jsonl.3.gz), hidden ones
aside, and the other files are named as skipped. --jobs spreads files, and the lines of a large file, over
processes, with the same problems in the same order as one process (a compressed log is decompressed by the
command itself, its lines handed to the processes in parts). Every event must carry id and timestamp, as every
delivery does, unless --allow-abbreviated.

Exit code: 0 when every event is valid, 1 when anything is wrong (an invalid event, a line that is not JSON, an
empty input), 2 for a usage error such as a path that does not exist.
"""


def add_parser(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="check events (JSON files, JSON Lines logs, folders, stdin) against the schema of their type",
        description="Check every event against the JSON Schema of its type, and report each problem with its "
        "file, line, JSON pointer and rule.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help=f"a file, a folder, or {STDIN} for stdin")
    validate.add_argument("--format", choices=("text", "json"), default="text", help="the output (default text)")
    validate.add_argument(
        "--allow-unknown-types",
        action="store_true",
        help="check events of undocumented types against the envelope instead of reporting the type",
    )
    validate.add_argument(
        ABBREVIATED_OPTION,
        action="store_true",
        help="for fixture files that hold the documentation's abbreviated examples: accept events without id or "
        "timestamp (every real delivery carries both)",
    )
    validate.add_argument("--lines", action="store_true", help="read every input as JSON Lines")
    validate.add_argument("--fail-fast", "-x", action="store_true", help="stop at the first problem")
    validate.add_argument("--quiet", "-q", action="store_true", help="text format: print only the summary")
    validate.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=1,
        metavar="N",
        help="processes to spread the files and the lines of a large or compressed log over (default 1; 0: one per "
        "core); stdin and --fail-fast use one",
    )
    validate.set_defaults(handler=validate_command)


class _FailFast(Exception):
    pass


def validate_command(args: argparse.Namespace) -> int:
    missing = [path for path in args.paths if path != STDIN and not Path(path).exists()]
    if missing:
        return max(usage_error("validate", f"{path}: no such file or folder") for path in missing)
    if args.jobs < 0:
        return usage_error("validate", f"--jobs: {args.jobs} is not 0 (one per core) or more")
    problems: list[Problem] = []
    as_json = args.format == "json"

    def report(problem: Problem) -> None:
        if as_json:
            problems.append(problem)
        elif not args.quiet:
            print(for_terminal(str(problem)))  # it quotes the file: names, keys and values a terminal must not obey
        if args.fail_fast:
            raise _FailFast

    skipped: list[str] = []

    def skip(folder: Path, files: list[Path]) -> None:
        skipped.extend(str(file) for file in files)
        if not as_json and not args.quiet:
            shown = ", ".join(file.name for file in files[:3]) + (", ..." if len(files) > 3 else "")
            names = ", ".join(FOLDER_SUFFIXES)
            print(for_terminal(f"{folder}: skipped {_count(len(files), 'file')} not named {names}: {shown}"))

    checker = Checker(
        report,
        skipped=skip,
        allow_unknown_types=args.allow_unknown_types,
        force_lines=args.lines,
        allow_abbreviated=args.allow_abbreviated,
    )
    started = time.perf_counter()
    try:
        tally = _check(args, checker)
    except _FailFast:
        tally = checker.tally
    except BrokenPipeError:  # validate ... | head
        return 1
    elapsed = time.perf_counter() - started
    valid = tally.problems == 0
    if as_json:
        document = {
            "tool": "horneross-conformance",
            "version": __version__,
            "command": "validate",
            "valid": valid,
            "sources": tally.sources,
            "events": tally.events,
            "invalid_events": tally.invalid_events,
            "problems": [problem.as_json() for problem in problems],
            "skipped": skipped,
        }
        # invisible characters as \uXXXX: the same JSON, inert in a terminal (raw line breaks are between tokens)
        print("\n".join(display_json(line) for line in json.dumps(document, indent=2, ensure_ascii=False).split("\n")))
    else:
        stopped = " (stopped at the first problem: --fail-fast)" if args.fail_fast and not valid else ""
        summary = (
            f"{'valid' if valid else 'INVALID'}: {_count(tally.events, 'event')} in {_count(tally.sources, 'source')}, "
            f"{tally.invalid_events} invalid, {_count(tally.problems, 'problem')}{stopped}"
        )
        if tally.events and elapsed > 0.5:
            summary += f" ({elapsed:.1f} s, {tally.events / elapsed:,.0f} events/s)"
        print(summary)
    return 0 if valid else 1


def _check(args: argparse.Namespace, checker: Checker) -> Tally:
    if args.jobs != 1 and not args.fail_fast and STDIN not in args.paths:
        from horneross_conformance.logs.processes import check_in_parallel

        paths = [Path(path) for path in args.paths]
        for folder in (path for path in paths if path.is_dir()):
            skipped = folder_files(folder)[1]
            if skipped:
                checker.skipped(folder, skipped)
        return check_in_parallel(
            paths,
            args.jobs,
            checker.report,
            args.allow_unknown_types,
            args.lines,
            allow_abbreviated=args.allow_abbreviated,
        )
    for path in args.paths:
        if path == STDIN:
            stdin = sys.stdin.buffer
            peek = stdin.peek if isinstance(stdin, io.BufferedReader) else lambda size: b""  # what it can see
            stream = compressed.decompressed(stdin, peek(compressed.MAGIC_SIZE)[: compressed.MAGIC_SIZE])
            checker.check_stream("<stdin>", stream, lines=args.lines)
        else:
            checker.check_path(Path(path))
    return checker.tally


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
