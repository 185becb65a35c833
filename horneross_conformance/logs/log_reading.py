"""A fleet's delivery logs: validation spread over processes, or over machines by an engine such as Dask.

- ``check_lines`` validates any iterable of JSON Lines (bytes or text) and returns a picklable ``LinesResult``;
  ``merge`` adds results up in order. ``validate`` runs it in each of its processes, and an engine maps it over
  the partitions of a fleet's logs (the Dask recipe of docs/toolbox.md).
- ``check_in_parallel`` spreads files, and the lines of one large plain file (split by byte ranges at line
  boundaries), over ``jobs`` processes. It reports the same problems in the same order, with the same tallies,
  as one process: results come back in file order, then in order of place in the file, and each part's line
  numbers are moved by the lines of the parts before it. Compressed files cannot be entered in the middle, so
  each goes to one process whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, cast

from horneross_conformance.logs import compressed
from horneross_conformance.logs.event_files import (
    BINARY_PROBE,
    Checker,
    Problem,
    Tally,
    files_in,
    is_lines_name,
    numbered_lines,
)

SPLIT_SIZE = 32 * 1024 * 1024  # bytes: a plain JSON Lines file larger than this is split between processes


@dataclass(slots=True)
class LinesResult:
    """What checking some lines found: picklable, so that it can come back from another process or machine."""

    problems: list[Problem] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)
    lines: int = 0  # lines read: how far the next part of the same source is numbered on


def check_lines(
    lines: Iterable[bytes | str],
    source: str = "<lines>",
    allow_unknown_types: bool = False,
    allow_abbreviated: bool = False,
) -> LinesResult:
    """Validate one source of JSON Lines exactly as ``validate`` does, every problem with its line number.

    ``lines`` may be bytes or text, with or without their line ends (``dask.bag.read_text`` gives text with
    them). ``source`` names it in each problem, as ``validate`` names a file by the path it was given."""
    result = LinesResult()
    checker = _checker(result, allow_unknown_types, True, allow_abbreviated)
    checker.check_numbered(source, _numbered(lines, result), lines=True)
    result.tally = checker.tally
    return result


def _checker(result: LinesResult, allow_unknown_types: bool, force_lines: bool, allow_abbreviated: bool) -> Checker:
    """The ``Checker`` ``validate`` runs, reporting into ``result``: one for a source of lines, one per unit."""
    return Checker(
        result.problems.append,
        allow_unknown_types=allow_unknown_types,
        force_lines=force_lines,
        allow_abbreviated=allow_abbreviated,
    )


def _numbered(lines: Iterable[bytes | str], result: LinesResult) -> Iterator[tuple[int, bytes]]:
    for line in lines:
        data = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        result.lines += 1
        yield result.lines, data[:-1] if data.endswith(b"\n") else data


def merge(results: Iterable[LinesResult]) -> LinesResult:
    """Results of sources (or of the parts of one source, numbered each from 1) added up, in order."""
    total = LinesResult()
    for result in results:
        total.problems.extend(result.problems)
        _add(total.tally, result.tally)
        total.lines += result.lines
    return total


def _add(total: Tally, more: Tally) -> None:
    total.sources += more.sources
    total.events += more.events
    total.invalid_events += more.invalid_events
    total.problems += more.problems


# Processes on one machine --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """Work for one process: a path as given (a file, or a folder with nothing to check), or the bytes
    ``start`` to ``end`` of a plain JSON Lines file (``end`` None: to its end)."""

    path: str
    start: int = 0
    end: int | None = None
    part: bool = False  # one of several parts of the file


def units(paths: Iterable[Path], force_lines: bool, split_size: int = SPLIT_SIZE) -> list[Unit]:
    """The work, in the order one process does it."""
    work: list[Unit] = []
    for path in paths:
        files = files_in(path) if path.is_dir() else [path]
        if not files:  # its one process reports that there is nothing to check
            work.append(Unit(str(path)))
        for file in files:
            work.extend(_parts(file, force_lines, split_size))
    return work


def _parts(file: Path, force_lines: bool, split_size: int) -> list[Unit]:
    try:
        size = file.stat().st_size
        if size <= split_size or not (force_lines or is_lines_name(file)):
            return [Unit(str(file))]
        with file.open("rb") as stream:
            head = stream.read(BINARY_PROBE)
            # split only what one process reads as plain lines from its first part on: not compressed, not
            # binary, its first event in the first part
            if compressed.is_compressed(head) or b"\x00" in head or not head.strip():
                return [Unit(str(file))]
            bounds = [0]
            while bounds[-1] + split_size < size:
                stream.seek(bounds[-1] + split_size)
                stream.readline()  # on to the end of the line the cut falls in
                if stream.tell() >= size:
                    break
                bounds.append(stream.tell())
    except OSError:
        return [Unit(str(file))]  # the process that reads it says why it cannot
    ends: list[int | None] = [*bounds[1:], None]
    return [Unit(str(file), start, end, len(bounds) > 1) for start, end in zip(bounds, ends, strict=True)]


def check_unit(
    unit: Unit, allow_unknown_types: bool = False, force_lines: bool = False, allow_abbreviated: bool = False
) -> LinesResult:
    """One unit of work (a top-level function, so that it pickles under any start method)."""
    result = LinesResult()
    checker = _checker(result, allow_unknown_types, force_lines, allow_abbreviated)
    if not unit.part:
        checker.check_path(Path(unit.path))
    else:
        try:
            with open(unit.path, "rb") as stream:
                stream.seek(unit.start)
                part = _Range(stream, unit.end)
                if unit.start == 0:
                    checker.check_stream(unit.path, cast(IO[bytes], part), lines=True)  # it only reads
                else:
                    checker.check_lines_part(unit.path, _lines(part))
                result.lines = part.newlines
        except OSError as error:
            checker.problem(Problem(unit.path, None, "", "input", f"cannot be read: {error.strerror or error}"))
    result.tally = checker.tally
    return result


class _Range:
    """The bytes of ``stream`` from where it stands to ``end``, counting the line ends read."""

    def __init__(self, stream: IO[bytes], end: int | None) -> None:
        self._stream = stream
        self._left = None if end is None else end - stream.tell()
        self.newlines = 0

    def read(self, size: int = -1) -> bytes:
        if self._left is not None:
            size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        if self._left is not None:
            self._left -= len(data)
        self.newlines += data.count(b"\n")
        return data


def _lines(part: _Range) -> Iterator[tuple[int, bytes]]:
    return numbered_lines(iter(lambda: part.read(1 << 20), b""))


def check_in_parallel(
    paths: list[Path],
    jobs: int,
    report: Callable[[Problem], None],
    allow_unknown_types: bool = False,
    force_lines: bool = False,
    split_size: int = SPLIT_SIZE,
    allow_abbreviated: bool = False,
) -> Tally:
    """Check ``paths`` (files and folders) in ``jobs`` processes (0: one per core), handing every problem to
    ``report`` in the order one process finds them; returns the tallies."""
    work = units(paths, force_lines, split_size)
    workers = min(jobs or os.cpu_count() or 1, len(work))
    total = Tally()
    if workers <= 1:
        results: Iterable[LinesResult] = (
            check_unit(unit, allow_unknown_types, force_lines, allow_abbreviated) for unit in work
        )
        return _collect(work, results, report, total)
    flags = [allow_unknown_types] * len(work), [force_lines] * len(work), [allow_abbreviated] * len(work)
    with ProcessPoolExecutor(workers) as pool:
        return _collect(work, pool.map(check_unit, work, *flags), report, total)


def _collect(
    work: list[Unit], results: Iterable[LinesResult], report: Callable[[Problem], None], total: Tally
) -> Tally:
    before = 0  # lines in the parts of the current file already collected
    for unit, result in zip(work, results, strict=True):
        before = before if unit.part and unit.start else 0
        for problem in result.problems:
            report(replace(problem, line=problem.line + before) if problem.line is not None and before else problem)
        before += result.lines
        _add(total, result.tally)
    return total
